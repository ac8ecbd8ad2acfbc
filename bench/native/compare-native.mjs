#!/usr/bin/env node
// compare-native.mjs TRACE [-n N] [--rounds R]: replays one trace with every native allocator
// native-allocators.sh reports, in both touch modes, and prints a Markdown table (ns/event median,
// ratio to glibc, peak footprint, footprint / peak live) plus the raw JSON lines on stderr.
// Rounds interleave the allocators (glibc, jemalloc, ..., glibc, jemalloc, ...) so they share the
// machine's conditions; each round runs the driver with -n N; the figure is the median over all
// runs of all rounds. Footprint is the first run of the first round (from an empty heap).
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let trace, n = 3, rounds = 3;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '-n') n = Number(args[++i]);
  else if (args[i] === '--rounds') rounds = Number(args[++i]);
  else trace = args[i];
}
if (!trace || !(n >= 1) || !(rounds >= 1)) {
  console.error('usage: compare-native.mjs TRACE [-n N] [--rounds R]');
  process.exit(2);
}
const list = JSON.parse(execFileSync('sh', [join(here, 'native-allocators.sh')], { encoding: 'utf8' }));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
for (const e of list) if (!e.available) console.log(`skipped ${e.name}: ${e.reason}`);
const avail = list.filter((e) => e.available);
for (const touch of ['speed', 'footprint']) {
  const results = new Map(avail.map((e) => [e.name, { ns: [], first: null }]));
  for (let r = 0; r < rounds; r++) {
    for (const e of avail) {
      const env = { ...process.env };
      if (e.preload) env.LD_PRELOAD = e.preload; else delete env.LD_PRELOAD;
      const argv = ['-q', '-n', String(n), '-l', e.name, ...(touch === 'footprint' ? ['-p'] : []), trace];
      const out = execFileSync(e.driver, argv, { env, encoding: 'utf8', maxBuffer: 1 << 20 });
      console.error(out.trim());
      const j = JSON.parse(out);
      const res = results.get(e.name);
      res.ns.push(...j.ns_per_event_runs);
      if (!res.first) res.first = j;
    }
  }
  const glibc = median(results.get('glibc').ns);
  const first = results.get('glibc').first;
  console.log(`\n${touch} mode: ${first.program}, ${first.events} events, peak live ${(first.peak_live_bytes / 2 ** 20).toFixed(1)} MiB; ${rounds} rounds × ${n} runs\n`);
  console.log('| allocator | ns/event (median) | × glibc | peak footprint MiB | footprint / peak live | failures | unknown ids |');
  console.log('|---|---|---|---|---|---|---|');
  for (const e of avail) {
    const res = results.get(e.name);
    const m = median(res.ns);
    const j = res.first;
    console.log(`| ${e.name} | ${m.toFixed(2)} | ${(m / glibc).toFixed(2)} | ${(j.peak_footprint_bytes / 2 ** 20).toFixed(1)} | ${j.footprint_over_live === null ? '-' : j.footprint_over_live.toFixed(2)} | ${j.failures} | ${j.unknown_id_events} |`);
  }
}
