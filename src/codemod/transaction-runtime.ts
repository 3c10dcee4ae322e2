/**
 * The run-time half of converted `multi()`, `pipeline()` and `watch()` calls
 * (re-exported by `redis2sql/codemod-runtime`). The codemod turns each queued
 * command into `.add(sql, params, shape)`, compiled as a plain call would be,
 * so a chain keeps its form:
 *
 *   await redis.multi().set('a', '1').incr('a').exec()
 *   → await r2s.ioredisMulti(redis).add('SELECT …', ['a', Buffer.from('1')], …).add('SELECT …', ['a'], …).exec()
 *   → [[null, 'OK'], [null, 2]]
 *
 * A multi runs as one PostgreSQL transaction on one pooled connection, each
 * command inside a savepoint, as `exec`'s sessions run EXEC (src/session.ts):
 * a Redis error undoes that command only and is its entry, the others commit.
 * A pipeline runs the same commands one after the other without a transaction.
 */
import type { RedisReply, ReplyShape } from '../emit/reply.js';
import { decodeReply } from '../emit/decode.js';
import { DEFAULT_SCHEMA, quoteSchema } from '../emit/schema/index.js';
import type { Queryable } from '../db/types.js';
import { database, type Target } from './database-runtime.js';
import { RedisError } from '../errors.js';
import { calledBack, clientError, commandOf, ioredisReplyError, nodeRedisMultiError, nodeRedisWatchError, withCommand } from './client-errors.js';
import { CommandSavepoint, rejectedBeforeQueueing, watchCheckSql } from '../session.js';
import { Refused, refusal, sqlParams, type RuntimeParam } from './refused.js';
import { ioredisArgs } from './ioredis-args.js';
import { nodeRedisTranslation, translateNow } from './translate-runtime.js';
import type { IoredisAs } from './runtime.js';
import { clientValue, type Transform } from './values.js';
import { scriptStatement } from './script-runtime.js';

/**
 * One `exec()` entry as ioredis types it. At run time a Redis error reply is
 * `[error]`, one element long, as ioredis gives it.
 */
export type IoredisEntry = [error: Error | null, result: unknown];

interface Queued {
  readonly sql: string;
  readonly params: readonly RuntimeParam[];
  readonly shape: ReplyShape;
  /** The reply as the client's value (throws the RedisError of an error reply). */
  readonly value: (reply: RedisReply) => unknown;
}

/** One queued command's result: the client's value, or the Redis error it failed with. */
type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: RedisError };

/** Versions of watched keys as `ioredisWatch` read them (null: absent or expired). */
export interface IoredisWatched {
  /** Emptied by `unwatch`: the multi then checks nothing. */
  readonly versions: Map<string, bigint | null>;
}

/**
 * Run queued statements: in one transaction with a savepoint per command
 * when `atomic` (null when a watched key changed: nothing ran), else one
 * after the other. Shared by the ioredis and node-redis batches, which
 * differ only in how the outcomes become the client's value.
 */
async function runQueue(target: Target, queued: readonly Queued[], atomic: boolean, watched?: IoredisWatched): Promise<Outcome[] | null> {
  const db = database(target);
  if (!atomic) {
    const out: Outcome[] = [];
    for (const q of queued) out.push(await outcome(db, q));
    return out;
  }
  const run = async (tx: Queryable): Promise<Outcome[] | null> => {
    if (watched !== undefined && !(await unchanged(tx, watched))) return null;
    const out: Outcome[] = [];
    const savepoint = new CommandSavepoint(tx);
    for (const q of queued) out.push(await outcome(tx, q, savepoint));
    return out;
  };
  if ('transaction' in db) return db.transaction(run);
  // A single connection (pg.Client, PGlite) has no pool to take one from: the transaction runs on it.
  await db.exec('BEGIN');
  try {
    const out = await run(db);
    await db.exec('COMMIT');
    return out;
  } catch (error) {
    await db.exec('ROLLBACK');
    throw error;
  }
}

/** A function last among a queued command's arguments, which ioredis would take as its callback. */
function callbackInBatch(name: string): TypeError {
  return new TypeError(`redis2sql: the last argument of a batch's ${name} is a function, which ioredis takes as the command's callback: converted batches do not call one`);
}

/** A queue of compiled commands standing for an ioredis `multi()` or `pipeline()`. */
export class IoredisBatch {
  private readonly queued: Queued[] = [];
  /** Commands Redis would have refused before queueing them (an unknown command, a wrong arity): a multi()'s exec() is then EXECABORT. */
  private readonly refusedBeforeQueueing: Error[] = [];
  private execCalled = false;

  constructor(
    private readonly target: Target,
    private readonly atomic: boolean,
    private readonly watched?: IoredisWatched,
  ) {}

  /**
   * Queue one compiled command (what the codemod puts in place of `.set(…)`).
   *
   *   batch.add('SELECT redis.incrby($1, $2) AS reply', ['n', '1'], { kind: 'scalar', of: 'integer' })
   */
  add(sql: string, params: readonly RuntimeParam[], shape: ReplyShape, as: IoredisAs = 'value'): this {
    // An untyped argument the statement was compiled for was a function: ioredis would take it as the command's callback.
    if (calledBack(params) !== undefined) throw callbackInBatch(commandOf(params)?.name ?? '');
    const object = as === 'object' || as === 'object-buffer' ? 'object' : undefined;
    const buffers = as === 'buffer' || as === 'object-buffer';
    this.queued.push({ sql, params, shape, value: (reply) => clientValue(reply, 'ioredis', object, buffers) });
    return this;
  }

  /**
   * Queue one command translated now, as `exec` translates it: what the
   * codemod puts in place of a queued call whose statement depends on values
   * known only at run time (`.lpop(key, n)`, `.mset(...pairs)`), as it puts
   * `r2s.ioredisTranslated` in place of such a plain call. Arguments Redis
   * refuses make the command's entry its error; a wrong arity, which Redis
   * refuses before queueing, makes a multi()'s exec() reject with EXECABORT
   * (recorded from ioredis 4, 5 and 6).
   *
   *   batch.addTranslated('lpop', ['l', 2])  → the LPOP … COUNT statement queued
   */
  addTranslated(name: string, argv: readonly unknown[], as: IoredisAs = 'value'): this {
    if (typeof argv.at(-1) === 'function') throw callbackInBatch(name);
    const args = ioredisArgs(name, argv);
    // The parameters carry the command as ioredis sent it, for a pipeline entry's `err.command`.
    const sent = (params: RuntimeParam[]): RuntimeParam[] => withCommand(params, { name, args });
    let compiled;
    try {
      compiled = translateNow([name, ...args]);
    } catch (error) {
      // A command redis2sql does not translate with these arguments (an UnsupportedError): said at once, as a plain call's rejects.
      if (!(error instanceof RedisError)) throw error;
      if (rejectedBeforeQueueing(error)) this.refusedBeforeQueueing.push(ioredisReplyError(error, sent([])));
      // Never run: its entry is the error (outcome).
      return this.add('', sent([new Refused(error)]), { kind: 'scalar', of: 'status' }, as);
    }
    return this.add(compiled.sql, sent([...compiled.params]), compiled.reply, as);
  }

  /**
   * ioredis' `length`: the commands its queue holds. A multi()'s queue starts
   * with MULTI and gains EXEC when exec() is called; a pipeline's holds the
   * queued commands alone (ioredis 4, 5 and 6 against redis-server 7.0).
   *
   *   r2s.ioredisMulti(pool).add(…).length  → 2;  r2s.ioredisPipeline(pool).add(…).length  → 1
   */
  get length(): number {
    return this.queued.length + (this.atomic ? (this.execCalled ? 2 : 1) : 0);
  }

  /**
   * Run the queue: ioredis' `[error, result][]`, or null when a watched key
   * changed since `ioredisWatch` (nothing ran).
   *
   *   await r2s.ioredisMulti(pool).add(…incr…).exec()  → [[null, 1]]
   */
  async exec(): Promise<IoredisEntry[] | null> {
    this.execCalled = true;
    if (this.atomic && this.refusedBeforeQueueing.length > 0) {
      // Redis discarded the transaction at EXEC; ioredis rejects with its error, the refused commands' errors as `previousErrors`.
      const error = ioredisReplyError(new RedisError('EXECABORT Transaction discarded because of previous errors.'), withCommand([], { name: 'exec', args: [] }));
      throw Object.assign(error, { previousErrors: [...this.refusedBeforeQueueing] });
    }
    const outcomes = await runQueue(this.target, this.queued, this.atomic, this.watched);
    // ioredis gives a failed command's entry as `[error]`, one element long; a pipeline's error carries its command (`err.command`), EXEC's replies do not.
    return (
      outcomes?.map((o, i) =>
        o.ok ? [null, o.value] : ([this.atomic ? clientError('ioredis', o.error) : ioredisReplyError(o.error, this.queued[i]!.params)] as unknown as IoredisEntry),
      ) ?? null
    );
  }
}

/**
 * ioredis `multi()`: the queued commands run in one transaction at `exec()`.
 * `watched` comes from `ioredisWatch` (ioredis' WATCH before MULTI).
 *
 *   await r2s.ioredisMulti(pool).add(…).exec()  → [[null, 'OK']]
 */
export function ioredisMulti(target: Target, watched?: IoredisWatched): IoredisBatch {
  return new IoredisBatch(target, true, watched);
}

/**
 * ioredis `pipeline()`: the queued commands run in order at `exec()`, without a transaction.
 *
 *   await r2s.ioredisPipeline(pool).add(…).add(…).exec()  → [[null, 'OK'], [ReplyError…]]
 */
export function ioredisPipeline(target: Target): IoredisBatch {
  return new IoredisBatch(target, false);
}

/**
 * ioredis `watch(...keys)`: read the keys' versions now, for the next
 * `ioredisMulti` to check (under lock) before it runs anything.
 *
 *   const w = await r2s.ioredisWatch(pool, ['balance']); …; await r2s.ioredisMulti(pool, w).add(…).exec()  → null if balance changed
 */
export async function ioredisWatch(target: Target, keys: readonly unknown[]): Promise<IoredisWatched> {
  const names = [...new Set(keys.flat().map((k) => (Buffer.isBuffer(k) ? k.toString('utf8') : String(k))))];
  const S = quoteSchema(DEFAULT_SCHEMA);
  const rows = await database(target).query(
    `SELECT k.key, k.version FROM ${S}.keys k WHERE k.key = ANY($1::text[]) AND ${S}.is_live(k.expires_at)`,
    [names],
  );
  const found = new Map(rows.map((r) => [r['key'] as string, r['version'] as bigint]));
  return { versions: new Map(names.map((k) => [k, found.get(k) ?? null])) };
}

/**
 * ioredis / node-redis `unwatch()` after a converted `watch()`: the versions
 * are forgotten, so the multi that follows runs without checking them, as
 * after Redis' UNWATCH; resolves to UNWATCH's reply.
 *
 *   const w = await r2s.ioredisWatch(pool, ['k']); await r2s.unwatch(w); await r2s.ioredisMulti(pool, w).add(…).exec()  → runs
 */
export async function unwatch(watched: IoredisWatched): Promise<'OK'> {
  watched.versions.clear();
  return 'OK';
}

/**
 * node-redis 4/5's replies of a multi as its `exec()` types them (a tuple of
 * each command's reply in 5's typed mode): `any` so that code reading them
 * still type-checks after the conversion, as it did against the client.
 */
export type NodeRedisReplies = any[];

/**
 * A queue of compiled commands standing for a node-redis 4/5 `multi()`: each
 * command's value is its reply after the command module's transform (v4's
 * booleans…), as node-redis gives it.
 */
export class NodeRedisBatch {
  private readonly queued: Queued[] = [];

  constructor(
    private readonly target: Target,
    private readonly major: 4 | 5,
    private readonly watched?: IoredisWatched,
  ) {}

  /**
   * Queue one compiled command (what the codemod puts in place of `.sIsMember(…)`).
   *
   *   batch.add('SELECT … AS reply', ['s', Buffer.from('m')], { kind: 'scalar', of: 'integer' }, 'boolean')
   */
  add(sql: string, params: readonly RuntimeParam[], shape: ReplyShape, transform?: Transform): this {
    const flavour = this.major === 4 ? 'node-redis4' : 'node-redis5';
    this.queued.push({ sql, params, shape, value: (reply) => clientValue(reply, flavour, transform) });
    return this;
  }

  /**
   * Queue one command whose argv is translated now (what the codemod puts in
   * place of a queued call whose statement could not be compiled ahead, as
   * `r2s.nodeRedisTranslated` stands for a plain one); Redis' error for its
   * arguments is its entry's.
   *
   *   batch.addTranslated(['XREAD', 'STREAMS', 's', last], 'streams-messages')
   */
  addTranslated(argv: readonly unknown[], transform?: Transform): this {
    const s = nodeRedisTranslation(this.major, argv);
    return this.add(s.sql, s.params, s.shape, transform);
  }

  /**
   * Queue one of the statements a command's options known only at run time
   * choose among (`.set(k, v, { EX: ttl })` with `ttl?: number`): the
   * codemod writes the choice as a conditional over them.
   *
   *   batch.addStatement(ttl === undefined ? { sql: 'SELECT …', params: [k, v], shape } : { sql: 'SELECT … expire_at …', params: [k, v, integer(ttl)], shape })
   */
  addStatement(statement: { readonly sql: string; readonly params: readonly RuntimeParam[]; readonly shape: ReplyShape; readonly transform?: Transform }): this {
    return this.add(statement.sql, statement.params, statement.shape, statement.transform);
  }

  /**
   * Queue a call of a script the client was created with (`.add(k, 5)` on the
   * multi): its transforms run now and at `exec()`, as node-redis runs them.
   *
   *   batch.addScript('add', ['n', 5])
   */
  addScript(name: string, args: readonly unknown[]): this {
    const s = scriptStatement(this.target, this.major, name, args);
    this.queued.push({ sql: s.sql, params: s.params, shape: s.shape, value: s.value });
    return this;
  }

  /**
   * MULTI … EXEC: the commands' values; rejects with `WatchError` when a
   * watched key changed (nothing ran), with `MultiErrorReply` when some
   * commands failed (the others' writes stay, as in Redis). `exec(true)` is
   * `execAsPipeline()`.
   *
   *   await r2s.nodeRedisMulti(pool, 4).add(…set…).add(…sIsMember…, 'boolean').exec()  → ['OK', false]
   */
  async exec(execAsPipeline = false): Promise<NodeRedisReplies> {
    if (execAsPipeline) return this.execAsPipeline();
    const outcomes = await runQueue(this.target, this.queued, true, this.watched);
    if (outcomes === null) throw nodeRedisWatchError();
    const errorIndexes = outcomes.flatMap((o, i) => (o.ok ? [] : [i]));
    const replies = outcomes.map((o) => (o.ok ? o.value : clientError('node-redis', o.error)));
    if (errorIndexes.length > 0) throw nodeRedisMultiError(replies, errorIndexes);
    return replies;
  }

  /** node-redis' alias of `exec`. */
  EXEC(execAsPipeline = false): Promise<NodeRedisReplies> {
    return this.exec(execAsPipeline);
  }

  /** node-redis 5's typed alias of `exec`. */
  execTyped(execAsPipeline = false): Promise<NodeRedisReplies> {
    return this.exec(execAsPipeline);
  }

  /**
   * The commands without MULTI (not atomic): their values; when some
   * failed, all ran and it rejects with the first one's error, as node-redis does.
   *
   *   await r2s.nodeRedisMulti(pool, 5).add(…set…).add(…incr…).execAsPipeline()  → rejects RedisError('ERR value is not an integer or out of range')
   */
  async execAsPipeline(): Promise<NodeRedisReplies> {
    const outcomes = (await runQueue(this.target, this.queued, false)) ?? [];
    const failed = outcomes.find((o) => !o.ok);
    if (failed !== undefined && !failed.ok) throw clientError('node-redis', failed.error);
    return outcomes.map((o) => (o.ok ? o.value : undefined));
  }

  /** node-redis 5's typed alias of `execAsPipeline`. */
  execAsPipelineTyped(): Promise<NodeRedisReplies> {
    return this.execAsPipeline();
  }
}

/**
 * node-redis 4/5 `client.multi()`: the queued commands run in one
 * transaction at `exec()`; `watched` comes from `nodeRedisWatch`.
 *
 *   await r2s.nodeRedisMulti(pool, 4).add(…).exec()  → ['OK']
 */
export function nodeRedisMulti(target: Target, major: 4 | 5, watched?: IoredisWatched): NodeRedisBatch {
  return new NodeRedisBatch(target, major, watched);
}

/**
 * node-redis `client.watch(key | keys)`: read the keys' versions now, for
 * the `nodeRedisMulti` that follows to check under lock.
 *
 *   const w = await r2s.nodeRedisWatch(pool, ['balance']); …; await r2s.nodeRedisMulti(pool, 5, w).add(…).exec()  → rejects WatchError if balance changed
 */
export function nodeRedisWatch(target: Target, keys: unknown): Promise<IoredisWatched> {
  return ioredisWatch(target, [keys]);
}

async function unchanged(tx: Queryable, watched: IoredisWatched): Promise<boolean> {
  if (watched.versions.size === 0) return true;
  // Locks the watched keys' registry rows until COMMIT, as EXEC does in src/session.ts.
  const rows = await tx.query(watchCheckSql(quoteSchema(DEFAULT_SCHEMA)), [[...watched.versions.keys()]]);
  const now = new Map(rows.map((r) => [r['key'] as string, r['live'] === true ? (r['version'] as bigint) : null]));
  for (const [key, version] of watched.versions) if ((now.get(key) ?? null) !== version) return false;
  return true;
}

/** One queued command run, in a transaction after `savepoint` (a multi) or on its own (a pipeline). */
async function outcome(db: Queryable, q: Queued, savepoint?: CommandSavepoint): Promise<Outcome> {
  // An argument Redis refuses fails the command as its error reply; nothing runs.
  const refused = refusal(q.params);
  if (refused !== undefined) return { ok: false, error: refused };
  await savepoint?.before();
  let rows;
  try {
    rows = await db.query(q.sql, sqlParams(q.params));
  } catch (error) {
    if (!(error instanceof RedisError)) throw error;
    // The statement failed: PostgreSQL undid it, the transaction goes on from the savepoint.
    await savepoint?.failed();
    return { ok: false, error };
  }
  savepoint?.succeeded();
  try {
    // An error reply the statement returned (a script's error_reply) keeps what it wrote, as in Redis.
    return { ok: true, value: q.value(decodeReply(q.shape, rows)) };
  } catch (error) {
    if (!(error instanceof RedisError)) throw error;
    return { ok: false, error };
  }
}
