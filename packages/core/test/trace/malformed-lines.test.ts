import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TraceFormatError, parseTrace } from '../../src/index.js';

const H = '# heaplab-trace v1 prog\n';

/** Each malformed input and the exact message it gives. */
const CASES: [name: string, text: string, message: string][] = [
  ['empty file', '', 'bad.trace:1: expected the header "# heaplab-trace v1 <program>", got end of file'],
  ['no header', 'a 1 2\n', 'bad.trace:1: expected the header "# heaplab-trace v1 <program>", got "a 1 2"'],
  ['header without program', '# heaplab-trace v1\n', 'bad.trace:1: expected the header "# heaplab-trace v1 <program>", got "# heaplab-trace v1"'],
  ['header of another version', '# heaplab-trace v2 prog\n', 'bad.trace:1: expected version v1 in the header, got "v2"'],
  ['unknown event', H + 'x 1 2\n', 'bad.trace:2: expected an event (a, c, m, r or f), got "x"'],
  ['event letter glued to its id', H + 'a1 2\n', 'bad.trace:2: expected an event (a, c, m, r or f), got "a1"'],
  ['missing id', H + 'a\n', 'bad.trace:2: expected the id (hex), got end of line'],
  ['id not hex', H + 'a 12g 8\n', 'bad.trace:2: expected the id (hex), got "12g"'],
  ['bare 0x', H + 'a 0x 8\n', 'bad.trace:2: expected the id (hex), got "0x"'],
  ['id of 2^53 or more', H + 'a 20000000000000 8\n', 'bad.trace:2: expected the id below 2^53, got "20000000000000"'],
  ['missing size', H + 'a 10\n', 'bad.trace:2: expected the size (decimal), got end of line'],
  ['size not decimal', H + 'a 10 0x20\n', 'bad.trace:2: expected the size (decimal), got "0x20"'],
  ['negative size', H + 'a 10 -1\n', 'bad.trace:2: expected the size (decimal), got "-1"'],
  ['size of 2^53 or more', H + 'a 10 9007199254740992\n', 'bad.trace:2: expected the size below 2^53, got "9007199254740992"'],
  ['calloc without bytes', H + 'c 10\n', 'bad.trace:2: expected the bytes (decimal), got end of line'],
  ['memalign without alignment', H + 'm 10 64\n', 'bad.trace:2: expected the alignment (decimal), got end of line'],
  ['memalign with an alignment not a power of two', H + 'm 10 64 24\n', 'bad.trace:2: expected a power-of-two alignment, got "24"'],
  ['memalign with alignment 0', H + 'm 10 64 0\n', 'bad.trace:2: expected a power-of-two alignment, got "0"'],
  ['realloc without old id', H + 'r 10\n', 'bad.trace:2: expected the old id (hex), got end of line'],
  ['realloc with a bad new id', H + 'r zz 10 8\n', 'bad.trace:2: expected the new id (hex), got "zz"'],
  ['realloc without size', H + 'r 10 20\n', 'bad.trace:2: expected the size (decimal), got end of line'],
  ['a field after the site', H + 'a 10 8 main+4 extra\n', 'bad.trace:2: expected end of line after the site, got "extra"'],
  ['free with a site', H + 'f 10 main\n', 'bad.trace:2: expected end of line after the id (f has no site), got "main"'],
  ['free of NULL', H + 'f 0\n', 'bad.trace:2: expected a non-zero id (free(NULL) is not written), got "0"'],
  ['free without id', H + 'f\n', 'bad.trace:2: expected the id (hex), got end of line'],
  ['error on a later line names that line', H + 'a 1 1\n# c\n\na 2 2\na 3 z\n', 'bad.trace:6: expected the size (decimal), got "z"'],
];

for (const [name, text, message] of CASES) {
  test(`${name}: ${message}`, () => {
    try {
      parseTrace(text, 'bad.trace');
    } catch (e) {
      assert.instance(e, TraceFormatError);
      assert.is((e as Error).message, message);
      return;
    }
    assert.unreachable('no error');
  });
}

test('the error carries file, line, expectation and what was found', () => {
  try {
    parseTrace(H + 'a 1 zz\n', 'f.trace');
    assert.unreachable('no error');
  } catch (e) {
    const t = e as TraceFormatError;
    assert.is(t.file, 'f.trace');
    assert.is(t.line, 2);
    assert.is(t.byte, null);
    assert.is(t.expected, 'the size (decimal)');
    assert.is(t.got, '"zz"');
  }
});

test.run();
