/*
 * A progress bar (cli-progress) on standard error for runs longer than a second: steps done of
 * the total, the time left, and what runs now. The time left is the mean time of the steps done so far
 * times the steps left (cli-progress's own estimate over a short buffer swings with every slow
 * footprint run). It appears only after a second and only on a terminal, so short runs, pipes
 * and tests see nothing. It is ticked between runs, never inside one.
 */

import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  /** One more step done; `label` is what runs next. */
  tick(label: string): void;
  /** Says what runs now without advancing. */
  label(label: string): void;
  /** Removes the bar. */
  stop(): void;
}

/** `1h02m`, `4m05s`, `12s`. */
export function durationText(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** The time left after `done` of `total` steps took `elapsed` seconds. */
export function remainingSeconds(done: number, total: number, elapsed: number): number {
  if (done <= 0) return NaN;
  return (elapsed / done) * Math.max(0, total - done);
}

/** A bar of `total` steps on stderr, shown after `delayMs` (default 1000) on a TTY. */
export function progressBar(total: number, options: { delayMs?: number; stream?: NodeJS.WriteStream; enabled?: boolean } = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const enabled = options.enabled ?? stream.isTTY === true;
  const started = performance.now();
  const delay = options.delayMs ?? 1000;
  let bar: SingleBar | null = null;
  let done = 0;
  let what = '';
  const left = (): string => {
    const r = remainingSeconds(done, total, (performance.now() - started) / 1000);
    return Number.isFinite(r) ? `${durationText(r)} left` : 'estimating';
  };
  const show = (): void => {
    if (!enabled) return;
    if (bar === null && performance.now() - started >= delay) {
      bar = new SingleBar({ stream, format: 'heaplab {bar} {value}/{total} {left} | {what}', hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
      bar.start(total, done, { what, left: left() });
    }
  };
  return {
    tick(label) {
      done++;
      what = label;
      show();
      bar?.update(done, { what, left: left() });
    },
    label(label) {
      what = label;
      show();
      bar?.update(done, { what, left: left() });
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
