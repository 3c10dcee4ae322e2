import type { CommandSpec } from '../../src/grammar/spec.js';
import { FUZZ_KEYS, type GenContext, type Rng } from './fuzz.js';

/**
 * Stream commands for the live fuzzer (test/support/fuzz.ts hands every
 * command of the `stream` group here). The table's generic generator would
 * make IDs and groups that almost never meet, so these draw from small sets:
 * a few stream keys (sometimes a key of another type), two groups, three
 * consumers, and IDs around one far-future millisecond.
 *
 * Automatic IDs must give the same entries on both servers, whose clocks
 * differ by the time between the two commands:
 * - `<ms>-*` (the sequence chosen by the server) is always deterministic;
 * - `*` is generated only with NOMKSTREAM, so it never starts a stream, and
 *   every explicit ID (XADD, XSETID) lies in the future, so a stream's last ID
 *   is ahead of both clocks and `*` takes its next sequence on both. A stream
 *   made by XGROUP CREATE … MKSTREAM starts at 0-0, where `*` would read the
 *   clock: MKSTREAM is not generated.
 * Times (min-idle-time, IDLE, TIME) are 0, far in the past or far in the
 * future: none lands inside the run, and the oracle's @times rule compares
 * the idle and delivery times of the replies.
 *
 * XSETID only ever moves a stream's last ID within the future.
 *
 *   generateStreamArgs(XADD's spec, ctx) → ['s0', '1000000000000002-*', 'f', 'v']
 */
export function generateStreamArgs(spec: CommandSpec, ctx: GenContext): Buffer[] | undefined {
  const make = GENERATORS[spec.name];
  return make?.(ctx.rng).map((w) => (Buffer.isBuffer(w) ? w : Buffer.from(w, 'utf8')));
}

type Word = string | Buffer;

/** A far-future millisecond: explicit IDs start past every clock. */
const F = 1_000_000_000_000_000n;
const STREAM_KEYS = ['s0', 's0', 's0', 's1', 's2'];
const GROUPS = ['g0', 'g0', 'g0', 'g1'];
const CONSUMERS = ['c0', 'c1', 'c2'];
const FIELDS = ['f', 'g', 'a', 'b\\c', ''];
const VALUES = ['v', '1', '', 'x y', '\u00fc'];
const COUNTS = ['0', '1', '2', '3', '10', '-1', 'x'];
const MIN_IDLE = ['0', '0', '100000000', '-1', 'x'];
const IDLE = ['0', '100000000', '-5', 'x'];
const TIMES = ['1000000000000', '99999999999999', '-1', 'x'];

const key = (rng: Rng): string => (rng.chance(0.9) ? rng.pick(STREAM_KEYS) : rng.pick(FUZZ_KEYS));

/** An explicit ID: `<ms>-<seq>` or `<ms>`, in the future; now and then one that is not. */
function id(rng: Rng, extra: readonly string[] = []): string {
  if (rng.chance(0.1)) return rng.pick(['0-0', '0', '-', '+', 'x', ...extra]);
  const ms = F + BigInt(rng.int(4));
  return rng.chance(0.2) ? String(ms) : `${ms}-${rng.int(4)}`;
}

/** An interval end: an ID, `-`/`+`, or an exclusive `(id`. */
function bound(rng: Rng): string {
  const r = rng.int(10);
  if (r < 2) return rng.pick(['-', '+']);
  if (r === 2) return `(${id(rng)}`;
  return id(rng);
}

const some = <T>(rng: Rng, n: number, make: () => T): T[] => Array.from({ length: n }, make);

/** The items in a random order (Fisher–Yates on the seeded generator). */
function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
const maybe = (rng: Rng, p: number, words: () => Word[]): Word[] => (rng.chance(p) ? words() : []);

function fieldValues(rng: Rng): Word[] {
  return some(rng, 1 + rng.int(2), () => [rng.pick(FIELDS), rng.pick(VALUES)]).flat();
}

/**
 * XADD's and XTRIM's options, in any order as Redis' loop reads them: the
 * strategy (now and then left out), LIMIT before or after it, and XADD's
 * NOMKSTREAM among them.
 */
function trimOptions(rng: Rng, nomkstream: boolean): Word[] {
  const strategy = rng.pick(['MAXLEN', 'MINID']);
  const operator = rng.pick(['', '=', '~']);
  const threshold = strategy === 'MAXLEN' ? rng.pick(['0', '1', '2', '5', '-1', 'x']) : id(rng);
  const options: Word[][] = [];
  if (rng.chance(0.9)) options.push([strategy, ...(operator === '' ? [] : [operator]), threshold]);
  if (rng.chance(0.25)) options.push(['LIMIT', rng.pick(COUNTS)]);
  if (nomkstream) options.push(['NOMKSTREAM']);
  return shuffled(rng, options).flat();
}

/** A stream ID for XADD: explicit (in the future), `<ms>-*`, or `*` without creating the stream. */
function xaddId(rng: Rng): { nomkstream: boolean; id: string } {
  const r = rng.int(10);
  if (r < 2) return { nomkstream: true, id: '*' };
  if (r < 5) return { nomkstream: rng.chance(0.2), id: `${F + BigInt(rng.int(4))}-*` };
  return { nomkstream: rng.chance(0.2), id: id(rng) };
}

const GENERATORS: Readonly<Record<string, (rng: Rng) => Word[]>> = {
  XADD: (rng) => {
    const { nomkstream, id: given } = xaddId(rng);
    const options = rng.chance(0.2) ? trimOptions(rng, nomkstream) : nomkstream ? ['NOMKSTREAM'] : [];
    return [key(rng), ...options, given, ...fieldValues(rng)];
  },
  XLEN: (rng) => [key(rng)],
  XRANGE: (rng) => [key(rng), bound(rng), bound(rng), ...maybe(rng, 0.3, () => ['COUNT', rng.pick(COUNTS)])],
  XREVRANGE: (rng) => [key(rng), bound(rng), bound(rng), ...maybe(rng, 0.3, () => ['COUNT', rng.pick(COUNTS)])],
  XDEL: (rng) => [key(rng), ...some(rng, 1 + rng.int(3), () => id(rng))],
  XTRIM: (rng) => [key(rng), ...trimOptions(rng, false)],
  XSETID: (rng) => [
    key(rng),
    rng.chance(0.1) ? rng.pick(['-', '+', 'x']) : `${F + BigInt(rng.int(5))}-${rng.int(4)}`,
    ...maybe(rng, 0.2, () => ['ENTRIESADDED', rng.pick(['0', '5', '100', '-1'])]),
    ...maybe(rng, 0.2, () => ['MAXDELETEDID', id(rng)]),
  ],
  XREAD: (rng) => {
    const keys = some(rng, rng.chance(0.2) ? 2 : 1, () => key(rng));
    // Now and then XREADGROUP's GROUP or NOACK, which XREAD's loop refuses with its own words.
    return [
      ...maybe(rng, 0.3, () => ['COUNT', rng.pick(COUNTS)]),
      ...maybe(rng, 0.03, () => ['GROUP', rng.pick(GROUPS), rng.pick(CONSUMERS)]),
      ...maybe(rng, 0.1, () => ['BLOCK', rng.pick(['0', '10'])]),
      ...maybe(rng, 0.03, () => ['NOACK']),
      'STREAMS',
      ...keys,
      ...keys.map(() => id(rng, ['$'])),
    ];
  },
  'XGROUP CREATE': (rng) => [
    key(rng),
    rng.pick(GROUPS),
    rng.chance(0.3) ? '$' : id(rng),
    ...maybe(rng, 0.2, () => ['ENTRIESREAD', rng.pick(['0', '1', '3', '-1', '-2'])]),
    // A second ENTRIESREAD: Redis reads it, then counts too many words (after the key and group checks).
    ...maybe(rng, 0.05, () => ['ENTRIESREAD', rng.pick(['1', '3'])]),
  ],
  'XGROUP SETID': (rng) => [
    key(rng),
    rng.pick(GROUPS),
    rng.chance(0.3) ? '$' : id(rng),
    ...maybe(rng, 0.2, () => ['ENTRIESREAD', rng.pick(['0', '1', '3', '-1'])]),
    ...maybe(rng, 0.05, () => ['ENTRIESREAD', rng.pick(['1', '3'])]),
  ],
  // Groups go less often than they come, or few commands would find one.
  'XGROUP DESTROY': (rng) => [key(rng), rng.chance(0.15) ? 'g0' : rng.pick(['g1', 'gx'])],
  'XGROUP CREATECONSUMER': (rng) => [key(rng), rng.pick(GROUPS), rng.pick(CONSUMERS)],
  'XGROUP DELCONSUMER': (rng) => [key(rng), rng.pick(GROUPS), rng.pick(CONSUMERS)],
  XREADGROUP: (rng) => {
    const keys = some(rng, rng.chance(0.15) ? 2 : 1, () => key(rng));
    return [
      'GROUP',
      rng.pick(GROUPS),
      rng.pick(CONSUMERS),
      ...maybe(rng, 0.4, () => ['COUNT', rng.pick(COUNTS)]),
      ...maybe(rng, 0.1, () => ['BLOCK', rng.pick(['0', '10'])]),
      ...maybe(rng, 0.2, () => ['NOACK']),
      'STREAMS',
      ...keys,
      ...keys.map(() => (rng.chance(0.6) ? '>' : id(rng, ['$']))),
    ];
  },
  XACK: (rng) => [key(rng), rng.pick(GROUPS), ...some(rng, 1 + rng.int(3), () => id(rng))],
  XPENDING: (rng) => [
    key(rng),
    rng.pick(GROUPS),
    ...maybe(rng, 0.6, () => [
      ...maybe(rng, 0.3, () => ['IDLE', rng.pick(MIN_IDLE)]),
      // IDLE again: Redis takes it for the start ID.
      ...maybe(rng, 0.03, () => ['IDLE', rng.pick(MIN_IDLE)]),
      bound(rng),
      bound(rng),
      rng.pick(COUNTS),
      ...maybe(rng, 0.3, () => [rng.pick(CONSUMERS)]),
      // Words after the consumer: ignored up to 9 words in all, a syntax error beyond.
      ...maybe(rng, 0.05, () => some(rng, 1 + rng.int(3), () => rng.pick(['x', 'IDLE', '5']))),
    ]),
  ],
  XCLAIM: (rng) => [
    key(rng),
    rng.pick(GROUPS),
    rng.pick(CONSUMERS),
    rng.pick(MIN_IDLE),
    ...some(rng, 1 + rng.int(3), () => id(rng)),
    ...maybe(rng, 0.2, () => ['IDLE', rng.pick(IDLE)]),
    ...maybe(rng, 0.2, () => ['TIME', rng.pick(TIMES)]),
    ...maybe(rng, 0.2, () => ['RETRYCOUNT', rng.pick(COUNTS)]),
    ...maybe(rng, 0.2, () => ['FORCE']),
    ...maybe(rng, 0.3, () => ['JUSTID']),
    ...maybe(rng, 0.1, () => ['LASTID', id(rng)]),
  ],
  XAUTOCLAIM: (rng) => [
    key(rng),
    rng.pick(GROUPS),
    rng.pick(CONSUMERS),
    rng.pick(MIN_IDLE),
    bound(rng),
    ...maybe(rng, 0.4, () => ['COUNT', rng.pick(COUNTS)]),
    ...maybe(rng, 0.3, () => ['JUSTID']),
  ],
  'XINFO STREAM': (rng) => [key(rng), ...maybe(rng, 0.5, () => ['FULL', ...maybe(rng, 0.5, () => ['COUNT', rng.pick(COUNTS)])])],
  'XINFO GROUPS': (rng) => [key(rng)],
  'XINFO CONSUMERS': (rng) => [key(rng), rng.pick(GROUPS)],
};
