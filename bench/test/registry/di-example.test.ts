/*
 * The DI example runs: a user's class gets the configured allocator by @inject(ALLOCATOR) — the
 * one registered as default without configuration, another when the environment names it, with
 * the configured wrapper stack.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runDiExample } from '../../src/di-example.js';

test('without configuration the allocator registered as default is injected', async () => {
  const out = await runDiExample({ file: null, env: {} });
  assert.match(out, /^allocator: dlmalloc-style#\d+ \(boundary-tag\)\n/);
  assert.match(out, /stored "hello, heap" at 0x[0-9a-f]+ and "world" at 0x[0-9a-f]+\n/);
  assert.match(out, /who owns 0x[0-9a-f]+\? 0x[0-9a-f]+: 6 bytes into block 0x[0-9a-f]+ \(\d+ bytes\), owned by dlmalloc-style#\d+\n/);
  assert.match(out, /live blocks after dropping both: 0\n$/);
});

test('the environment picks another allocator and a wrapper stack, no code changed', async () => {
  const out = await runDiExample({ file: null, env: { HEAPLAB_DEFAULT: 'mmap-pages', HEAPLAB_WRAPPERS: 'checking', HEAPLAB_SPACE__SIZE: '67108864' } });
  assert.match(out, /^allocator: checking#\d+ \(wrapper\)\n/);
  assert.match(out, /\(15 bytes\) allocated at .*di-example\.ts:\d+:\d+, owned by mmap-pages#\d+ < checking#\d+\n/);
});

test.run();
