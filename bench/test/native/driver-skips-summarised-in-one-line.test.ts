/*
 * The skip messages of native runs (one per missing allocator and per run) are summarised in one
 * line that names what was skipped and gives the command adding exactly those allocators; and the
 * packages that command installs put their libraries under the names native-allocators.sh looks
 * for (the file each Debian package installs, read from `dpkg -c`, laid out in a scratch library
 * directory given to the script through HEAPLAB_NATIVE_LIBDIRS).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NATIVE_PACKAGES, nativeAllocators, nativeDriverBuilt, nativeSkipSummary, runNative } from '../../src/metrics/native.js';

/** The library each package installs in /usr/lib/x86_64-linux-gnu (Debian 12, `dpkg -c`). */
const PACKAGE_FILES: Record<string, string> = {
  libjemalloc2: 'libjemalloc.so.2',
  'libmimalloc2.0': 'libmimalloc.so.2',
  'libtcmalloc-minimal4': 'libtcmalloc_minimal.so.4',
};

const root = mkdtempSync(join(tmpdir(), 'heaplab-native-skips-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const MISSING = (name: string, what: string) => `${name} skipped: ${what} not found in /usr/lib/x86_64-linux-gnu /usr/lib`;

test('one line names every skipped allocator once and installs exactly their packages', () => {
  const one = [MISSING('jemalloc', 'libjemalloc.so'), MISSING('tcmalloc', 'libtcmalloc_minimal.so.4 or libtcmalloc.so.4'), 'musl skipped: musl-gcc not found: the static musl driver is not built'];
  const line = nativeSkipSummary([...one, ...one, ...one])!; // three runs' messages
  assert.not.match(line, /\n/);
  assert.match(line, /skipped: jemalloc, tcmalloc, musl;/);
  assert.match(line, /`sudo apt-get install -y libjemalloc2 libtcmalloc-minimal4 musl-tools && make -C bench\/native`/);
  assert.not.match(line, /mimalloc/);
  assert.is(nativeSkipSummary([]), null);
});

test('a musl driver waiting for make, or a driver not built at all, is added by make alone', () => {
  assert.match(nativeSkipSummary(['musl skipped: build/heaplab-replay-musl not built (run make -C bench/native)'])!, /skipped: musl; add them with `make -C bench\/native`$/);
  const unbuilt = nativeSkipSummary(['the driver is not built (/x/build/heaplab-replay is missing; `npm run build -w @heaplab/bench` builds it where a C compiler exists)'])!;
  assert.match(unbuilt, /the driver is not built; add them with `make -C bench\/native`$/);
});

test('a driver failure is kept after the skips, not dropped', () => {
  const line = nativeSkipSummary([MISSING('mimalloc', 'libmimalloc.so'), 'native driver failed: boom'])!;
  assert.match(line, /skipped: mimalloc; add them .*; also: native driver failed: boom$/);
});

test('the packages the line installs give the files native-allocators.sh looks for', async () => {
  assert.equal(Object.keys(PACKAGE_FILES).sort(), Object.values(NATIVE_PACKAGES).filter((p) => p !== 'musl-tools').sort());
  const empty = join(root, 'empty');
  const libs = join(root, 'lib');
  for (const d of [empty, libs]) rmSync(d, { recursive: true, force: true });
  mkdirSync(empty);
  mkdirSync(libs);
  for (const f of Object.values(PACKAGE_FILES)) writeFileSync(join(libs, f), '');
  const before = process.env.HEAPLAB_NATIVE_LIBDIRS;
  try {
    process.env.HEAPLAB_NATIVE_LIBDIRS = empty;
    const absent = await nativeAllocators();
    for (const name of ['jemalloc', 'mimalloc', 'tcmalloc']) assert.is(absent.find((e) => e.name === name)!.available, false, name);
    if (!nativeDriverBuilt()) return console.log('skipped the lookup half: the driver is not built');
    const skipped = (await runNative(join(root, 'none.trace'), { footprint: false, only: ['jemalloc', 'mimalloc', 'tcmalloc'] })).skipped;
    assert.match(nativeSkipSummary(skipped)!, /install -y libjemalloc2 libmimalloc2\.0 libtcmalloc-minimal4 &&/);
    process.env.HEAPLAB_NATIVE_LIBDIRS = libs;
    const found = await nativeAllocators();
    for (const [name, pkg] of [['jemalloc', 'libjemalloc2'], ['mimalloc', 'libmimalloc2.0'], ['tcmalloc', 'libtcmalloc-minimal4']] as const) {
      const e = found.find((x) => x.name === name)!;
      assert.is(e.available, true, `${name} found once ${pkg} is installed`);
      assert.is(e.preload, join(libs, PACKAGE_FILES[pkg]!));
    }
  } finally {
    if (before === undefined) delete process.env.HEAPLAB_NATIVE_LIBDIRS;
    else process.env.HEAPLAB_NATIVE_LIBDIRS = before;
  }
});

test.run();
