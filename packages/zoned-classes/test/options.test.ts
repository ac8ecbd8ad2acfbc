/*
 * Options: presets as data (light differs from default exactly where hardened_malloc's light.mk
 * does), every option validated with an error naming it, the write-after-free check's dependency
 * on zero on free, and the options an allocator was made with shown in its identity.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, createAddressSpace } from '@heaplab/core';
import { PRESETS, createZonedAllocator, resolveOptions, type ZonedOptions } from '../src/index.js';

const MiB = 2 ** 20;

test('light differs from default in the five options light.mk changes', () => {
  const diff = (Object.keys(PRESETS.default) as (keyof ZonedOptions)[]).filter((k) => PRESETS.default[k] !== PRESETS.light[k]);
  assert.equal(diff.sort(), ['guardSlabInterval', 'slabQuarantineQueueLength', 'slabQuarantineRandomLength', 'slotRandomize', 'writeAfterFreeCheck']);
  assert.is(PRESETS.light.guardSlabInterval, 8);
  assert.ok(Object.isFrozen(PRESETS.default) && Object.isFrozen(PRESETS.light));
});

test('options are laid over the chosen preset', () => {
  const o = resolveOptions({ preset: 'light', guardSlabInterval: 2 });
  assert.is(o.guardSlabInterval, 2);
  assert.is(o.writeAfterFreeCheck, false);
  assert.equal(resolveOptions(), PRESETS.default);
});

function throwsNaming(f: () => unknown, key: string): void {
  try {
    f();
  } catch (e) {
    assert.instance(e, ConfigError);
    assert.is((e as ConfigError).key, key);
    assert.match((e as Error).message, key);
    return;
  }
  assert.unreachable(`expected a ConfigError naming ${key}`);
}

test('each bad value is rejected with the option named', () => {
  const bad: [keyof ZonedOptions, unknown][] = [
    ['zeroOnFree', 1], ['writeAfterFreeCheck', 'yes'], ['slotRandomize', null], ['slabCanary', 0],
    ['slabQuarantineRandomLength', -1], ['slabQuarantineQueueLength', 1.5], ['extendedSizeClasses', 'no'],
    ['guardSlabInterval', 0], ['guardSizeDivisor', 0], ['regionQuarantineRandomLength', NaN],
    ['regionQuarantineQueueLength', 70000], ['regionQuarantineSkipThreshold', -5], ['emptySlabCacheBytes', 0.5],
    ['zoneShare', 1], ['zoneShare', 0], ['seed', -1], ['seed', 2 ** 32],
  ];
  for (const [key, value] of bad) throwsNaming(() => resolveOptions({ [key]: value } as Partial<ZonedOptions>), key);
});

test('an unknown option or preset is rejected by name', () => {
  throwsNaming(() => resolveOptions({ guardSlabs: 3 } as unknown as Partial<ZonedOptions>), 'guardSlabs');
  throwsNaming(() => resolveOptions({ preset: 'heavy' as 'light' }), 'preset');
});

test('the write-after-free check needs zero on free', () => {
  throwsNaming(() => resolveOptions({ zeroOnFree: false }), 'writeAfterFreeCheck');
  assert.is(resolveOptions({ zeroOnFree: false, writeAfterFreeCheck: false }).zeroOnFree, false);
  assert.is(resolveOptions({ preset: 'light', zeroOnFree: false }).writeAfterFreeCheck, false);
});

test('the allocator rejects bad options before touching the space, and shows its options in its identity', () => {
  const space = createAddressSpace({ size: 64 * MiB });
  throwsNaming(() => createZonedAllocator(space, { zeroOnFree: false }), 'writeAfterFreeCheck');
  assert.is(space.mappings().length, 0);
  const a = createZonedAllocator(space, { preset: 'light', seed: 7 });
  assert.is(a.identity.parameters.preset, 'light');
  assert.is(a.identity.parameters.seed, 7);
  assert.is(a.identity.parameters.guardSlabInterval, 8);
});

test('a zone share too small for the space is rejected naming zoneShare', () => {
  const space = createAddressSpace({ size: 8 * MiB });
  throwsNaming(() => createZonedAllocator(space, { zoneShare: 0.001 }), 'zoneShare');
});

test.run();
