/**
 * Redis replies as the JavaScript values each client library resolves with.
 *
 * Written from the clients' own sources (ioredis 5 `Command` reply
 * transformers; node-redis 4 and 5 `transformReply` of each command module,
 * RESP2 with no type mapping, which is what `createClient()` speaks by
 * default) and checked against the real clients by
 * test/live/codemod-values.live.test.ts. A transform the clients apply that is
 * not here is never approximated: the codemod reports the call instead.
 */
import { RedisError } from '../errors.js';
import type { RedisReply } from '../emit/reply.js';

/** Which client's values: ioredis (4, 5, 6's default mapping), node-redis 4, node-redis 5. */
export type Flavour = 'ioredis' | 'node-redis4' | 'node-redis5';

/** The value of a RESP2 reply before any command-specific transform. */
export type RawValue = string | Buffer | number | null | RawValue[];

/**
 * Named command-specific transforms. ioredis: `object` (HGETALL). node-redis:
 * the `transformReply` of the command module, named by what it builds.
 */
export type Transform =
  | 'object'
  | 'boolean'
  | 'boolean-array'
  | 'double'
  | 'double-nullable'
  | 'double-array'
  | 'with-scores'
  | 'member-nullable'
  | 'tuples'
  | 'field-values'
  | 'scan'
  | 'sscan'
  | 'hscan'
  | 'hscan-novalues'
  | 'zscan'
  | 'zmpop'
  | 'stream-messages'
  | 'streams-messages'
  | 'xpending'
  | 'xpending-range'
  | 'xclaim'
  | 'xautoclaim'
  | 'xautoclaim-justid'
  | 'xinfo-stream'
  | 'xinfo-groups'
  | 'xinfo-consumers'
  | 'time'
  | 'lcs-idx'
  | 'lcs-idx-withmatchlen'
  | 'pubsub-numsub'
  /** Not a command's transform: node-redis 4's `commandOptions({ returnBuffers: true })`, every string of the reply a Buffer. */
  | 'buffers';

const TRANSFORMS: readonly string[] = [
  'object',
  'boolean',
  'boolean-array',
  'double',
  'double-nullable',
  'double-array',
  'with-scores',
  'member-nullable',
  'tuples',
  'field-values',
  'scan',
  'sscan',
  'hscan',
  'hscan-novalues',
  'zscan',
  'zmpop',
  'stream-messages',
  'streams-messages',
  'xpending',
  'xpending-range',
  'xclaim',
  'xautoclaim',
  'xautoclaim-justid',
  'xinfo-stream',
  'xinfo-groups',
  'xinfo-consumers',
  'time',
  'lcs-idx',
  'lcs-idx-withmatchlen',
  'pubsub-numsub',
  'buffers',
];

/** Whether `name` is one of the transforms this module reproduces. */
export function isTransform(name: string): name is Transform {
  return TRANSFORMS.includes(name);
}

/**
 * A reply as the client decodes it before command transforms: bulk strings
 * as UTF-8 strings (Buffers when `buffers`, ioredis' `…Buffer` methods),
 * integers as numbers, status as its text, nil as null; an error reply throws
 * a `RedisError` with Redis' message (ioredis' ReplyError, node-redis'
 * ErrorReply carry the same text).
 *
 *   rawValue({ type: 'integer', value: 3n })  → 3
 */
export function rawValue(reply: RedisReply, buffers = false): RawValue {
  switch (reply.type) {
    case 'status':
      return reply.value;
    case 'error':
      throw new RedisError(reply.message);
    case 'integer':
      return Number(reply.value);
    case 'bulk':
      return reply.value === null ? null : buffers ? reply.value : reply.value.toString('utf8');
    case 'array':
      return reply.value === null ? null : reply.value.map((r) => rawValue(r, buffers));
  }
}

/**
 * A reply as node-redis 4 decodes it for `commandOptions({ returnBuffers: true })`:
 * bulk and status strings as Buffers, integers as numbers, nil as null.
 *
 *   stringsAsBuffers({ type: 'status', value: 'OK' })  → Buffer.from('OK')
 */
function stringsAsBuffers(reply: RedisReply): unknown {
  if (reply.type === 'status') return Buffer.from(reply.value, 'utf8');
  if (reply.type === 'array' && reply.value !== null) return reply.value.map(stringsAsBuffers);
  return rawValue(reply, true);
}

/**
 * The value `flavour` resolves with for `reply`, after `transform`.
 *
 *   clientValue({ type: 'integer', value: 1n }, 'node-redis4', 'boolean')  → true
 *   clientValue({ type: 'integer', value: 1n }, 'node-redis5', 'boolean')  → 1
 *   clientValue(hgetallReply, 'node-redis5', 'tuples')  → Object.assign(Object.create(null), { f: 'v' })
 */
export function clientValue(reply: RedisReply, flavour: Flavour, transform?: Transform, buffers = false): unknown {
  if (transform === 'buffers') return stringsAsBuffers(reply);
  const raw = rawValue(reply, buffers);
  return transform === undefined ? raw : applyTransform(raw, flavour, transform);
}

function applyTransform(raw: RawValue, flavour: Flavour, transform: Transform): unknown {
  const v4 = flavour === 'node-redis4';
  const list = (): RawValue[] => (Array.isArray(raw) ? raw : []);
  const cursor = (c: RawValue | undefined): unknown => (v4 ? Number(c) : c);
  const toDouble = (r: RawValue): number => (v4 ? numberInfinity(r) : doubleReply(r));
  switch (transform) {
    case 'object':
      return ioredisObject(list());
    case 'boolean':
      // node-redis 5 dropped the boolean transforms: its commands give the integer.
      return v4 ? raw === 1 : raw;
    case 'boolean-array':
      return v4 ? list().map((r) => r === 1) : raw;
    case 'double':
      return toDouble(raw);
    case 'double-nullable':
      return raw === null ? null : toDouble(raw);
    case 'double-array':
      return list().map((r) => (r === null ? null : toDouble(r)));
    case 'with-scores':
      return withScores(list(), toDouble);
    case 'member-nullable': {
      const l = list();
      return l.length === 0 ? null : { value: l[0], score: toDouble(l[1] ?? null) };
    }
    case 'tuples':
      return tuples(list());
    case 'field-values': {
      const l = list();
      const out: { field: RawValue | undefined; value: RawValue | undefined }[] = [];
      for (let i = 0; i < l.length; i += 2) out.push({ field: l[i], value: l[i + 1] });
      return out;
    }
    case 'scan': {
      const [c, keys] = list();
      return { cursor: cursor(c), keys };
    }
    case 'sscan': {
      const [c, members] = list();
      return { cursor: cursor(c), members };
    }
    case 'hscan': {
      const [c, flat] = list();
      const entries: { field: RawValue | undefined; value: RawValue | undefined }[] = [];
      const l = Array.isArray(flat) ? flat : [];
      for (let i = 0; i < l.length; i += 2) entries.push({ field: l[i], value: l[i + 1] });
      return v4 ? { cursor: cursor(c), tuples: entries } : { cursor: c, entries };
    }
    case 'hscan-novalues': {
      const [c, fields] = list();
      return v4 ? { cursor: cursor(c), keys: fields } : { cursor: c, fields };
    }
    case 'zscan': {
      const [c, flat] = list();
      return { cursor: cursor(c), members: withScores(Array.isArray(flat) ? flat : [], toDouble) };
    }
    case 'zmpop': {
      if (raw === null) return null;
      const [key, members] = list();
      const pairs = (Array.isArray(members) ? members : []).map((m) => {
        const [value, score] = Array.isArray(m) ? m : [];
        return { value, score: toDouble(score ?? null) };
      });
      return v4 ? { key, elements: pairs } : { key, members: pairs };
    }
    case 'stream-messages':
      return streamMessages(list());
    case 'streams-messages':
      // XREAD's and XREADGROUP's streams, in the order Redis names them.
      if (raw === null) return null;
      return list().map((stream) => {
        const [name, messages] = Array.isArray(stream) ? stream : [];
        return { name, messages: streamMessages(Array.isArray(messages) ? messages : []) };
      });
    case 'xpending': {
      // The group's summary; no pending entries: 0, nil, nil, nil.
      const [pending, firstId, lastId, consumers] = list();
      const named = (c: RawValue): { name: RawValue | undefined; deliveriesCounter: number } => {
        const [name, count] = Array.isArray(c) ? c : [];
        return { name, deliveriesCounter: Number(count) };
      };
      return { pending, firstId, lastId, consumers: Array.isArray(consumers) ? consumers.map(named) : null };
    }
    case 'xpending-range':
      // node-redis 5 renamed the consumer's field.
      return list().map((entry) => {
        const [id, consumer, millisecondsSinceLastDelivery, deliveriesCounter] = Array.isArray(entry) ? entry : [];
        return v4 ? { id, owner: consumer, millisecondsSinceLastDelivery, deliveriesCounter } : { id, consumer, millisecondsSinceLastDelivery, deliveriesCounter };
      });
    case 'xclaim':
      return nullableMessages(list());
    case 'xautoclaim':
    case 'xautoclaim-justid': {
      // The IDs Redis deleted from the pending list (Redis 7) are the third element, which node-redis 4 drops.
      const [nextId, claimed, deleted] = list();
      const messages = transform === 'xautoclaim' ? nullableMessages(Array.isArray(claimed) ? claimed : []) : claimed;
      return v4 ? { nextId, messages } : { nextId, messages, deletedMessages: deleted };
    }
    case 'xinfo-stream':
      return xinfoStream(list(), v4);
    case 'xinfo-groups':
      // Each group's reply is name, value, name, value…: picked by position, as node-redis does.
      return list().map((g) => {
        const f = Array.isArray(g) ? g : [];
        return v4
          ? { name: f[1], consumers: f[3], pending: f[5], lastDeliveredId: f[7] }
          : { name: f[1], consumers: f[3], pending: f[5], 'last-delivered-id': f[7], 'entries-read': f[9], lag: f[11] };
      });
    case 'xinfo-consumers':
      return list().map((c) => {
        const f = Array.isArray(c) ? c : [];
        return { name: f[1], pending: f[3], idle: f[5], inactive: f[7] };
      });
    case 'time': {
      // node-redis 4: a Date of the server's clock, with the microseconds beside it.
      const [seconds, microseconds] = list().map(Number) as [number, number];
      return Object.assign(new Date(seconds * 1000 + microseconds / 1000), { microseconds });
    }
    case 'lcs-idx':
    case 'lcs-idx-withmatchlen': {
      // Redis' map is ["matches", [...], "len", n]; node-redis 5 keeps the matches as Redis gives them.
      const l = list();
      if (!v4) return { matches: l[1], len: l[3] };
      const range = (r: RawValue | undefined): { start: RawValue | undefined; end: RawValue | undefined } => {
        const [start, end] = Array.isArray(r) ? r : [];
        return { start, end };
      };
      const matches = (Array.isArray(l[1]) ? l[1] : []).map((m) => {
        const [key1, key2, length] = Array.isArray(m) ? m : [];
        return transform === 'lcs-idx' ? { key1: range(key1), key2: range(key2) } : { key1: range(key1), key2: range(key2), length };
      });
      return { matches, length: l[3] };
    }
    case 'pubsub-numsub': {
      // Channel → subscribers, in an object without a prototype (node-redis 5 reads the count with Number()).
      const l = list();
      const out = Object.create(null) as Record<string, unknown>;
      for (let i = 0; i < l.length; i += 2) out[String(l[i])] = v4 ? l[i + 1] : Number(l[i + 1]);
      return out;
    }
  }
}

/**
 * node-redis' XINFO STREAM transform: 4 names the fields it knows in camel
 * case and drops the others; 5 keeps every field under Redis' name. The
 * first and last entries are `{ id, message }` (or null).
 */
function xinfoStream(l: readonly RawValue[], v4: boolean): Record<string, unknown> {
  const V4_NAMES: Readonly<Record<string, string>> = {
    length: 'length',
    'radix-tree-keys': 'radixTreeKeys',
    'radix-tree-nodes': 'radixTreeNodes',
    groups: 'groups',
    'last-generated-id': 'lastGeneratedId',
    'first-entry': 'firstEntry',
    'last-entry': 'lastEntry',
  };
  const out: Record<string, unknown> = {};
  for (let i = 0; i < l.length; i += 2) {
    const name = String(l[i]);
    const value = l[i + 1];
    const entry = name === 'first-entry' || name === 'last-entry';
    // node-redis 4 tests the entry for truth, 5 for null; Redis gives an array or nil.
    const transformed = entry && Array.isArray(value) ? streamMessages([value])[0] : entry ? (v4 ? null : value) : value;
    if (!v4) out[name] = transformed;
    else if (Object.hasOwn(V4_NAMES, name)) out[V4_NAMES[name]!] = transformed;
  }
  return out;
}

/** node-redis' transformStreamMessageNullReply over a list: an entry is `{ id, message }`, or null where Redis gave nil. */
function nullableMessages(entries: readonly RawValue[]): ({ id: RawValue | undefined; message: Record<string, RawValue | undefined> } | null)[] {
  return entries.map((entry) => (entry === null ? null : streamMessages([entry])[0]!));
}

/** node-redis 4's transformNumberInfinityReply: only `+inf`/`-inf` are named (Redis' `inf` becomes NaN). */
function numberInfinity(reply: RawValue): number {
  switch (String(reply)) {
    case '+inf':
      return Infinity;
    case '-inf':
      return -Infinity;
    default:
      return Number(reply);
  }
}

/** node-redis 5's transformDoubleReply. */
function doubleReply(reply: RawValue): number {
  switch (String(reply)) {
    case 'inf':
    case '+inf':
      return Infinity;
    case '-inf':
      return -Infinity;
    case 'nan':
      return NaN;
    default:
      return Number(reply);
  }
}

function withScores(l: readonly RawValue[], toDouble: (r: RawValue) => number): { value: RawValue | undefined; score: number }[] {
  const out: { value: RawValue | undefined; score: number }[] = [];
  for (let i = 0; i < l.length; i += 2) out.push({ value: l[i], score: toDouble(l[i + 1] ?? null) });
  return out;
}

/**
 * node-redis' transformStreamMessagesReply: `{ id, message }` per entry. An
 * entry XREADGROUP re-reads from a pending list after it was deleted has no
 * fields (nil), which node-redis 4 and 5 read as an array: the TypeError they
 * reject with is thrown here too.
 */
function streamMessages(entries: readonly RawValue[]): { id: RawValue | undefined; message: Record<string, RawValue | undefined> }[] {
  return entries.map((entry) => {
    const [id, fields] = Array.isArray(entry) ? entry : [];
    if (fields === null) throw new TypeError("Cannot read properties of null (reading 'length')");
    return { id, message: tuples(Array.isArray(fields) ? fields : []) };
  });
}

/** node-redis' transformTuplesReply: an object without a prototype, later fields win. */
function tuples(l: readonly RawValue[]): Record<string, RawValue | undefined> {
  const out = Object.create(null) as Record<string, RawValue | undefined>;
  for (let i = 0; i < l.length; i += 2) out[String(l[i])] = l[i + 1];
  return out;
}

/**
 * ioredis' HGETALL transformer: a plain object; a field that is already a
 * property (`__proto__`, `constructor`) is defined as an own property rather
 * than assigned, as ioredis does (its issue #1267).
 */
function ioredisObject(l: readonly RawValue[]): Record<string, RawValue | undefined> {
  const out: Record<string, RawValue | undefined> = {};
  for (let i = 0; i < l.length; i += 2) {
    const key = l[i] as string;
    const value = l[i + 1];
    if (key in out) Object.defineProperty(out, key, { value, configurable: true, enumerable: true, writable: true });
    else out[key] = value;
  }
  return out;
}
