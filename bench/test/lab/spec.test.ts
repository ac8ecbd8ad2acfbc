import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { optionValue, parseSpec, parseSpecList } from '../../src/lab/spec.js';

test('a spec names the allocator, its options and its wrappers innermost first', () => {
  const s = parseSpec('dlmalloc-style:policy=next-fit,mmapThreshold=64k+checking+stats');
  assert.is(s.name, 'dlmalloc-style');
  assert.equal(s.options, { policy: 'next-fit', mmapThreshold: 65536 });
  assert.equal(s.wrappers.map((w) => w.name), ['checking', 'stats']);
  assert.is(s.module, null);
  assert.is(s.spec, 'dlmalloc-style:mmapThreshold=65536,policy=next-fit+checking+stats');
});

test('the normalised text does not depend on the order options were given in', () => {
  assert.is(parseSpec('dlmalloc-style:tcache=0,policy=best-fit').spec, parseSpec('dlmalloc-style:policy=best-fit,tcache=0').spec);
});

test('in a comma list, a bare key=value continues the options of the spec before it', () => {
  const l = parseSpecList('dlmalloc-style:policy=first-fit,mmapThreshold=1m,bump-freestack,zoned-classes:preset=light');
  assert.equal(l.map((s) => s.spec), ['dlmalloc-style:mmapThreshold=1048576,policy=first-fit', 'bump-freestack', 'zoned-classes:preset=light']);
});

test('a user module is name@path', () => {
  const s = parseSpec('first-fit@./examples/first-fit/first-fit.ts:verbose=true');
  assert.is(s.module, './examples/first-fit/first-fit.ts');
  assert.equal(s.options, { verbose: true });
});

test('option values: integers with k/m/g suffixes, booleans, otherwise text', () => {
  assert.is(optionValue('4k'), 4096);
  assert.is(optionValue('2M'), 2 * 2 ** 20);
  assert.is(optionValue('12'), 12);
  assert.is(optionValue('false'), false);
  assert.is(optionValue('best-fit'), 'best-fit');
});

test('malformed specs are usage errors naming the spec', () => {
  assert.throws(() => parseSpecList('policy=first-fit'), /"policy=first-fit" is an option but no allocator comes before it/);
  assert.throws(() => parseSpecList('bump-freestack,bump-freestack'), /"bump-freestack" is named twice/);
  assert.throws(() => parseSpec('dlmalloc-style:=3'), /expected key=value/);
  assert.throws(() => parseSpec('dlmalloc-style++checking'), /an empty element/);
  assert.throws(() => parseSpec('bump-freestack+checking@x.js'), /a wrapper cannot come from a module/);
});

test.run();
