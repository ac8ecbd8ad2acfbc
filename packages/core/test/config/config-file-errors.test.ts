/*
 * A configuration file that cannot be used is an error naming it and the way out: HEAPLAB_CONFIG
 * naming a directory says so (and names the file inside, when there is one), not a bare EISDIR.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, readSettings } from '../../src/index.js';
import { messageOf } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'heaplab-config-dir-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('HEAPLAB_CONFIG naming a directory is an error naming the directory and the file to name instead', async () => {
  const emptyDir = mkdtempSync(join(dir, 'e-'));
  const fullDir = mkdtempSync(join(dir, 'f-'));
  writeFileSync(join(fullDir, 'heaplab.config.json'), '{}');
  assert.is(
    await messageOf(() => loadConfig({ env: { HEAPLAB_CONFIG: emptyDir } })),
    `environment variable HEAPLAB_CONFIG: (file): expected a configuration file, got the directory ${emptyDir} (it holds no heaplab.config.json)`,
  );
  assert.is(
    await messageOf(() => readSettings({ env: { HEAPLAB_CONFIG: fullDir } })),
    `environment variable HEAPLAB_CONFIG: (file): expected a configuration file, got the directory ${fullDir}; name the file in it: ${join(fullDir, 'heaplab.config.json')}`,
  );
});

test.run();
