import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PROT_READ, PROT_WRITE, MADV_DONTNEED, MAP_FIXED, createAddressSpace } from '../../src/index.js';
import { AddressSpace } from '../../src/space/address-space.js';
import { accessSync, constants } from 'node:fs';

const MiB = 2 ** 20;
const PAGE = 4096;

/** Runs `body` with the host's page table consulted (true) or not (false), restoring the default. */
function withHostPages<T>(on: boolean, body: () => T): T {
  const was = AddressSpace.askHostPages;
  AddressSpace.askHostPages = on;
  try {
    return body();
  } finally {
    AddressSpace.askHostPages = was;
  }
}

/** The same writes, unmaps and remaps, with raw and checked writes mixed; returns what a program sees. */
function scenario(): { resident: number[]; bytes: number[] } {
  const s = createAddressSpace({ size: 256 * MiB });
  const resident: number[] = [];
  const a = s.mmap(0, 64 * PAGE, PROT_READ | PROT_WRITE);
  s.u8[a + 3 * PAGE + 17] = 9; // raw: the space cannot see it
  s.u8[a + 60 * PAGE + PAGE - 1] = 7;
  s.store8(a + 30 * PAGE, 5); // checked
  resident.push(s.stats().resident);
  s.munmap(a, 64 * PAGE);
  resident.push(s.stats().resident);
  const b = s.mmap(a, 64 * PAGE, PROT_READ | PROT_WRITE);
  const bytes = [s.u8[b + 3 * PAGE + 17]!, s.u8[b + 60 * PAGE + PAGE - 1]!, s.u8[b + 30 * PAGE]!];
  s.u8.fill(1, b + 10 * PAGE, b + 12 * PAGE);
  s.madvise(b + 8 * PAGE, 8 * PAGE, MADV_DONTNEED);
  bytes.push(s.u8[b + 10 * PAGE]!, s.u8[b + 12 * PAGE - 1]!);
  resident.push(s.stats().resident);
  return { resident, bytes };
}

test('pages written through raw views read zero after munmap and madvise, asking the host or not', () => {
  const asked = withHostPages(true, scenario);
  const read = withHostPages(false, scenario);
  assert.equal(asked.bytes, [0, 0, 0, 0, 0]);
  assert.equal(asked, read);
  assert.equal(asked.resident, [3 * PAGE, 0, 0]);
});

/** A 256 MiB space with a 64-page read-write mapping `a` (page index p0) below the top page's mapping. */
function sixtyFourPages(): { s: ReturnType<typeof createAddressSpace>; a: number; p0: number } {
  const s = createAddressSpace({ size: 256 * MiB });
  s.mmap(0, 64 * PAGE, PROT_READ | PROT_WRITE); // keeps the next mapping off the top page
  const a = s.mmap(0, 64 * PAGE, PROT_READ | PROT_WRITE);
  return { s, a, p0: a / PAGE };
}

test('giving back a mapping reads none of the pages nobody touched', () => {
  withHostPages(true, () => {
    const { s, a, p0 } = sixtyFourPages();
    s.u8[a + 5 * PAGE] = 1;
    s.u8[a + 40 * PAGE + 8] = 1;
    s.munmap(a, 64 * PAGE);
    s.stats();
    const host = s.hostPages;
    if (!host) {
      // This host hides its page table (no /proc/self/pagemap): the space reads pages instead,
      // which the previous test checks. Nothing more can be observed here.
      console.log('  (host page table not readable here: the read-everything path was tested instead)');
      return;
    }
    const touched = [...Array(64).keys()].filter((i) => host.isTouched(p0 + i));
    // Exactly the space pages sharing an OS page with a written byte: the buffer need not start
    // on an OS page, and then a space page's head shares an OS page with the one before.
    assert.equal(touched, sharers(host.offset, [5 * PAGE, 40 * PAGE + 8]));
  });
});

/** Indices of the space pages (of a run starting at offset 0) sharing an OS page with each byte, when the buffer starts `d` bytes into an OS page (space page = OS page). */
function sharers(d: number, bytes: number[]): number[] {
  const out = new Set<number>();
  for (const b of bytes) {
    const os = Math.floor((b + d) / PAGE); // OS page of the byte, counted from the buffer's first OS page
    out.add(os);
    if (d > 0 && os > 0) out.add(os - 1);
  }
  return [...out].filter((q) => q >= 0).sort((x, y) => x - y);
}

test('zeroing a page given back writes no OS page the program did not touch', () => {
  withHostPages(true, () => {
    const { s, a, p0 } = sixtyFourPages();
    s.store8(a + 10 * PAGE, 1); // checked: the page is RESIDENT, and zeroed without a read
    s.u8[a + 20 * PAGE] = 2; // raw: found by reading the parts the host touched
    s.store8(a + 30 * PAGE + PAGE - 1, 3); // a page's last byte: in its second OS page when d > 0
    s.madvise(a + 8 * PAGE, 4 * PAGE, MADV_DONTNEED);
    s.munmap(a + 16 * PAGE, 48 * PAGE);
    const host = s.hostPages;
    if (!host) {
      console.log('  (host page table not readable here: the read-everything path was tested instead)');
      return;
    }
    assert.is(s.u8[a + 10 * PAGE], 0);
    assert.is(s.u8[a + 20 * PAGE], 0);
    assert.is(s.stats().resident, 0);
    const touched = [...Array(64).keys()].filter((i) => host.isTouched(p0 + i));
    assert.equal(touched, sharers(host.offset, [10 * PAGE, 20 * PAGE, 31 * PAGE - 1]));
  });
});

test('sampled residency is the same whether the host is asked or not', () => {
  const figures = (on: boolean): number[] =>
    withHostPages(on, () => {
      const s = createAddressSpace({ size: 128 * MiB });
      const out: number[] = [];
      const heap = s.sbrk(32 * PAGE);
      for (let i = 0; i < 32; i += 3) s.u8[heap + i * PAGE + i] = i + 1;
      out.push(s.stats().resident);
      const m = s.mmap(0, 300 * PAGE, PROT_READ | PROT_WRITE);
      for (let i = 0; i < 300; i += 7) s.u8[m + i * PAGE + 100] = 1;
      out.push(s.stats().resident);
      s.sbrk(-16 * PAGE);
      s.munmap(m + 100 * PAGE, 100 * PAGE);
      const st = s.stats();
      out.push(st.resident, st.peakResident);
      return out;
    });
  const asked = figures(true);
  assert.equal(asked, figures(false));
  assert.equal(asked[0], 11 * PAGE);
  assert.equal(asked[1], (11 + 43) * PAGE);
});

/** Whether this process can read its page table at all (Linux with /proc; not every container). */
function pagemapReadable(): boolean {
  try {
    accessSync('/proc/self/pagemap', constants.R_OK);
    return process.platform === 'linux';
  } catch {
    return false;
  }
}

test('the space finds its buffer in the host even when the top of the space is in use', () => {
  withHostPages(true, () => {
    const s = createAddressSpace({ size: 256 * MiB });
    // Mappings go top-down: fill and write the top 300 pages before the host is first asked.
    const top = s.mmap(0, 300 * PAGE, PROT_READ | PROT_WRITE);
    s.u8.fill(7, top, top + 300 * PAGE);
    const a = s.mmap(0, 8 * PAGE, PROT_READ | PROT_WRITE);
    s.munmap(a, 8 * PAGE);
    if (!pagemapReadable()) {
      console.log('  (no readable /proc/self/pagemap here: the space reads pages instead)');
      assert.is(s.hostPages, null);
      return;
    }
    assert.ok(s.hostPages, 'the buffer was not located although pagemap is readable');
    assert.ok(s.hostPages.isTouched(top / PAGE + 10), 'a written page seen as untouched');
  });
});

test('a range given back again and again reads zero every time, asked of the host or read', () => {
  withHostPages(true, () => {
    const s = createAddressSpace({ size: 256 * MiB });
    s.mmap(0, 16 * PAGE, PROT_READ | PROT_WRITE);
    let a = 0;
    for (let round = 0; round < 12; round++) {
      a = s.mmap(a, 32 * PAGE, PROT_READ | PROT_WRITE, a === 0 ? 0 : MAP_FIXED);
      for (let i = 0; i < 32; i++) assert.is(s.u8[a + i * PAGE + ((round * 97 + i) % PAGE)], 0, `round ${round}, page ${i}`);
      // A different few pages written each round, through raw views.
      for (let i = round % 5; i < 32; i += 5) s.u8[a + i * PAGE + ((round * 97 + i) % PAGE)] = round + 1;
      if (round % 2) s.madvise(a, 32 * PAGE, MADV_DONTNEED);
      else s.munmap(a, 32 * PAGE);
    }
  });
});

test.run();
