/**
 * What the codemod's output calls at run time: one statement compiled ahead
 * of time, its parameters, and the reply shape, turned back into the value
 * the Redis client would have returned.
 *
 * The generated code imports this module (`redis2sql/codemod-runtime`) rather
 * than a copy written into the user's project, so that the decoding stays the
 * one `exec` and the tests check (src/emit/decode.ts) and gets fixes by
 * upgrading one dependency.
 *
 *   import { ioredis as r2s } from 'redis2sql/codemod-runtime';
 *   await r2s(pool, 'SELECT … AS reply', [String(k)], { kind: 'scalar', of: 'bulk' })  → 'v' | null
 */
import { MultiErrorReply, RedisError, UnsupportedError } from '../errors.js';
import { asClientError, calledBack, commandOf, ioredisReplyError, withCalledBack, withCommand, type CalledBack } from './client-errors.js';
import { ioredisCallback } from './callback-runtime.js';
import { clientValue, rawValue, type Transform } from './values.js';
import { decodeReply } from '../emit/decode.js';
import type { RedisReply, ReplyShape } from '../emit/reply.js';
import { database, type Target } from './database-runtime.js';
import { entries, ioredisArgs } from './ioredis-args.js';
import { nodeRedisTranslation, translateNow } from './translate-runtime.js';
import { Refused, sqlParams, type RuntimeParam } from './refused.js';

export {
  IoredisBatch,
  ioredisMulti,
  ioredisPipeline,
  ioredisWatch,
  NodeRedisBatch,
  nodeRedisMulti,
  nodeRedisWatch,
  unwatch,
  type IoredisEntry,
  type IoredisWatched,
  type NodeRedisReplies,
} from './transaction-runtime.js';
export { MultiErrorReply, RedisError, WatchError } from '../errors.js';
export { nodeRedisTranslation } from './translate-runtime.js';
export { nodeRedisDefineScript, nodeRedisScript, nodeRedisScripts, ScriptParser, type NodeRedisScriptDefinition } from './script-runtime.js';
export { nodeRedisConnect, nodeRedisIsOpen, nodeRedisIsReady, nodeRedisShutdown } from './lifecycle-runtime.js';
export { ioredisScanStream, nodeRedisScanIterator } from './scan-runtime.js';
export { ioredis4Callback, ioredisCallback } from './callback-runtime.js';

export type { Transform } from './values.js';

export type { Target } from './database-runtime.js';

/** How a reply becomes an ioredis value beyond the generic mapping: HGETALL's object, `…Buffer` methods' Buffers. */
export type IoredisAs = 'value' | 'object' | 'buffer' | 'object-buffer';

/** The JS values ioredis 5 resolves with (default reply transformers). */
export type IoredisValue = string | number | null | IoredisValue[] | Record<string, string>;

/**
 * Run a compiled statement and return what ioredis would have returned.
 * Redis error replies reject with ioredis' own ReplyError carrying Redis'
 * message when ioredis is installed, else our RedisError (src/codemod/client-errors.ts).
 *
 *   await ioredis(pool, sql, [String(k)], { kind: 'scalar', of: 'integer' })  → 1
 *   await ioredis(pool, sql, ['h'], { kind: 'array-column', of: 'bulk' }, 'object')  → { f: 'v' }
 */
export function ioredis<T = IoredisValue>(
  target: Target,
  sql: string,
  params: readonly RuntimeParam[],
  shape: ReplyShape,
  as: IoredisAs = 'value',
): Promise<T> {
  const called = calledBack(params);
  if (called === undefined) return ioredisValue<T>(target, sql, params, shape, as);
  return calledValue<T>(target, called, params, called.compiled === true ? { sql, shape } : undefined, as);
}

/**
 * A converted ioredis call whose statement depends on values known only
 * when it runs (`redis.lpop(key, n)`, `redis.set(k, v, mode, ttl)`): the
 * command is translated then, as `exec` translates it, and resolves to what
 * ioredis would have resolved with (a function last is the callback, as in
 * `command`).
 *
 *   await ioredisTranslated(pool, 'lpop', ['q', 2])  → ['a', 'b']
 */
export function ioredisTranslated<T = IoredisValue>(target: Target, name: string, argv: readonly unknown[], as: IoredisAs = 'value'): Promise<T> {
  const params = command(name, argv, () => [], 'translate');
  return calledValue<T>(target, calledBack(params)!, params, undefined, as);
}

/**
 * A call whose untyped last argument `command` looked at: the statement
 * compiled ahead when it is the command ioredis sent, else that command
 * translated now, as `exec` translates it; the callback, if there was one,
 * called as ioredis calls it.
 */
function calledValue<T>(target: Target, called: CalledBack, params: readonly RuntimeParam[], compiled: { readonly sql: string; readonly shape: ReplyShape } | undefined, as: IoredisAs): Promise<T> {
  const promise =
    compiled !== undefined
      ? ioredisValue<T>(target, compiled.sql, params, compiled.shape, as)
      : (async () => {
          const now = translateNow(called.argv);
          return ioredisValue<T>(target, now.sql, withCommand([...now.params], commandOf(params)!), now.reply, as);
        })().catch((error: unknown) => {
          throw error instanceof RedisError && !(error instanceof MultiErrorReply) ? ioredisReplyError(error, params) : asClientError('ioredis', error);
        });
  return called.callback === undefined ? promise : ioredisCallback(promise, called.callback as (err?: Error | null, result?: T) => void);
}

async function ioredisValue<T>(target: Target, sql: string, params: readonly RuntimeParam[], shape: ReplyShape, as: IoredisAs): Promise<T> {
  try {
    const reply = await run(target, sql, params, shape);
    const buffers = as === 'buffer' || as === 'object-buffer';
    // T is the type ioredis declared for the call the codemod replaced; the shape decides the value.
    return clientValue(reply, 'ioredis', as === 'object' || as === 'object-buffer' ? 'object' : undefined, buffers) as T;
  } catch (error) {
    throw error instanceof RedisError && !(error instanceof MultiErrorReply) ? ioredisReplyError(error, params) : asClientError('ioredis', error);
  }
}

/**
 * A converted ioredis call's parameters, built from the call's arguments
 * (`argv`, each evaluated once, in order, as the client call evaluated
 * them) by `params`, and carrying the command as ioredis would have sent it,
 * which a Redis error reply then carries as ioredis' `err.command`.
 *
 *   await ioredis(pool, sql, command('incr', [key], (a) => [text(a[0])]), shape)
 *   // rejects ReplyError('ERR value is not an integer or out of range') with .command { name: 'incr', args: ['k'] }
 */
export function command(name: string, argv: readonly unknown[], params: (a: readonly unknown[]) => RuntimeParam[], compiledFor?: 'callback' | 'translate'): RuntimeParam[] {
  // ioredis takes a function as the last argument as the command's callback. A typed call's callback
  // is not among these (the codemod took it off), but an untyped value the statement was compiled
  // for may be one when the call runs: then the command is the other arguments. The other way round
  // (`compiledFor` 'callback': an untyped last argument the statement was compiled without), a value
  // there is sent with the others.
  const callback = argv.at(-1);
  const own = typeof callback === 'function' ? argv.slice(0, -1) : argv;
  const args = ioredisArgs(name, own);
  // 'translate': no statement was compiled (ioredisTranslated).
  const compiled = compiledFor !== 'translate' && (typeof callback === 'function') === (compiledFor === 'callback');
  if (typeof callback !== 'function') return withCommand(compiled ? params(argv) : withCalledBack([], { argv: [name, ...args] }), { name, args });
  const called = { callback: callback as NonNullable<CalledBack['callback']>, argv: [name, ...args] };
  return withCommand(compiled ? withCalledBack(params(argv), { ...called, compiled }) : withCalledBack([], called), { name, args });
}

/**
 * Run a compiled statement and return what node-redis (`major` 4 or 5, RESP2,
 * no type mapping) would have returned from the command module whose reply
 * transform is `transform`. Redis error replies reject with node-redis' own
 * ErrorReply carrying Redis' message when it is installed, else our
 * RedisError (src/codemod/client-errors.ts).
 *
 *   await nodeRedis(pool, 4, sql, ['s', 'm'], { kind: 'scalar', of: 'integer' }, 'boolean')  → true
 *   await nodeRedis(pool, 5, sql, ['s', 'm'], { kind: 'scalar', of: 'integer' }, 'boolean')  → 1
 */
export async function nodeRedis<T = unknown>(
  target: Target,
  major: 4 | 5,
  sql: string,
  params: readonly RuntimeParam[],
  shape: ReplyShape,
  transform?: Transform,
): Promise<T> {
  try {
    const reply = await run(target, sql, params, shape);
    return clientValue(reply, major === 4 ? 'node-redis4' : 'node-redis5', transform) as T;
  } catch (error) {
    throw asClientError('node-redis', error);
  }
}

/**
 * A converted node-redis call whose statement could not be compiled ahead
 * (an XREAD's stream ID known only at run time, which the statement holds as
 * numbers): its argv, as the client's argument transform built it, is
 * translated when it runs, as `exec` translates it (src/codemod/compile-call.ts
 * argvTemplate). An argument that is not a string or a Buffer is refused as
 * node-redis' encoder refuses it.
 *
 *   await nodeRedisTranslated(pool, 4, ['XREAD', 'STREAMS', 's', last], 'streams-messages')
 *   → [{ name: 's', messages: [{ id: '1-1', message: { f: 'a' } }] }]
 */
export async function nodeRedisTranslated<T = unknown>(target: Target, major: 4 | 5, argv: readonly unknown[], transform?: Transform): Promise<T> {
  const compiled = nodeRedisTranslation(major, argv);
  return nodeRedis<T>(target, major, compiled.sql, compiled.params, compiled.shape, transform);
}

async function run(target: Target, sql: string, params: readonly RuntimeParam[], shape: ReplyShape): Promise<RedisReply> {
  // A refused argument is the command's error reply: thrown here, inside the call's promise.
  const values = sqlParams(params);
  return decodeReply(shape, await database(target).query(sql, values));
}

/**
 * A Redis reply as ioredis 5 gives it: bulk → UTF-8 string, integer → number,
 * status → its text, nil → null; an error reply throws.
 *
 *   toIoredis({ type: 'integer', value: 3n })  → 3
 */
export function toIoredis(reply: RedisReply): IoredisValue {
  return rawValue(reply) as IoredisValue;
}

/**
 * The elements of an array argument, which ioredis sends as separate
 * arguments, as one statement parameter of texts or of bytes (each as text()
 * or bytes() makes it; a value that is not an array is one element). Empty,
 * it is Redis' arity error (`empty`) where the command needs at least one.
 *
 *   items(['a', 1], 'text')  → ['a', '1']
 *   items([], 'text', "ERR wrong number of arguments for 'del' command")  → Refused(that error)
 */
export function items(values: unknown, kind: 'text'): string[];
export function items(values: unknown, kind: 'bytes'): Buffer[];
export function items(values: unknown, kind: 'text' | 'bytes', empty?: string): string[] | Buffer[] | Refused;
export function items(values: unknown, kind: 'text' | 'bytes', empty?: string): string[] | Buffer[] | Refused {
  const list: readonly unknown[] = Array.isArray(values) ? values : [values];
  if (list.length === 0 && empty !== undefined) return new Refused(new RedisError(empty));
  return kind === 'text' ? list.map((x) => text(x)) : list.map((x) => bytes(x));
}

/**
 * The fields, or the values, of an object or Map that ioredis sends as
 * field, value, field, value… (HSET, HMSET, MSET, MSETNX given one: its
 * argument transform, in `Object.keys` or the Map's order), as one statement
 * parameter of texts or of bytes. Empty, it is Redis' arity error (`empty`).
 *
 *   fields({ a: 1, b: 2 }, 'text')             → ['a', 'b']
 *   values(new Map([['a', 1]]), 'bytes')        → [<Buffer 31>]
 */
export function fields(pairs: unknown, kind: 'text' | 'bytes', empty?: string): string[] | Buffer[] | Refused {
  return items(entries(pairs).map(([field]) => field), kind, empty);
}

/** The values of `fields`' object or Map, in the same order. */
export function values(pairs: unknown, kind: 'text' | 'bytes', empty?: string): string[] | Buffer[] | Refused {
  return items(entries(pairs).map(([, value]) => value), kind, empty);
}

/**
 * A value as ioredis sends it to Redis, as bytes: Buffers as they are,
 * null/undefined as "", everything else `String(x)`.
 *
 *   bytes(12)  → <Buffer 31 32>
 */
export function bytes(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  single(value);
  return Buffer.from(value === null || value === undefined ? '' : String(value), 'utf8');
}

/**
 * A value as ioredis sends it, as text (keys, integer arguments).
 *
 *   text(undefined)  → ''
 */
export function text(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  single(value);
  return value === null || value === undefined ? '' : String(value);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * A value sent where Redis reads a 64-bit integer, checked as Redis checks it;
 * anything else is Redis' own error (`message`, where the command's is not
 * the usual one), which the call then rejects with (src/codemod/refused.ts).
 *
 *   integer(60)   → '60'
 *   integer(1.5)  → Refused(RedisError('ERR value is not an integer or out of range'))
 *   integer(1.5, 'ERR bit offset is not an integer or out of range')  → Refused(RedisError('ERR bit offset …'))
 */
export function integer(value: unknown, message = 'ERR value is not an integer or out of range'): string | Refused {
  const s = text(value);
  if (/^-?(0|[1-9][0-9]*)$/.test(s) && s !== '-0') {
    const n = BigInt(s);
    if (n >= INT64_MIN && n <= INT64_MAX) return s;
  }
  return new Refused(new RedisError(message));
}

/**
 * A number sent where Redis reads a double (ZADD's scores): NaN is Redis' error.
 *
 *   double(2.5)  → 2.5
 *   double(NaN)  → Refused(RedisError('ERR value is not a valid float'))
 */
export function double(value: unknown): number | Refused {
  single(value);
  const n = Number(value);
  if (Number.isNaN(n)) return new Refused(new RedisError('ERR value is not a valid float'));
  return n;
}

/**
 * An argument the codemod compiled as one value, checked to be one: ioredis
 * sends an array's elements as several arguments, which the compiled
 * statement does not expect. Only a value the codemod could not type (plain
 * JavaScript) can be an array here; it fails loudly rather than being sent
 * as one joined text.
 *
 *   single(['a', 'b'])  → throws UnsupportedError
 */
function single(value: unknown): void {
  if (Array.isArray(value)) {
    throw new UnsupportedError('codemod', 'an array was passed where the converted call expects one argument (the client would have sent its elements as separate arguments): type the value, or spread it before the call');
  }
}
