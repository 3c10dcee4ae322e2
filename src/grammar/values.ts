import { Buffer, isUtf8 } from 'node:buffer';
import { fromBinary, toBinary } from './tokenize.js';

/**
 * Conversions of argument bytes into typed values, with exactly the checks
 * Redis 7.0 applies (util.c `string2ll`, object.c `getDoubleFromObject`), so
 * that what we accept and what we reject is what redis-server accepts and
 * rejects. Each returns `undefined` for a value Redis would refuse; the caller
 * words the error (the message differs per command).
 *
 * Each takes bytes, or the same bytes as a binary string (one character per
 * byte, as the parser holds its words: see `splitWords`).
 */

/** Bytes as the binary string the conversions read. */
const text = (bytes: Uint8Array | string): string => (typeof bytes === 'string' ? bytes : toBinary(bytes));

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * A signed 64-bit integer as Redis' `string2ll` reads it: optional `-`, no `+`,
 * no spaces, no leading zeros, no `-0`, within int64.
 *
 *   toInteger(Buffer.from('-42')) → -42n;   toInteger(Buffer.from('01')) → undefined
 */
export function toInteger(given: Uint8Array | string): bigint | undefined {
  const bytes = text(given);
  const n = bytes.length;
  // 20 = '-' and 19 digits, the longest int64 without leading zeros.
  if (n === 0 || n > 20) return undefined;
  let i = 0;
  if (bytes.charCodeAt(0) === 0x2d) {
    if (n === 1) return undefined;
    i = 1;
  }
  const first = bytes.charCodeAt(i);
  if (first === 0x30) return n === 1 ? 0n : undefined;
  if (first < 0x31 || first > 0x39) return undefined;
  let small = 0;
  for (let j = i; j < n; j++) {
    const c = bytes.charCodeAt(j);
    if (c < 0x30 || c > 0x39) return undefined;
    small = small * 10 + (c - 0x30);
  }
  // Up to 15 digits the float accumulator is exact; beyond, go through BigInt.
  if (n - i <= 15) return BigInt(i === 1 ? -small : small);
  const big = BigInt(bytes);
  return big < INT64_MIN || big > INT64_MAX ? undefined : big;
}

const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const hexValue = (c: number): number =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c);

/** Whether bytes[i..] spells `word` (lower-case ASCII) to the end, case-insensitively. */
function restIs(bytes: string, i: number, word: string): boolean {
  if (bytes.length - i !== word.length) return false;
  for (let j = 0; j < word.length; j++) if (lower(bytes.charCodeAt(i + j)) !== word.charCodeAt(j)) return false;
  return true;
}

/**
 * A double as Redis' `getDoubleFromObject` reads it: the whole string must be
 * what C's `strtod` parses (decimal, hexadecimal `0x1p3`, `inf`, `infinity`,
 * any case), no leading space, not NaN, no overflow to ±inf, no underflow to 0.
 *
 *   toDouble(Buffer.from('1.5e2')) → 150;   toDouble(Buffer.from('+inf')) → Infinity;
 *   toDouble(Buffer.from('1e400')) → undefined
 */
export function toDouble(given: Uint8Array | string): number | undefined {
  const bytes = text(given);
  const n = bytes.length;
  if (n === 0 || isSpace(bytes.charCodeAt(0))) return undefined;
  let i = 0;
  let negative = false;
  if (bytes.charCodeAt(0) === 0x2b || bytes.charCodeAt(0) === 0x2d) {
    negative = bytes.charCodeAt(0) === 0x2d;
    i = 1;
  }
  if (i < n && lower(bytes.charCodeAt(i)) === 0x69 /* i */) {
    return restIs(bytes, i, 'inf') || restIs(bytes, i, 'infinity') ? (negative ? -Infinity : Infinity) : undefined;
  }
  if (i + 1 < n && bytes.charCodeAt(i) === 0x30 && lower(bytes.charCodeAt(i + 1)) === 0x78 /* 0x */) {
    const value = hexDouble(bytes, i + 2);
    return value === undefined ? undefined : negative ? -value : value;
  }
  // Decimal: digits [. digits] (at least one digit) [e [sign] digits].
  let digits = 0;
  let nonZero = false;
  let j = i;
  for (; j < n && isDigit(bytes.charCodeAt(j)); j++, digits++) if (bytes.charCodeAt(j) !== 0x30) nonZero = true;
  if (j < n && bytes.charCodeAt(j) === 0x2e) {
    for (j++; j < n && isDigit(bytes.charCodeAt(j)); j++, digits++) if (bytes.charCodeAt(j) !== 0x30) nonZero = true;
  }
  if (digits === 0) return undefined;
  if (j < n && lower(bytes.charCodeAt(j)) === 0x65 /* e */) {
    j++;
    if (j < n && (bytes.charCodeAt(j) === 0x2b || bytes.charCodeAt(j) === 0x2d)) j++;
    const start = j;
    for (; j < n && isDigit(bytes.charCodeAt(j)); j++);
    if (j === start) return undefined;
  }
  if (j !== n) return undefined;
  // JavaScript's decimal parsing is correctly rounded, as glibc's strtod is.
  const value = Number(bytes);
  if (!Number.isFinite(value)) return undefined;
  if (value === 0 && nonZero) return undefined;
  return value;
}

/** `strtod`'s hexadecimal form after `0x`: hexdigits [. hexdigits] [p [sign] digits]. */
function hexDouble(bytes: string, from: number): number | undefined {
  const n = bytes.length;
  let mantissa = 0n;
  let digits = 0;
  let fraction = 0;
  let j = from;
  for (; j < n && hexValue(bytes.charCodeAt(j)) >= 0; j++, digits++) mantissa = mantissa * 16n + BigInt(hexValue(bytes.charCodeAt(j)));
  if (j < n && bytes.charCodeAt(j) === 0x2e) {
    for (j++; j < n && hexValue(bytes.charCodeAt(j)) >= 0; j++, digits++, fraction++) {
      mantissa = mantissa * 16n + BigInt(hexValue(bytes.charCodeAt(j)));
    }
  }
  if (digits === 0) return undefined;
  let exponent = 0;
  if (j < n && lower(bytes.charCodeAt(j)) === 0x70 /* p */) {
    j++;
    let sign = 1;
    if (j < n && (bytes.charCodeAt(j) === 0x2b || bytes.charCodeAt(j) === 0x2d)) sign = bytes.charCodeAt(j++) === 0x2d ? -1 : 1;
    const start = j;
    for (; j < n && isDigit(bytes.charCodeAt(j)); j++) exponent = Math.min(exponent * 10 + (bytes.charCodeAt(j) - 0x30), 1e6);
    if (j === start) return undefined;
    exponent *= sign;
  }
  if (j !== n) return undefined;
  // Rounded twice (mantissa, then scale) for mantissas beyond 53 bits: a
  // documented approximation of strtod for such rare spellings.
  const value = Number(mantissa) * 2 ** (exponent - 4 * fraction);
  if (!Number.isFinite(value)) return undefined;
  if (value === 0 && mantissa !== 0n) return undefined;
  return value;
}

const ULONG_MAX = 2n ** 64n - 1n;

/**
 * A SCAN-family cursor as Redis 7.0's `parseScanCursorOrReply` reads it:
 * `strtoul` on a C string (so up to the first NUL byte): no leading space,
 * an optional sign, decimal digits (leading zeros fine) below 2^64, nothing
 * else; a negative one wraps around; the empty string is 0.
 *
 *   toScanCursor(Buffer.from('-1')) → 18446744073709551615n;   toScanCursor(Buffer.from('')) → 0n
 *   toScanCursor(Buffer.from(' 5')) → undefined;   toScanCursor(Buffer.from('nan')) → undefined
 */
export function toScanCursor(given: Uint8Array | string): bigint | undefined {
  const bytes = text(given);
  const nul = bytes.indexOf('\0');
  const end = nul < 0 ? bytes.length : nul;
  if (end === 0) return 0n;
  let i = 0;
  const negative = bytes.charCodeAt(0) === 0x2d;
  if (negative || bytes.charCodeAt(0) === 0x2b) i = 1;
  if (i === end) return undefined;
  for (let j = i; j < end; j++) if (!isDigit(bytes.charCodeAt(j))) return undefined;
  const magnitude = BigInt(bytes.slice(i, end));
  if (magnitude > ULONG_MAX) return undefined;
  return negative ? (ULONG_MAX + 1n - magnitude) % (ULONG_MAX + 1n) : magnitude;
}

/** Why a key cannot be a PostgreSQL `text` value, or `undefined` when it can. */
export type KeyProblem = 'contains a NUL byte' | 'is not valid UTF-8';

/**
 * A key given as a binary string of ASCII without NUL bytes (most keys), as
 * the text it already is; undefined for any other, which `toKey` reads. No
 * result object to allocate on the parser's most common path.
 *
 *   asciiKey('user:1') → 'user:1';   asciiKey('caf\xc3\xa9') → undefined
 */
export function asciiKey(bytes: string): string | undefined {
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    if (c === 0 || c >= 0x80) return undefined;
  }
  return bytes;
}

/**
 * A key as PostgreSQL `text` holds it: valid UTF-8 without NUL bytes.
 *
 *   toKey(Buffer.from('user:1')) → 'user:1';   toKey(Buffer.from([0x61, 0])) → 'contains a NUL byte'
 */
export function toKey(given: Buffer | string): { readonly key: string } | { readonly problem: KeyProblem } {
  const bytes = typeof given === 'string' ? given : given.toString('latin1');
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    if (c === 0) return { problem: 'contains a NUL byte' };
    if (c >= 0x80) ascii = false;
  }
  if (ascii) return { key: bytes };
  const raw = fromBinary(bytes);
  if (!isUtf8(raw)) return { problem: 'is not valid UTF-8' };
  return { key: raw.toString('utf8') };
}
