/*
 * The attack kit's common part: what a scenario is, what an outcome is, and the runner that turns
 * whatever an attempt does — a primitive reached, an error raised, nothing — into one outcome.
 *
 * A scenario is a list of attempts. Each attempt runs on a fresh allocator over a fresh space and
 * is written against the Allocator contract and the AddressSpace only: it learns where blocks are
 * from malloc and usableSize, writes through the space's checked stores (so a guard page or an
 * unmapped block shows as a SegmentationFault), and checks its goal with the space's own view
 * (owners of pages, the words of the program's own mapping). Allocators keep their in-band words
 * at different offsets from a block, so a scenario tries the offsets where the known designs keep
 * them, one attempt each; the attacker is assumed to know the layout, as a real one does.
 *
 * Outcome of a scenario: achieved when any attempt reached its primitive; else detected when any
 * attempt was stopped by an error (the first such); else prevented. An attempt's error counts as a
 * detection only because the attempt checks its goal after every step that could reach it: an
 * error therefore came before the primitive.
 */

import type { Allocator } from '../../api.js';
import { AllocatorError, HeapCorruption, KernelError, SegmentationFault, type MisuseCode } from '../../errors.js';
import { createIdentity } from '../../identity.js';
import { createAddressSpace, type AddressSpace } from '../../space/address-space.js';

/** What an attacker gets when a technique works. */
export type Primitive =
  | 'overlapping live blocks'
  | 'chosen address returned'
  | 'chosen address written'
  | 'leak of another block'
  | 'leak of a heap address'
  | 'predictable addresses';

/** How an attempt was stopped: a misuse code, or the space's own faults and checks. */
export type Stopper = MisuseCode | 'segfault' | 'heap-corruption' | 'kernel-error' | 'crash';

/** One scenario's (or attempt's) result. */
export type AttackOutcome =
  | { result: 'achieved'; primitive: Primitive; attempt: string; detail: string }
  | { result: 'detected'; by: Stopper; attempt: string; detail: string }
  | { result: 'prevented'; detail: string };

/** Makes an allocator over a space; `seed` is for allocators that randomise (others ignore it). */
export type AttackFactory = (space: AddressSpace, seed: number) => Allocator;

/** What an attempt returns when its goal was reached. */
export interface Reached {
  primitive: Primitive;
  detail: string;
}

/** One way of carrying out a technique (one write offset, one order of frees). */
export interface AttackAttempt {
  name: string;
  /** Runs on a fresh allocator; returns what was reached, or a string saying why nothing was. */
  run(a: Allocator, space: AddressSpace): Reached | string;
}

/** A technique: its steps as attempts, and what the README says of it. */
export interface AttackScenario {
  /** kebab-case name, as the matrix shows it. */
  name: string;
  /** The name the literature uses. */
  title: string;
  /** One sentence: what the technique is. */
  what: string;
  /** The public source that describes it. */
  source: string;
  /** Exactly what the scenario writes where, and why that is the technique. */
  writes: string;
  /** The attempts; a scenario may also run itself whole (predictability does). */
  attempts: readonly AttackAttempt[];
  /** Runs the whole scenario instead of the attempts one by one, when given. */
  runWhole?(factory: AttackFactory, spaceSize: number): AttackOutcome;
}

/** Default space of an attempt: as the misuse cases. */
export const ATTACK_SPACE = 64 * 2 ** 20;

/** instanceof across two copies of core (same class name up the prototype chain). */
function is<T extends Error>(e: unknown, cls: abstract new (...args: never[]) => T): e is T {
  if (e instanceof cls) return true;
  if (!(e instanceof Error)) return false;
  for (let proto = Object.getPrototypeOf(e); proto; proto = Object.getPrototypeOf(proto)) {
    if (proto.constructor?.name === cls.name) return true;
  }
  return false;
}

/** The stopper an error stands for. */
export function stopperOf(e: unknown): Stopper {
  if (is(e, AllocatorError)) return e.code;
  if (is(e, SegmentationFault)) return 'segfault';
  if (is(e, HeapCorruption)) return 'heap-corruption';
  if (is(e, KernelError)) return 'kernel-error';
  return 'crash';
}

function short(e: unknown): string {
  const m = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return m.replace(/\s+/g, ' ').slice(0, 160);
}

/** Runs one attempt on a fresh allocator over a fresh space; never throws. */
export function runAttempt(at: AttackAttempt, factory: AttackFactory, spaceSize = ATTACK_SPACE, seed = 1): AttackOutcome {
  let a: Allocator;
  let space: AddressSpace;
  try {
    space = createAddressSpace({ size: spaceSize });
    a = factory(space, seed);
  } catch (e) {
    return { result: 'detected', by: 'crash', attempt: at.name, detail: `the allocator could not be made: ${short(e)}` };
  }
  try {
    const r = at.run(a, space);
    if (typeof r === 'string') return { result: 'prevented', detail: `${at.name}: ${r}` };
    return { result: 'achieved', primitive: r.primitive, attempt: at.name, detail: r.detail };
  } catch (e) {
    return { result: 'detected', by: stopperOf(e), attempt: at.name, detail: short(e) };
  }
}

/** Runs a scenario: every attempt, each on a fresh allocator; achieved beats detected beats prevented. */
export function runAttack(s: AttackScenario, factory: AttackFactory, spaceSize = ATTACK_SPACE): AttackOutcome {
  if (s.runWhole) {
    try {
      return s.runWhole(factory, spaceSize);
    } catch (e) {
      return { result: 'detected', by: stopperOf(e), attempt: s.name, detail: short(e) };
    }
  }
  const outcomes = s.attempts.map((at) => runAttempt(at, factory, spaceSize));
  const achieved = outcomes.find((o) => o.result === 'achieved');
  if (achieved) return achieved;
  const detected = outcomes.find((o) => o.result === 'detected');
  if (detected) return detected;
  return { result: 'prevented', detail: outcomes.map((o) => o.detail).join('; ') };
}

/** An outcome in a few words: `achieved: <primitive>`, `detected: <code>`, `prevented`. */
export function outcomeWords(o: AttackOutcome): string {
  if (o.result === 'achieved') return `achieved: ${o.primitive}`;
  if (o.result === 'detected') return `detected: ${o.by}`;
  return 'prevented';
}

// ------------------------------------------------------------------ helpers for scenarios

const PROGRAM = createIdentity({ name: 'program', family: 'program', description: "memory the attacked program mapped itself (its data, the attacker's target)" });

/**
 * The attacker's target: a mapping the program made itself (its globals, say), zero-filled.
 * Returns its base; the allocator never owned these pages, so a block there or a word changed
 * there is the technique's goal.
 */
export function programMapping(space: AddressSpace, pages = 1): number {
  return space.mmap(0, pages * space.pageSize, 3, 0, PROGRAM);
}

/** True when addr lies in the program's own mapping starting at base. */
export function inMapping(space: AddressSpace, base: number, addr: number): boolean {
  const m = space.mappingAt(base);
  return m !== null && addr >= m.start && addr < m.end && space.ownerAt(addr) === PROGRAM;
}

/** The words of [base, base + bytes) read through the space's checked loads. */
export function snapshot(space: AddressSpace, base: number, bytes: number): Uint32Array {
  const out = new Uint32Array(bytes >>> 2);
  for (let k = 0; k < out.length; k++) out[k] = space.load32(base + 4 * k);
  return out;
}

/** The first word of [base, base + bytes) that differs from `before`, or null. */
export function changedWord(space: AddressSpace, base: number, before: Uint32Array): { addr: number; value: number } | null {
  for (let k = 0; k < before.length; k++) {
    const v = space.load32(base + 4 * k);
    if (v !== before[k]) return { addr: base + 4 * k, value: v };
  }
  return null;
}

/** True when live blocks [p, p + n) and [q, q + m) share a byte (or are the same non-NULL pointer). */
export function overlaps(p: number, n: number, q: number, m: number): boolean {
  if (p === 0 || q === 0) return false;
  if (p === q) return true;
  return p < q + Math.max(m, 1) && q < p + Math.max(n, 1);
}

/** `0x…` */
export function hx(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

/** The offsets from a freed block's pointer where the known designs keep a singly linked list's link. */
export const LINK_OFFSETS: readonly number[] = [0, -4, -8, -16, -24];

/** Offsets of a doubly linked list's fd word (bk follows 4 bytes on): first user words, header words. */
export const PAIR_OFFSETS: readonly number[] = [0, -8, -16, -24];
