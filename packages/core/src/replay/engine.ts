/*
 * The replay engine: runs a trace's events against an allocator over a fresh address space and
 * measures it (metrics.ts has the definitions).
 *
 * Pipeline: a TraceSource yields EventChunks (decoded from a file chunk by chunk, or made by a
 * workload) → a SlotMapper turns ids into dense slots (OpChunks) → the timed loop. Decoding and
 * mapping happen between timed segments, so the clock measures the allocator. `prepareReplay`
 * keeps the OpChunks in memory when they fit `cacheBytes` (25 bytes + 8 per event) so repeated
 * runs decode once; a larger trace is decoded again for each run, streaming, so a trace larger
 * than memory still replays.
 *
 * State of a run (no JS object per event), one Float64Array of two entries per slot, so a slot's
 * pointer and size share a cache line and the loop checks one array (16 bytes a slot: pointers
 * reach 2^47 in a paged space; the table is read at random and every sample's scan evicts it):
 *   blocks[2·slot]      the block's pointer (0: none or its request failed)
 *   blocks[2·slot + 1]  its requested size (0 whenever the pointer is 0)
 * A pointer the allocator returns must be 0 or an integer address (anything else throws
 * HeapCorruption at once; below 2^32 one `>>> 0` compare decides it, above it the address must be
 * in the space); a block whose last byte is past the space throws SegmentationFault when written.
 * Writes into blocks, as the C driver does: speed runs write the first and last byte of each
 * block; footprint runs also one byte in every page between. Each write checks the page's
 * flags: a page not yet resident is marked at once (so residency from the program's writes is
 * exact), and a write to an unmapped or read-only page, or to an address that is not an integer
 * in the space, throws the SegmentationFault the checked store gives (an allocator that hands
 * out such a pointer is wrong): the fast path, in a flat space only, writes through the buffer at
 * an address whose page is mapped, writable and resident; everything else, and every write in a
 * paged space (above 4 GiB), goes through `space.store8`.
 *
 * Per-event cost (the "engine floor", bench/src/metrics/engine-speed.ts): the loop reads only
 * module-own constants (an imported binding is a live cell V8 reloads and checks at every use),
 * keeps no per-event call counters (each chunk carries its op counts, added once), tests malloc
 * and free before the rarer kinds, and finds its slot table in cache after a sample (warmTable).
 *
 * Sampling (space.stats() scans committed, not-yet-resident pages for bytes the allocator wrote
 * through raw views; it costs about one memcmp of those pages): every `sampleEvery` events, at
 * the end, and when live bytes pass a peak more than `peakGrowth` above the last sampled one.
 * Samples are outside the timed segments. Between samples `used` is the space's resident-page
 * counter, exact for pages the program wrote and for every page given back, lagging only for
 * pages that nothing but the allocator has written since the last sample (out-of-band metadata,
 * a fresh slab header). Hence: M4 and M3 undercount by at most those pages at the peak, M2 is
 * exact when the peak-live event was sampled (the first peak within peakGrowth of the final one
 * always is), M1 undercounts by their mean over events. With sampleEvery = 1 every figure is
 * exact; the defaults (4096 events, 1%) keep the scans under a few percent of a run's time,
 * unless the allocator leaves large committed ranges unwritten: engine-speed's 64 MiB ring does,
 * and its scans take about 1 s of each run's wall time against 0.07 s in the timed segments.
 * A scan also evicts the caches, hence warmTable, and faults in pages the timed loop would
 * have touched first (untimed, where the native driver pays them in its loop); so a run kept
 * only for its time takes `samples: 'end'` (no sample before the last event), as the CLI's and
 * the report's timed runs do. An unsampled run is the conservative figure: it pays every first
 * touch inside its loop, as a native program does, and a short source, whose events are mostly a
 * heap's growth, pays more of them per event than a long one.
 */

import type { AllocatorFactory, SpaceOptions } from '../api.js';
import { createAddressSpace, type AddressSpace } from '../space/address-space.js';
import { H, PAGE_MAPPED, PAGE_RESIDENT, PAGE_WRITE } from '../space/layout.js';
import { HeapCorruption } from '../errors.js';
import type { Allocator } from '../api.js';
import type { EventChunk } from '../trace/events.js';
import { openTrace, type ReadOptions } from '../trace/reader.js';
import { median, type ReplayResult, type ReplaySeries, type RunFigures } from './metrics.js';
import { OP_CALLOC, OP_FREE, OP_MALLOC, OP_MEMALIGN, OP_NOP, OP_REALLOC, SlotMapper, countOps, type OpChunk, type TraceAnomalies } from './slots.js';

/** Where a replay's events come from. `open` is called once per pass. */
export interface TraceSource {
  name: string;
  open(): Iterable<EventChunk> | AsyncIterable<EventChunk>;
}

/** A source reading a trace file (text, binary, gzip). */
export function fileSource(file: string, options: ReadOptions = {}): TraceSource {
  return {
    name: file,
    async *open() {
      const t = await openTrace(file, options);
      yield* t.chunks();
    },
  };
}

/** A source over chunks already in memory (tests, workloads). */
export function chunkSource(name: string, chunks: readonly EventChunk[] | (() => Iterable<EventChunk>)): TraceSource {
  return { name, open: typeof chunks === 'function' ? chunks : () => chunks };
}

/** Options of one run. */
export interface RunOptions {
  /** `speed`: write each block's first and last byte; `footprint`: also a byte in each page between. Default `speed`. */
  touch?: 'speed' | 'footprint';
  /** Take the space's figures every this many events. Default 4096. */
  sampleEvery?: number;
  /** Also sample when live bytes pass the last sampled peak by this fraction. Default 0.01. */
  peakGrowth?: number;
  /**
   * `periodic`: sample as `sampleEvery` and `peakGrowth` say. `end`: sample only once, after the
   * last event — for runs kept only for their time: a sample scans the space, which evicts the
   * caches and faults pages in, and the native driver's timed loop has nothing like it (its
   * figures come from separate runs, as ours do from footprint runs). With `end` the run's
   * memory figures are those of the end alone. Default `periodic`.
   */
  samples?: 'periodic' | 'end';
  /** Options of the fresh space each run gets. Default: createAddressSpace's (4 GiB, 4 KiB pages). */
  space?: Partial<SpaceOptions>;
  /** Keep every sample in the result (`series`). Default true. */
  series?: boolean;
}

/** Options of `replay`. */
export interface ReplayOptions extends RunOptions {
  source: TraceSource;
  /** Makes the allocator over each run's fresh space. */
  allocator: AllocatorFactory;
  /** Runs; time per event is their median. Default 1. */
  repeat?: number;
  /** Keep decoded operations in memory up to this many bytes, so runs after the first skip decoding. Default 512 MiB. */
  cacheBytes?: number;
}

/** A trace ready to run: its operations cached, or a way to decode them again. */
export interface PreparedTrace {
  name: string;
  program: string;
  events: number;
  /** Most blocks live at once (table entries a run needs). */
  slotCount: number;
  anomalies: TraceAnomalies;
  /** True when the operations are held in memory. */
  cached: boolean;
  ops(): Iterable<OpChunk> | AsyncIterable<OpChunk>;
}

const DEFAULT_SAMPLE_EVERY = 4096;
const DEFAULT_PEAK_GROWTH = 0.01;
const DEFAULT_CACHE = 512 * 2 ** 20;
const OP_BYTES = 1 + 4 + 8 + 8 + 8;
const TOUCH = 0x5a;
/** No diagnostics (shared, never changed). */
const NONE: string[] = [];
// Module-own copies of imported constants: these fold into the timed loop's code.
const NEED = PAGE_MAPPED | PAGE_WRITE | PAGE_RESIDENT;
const RESIDENT_PAGES = H.residentPages;
const K_NOP = OP_NOP;
const K_MALLOC = OP_MALLOC;
const K_CALLOC = OP_CALLOC;
const K_REALLOC = OP_REALLOC;
const K_FREE = OP_FREE;
/** Most slots a run holds: two table entries each, indexed with `slot << 1`. */
const MAX_SLOTS = 2 ** 28;

/** Decodes and maps a source once; keeps the operations when they fit `cacheBytes`. */
export async function prepareReplay(source: TraceSource, cacheBytes = DEFAULT_CACHE): Promise<PreparedTrace> {
  if (!source || typeof source.open !== 'function') throw new TypeError('prepareReplay: source must be a TraceSource ({ name, open() })');
  if (!(cacheBytes >= 0)) throw new RangeError(`cacheBytes must be a non-negative number, got ${cacheBytes}`);
  const mapper = new SlotMapper();
  let cache: OpChunk[] | null = [];
  let bytes = 0;
  let program = '';
  for await (const c of source.open()) {
    program = c.program;
    const ops = mapper.map(c);
    if (cache !== null) {
      bytes += ops.count * OP_BYTES;
      if (bytes > cacheBytes) cache = null;
      else cache.push(ops);
    }
  }
  const held = cache;
  return {
    name: source.name,
    program,
    events: mapper.events,
    slotCount: mapper.slotCount,
    anomalies: mapper.anomalies,
    cached: held !== null,
    ops: held !== null
      ? () => held
      : async function* () {
          const m = new SlotMapper();
          for await (const c of source.open()) yield m.map(c);
        },
  };
}

/** The process's minor page faults so far; NaN where the runtime cannot tell (not Node). */
function minorFaults(): number {
  return typeof process !== 'undefined' && typeof process.resourceUsage === 'function' ? process.resourceUsage().minorPageFault : NaN;
}

function positiveInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  return v;
}

/** One run: a fresh space, the allocator, every operation, the figures. */
class ReplayRun {
  readonly space: AddressSpace;
  readonly allocator: Allocator;
  private readonly footprint: boolean;
  private readonly sampleEvery: number;
  private readonly peakGrowth: number;
  /** False with `samples: 'end'`: no sample before the last event. */
  private readonly periodic: boolean;
  private blocks: Float64Array;
  // figures kept across segments
  ns = 0;
  private faults = 0;
  replayed = 0;
  failures = 0;
  private readonly counts = new Float64Array(6);
  private live = 0;
  private peakLive = 0;
  private peakLiveEvent = -1;
  private usedAtPeakLive = 0;
  private peakUsed = 0;
  private peakUsedEvent = -1;
  private liveAtPeakUsed = 0;
  private sumRatio = 0;
  private ratioEvents = 0;
  private nextPeakSample = 0;
  private lastEvent = -1;
  private samples = 0;
  private lastSampleEvent = -2;
  /** What warmTable read, kept so the reads are not optimized away. */
  private warmth = 0;
  private readonly series: ReplaySeries | null;
  private internal = { event: -1, requested: 0, usable: 0, ratio: NaN, metadata: 0, live: -1 };
  private externalPeak = 0;
  private externalFinal = 0;
  private diagnostics: string[] = NONE;

  constructor(factory: AllocatorFactory, slotCount: number, options: RunOptions) {
    this.footprint = (options.touch ?? 'speed') === 'footprint';
    this.sampleEvery = positiveInt(options.sampleEvery ?? DEFAULT_SAMPLE_EVERY, 'sampleEvery');
    const g = options.peakGrowth ?? DEFAULT_PEAK_GROWTH;
    if (!(g >= 0)) throw new RangeError(`peakGrowth must be a non-negative number, got ${g}`);
    this.peakGrowth = g;
    const samples = options.samples ?? 'periodic';
    if (samples !== 'periodic' && samples !== 'end') throw new RangeError(`samples must be 'periodic' or 'end', got ${String(samples)}`);
    // With `end` the timed segments are cut at the same points (so the loop is entered as often
    // and timed alike); only the samples between them are left out.
    this.periodic = samples === 'periodic';
    // No peak ends a segment early either (segment() stops after an event past nextPeakSample).
    if (!this.periodic) this.nextPeakSample = Infinity;
    this.space = createAddressSpace(options.space ?? {});
    this.allocator = factory(this.space);
    if (slotCount > MAX_SLOTS) throw new RangeError(`a run holds at most ${MAX_SLOTS} live blocks, the trace needs ${slotCount}`);
    this.blocks = new Float64Array(2 * Math.max(16, slotCount));
    this.series = options.series === false ? null : { event: [], live: [], used: [], mapped: [], committed: [] };
  }

  private grow(slots: number): void {
    if (2 * slots <= this.blocks.length) return;
    if (slots > MAX_SLOTS) throw new RangeError(`a run holds at most ${MAX_SLOTS} live blocks, the trace needs ${slots}`);
    const b = new Float64Array(2 * Math.max(slots, this.blocks.length));
    b.set(this.blocks);
    this.blocks = b;
  }

  /** Runs a chunk: timed segments cut at sample points. */
  runChunk(c: OpChunk): void {
    let maxSlot = 0;
    for (let j = 0; j < c.count; j++) if (c.slot[j]! > maxSlot) maxSlot = c.slot[j]!;
    this.grow(maxSlot + 1);
    // Call counts per kind, added for the whole chunk: every op of it runs unless the run throws,
    // and a run that throws returns no figures.
    const n = c.opCounts ?? countOps(c.op, c.count);
    for (let o = 1; o < 6; o++) this.counts[o]! += n[o]!;
    this.replayed += c.count - n[OP_NOP]!;
    let k = 0;
    while (k < c.count) {
      const nextSample = (Math.floor((c.firstEvent + k) / this.sampleEvery) + 1) * this.sampleEvery;
      const to = Math.min(c.count, nextSample - c.firstEvent);
      const f0 = minorFaults();
      const t0 = performance.now();
      const stop = this.segment(c, k, to);
      this.ns += (performance.now() - t0) * 1e6;
      this.faults += minorFaults() - f0;
      k = stop;
      const e = c.firstEvent + k;
      if (this.periodic && (e % this.sampleEvery === 0 || this.live > this.nextPeakSample)) {
        this.sample();
        this.warmTable();
      }
    }
  }

  /**
   * Reads one entry per cache line of the slot table, outside the timed segments: a sample's scan
   * of the space evicts the table, and the timed loop would otherwise pay to fetch it again (the
   * C driver has no samples). It changes no figure, only where the refetch is paid.
   */
  private warmTable(): void {
    const b = this.blocks;
    let x = 0;
    for (let j = 0; j < b.length; j += 8) x += b[j]!;
    this.warmth = x;
  }

  /** The timed loop over ops [from, to); stops early after an event that should be sampled. Returns where it stopped. */
  private segment(c: OpChunk, from: number, to: number): number {
    const a = this.allocator;
    const op = c.op;
    const slot = c.slot;
    const size = c.size;
    const arg = c.arg;
    const blocks = this.blocks;
    const space = this.space;
    const u8 = space.u8;
    const flags = space.flags;
    const flat = space.raw.kind === 'flat';
    const spaceSize = space.size;
    const i32 = space.i32;
    const shift = space.pageShift;
    const ps = space.pageSize;
    const footprint = this.footprint === true;
    const first = c.firstEvent;
    const peakSampleAt = this.nextPeakSample;
    let live = this.live;
    let peakLive = this.peakLive;
    let peakLiveEvent = this.peakLiveEvent;
    let usedAtPeakLive = this.usedAtPeakLive;
    let peakUsed = this.peakUsed;
    let peakUsedEvent = this.peakUsedEvent;
    let liveAtPeakUsed = this.liveAtPeakUsed;
    let sumRatio = this.sumRatio;
    let ratioEvents = this.ratioEvents;
    let failures = this.failures;
    let k = from;
    while (k < to) {
      const o = op[k]!;
      const i = slot[k]! << 1;
      k++;
      let p = 0;
      let n = 0;
      if (o === K_FREE) {
        const q = blocks[i]!;
        if (q !== 0) {
          a.free(q);
          live -= blocks[i + 1]!;
          blocks[i] = 0;
          blocks[i + 1] = 0;
        }
      } else if (o === K_NOP) {
        continue;
      } else if (o === K_REALLOC) {
        n = size[k - 1]!;
        p = a.realloc(blocks[i]!, n);
        if (p >>> 0 !== p && !(Number.isSafeInteger(p) && p > 0 && p < spaceSize)) this.notAnAddress('realloc', p);
        if (p !== 0 || n === 0) {
          live += (p !== 0 ? n : 0) - blocks[i + 1]!;
          blocks[i + 1] = p !== 0 ? n : 0;
          blocks[i] = p;
        } else failures++;
      } else {
        // malloc (the common case, tested first), calloc or memalign: a new block in slot i.
        n = size[k - 1]!;
        p = o === K_MALLOC ? a.malloc(n) : o === K_CALLOC ? a.calloc(1, n) : a.memalign(arg[k - 1]!, n);
        if (p >>> 0 !== p && !(Number.isSafeInteger(p) && p > 0 && p < spaceSize)) this.notAnAddress(o === K_MALLOC ? 'malloc' : o === K_CALLOC ? 'calloc' : 'memalign', p);
        blocks[i] = p;
        if (p !== 0) {
          blocks[i + 1] = n;
          live += n;
        } else {
          blocks[i + 1] = 0;
          failures++;
        }
      }
      if (p !== 0 && n > 0) {
        // The program writes its block: first byte, last byte, and (footprint) a byte per page
        // between. Fast path: a uint32 address on a mapped, writable, resident page; anything
        // else (a page not yet resident, an address past the space) goes through the checked
        // store, which marks the page resident or throws the SegmentationFault.
        const f0 = p >>> 0;
        if (flat && f0 === p && (flags[f0 >>> shift]! & NEED) === NEED) u8[f0] = TOUCH;
        else space.store8(p, TOUCH);
        const last = p + n - 1;
        if (last !== p) {
          const l0 = last >>> 0;
          if (flat && l0 === last && (flags[l0 >>> shift]! & NEED) === NEED) u8[l0] = TOUCH;
          else space.store8(last, TOUCH);
          if (footprint) {
            const end = Math.floor(last / ps);
            for (let pg = Math.floor(p / ps) + 1; pg < end; pg++) {
              const addr = pg * ps;
              if (flat && (flags[pg]! & NEED) === NEED) u8[addr] = TOUCH;
              else space.store8(addr, TOUCH);
            }
          }
        }
      }
      const used = i32[RESIDENT_PAGES]!;
      if (live > peakLive) {
        peakLive = live;
        peakLiveEvent = first + k - 1;
        usedAtPeakLive = used;
      }
      if (used > peakUsed) {
        peakUsed = used;
        peakUsedEvent = first + k - 1;
        liveAtPeakUsed = live;
      }
      if (live > 0) {
        sumRatio += used / live;
        ratioEvents++;
      }
      if (live > peakSampleAt) break;
    }
    this.live = live;
    this.peakLive = peakLive;
    this.peakLiveEvent = peakLiveEvent;
    this.usedAtPeakLive = usedAtPeakLive;
    this.peakUsed = peakUsed;
    this.peakUsedEvent = peakUsedEvent;
    this.liveAtPeakUsed = liveAtPeakUsed;
    this.sumRatio = sumRatio;
    this.ratioEvents = ratioEvents;
    this.failures = failures;
    this.lastEvent = first + k - 1;
    return k;
  }

  /** The allocator returned something that is not an address: no block can live there. */
  private notAnAddress(call: string, p: number): never {
    throw new HeapCorruption(this.allocator.identity.label, `${call} returned ${p}, not an address in the space (an integer 0 … ${this.space.size - 1})`);
  }

  /** Takes the space's and the allocator's figures after the last event run. */
  private sample(): void {
    const st = this.space.stats();
    const ps = this.space.pageSize;
    const used = st.resident / ps;
    const e = this.lastEvent;
    if (used > this.peakUsed) {
      this.peakUsed = used;
      this.peakUsedEvent = e;
      this.liveAtPeakUsed = this.live;
    }
    if (e === this.peakLiveEvent && used > this.usedAtPeakLive) this.usedAtPeakLive = used;
    const as = this.allocator.stats();
    const external = as.externalBytes ?? 0;
    if (external > this.externalPeak) this.externalPeak = external;
    this.externalFinal = external;
    this.diagnostics = as.diagnostics ?? NONE;
    if (this.live >= this.internal.live) {
      this.internal = {
        event: e,
        requested: as.liveBytes,
        usable: as.usableBytes,
        ratio: as.liveBytes > 0 ? as.usableBytes / as.liveBytes - 1 : NaN,
        metadata: as.metadataBytes,
        live: this.live,
      };
    }
    if (this.live > this.nextPeakSample) this.nextPeakSample = this.live * (1 + this.peakGrowth);
    const s = this.series;
    if (s) {
      s.event.push(e);
      s.live.push(this.live);
      s.used.push(st.resident);
      s.mapped.push(st.mapped);
      s.committed.push(st.committed);
    }
    this.samples++;
    this.lastSampleEvent = e;
  }

  finish(events: number): RunFigures {
    if (this.lastSampleEvent !== this.lastEvent) this.sample();
    const st = this.space.stats();
    const ps = this.space.pageSize;
    const c = this.counts;
    const calls = st.calls;
    const { live: _l, ...internal } = this.internal;
    const usedFinal = st.resident;
    return {
      ns: this.ns,
      minorFaults: this.faults,
      events,
      replayed: this.replayed,
      counts: { malloc: c[OP_MALLOC]!, calloc: c[OP_CALLOC]!, memalign: c[OP_MEMALIGN]!, realloc: c[OP_REALLOC]!, free: c[OP_FREE]! },
      failures: this.failures,
      live: { peak: this.peakLive, peakEvent: this.peakLiveEvent, final: this.live },
      used: { peak: this.peakUsed * ps, peakEvent: this.peakUsedEvent, final: usedFinal, atPeakLive: this.usedAtPeakLive * ps },
      liveAtPeakUsed: this.liveAtPeakUsed,
      m1: this.ratioEvents > 0 ? (this.sumRatio * ps) / this.ratioEvents : NaN,
      m2: this.peakLive > 0 ? (this.usedAtPeakLive * ps) / this.peakLive : NaN,
      m3: this.liveAtPeakUsed > 0 ? (this.peakUsed * ps) / this.liveAtPeakUsed : NaN,
      m4: this.peakLive > 0 ? (this.peakUsed * ps) / this.peakLive : NaN,
      mapped: { peak: st.peakMapped, final: st.mapped },
      committed: { peak: st.peakCommitted, final: st.committed },
      spacePeakResident: st.peakResident,
      internal,
      external: { peak: this.externalPeak, final: this.externalFinal },
      diagnostics: [...this.diagnostics],
      syscalls: { ...calls, total: calls.brk + calls.mmap + calls.munmap + calls.mprotect + calls.madvise },
      samples: this.samples,
      series: this.series,
    };
  }
}

/** One run of a prepared trace with a fresh space and allocator. */
export async function runReplay(trace: PreparedTrace, factory: AllocatorFactory, options: RunOptions = {}): Promise<RunFigures & { allocator: string; allocatorName: string }> {
  if (typeof factory !== 'function') throw new TypeError('runReplay: allocator must be a factory (space) => Allocator');
  const run = new ReplayRun(factory, trace.slotCount, options);
  for await (const c of trace.ops()) run.runChunk(c);
  return { ...run.finish(trace.events), allocator: run.allocator.identity.label, allocatorName: run.allocator.identity.name };
}

/** Replays a source `repeat` times, each run on a fresh space; figures of the first run, time the median of all. */
export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  const repeat = positiveInt(options.repeat ?? 1, 'repeat');
  const trace = await prepareReplay(options.source, options.cacheBytes);
  const runs: (RunFigures & { allocator: string; allocatorName: string })[] = [];
  for (let r = 0; r < repeat; r++) runs.push(await runReplay(trace, options.allocator, { ...options, series: r === 0 ? options.series : false }));
  return combineRuns(trace, runs, options);
}

/**
 * Memory figures from one result (a footprint run) with the time figures of another (the timed
 * runs of the same allocator on the same trace): what the CLI and the report show.
 */
export function withTimeOf<T extends object>(figures: T, time: ReplayResult): T & Pick<ReplayResult, 'nsPerEvent' | 'runsNsPerEvent' | 'minorFaultsMedian'> {
  return { ...figures, nsPerEvent: time.nsPerEvent, runsNsPerEvent: time.runsNsPerEvent, minorFaultsMedian: time.minorFaultsMedian };
}

/** The result of several runs of one allocator on one trace: the first run's figures, the median time. */
export function combineRuns(trace: PreparedTrace, runs: readonly (RunFigures & { allocator: string; allocatorName: string })[], options: RunOptions = {}): ReplayResult {
  if (runs.length === 0) throw new RangeError('combineRuns: no runs');
  const perEvent = runs.map((r) => (r.replayed > 0 ? r.ns / r.replayed : NaN));
  return {
    ...runs[0]!,
    source: trace.name,
    program: trace.program,
    touch: options.touch ?? 'speed',
    nsPerEvent: median(perEvent),
    runsNsPerEvent: perEvent,
    minorFaultsMedian: median(runs.map((r) => r.minorFaults)),
    anomalies: trace.anomalies,
    sampling: { every: options.sampleEvery ?? DEFAULT_SAMPLE_EVERY, peakGrowth: options.peakGrowth ?? DEFAULT_PEAK_GROWTH, samples: options.samples ?? 'periodic' },
  };
}
