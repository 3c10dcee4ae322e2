import { RedisError } from '../errors.js';
import { toInteger } from './values.js';

/**
 * Stream IDs as Redis 7.0 reads them (t_stream.c), for the stream grammar's
 * `check` rules — which make the parser meet a bad ID where Redis' own
 * parsers do, before the words after it — and for the stream translators.
 */

const U64_MAX = 2n ** 64n - 1n;
export const INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';

/** A stream ID; `seq` undefined: `<ms>-*` (XADD picks the sequence). */
export interface StreamId {
  readonly ms: bigint;
  readonly seq: bigint | undefined;
}

/**
 * An unsigned 64-bit integer as Redis 7.0's string2ull reads it: string2ll
 * first (a negative result is refused), then C's strtoull (leading spaces,
 * a sign, and a `-` that wraps around modulo 2^64), on the C string.
 */
function toUnsigned(text: Buffer): bigint | undefined {
  const n = toInteger(text);
  if (n !== undefined) return n < 0n ? undefined : n;
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(text.toString('latin1'));
  if (m === null) return undefined;
  const magnitude = BigInt(m[2]!);
  if (magnitude > U64_MAX) return undefined;
  return m[1] === '-' ? (U64_MAX + 1n - magnitude) % (U64_MAX + 1n) : magnitude;
}

/**
 * A stream ID as Redis 7.0's streamGenericParseIDOrReply reads it: `-` and
 * `+` (unless `strict`), `<ms>` (the sequence is `missingSeq`), `<ms>-<seq>`,
 * and `<ms>-*` when `seqStar` (XADD). The text is read as a C string (up to
 * a NUL byte), and must be shorter than 128 bytes.
 *
 *   parseStreamId(Buffer.from('5'), 2n ** 64n - 1n) → { ms: 5n, seq: 18446744073709551615n }
 *   parseStreamId(Buffer.from('+'), 0n, { strict: true }) → throws RedisError(INVALID_ID)
 */
export function parseStreamId(
  given: Buffer,
  missingSeq: bigint,
  options: { readonly strict?: boolean; readonly seqStar?: boolean } = {},
): StreamId {
  if (given.length > 127) throw new RedisError(INVALID_ID);
  const nul = given.indexOf(0);
  const text = nul < 0 ? given : given.subarray(0, nul);
  const word = text.toString('latin1');
  if (word === '-' || word === '+') {
    if (options.strict === true) throw new RedisError(INVALID_ID);
    return word === '-' ? { ms: 0n, seq: 0n } : { ms: U64_MAX, seq: U64_MAX };
  }
  const dash = text.indexOf(0x2d);
  const ms = toUnsigned(dash < 0 ? text : text.subarray(0, dash));
  if (ms === undefined) throw new RedisError(INVALID_ID);
  if (dash < 0) return { ms, seq: missingSeq };
  const rest = text.subarray(dash + 1);
  if (options.seqStar === true && rest.length === 1 && rest[0] === 0x2a) return { ms, seq: undefined };
  const seq = toUnsigned(rest);
  if (seq === undefined) throw new RedisError(INVALID_ID);
  return { ms, seq };
}

/**
 * An interval end of XRANGE/XREVRANGE/XPENDING/XAUTOCLAIM: an ID, or `(` and
 * a strict ID (exclusive, turned into the next or previous ID as Redis does).
 *
 *   intervalId(Buffer.from('(5-0'), true) → { ms: 5n, seq: 1n }
 */
export function intervalId(given: Buffer, lower: boolean): { ms: bigint; seq: bigint } {
  const exclusive = given.length > 1 && given[0] === 0x28;
  const id = exclusive
    ? parseStreamId(given.subarray(1), lower ? 0n : U64_MAX, { strict: true })
    : parseStreamId(given, lower ? 0n : U64_MAX);
  let { ms } = id;
  let seq = id.seq ?? 0n;
  if (!exclusive) return { ms, seq };
  if (lower) {
    if (seq < U64_MAX) seq += 1n;
    else if (ms < U64_MAX) [ms, seq] = [ms + 1n, 0n];
    else throw new RedisError('ERR invalid start ID for the interval');
  } else if (seq > 0n) seq -= 1n;
  else if (ms > 0n) [ms, seq] = [ms - 1n, U64_MAX];
  else throw new RedisError('ERR invalid end ID for the interval');
  return { ms, seq };
}

/** The RedisError's message of `read`, or undefined when it reads. */
function refusal(read: () => unknown): string | undefined {
  try {
    read();
    return undefined;
  } catch (e) {
    if (e instanceof RedisError) return e.message;
    throw e;
  }
}

/** `check` of a strict ID (`<ms>[-<seq>]`; `<ms>-*` too with `seqStar`). */
export const strictIdCheck =
  (seqStar = false) =>
  (word: Buffer): string | undefined =>
    refusal(() => parseStreamId(word, 0n, { strict: true, seqStar }));

/** `check` of an interval's lower (`start`) or upper (`end`) end. */
export const intervalCheck =
  (lower: boolean) =>
  (word: Buffer): string | undefined =>
    refusal(() => intervalId(word, lower));

/** `check` of an integer Redis reads with its own message (XAUTOCLAIM's min-idle-time). */
export const integerCheck =
  (message: string) =>
  (word: Buffer): string | undefined =>
    toInteger(word) === undefined ? message : undefined;
