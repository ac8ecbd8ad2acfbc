import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { progressBar } from '../../src/report/progress.js';

/** A stream that says it is a terminal and keeps what is written. */
function fakeTerminal(): NodeJS.WriteStream & { text: string } {
  const s = new Writable({
    write(chunk, _enc, done) {
      (s as unknown as { text: string }).text += String(chunk);
      done();
    },
  }) as unknown as NodeJS.WriteStream & { text: string };
  s.text = '';
  Object.assign(s, { isTTY: true, columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return s;
}

test('the bar appears once its delay has passed, on a terminal, and names what runs', async () => {
  const stream = fakeTerminal();
  const bar = progressBar(4, { stream, delayMs: 30 });
  bar.tick('churn');
  assert.is(stream.text, '', 'nothing before the delay');
  await new Promise((r) => setTimeout(r, 40));
  bar.tick('churn: dlmalloc-style run 1/3');
  bar.stop();
  assert.match(stream.text, /heaplab .* 2\/4 (\S+ left|estimating) \| churn: dlmalloc-style run 1\/3/);
});

test('no bar when standard error is not a terminal', async () => {
  const stream = fakeTerminal();
  (stream as { isTTY: boolean }).isTTY = false;
  const bar = progressBar(2, { stream, delayMs: 0 });
  bar.tick('a');
  bar.tick('b');
  bar.stop();
  assert.is(stream.text, '');
});

test.run();
