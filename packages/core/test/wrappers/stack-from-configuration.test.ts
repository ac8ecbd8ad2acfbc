/*
 * Wrappers stacked from configuration with their parameters: tracing streams to the file named
 * by wrapperOptions.tracing.file (read back with the codec), checking takes its red zone, and
 * each layer's identity says what it was made with.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CheckingAllocator, TracingAllocator, buildAllocator, createAddressSpace, eventsOf, loadConfig, parseTrace } from '../../src/index.js';
import { tinyRegistry } from '../config/helpers.js';

test('tracing to a file and checking with a wider red zone, stacked as configured', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'heaplab-trace-')), 'run.trace');
  const registry = tinyRegistry();
  const config = await loadConfig({
    file: null,
    registry,
    env: {
      HEAPLAB_WRAPPERS: 'tracing,checking',
      HEAPLAB_WRAPPER_OPTIONS__TRACING__FILE: file,
      HEAPLAB_WRAPPER_OPTIONS__TRACING__PROGRAM: 'unit',
      HEAPLAB_WRAPPER_OPTIONS__TRACING__CHUNK_EVENTS: '2',
      HEAPLAB_WRAPPER_OPTIONS__CHECKING__RED_ZONE: '64',
    },
  });
  const a = buildAllocator(registry, config, createAddressSpace({ size: 64 * 2 ** 20 }), 'tiny');
  assert.instance(a, TracingAllocator);
  const checking = (a as TracingAllocator).inner;
  assert.instance(checking, CheckingAllocator);
  assert.is(checking.identity.parameters.redZone, 64);
  assert.is(a.identity.parameters.program, 'unit');
  const p = a.malloc(10);
  const q = a.calloc(2, 8);
  a.free(p);
  a.free(q);
  a.malloc(3);
  (a as TracingAllocator).flush();
  const t = parseTrace(readFileSync(file));
  assert.is(t.program, 'unit');
  assert.equal(eventsOf(t.chunks).map((e) => `${e.kind}${e.size}`), ['a10', 'c16', 'f0', 'f0', 'a3']);
  const r = a.malloc(8);
  a.space.u8[r + 8 + 63] = 1;
  assert.throws(() => a.free(r), /red zone after block .* overwritten at 0x[0-9a-f]+ \(63 bytes past the end\)/);
});

test.run();
