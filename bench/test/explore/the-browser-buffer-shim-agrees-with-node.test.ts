/*
 * The page's node:buffer (bench/web/shims/buffer.js) does what heaplab's packages ask of Buffer
 * as Node's does: from an ArrayBuffer range (a view, not a copy), from a string, alloc, compare
 * of ranges as memcmp (the residency and zero checks), equals, toString as utf8, latin1, hex.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Buffer as NodeBuffer } from 'node:buffer';
// @ts-expect-error: plain JavaScript without declarations, for the browser bundle
import { Buffer as PageBuffer } from '../../web/shims/buffer.js';

type B = Uint8Array & { compare(t: Uint8Array, ts?: number, te?: number, ss?: number, se?: number): number; equals(o: Uint8Array): boolean; toString(enc?: string, s?: number, e?: number): string };
const Page = PageBuffer as { from(a: unknown, b?: unknown, c?: number): B; alloc(n: number): B };

test('from(ArrayBuffer, offset, length) is a view over the same bytes', () => {
  const ab = new ArrayBuffer(64);
  const b = Page.from(ab, 8, 16);
  b[0] = 7;
  assert.is(new Uint8Array(ab)[8], 7);
  assert.is(b.length, 16);
  assert.is(Page.from(ab).length, 64);
});

test('compare over ranges gives the sign Node gives, aligned or not, short or long', () => {
  let x = 99;
  const rnd = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) & 0xff;
  for (let k = 0; k < 300; k++) {
    const n = 1 + (rnd() * 3) % 300;
    const bytes = Uint8Array.from({ length: 600 }, () => (rnd() < 200 ? 0 : rnd()));
    const ts = rnd() % 50;
    const ss = rnd() % 50;
    const te = ts + n - (rnd() % 3);
    const se = ss + n;
    const other = bytes.slice();
    if (rnd() < 128) other[ss + (rnd() % n)] = rnd();
    const nodeA = NodeBuffer.from(bytes.buffer);
    const nodeB = NodeBuffer.from(other.buffer);
    const pageA = Page.from(bytes.buffer);
    const pageB = Page.from(other.buffer);
    assert.is(pageA.compare(pageB, ts, te, ss, se), nodeA.compare(nodeB, ts, te, ss, se), `case ${k}`);
  }
  const zero = Page.alloc(65536);
  const page = Page.from(new ArrayBuffer(8192));
  assert.is(page.compare(zero, 0, 4096, 4096, 8192), 0);
  page[5000] = 1;
  assert.is(page.compare(zero, 0, 4096, 4096, 8192), 1);
  assert.ok(Page.from('abc').equals(Page.from('abc')));
});

test('strings: utf8 both ways, latin1 and hex out', () => {
  const s = 'heaplab · zone ✓';
  assert.is(Page.from(s, 'utf8').toString('utf8'), NodeBuffer.from(s, 'utf8').toString('utf8'));
  const raw = Uint8Array.of(0x68, 0xe9, 0x00, 0xff);
  assert.is(Page.from(raw).toString('latin1'), NodeBuffer.from(raw).toString('latin1'));
  assert.is(Page.from(raw).toString('hex'), NodeBuffer.from(raw).toString('hex'));
  const ab = new TextEncoder().encode('xx-site-yy').buffer;
  assert.is(Page.from(ab, 3, 4).toString('utf8'), 'site');
});

test.run();
