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
  if (typeof line !== 'string') return split(line, true, undefined);
  // One encoding of the whole line; words without escapes are views into it.
  const bytes = Buffer.from(line, 'utf8');
  return split(bytes, false, bytes.length === line.length ? undefined : line);
}

/**
 * The byte-level splitter. `copy`: words must not share memory with `bytes`
 * (the caller's Buffer). `text`: the string the bytes encode, when offsets
 * must be converted back to UTF-16 units.
 */
function split(bytes: Buffer, copy: boolean, text: string | undefined): Buffer[] {
  const n = bytes.length;
  const out: Buffer[] = [];
  // Decoded quoted words are written here, then copied out; one line-sized
  // scratch keeps the whole split linear however many quoted words there are.
  let scratch: Buffer | undefined;
  let i = 0;
  for (;;) {
    while (i < n && isBlank(bytes[i]!)) i++;
    if (i >= n) return out;
    const start = i;
    while (i < n) {
      const c = bytes[i]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x22 || c === 0x27) break;
      i++;
    }
    if (i >= n || (bytes[i] !== 0x22 && bytes[i] !== 0x27)) {
      out.push(view(bytes, start, i, copy));
      continue;
    }
    // A quote opens: decode the rest of the word into the scratch.
    scratch ??= Buffer.allocUnsafe(n);
    let w = 0;
    for (let j = start; j < i; j++) scratch[w++] = bytes[j]!;
    const quote = bytes[i]!;
    const quoteAt = i++;
    for (;;) {
      if (i >= n) throw tokenizeError('the quote at offset %d is never closed', quoteAt, bytes, text);
      const c = bytes[i]!;
      if (c === quote) {
        if (i + 1 < n && !isBlank(bytes[i + 1]!)) {
          throw tokenizeError('the closing quote at offset %d must be followed by a space', i, bytes, text);
        }
        i++;
        break;
      }
      if (c === 0x5c /* \ */ && i + 1 < n) {
        const e = bytes[i + 1]!;
        if (quote === 0x27) {
          if (e === 0x27) {
            scratch[w++] = 0x27;
            i += 2;
          } else {
            scratch[w++] = c;
            i++;
          }
          continue;
        }
        const hi = e === 0x78 && i + 3 < n ? hexValue(bytes[i + 2]!) : -1;
        const lo = hi >= 0 ? hexValue(bytes[i + 3]!) : -1;
        if (lo >= 0) {
          scratch[w++] = hi * 16 + lo;
          i += 4;
        } else {
          scratch[w++] = ESCAPES[e] ?? e;
          i += 2;
        }
        continue;
      }
      scratch[w++] = c;
      i++;
    }
    out.push(Buffer.from(scratch.subarray(0, w)));
  }
}

/** `\n \r \t \b \a` by the byte after the backslash; any other byte stands for itself. */
const ESCAPES: Readonly<Record<number, number>> = { 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x62: 0x08, 0x61: 0x07 };

function view(bytes: Buffer, start: number, end: number, copy: boolean): Buffer {
  return copy ? Buffer.from(bytes.subarray(start, end)) : bytes.subarray(start, end);
}

function tokenizeError(why: string, byteOffset: number, bytes: Buffer, text: string | undefined): TokenizeError {
  // Quotes are ASCII, so the byte offset falls on a character boundary.
  const offset =
    text === undefined ? byteOffset : bytes.subarray(0, byteOffset).toString('utf8').length;
  return new TokenizeError(`${UNBALANCED} (${why.replace('%d', String(offset))})`, offset);
}

/** sdssplitargs skips `isspace()` between words, which includes \v and \f. */
const isBlank = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
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
