import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { BuddyFrames, FrameError, formatBuddyinfo } from '../../src/index.js';

const refused = (code: string) => (e: unknown) => e instanceof FrameError && e.code === code;

test('a power-of-two count starts as blocks of the highest order', () => {
  const f = new BuddyFrames(4096);
  assert.equal(f.buddyinfo(), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4]);
  assert.is(f.framesFree, 4096);
  assert.is(f.largestFreeOrder(), 10);
  f.check();
});

test('a count that is not a power of two starts as the greatest aligned blocks that fit', () => {
  const f = new BuddyFrames(1024 + 256 + 5, { maxOrder: 10 });
  // 1024 at 0, 256 at 1024, then 4 + 1 at the top.
  assert.equal(f.buddyinfo(), [1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1]);
  assert.is(f.framesFree, 1285);
  f.check();
});

test('alloc splits the smallest sufficient block and hands out the lower half', () => {
  const f = new BuddyFrames(16, { maxOrder: 4 });
  assert.is(f.alloc(0), 0);
  assert.equal(f.buddyinfo(), [1, 1, 1, 1, 0]);
  assert.is(f.alloc(0), 1, 'the order-0 buddy left by the split');
  assert.is(f.alloc(1), 2);
  assert.is(f.alloc(2), 4);
  assert.equal(f.buddyinfo(), [0, 0, 0, 1, 0]);
  assert.is(f.framesInUse, 8);
  assert.is(f.allocatedOrder(4), 2);
  assert.is(f.allocatedOrder(5), -1, 'inside a block, not its head');
  f.check();
});

test('freeing every block in any order merges down to the fully merged free area', () => {
  const f = new BuddyFrames(2048);
  const blocks: Array<[number, number]> = [];
  for (const order of [0, 3, 0, 1, 5, 0, 2, 10, 0, 4]) blocks.push([f.alloc(order), order]);
  for (const i of [7, 0, 9, 2, 4, 1, 8, 3, 6, 5]) f.free(blocks[i]![0], blocks[i]![1]);
  assert.equal(f.buddyinfo(), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
  assert.is(f.framesInUse, 0);
  f.check();
});

test('a buddy past the last frame is never merged with', () => {
  const f = new BuddyFrames(6, { maxOrder: 3 }); // blocks 0–3 and 4–5
  const a = f.alloc(1);
  assert.is(a, 4);
  f.free(a, 1);
  assert.equal(f.buddyinfo(), [0, 1, 1, 0]);
  f.check();
});

test('exhaustion returns -1 and freeing recovers every order', () => {
  const f = new BuddyFrames(64, { maxOrder: 6 });
  const got: number[] = [];
  for (;;) {
    const p = f.alloc(0);
    if (p === -1) break;
    got.push(p);
  }
  assert.is(got.length, 64);
  assert.is(f.alloc(0), -1);
  assert.is(f.largestFreeOrder(), -1);
  assert.is(f.unusableIndex(0), 1, 'no free memory: all unusable');
  for (const p of got) f.free(p, 0);
  assert.is(f.peakInUse, 64, 'the peak stays after the frees');
  f.resetPeak();
  assert.is(f.peakInUse, 0);
  assert.is(f.alloc(6), 0, 'the whole area again');
  assert.is(f.peakInUse, 64);
  f.check();
});

test('the unusable free space index on a hand-made pattern', () => {
  // 16 frames, allocate all as order 0 then free the even frames and frames 8–11.
  const f = new BuddyFrames(16, { maxOrder: 4 });
  for (let i = 0; i < 16; i++) f.alloc(0);
  for (const p of [0, 2, 4, 6, 8, 9, 10, 11]) f.free(p, 0);
  // free: four single frames (0, 2, 4, 6) and one order-2 block (8–11): 8 free frames.
  assert.equal(f.buddyinfo(), [4, 0, 1, 0, 0]);
  assert.is(f.unusableIndex(0), 0);
  assert.is(f.unusableIndex(1), 0.5, '4 of 8 free frames are single');
  assert.is(f.unusableIndex(2), 0.5);
  assert.is(f.unusableIndex(3), 1);
  assert.is(f.largestFreeOrder(), 2);
  assert.is(f.alloc(3), -1, 'eight free frames but no order-3 block');
  assert.match(formatBuddyinfo(f), /^Node 0, zone +Normal +4 +0 +1 +0 +0$/);
});

test('free refuses double free, wrong order, misaligned and unknown pfns before any change', () => {
  const f = new BuddyFrames(32, { maxOrder: 5 });
  const a = f.alloc(2);
  const b = f.alloc(0);
  const before = f.buddyinfo();
  assert.throws(() => f.free(a, 1), refused('wrong-order'));
  assert.throws(() => f.free(a + 1, 0), refused('not-allocated'));
  assert.throws(() => f.free(a + 2, 1), refused('not-allocated'));
  assert.throws(() => f.free(a + 1, 2), refused('misaligned'));
  assert.throws(() => f.free(32, 0), refused('out-of-range'));
  assert.throws(() => f.free(-1, 0), refused('out-of-range'));
  assert.throws(() => f.free(0.5, 0), refused('out-of-range'));
  assert.throws(() => f.free(a, 6), refused('bad-order'));
  assert.throws(() => f.alloc(-1), refused('bad-order'));
  assert.throws(() => f.alloc(1.5), refused('bad-order'));
  assert.throws(() => f.free(20, 0), refused('double-free'), 'a frame never handed out lies in a free block');
  assert.equal(f.buddyinfo(), before);
  f.free(b, 0);
  assert.throws(() => f.free(b, 0), refused('double-free'));
  f.check();
  assert.is(f.framesInUse, 4);
});

test('the constructor validates its arguments', () => {
  assert.throws(() => new BuddyFrames(0), refused('bad-count'));
  assert.throws(() => new BuddyFrames(2.5), refused('bad-count'));
  assert.throws(() => new BuddyFrames(8, { maxOrder: 21 }), refused('bad-order'));
});

test('alloc and free agree with a model of frame sets (property)', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('alloc' as const), order: fc.integer({ min: 0, max: 4 }) }),
    fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 100 }), fc.array(op, { maxLength: 80 }), (total, ops) => {
      const f = new BuddyFrames(total, { maxOrder: 4 });
      const live: Array<[number, number]> = [];
      const taken = new Uint8Array(total);
      let used = 0;
      for (const o of ops) {
        if (o.kind === 'alloc') {
          const p = f.alloc(o.order);
          const n = 1 << o.order;
          if (p === -1) {
            // The model: no free aligned run of n frames exists.
            for (let s = 0; s + n <= total; s += n) {
              let allFree = true;
              for (let i = s; i < s + n; i++) if (taken[i]) allFree = false;
              // A free aligned run can still be unavailable if it straddles blocks of the initial carving; only runs within one initial block count.
              if (allFree && blockOfInitial(s, total, 4) === blockOfInitial(s + n - 1, total, 4)) return false;
            }
            continue;
          }
          if (p % n !== 0 || p + n > total) return false;
          for (let i = p; i < p + n; i++) {
            if (taken[i]) return false;
            taken[i] = 1;
          }
          used += n;
          live.push([p, o.order]);
        } else if (live.length > 0) {
          const [p, order] = live.splice(o.pick % live.length, 1)[0]!;
          f.free(p, order);
          for (let i = p; i < p + (1 << order); i++) taken[i] = 0;
          used -= 1 << order;
        }
        if (f.framesInUse !== used) return false;
      }
      f.check();
      for (const [p, order] of live) f.free(p, order);
      f.check();
      return f.framesInUse === 0 && f.framesFree === total;
    }),
    { seed: 21, numRuns: 300 },
  );
});

/** Which block of the initial carving (greatest aligned blocks that fit) holds pfn: its start. */
function blockOfInitial(pfn: number, total: number, maxOrder: number): number {
  let s = 0;
  while (s < total) {
    let k = maxOrder;
    while (k > 0 && ((s & ((1 << k) - 1)) !== 0 || s + (1 << k) > total)) k--;
    if (pfn < s + (1 << k)) return s;
    s += 1 << k;
  }
  return -1;
}

test.run();
