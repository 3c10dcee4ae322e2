import { TokenizeError } from '../errors.js';

/** What the parser accepts: a command line, or argv already split (name first). */
export type CommandInput = string | Buffer | readonly (string | Buffer)[];

const UNBALANCED = 'ERR Protocol error: unbalanced quotes in request';

/**
 * Split a command line into arguments with redis-cli's quoting rules (hiredis'
 * `sdssplitargs`, which redis-server's inline protocol uses too): blanks
 * separate; "double quotes" understand `\n \r \t \b \a \\ \" \xHH` (any other
 * escaped character stands for itself); 'single quotes' understand `\'` only;
 * a closing quote must be followed by a blank or the end. A quote may open in
 * the middle of a word (`a"b c"` is one argument `ab c`), as in sdssplitargs.
 *
 *   tokenize('SET k "a b\\x00"') → [<SET>, <k>, <61 20 62 00>]
 *
 * Strings are encoded as UTF-8 (`\xHH` adds the raw byte); Buffers pass their
 * bytes through. One deliberate difference: a NUL byte is an ordinary byte
 * here, where C's sdssplitargs would silently stop the line at it. Errors
 * are `TokenizeError` with the offset (UTF-16 units for strings, bytes for
 * Buffers) of the quote at fault.
 */
export function tokenize(line: string | Buffer): Buffer[] {
  // A Buffer read as latin1 is one char per byte, so one scanner serves both
  // and slices re-encode losslessly with the matching encoding.
  const binary = typeof line !== 'string';
  const text = binary ? line.toString('latin1') : line;
  const encoding: BufferEncoding = binary ? 'latin1' : 'utf8';
  const n = text.length;
  const out: Buffer[] = [];
  let i = 0;
  for (;;) {
    while (i < n && isBlank(text.charCodeAt(i))) i++;
    if (i >= n) return out;
    // The word is built from verbatim runs [runStart, i) plus decoded escapes.
    let parts: (string | number)[] | undefined;
    let runStart = i;
    let quote = 0; // 0, or the char code of the open quote
    let quoteAt = -1;
    for (;;) {
      const c = i < n ? text.charCodeAt(i) : -1;
      if (quote === 0) {
        if (c === -1 || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) break;
        if (c === 0x22 || c === 0x27) {
          (parts ??= []).push(text.slice(runStart, i));
          quote = c;
          quoteAt = i;
          runStart = ++i;
        } else i++;
        continue;
      }
      if (c === -1) throw new TokenizeError(`${UNBALANCED} (the quote at offset ${quoteAt} is never closed)`, quoteAt);
      if (c === quote) {
        const next = i + 1 < n ? text.charCodeAt(i + 1) : -1;
        if (next !== -1 && !isBlank(next)) {
          throw new TokenizeError(`${UNBALANCED} (the closing quote at offset ${i} must be followed by a space)`, i);
        }
        (parts ??= []).push(text.slice(runStart, i));
        i++;
        runStart = i;
        break;
      }
      if (c === 0x5c /* \ */ && i + 1 < n) {
        const e = text.charCodeAt(i + 1);
        if (quote === 0x27) {
          if (e === 0x27) {
            (parts ??= []).push(text.slice(runStart, i), "'");
            i += 2;
            runStart = i;
          } else i++;
          continue;
        }
        parts ??= [];
        parts.push(text.slice(runStart, i));
        const hi = i + 3 < n ? hexValue(text.charCodeAt(i + 2)) : -1;
        const lo = hi >= 0 ? hexValue(text.charCodeAt(i + 3)) : -1;
        if (e === 0x78 /* x */ && hi >= 0 && lo >= 0) {
          parts.push(hi * 16 + lo);
          i += 4;
        } else {
          parts.push(ESCAPES.get(e) ?? text[i + 1]!);
          i += 2;
        }
        runStart = i;
        continue;
      }
      i++;
    }
    out.push(assemble(parts, text.slice(runStart, i), encoding));
  }
}

const ESCAPES: ReadonlyMap<number, string> = new Map([
  [0x6e, '\n'],
  [0x72, '\r'],
  [0x74, '\t'],
  [0x62, '\b'],
  [0x61, '\x07'],
]);

/** sdssplitargs skips `isspace()` between words, which includes \v and \f. */
const isBlank = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Joins verbatim text and `\xHH` bytes; a word without escapes is one slice. */
function assemble(parts: (string | number)[] | undefined, tail: string, encoding: BufferEncoding): Buffer {
  if (parts === undefined) return Buffer.from(tail, encoding);
  parts.push(tail);
  if (encoding === 'latin1' || parts.every((p) => typeof p === 'string')) {
    let s = '';
    for (const p of parts) s += typeof p === 'string' ? p : String.fromCharCode(p);
    return Buffer.from(s, encoding);
  }
  const chunks: Buffer[] = [];
  let pending = '';
  for (const p of parts) {
    if (typeof p === 'string') pending += p;
    else {
      chunks.push(Buffer.from(pending, encoding), Buffer.of(p));
      pending = '';
    }
  }
  chunks.push(Buffer.from(pending, encoding));
  return Buffer.concat(chunks);
}

/**
 * The argv of any accepted input: a line is tokenized, a list is taken as
 * already split (strings encoded as UTF-8).
 *
 *   toArgv(['SET', 'k', Buffer.of(0xff)]) → [<SET>, <k>, <ff>]
 */
export function toArgv(input: CommandInput): Buffer[] {
  if (typeof input === 'string' || Buffer.isBuffer(input)) return tokenize(input);
  return input.map((a) => (typeof a === 'string' ? Buffer.from(a, 'utf8') : a));
}
