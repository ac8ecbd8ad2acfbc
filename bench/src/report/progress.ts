/*
 * A progress bar on standard error for runs longer than a second (cli-progress). It appears only
 * once a second has passed and only on a terminal, so short runs, pipes and tests see nothing;
 * `tick(label)` advances it and names what runs now. Off the timed loops: it is ticked between
 * runs, never inside one.
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

/** A progress bar of `total` steps on stderr, shown after `delayMs` (default 1000) on a TTY. */
export function progressBar(total: number, options: { delayMs?: number; stream?: NodeJS.WriteStream; enabled?: boolean } = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const enabled = options.enabled ?? stream.isTTY === true;
  const started = performance.now();
  const delay = options.delayMs ?? 1000;
  let bar: SingleBar | null = null;
  let done = 0;
  let what = '';
  const show = (): void => {
    if (!enabled) return;
    if (bar === null && performance.now() - started >= delay) {
      bar = new SingleBar({ stream, format: 'heaplab {bar} {value}/{total} {what}', hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
      bar.start(total, done, { what });
    }
  };
  return {
    tick(label) {
      done++;
      what = label;
      show();
      bar?.update(done, { what });
    },
    label(label) {
      what = label;
      show();
      bar?.update(done, { what });
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
