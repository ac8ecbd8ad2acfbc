/*
 * The slot mapper's id table (replay/id-table.ts) against a Map, on 47-bit ids as x86-64 traces
 * carry them: the same answers after a seeded mix of inserts, replacements, deletes and re-inserts
 * (tombstones reused, the table rehashed several times), and absent ids answer −1.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IdTable } from '../../src/replay/id-table.js';

test('id table answers as a Map over 200,000 operations on 47-bit ids', () => {
  const t = new IdTable(16);
  const m = new Map<number, number>();
  let x = 7;
  const rnd = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  const idOf = (k: number): number => 0x55bc38000000 + 16 * (k % 60000);
  for (let i = 0; i < 200000; i++) {
    const id = idOf(rnd());
    const r = rnd() % 3;
    if (r < 2) {
      assert.is(t.set(id, i), m.has(id));
      m.set(id, i);
    } else {
      assert.is(t.delete(id), m.get(id) ?? -1);
      m.delete(id);
    }
  }
  assert.is(t.count, m.size);
  for (const [id, v] of m) assert.is(t.get(id), v);
  assert.is(t.get(0x7fffffffff00), -1);
  assert.is(t.get(2 ** 53 - 1), -1);
});

test.run();
