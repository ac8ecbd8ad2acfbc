/*
 * The explorer in a real browser: Debian's chromium (/usr/bin/chromium; .ci/run installs it when
 * missing) driven by playwright-core, headless, with a fresh profile. The page is written by
 * `heaplab explore --out` and opened from file://, or served by `heaplab explore` for a trace.
 *
 * Checks: a workload with two allocators loads; typing an event number scrubs to it; pointing at
 * a live block (typing its address) opens the ownership panel, whose block, allocator and
 * inspection agree with `heaplab who` for the same event and address; "peak live bytes" moves the
 * cursor to the peak; step, next event of a kind, play and pause move it; a bundled trace served over HTTP streams through the worker (gzip). It
 * saves screenshots under bench/results/explore/ and prints the measured jump and scrub times
 * (figures, not pass/fail thresholds, except that a page that cannot move at all fails).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { runCli } from '../helpers/run-cli.js';

const BENCH = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(BENCH, 'src', 'cli', 'main.ts');
const SHOTS = join(BENCH, 'results', 'explore');
const CHROMIUM = process.env.HEAPLAB_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SEED = 5;
const OPS = 30_000;
const SPACE_MIB = 4096;

let context: BrowserContext;
let profile: string;

test.before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does`);
  mkdirSync(SHOTS, { recursive: true });
  profile = mkdtempSync(join(tmpdir(), 'heaplab-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1500, height: 1400 } });
});

test.after(async () => {
  await context?.close();
  rmSync(profile, { recursive: true, force: true });
});

async function open(url: string): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => (globalThis as unknown as { heaplabExplore?: { ready(): boolean } }).heaplabExplore?.ready() === true, null, { timeout: 600_000 });
  assert.equal(errors, [], 'no errors on the page');
  return page;
}

/** heaplab who --json for the workload, as the CLI prints it. */
function who(address: number, allocator: string, at: number): { block: { base: string; size: number } | null; owner: string | null; chain: string[] } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'who', `0x${address.toString(16)}`, '-w', 'churn', '--seed', String(SEED), '--ops', String(OPS), '--at', String(at), '-a', allocator, '--space-mib', String(SPACE_MIB), '--json'], { cwd: BENCH, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { block: { base: string; size: number } | null; owner: string | null; chain: string[] };
}

const panel = (page: Page, run: number, key: string): Promise<string> => page.locator(`.owner[data-run="${run}"] dd[data-key="${key}"]`).first().innerText();

test('a workload side by side: scrub, point at a live block, who agrees, jump to the peak', async () => {
  const out = mkdtempSync(join(tmpdir(), 'heaplab-explore-page-'));
  const r = await runCli(['explore', '-w', 'churn', '--seed', String(SEED), '--ops', String(OPS), '-a', 'dlmalloc-style,zoned-classes', '--space-mib', String(SPACE_MIB), '--out', out]);
  assert.is(r.code, 0, r.err);
  const page = await open(pathToFileURL(join(out, 'index.html')).href);
  const events = await page.evaluate(() => (globalThis as any).heaplabExplore.session.events as number);
  assert.is(events, OPS);

  // Scrub: type an event number.
  const at = 12_345;
  await page.fill('#event', String(at));
  await page.press('#event', 'Enter');
  assert.is(await page.evaluate(() => (globalThis as any).heaplabExplore.session.cursor as number), at);
  assert.match(await page.innerText('#event-line'), `event ${(at - 1).toLocaleString('en-US')} of`);

  // Point at a live block of the first run (an interior address) by typing it.
  const addr = await page.evaluate(() => {
    const r0 = (globalThis as any).heaplabExplore.session.runs[0];
    const lives = [...r0.graph.live.values()] as number[];
    const l = lives[Math.floor(lives.length / 2)]!;
    return (r0.ptrOf[l] as number) + 5;
  });
  await page.fill('#address', `0x${addr.toString(16)}`);
  await page.click('#point');
  await page.waitForSelector('#owner-box:not([hidden])');
  const expected = who(addr, 'dlmalloc-style', at);
  assert.ok(expected.block !== null, 'who finds a live block there');
  assert.is(await panel(page, 0, 'block'), `${expected.block!.base} (${expected.block!.size} bytes)`);
  assert.is((await panel(page, 0, 'allocator')).replace(/#\d+$/, ''), expected.chain[0]!.replace(/#\d+$/, ''));
  assert.is(await panel(page, 0, 'offset'), '5 bytes into the block');
  assert.match(await panel(page, 0, 'inspect'), `live: ${expected.block!.base} + `);
  assert.match(await panel(page, 0, 'state'), 'in use');
  // The second run shows the same trace block where zoned-classes put it, and who agrees there too.
  const other = Number.parseInt((await panel(page, 1, 'address')).slice(2), 16);
  const expected2 = who(other, 'zoned-classes', at);
  assert.is(await panel(page, 1, 'block'), `${expected2.block!.base} (${expected2.block!.size} bytes)`);
  assert.match(await panel(page, 1, 'slot'), /#\d+ of \d+/);
  await page.click('#z-page');
  await page.screenshot({ path: join(SHOTS, 'workload-two-allocators-page.png'), fullPage: true });

  // Jump to the peak of live bytes: the cursor lands where live bytes are largest.
  await page.click('#peak-live');
  const peak = await page.evaluate(() => {
    const s = (globalThis as any).heaplabExplore.session;
    const live = s.runs[0].live as Float64Array;
    let best = 0;
    for (let k = 1; k < live.length; k++) if (live[k]! > live[best]!) best = k;
    return { cursor: s.cursor as number, best };
  });
  assert.is(peak.cursor, peak.best);
  await page.screenshot({ path: join(SHOTS, 'workload-two-allocators-peak.png'), fullPage: true });

  // Step, step to the next free, play and pause.
  await page.click('#step');
  assert.is(await page.evaluate(() => (globalThis as any).heaplabExplore.session.cursor as number), peak.cursor + 1);
  await page.selectOption('#kind', '4');
  await page.click('#next-kind');
  const freed = await page.evaluate(() => {
    const s = (globalThis as any).heaplabExplore.session;
    return s.store.kind[s.cursor - 1] as number;
  });
  assert.is(freed, 4, 'the event just applied is a free');
  await page.evaluate(() => (globalThis as any).heaplabExplore.jump(0));
  await page.click('#play');
  await page.waitForFunction(() => (globalThis as any).heaplabExplore.session.cursor > 100, null, { timeout: 60_000 });
  await page.click('#play');
  const paused = await page.evaluate(() => (globalThis as any).heaplabExplore.session.cursor as number);
  await page.waitForTimeout(300);
  assert.is(await page.evaluate(() => (globalThis as any).heaplabExplore.session.cursor as number), paused, 'paused');

  // Figures: a jump to the last event from the start, and a scrub across the run.
  const figures = await page.evaluate(() => {
    const x = (globalThis as any).heaplabExplore;
    x.jump(0);
    const last = x.jump(x.session.events);
    const times: number[] = [];
    for (let k = 0; k < 60; k++) {
      const t0 = performance.now();
      x.jump(Math.floor((x.session.events * ((k * 37) % 60)) / 60));
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    // A scrub: the cursor dragged across the middle of the run in 60 steps of 0.25 % each way.
    // (No named functions in here: the test's transpiler would wrap them in a helper the page lacks.)
    const scrub: number[] = [];
    for (const direction of [1, -1]) {
      const steps: number[] = [];
      const step = Math.max(1, Math.floor(x.session.events / 400));
      x.jump(Math.floor(x.session.events / 2));
      for (let k = 0; k < 60; k++) {
        const t0 = performance.now();
        x.jump(x.session.cursor + direction * step);
        steps.push(performance.now() - t0);
      }
      steps.sort((p: number, q: number) => p - q);
      scrub.push(steps[30]!);
    }
    return { last, median: times[30]!, max: times[59]!, forward: scrub[0]!, backward: scrub[1]! };
  });
  process.stdout.write(`\n  explore ${OPS} churn events, dlmalloc-style + zoned-classes: jump 0 → last ${figures.last.toFixed(1)} ms; 60 scattered jumps with redraw: median ${figures.median.toFixed(1)} ms, max ${figures.max.toFixed(1)} ms; scrub a frame (move + redraw), median: forward ${figures.forward.toFixed(1)} ms, backward ${figures.backward.toFixed(1)} ms\n`);
  assert.ok(Number.isFinite(figures.last));
  await page.close();
  rmSync(out, { recursive: true, force: true });
});

test('a bundled trace served over HTTP: streamed through the worker, at its peak, one page zoomed, ownership open', async () => {
  const trace = join(BENCH, 'traces', 'python3-json.trace.gz');
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'explore', trace, '-a', 'dlmalloc-style,zoned-classes', '--port', '0'], { cwd: BENCH, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((ok, fail) => {
      let text = '';
      child.stdout.on('data', (b: Buffer) => {
        text += b.toString();
        const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(text);
        if (m) ok(m[0]);
      });
      child.stderr.on('data', (b: Buffer) => (text += b.toString()));
      child.once('exit', (code) => fail(new Error(`heaplab explore exited ${code}: ${text}`)));
    });
    const page = await open(url);
    const n = await page.evaluate(() => (globalThis as any).heaplabExplore.session.events as number);
    assert.is(n, 218_316, 'every event of python3-json');
    await page.click('#peak-resident');
    const cursor = await page.evaluate(() => (globalThis as any).heaplabExplore.session.cursor as number);
    assert.ok(cursor > 0);
    const addr = await page.evaluate(() => {
      const r0 = (globalThis as any).heaplabExplore.session.runs[0];
      const lives = [...r0.graph.live.values()] as number[];
      return (r0.ptrOf[lives[Math.floor(lives.length / 3)]!] as number) + 8;
    });
    await page.fill('#address', `0x${addr.toString(16)}`);
    await page.click('#point');
    await page.click('#z-page');
    await page.waitForSelector('#owner-box:not([hidden])');
    assert.match(await panel(page, 0, 'inspect'), /^live: /);
    await page.screenshot({ path: join(SHOTS, 'python3-json-peak-page.png'), fullPage: true });
    const jump = await page.evaluate(() => {
      const x = (globalThis as any).heaplabExplore;
      x.jump(0);
      const ms = x.jump(x.session.events);
      return { ms, every: x.session.every as number };
    });
    process.stdout.write(`\n  explore python3-json (218,316 events), dlmalloc-style + zoned-classes: jump 0 → last event ${jump.ms.toFixed(1)} ms (checkpoints every ${jump.every} events)\n`);
    await page.close();
  } finally {
    child.kill('SIGTERM');
  }
});

test.run();
