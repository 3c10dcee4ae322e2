import { randomUUID } from 'node:crypto';
import { DatabaseError, RedisError, TokenizeError, UsageError } from './errors.js';
import type { Database, Listener, Queryable } from './db/types.js';
import { decodeReply } from './emit/decode.js';
import type { RedisReply } from './emit/reply.js';
import { DEFAULT_SCHEMA, quoteSchema } from './emit/schema/index.js';
import { errorReply, type ExecOptions } from './exec.js';
import type { AnyCommand } from './grammar/command.js';
import { parseCommand } from './grammar/parse.js';
import { toArgv, type CommandInput } from './grammar/tokenize.js';
import { translate } from './translate.js';
import type { CompiledCommand } from './translators/types.js';

export interface SessionOptions extends ExecOptions {
  /**
   * Messages for a subscribed session, as Redis pushes them:
   * `["message", channel, payload]` or `["pmessage", pattern, channel, payload]`.
   */
  readonly onMessage?: (message: RedisReply) => void;
}

/** A queued command: its statement, or the reply it gives at EXEC without running anything. */
type Queued = { readonly compiled: CompiledCommand } | { readonly reply: RedisReply };

const OK: RedisReply = { type: 'status', value: 'OK' };
/** The savepoint around each command of EXEC. */
export const SAVEPOINT = 'redis2sql_command';
const SUBSCRIBE_COMMANDS = new Set(['SUBSCRIBE', 'UNSUBSCRIBE', 'PSUBSCRIBE', 'PUNSUBSCRIBE']);

/**
 * The PostgreSQL channel that carries a schema's Redis messages (see
 * emit/schema/pubsub.ts), the same text as its `publish` function notifies.
 *
 *   pubsubChannel() → 'redis2sql.redis'
 */
export function pubsubChannel(schema: string = DEFAULT_SCHEMA): string {
  return `redis2sql.${quoteSchema(schema)}`;
}

/**
 * One Redis connection on a database: what a command means depends on the
 * connection's state — a MULTI queue, WATCHed key versions, subscriptions —
 * so `exec` runs commands through a session rather than one by one.
 *
 *   const s = new Session(db);
 *   await s.run('MULTI')           → OK
 *   await s.run('INCR n')          → QUEUED
 *   await s.run('EXEC')            → [(integer) 1]
 *
 * EXEC runs the queue in ONE transaction with a savepoint around each
 * command: a Redis error (WRONGTYPE…) rolls back that command only and is its
 * entry in the reply, as in Redis. WATCH keeps each key's version (none when
 * absent or expired); EXEC locks the watched keys' registry rows, and if any
 * version differs it runs nothing and replies with a nil array.
 *
 * Not isolated like Redis: between the statements of one EXEC, other
 * clients' commits on keys the transaction does not hold locked are visible
 * (READ COMMITTED, which the storage functions rely on); and a watched key
 * absent at EXEC is not locked (there is no row to lock), so a client that
 * creates it while EXEC runs is not detected.
 */
export class Session {
  private queue: Queued[] | undefined;
  private aborted = false;
  /** Watched key → its version at WATCH (null: absent or expired). */
  private watched = new Map<string, bigint | null>();
  /** Subscriptions by their bytes (latin1 keys: one char per byte). */
  private readonly channels = new Map<string, Buffer>();
  private readonly patterns = new Map<string, Buffer>();
  private listener: Listener | undefined;
  /** Names this session's rows in the subscriptions registry. */
  private readonly id = randomUUID();

  constructor(
    private readonly db: Database,
    private readonly options: SessionOptions = {},
  ) {}

  /** Whether the session is subscribed (only (P)SUBSCRIBE, (P)UNSUBSCRIBE, PING, QUIT, RESET are allowed). */
  get subscribed(): boolean {
    return this.channels.size + this.patterns.size > 0;
  }

  /** Whether a MULTI is open. */
  get inMulti(): boolean {
    return this.queue !== undefined;
  }

  /**
   * Run one command and return its reply. (UN)SUBSCRIBE with several channels
   * gives several replies: `run` returns the last, `execute` all of them.
   *
   *   await session.run('SET k v') → OK
   */
  async run(input: CommandInput): Promise<RedisReply> {
    const replies = await this.execute(input);
    return replies[replies.length - 1]!;
  }

  /**
   * Run one command and return every reply it gives, in order.
   *
   *   await session.execute('SUBSCRIBE a b') → [[subscribe, a, 1], [subscribe, b, 2]]
   */
  async execute(input: CommandInput): Promise<RedisReply[]> {
    const argv = toArgv(input);
    if (argv.length === 0) throw new UsageError('empty command');
    let cmd: AnyCommand;
    try {
      cmd = parseCommand(argv);
    } catch (error) {
      const reply = errorReply(error);
      if (reply === undefined) throw error;
      if (this.queue === undefined) return [reply];
      // Redis rejects an unknown command or a wrong arity before queueing it (EXEC then
      // refuses to run); every other parse error is the command's own, given at EXEC.
      if (rejectedBeforeQueueing(error)) {
        this.aborted = true;
        return [reply];
      }
      return [this.enqueue({ reply })];
    }
    if (this.subscribed && !SUBSCRIBE_COMMANDS.has(cmd.name) && cmd.name !== 'PING') {
      return [
        error(
          `ERR Can't execute '${cmd.name.toLowerCase().replace(' ', '|')}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
        ),
      ];
    }
    switch (cmd.name) {
      case 'MULTI':
        if (this.queue !== undefined) return [error('ERR MULTI calls can not be nested')];
        this.queue = [];
        this.aborted = false;
        return [OK];
      case 'DISCARD':
        if (this.queue === undefined) return [error('ERR DISCARD without MULTI')];
        this.endMulti();
        return [OK];
      case 'EXEC':
        if (this.queue === undefined) return [error('ERR EXEC without MULTI')];
        return [await this.exec()];
      case 'WATCH':
        if (this.queue !== undefined) return [error('ERR WATCH inside MULTI is not allowed')];
        return [await this.watch(cmd)];
      case 'UNWATCH':
        if (this.queue !== undefined) return [this.enqueue({ reply: OK })];
        this.watched = new Map();
        return [OK];
      case 'PING':
        if (this.subscribed && this.queue === undefined) {
          return [array([bulk('pong'), bulk(cmd.args.message ?? Buffer.alloc(0))])];
        }
        break;
      case 'SUBSCRIBE':
      case 'PSUBSCRIBE':
      case 'UNSUBSCRIBE':
      case 'PUNSUBSCRIBE':
        if (this.queue !== undefined) {
          return [this.enqueue({ reply: error(`ERR redis2sql: ${cmd.name} inside MULTI is not supported`) })];
        }
        return this.subscription(cmd.name, 'pattern' in cmd.args ? cmd.args.pattern : cmd.args.channel);
    }
    let compiled: CompiledCommand;
    try {
      compiled = translate(cmd, this.options.schema === undefined ? {} : { schema: this.options.schema });
    } catch (e) {
      const reply = errorReply(e);
      if (reply === undefined) throw e;
      // Parsed, so Redis would have queued it: the error is its entry in EXEC's reply.
      return [this.queue !== undefined ? this.enqueue({ reply }) : reply];
    }
    for (const warning of compiled.warnings) this.options.onWarning?.(warning, compiled.command);
    if (this.queue !== undefined) return [this.enqueue({ compiled })];
    return [await runOne(this.db, compiled)];
  }

  /** Stop listening and forget the session's subscriptions and transaction. */
  async close(): Promise<void> {
    this.endMulti();
    await this.stopListening();
  }

  private enqueue(entry: Queued): RedisReply {
    this.queue!.push(entry);
    return { type: 'status', value: 'QUEUED' };
  }

  private endMulti(): void {
    this.queue = undefined;
    this.aborted = false;
    this.watched = new Map();
  }

  private async watch(cmd: AnyCommand & { name: 'WATCH' }): Promise<RedisReply> {
    const compiled = translate(cmd, this.options.schema === undefined ? {} : { schema: this.options.schema });
    const rows = await this.db.query(compiled.sql, compiled.params);
    const versions = new Map(rows.map((r) => [r['key'] as string, r['version'] as bigint]));
    // Watching a key twice keeps the first version, as Redis keeps the first watch.
    for (const key of cmd.args.key) if (!this.watched.has(key)) this.watched.set(key, versions.get(key) ?? null);
    return OK;
  }

  private async exec(): Promise<RedisReply> {
    const queue = this.queue!;
    const aborted = this.aborted;
    const watched = this.watched;
    this.endMulti();
    if (aborted) return error('EXECABORT Transaction discarded because of previous errors.');
    const S = quoteSchema(this.options.schema ?? DEFAULT_SCHEMA);
    return this.db.transaction(async (tx) => {
      if (watched.size > 0) {
        // Locked in key order (as multi-key writes lock), so they cannot change until COMMIT.
        const rows = await tx.query(watchCheckSql(S), [[...watched.keys()]]);
        const now = new Map(rows.map((r) => [r['key'] as string, r['live'] === true ? (r['version'] as bigint) : null]));
        for (const [key, version] of watched) {
          if ((now.get(key) ?? null) !== version) return { type: 'array', value: null } as const;
        }
      }
      const replies: RedisReply[] = [];
      const savepoint = new CommandSavepoint(tx);
      for (const entry of queue) {
        replies.push('reply' in entry ? entry.reply : await runSaved(tx, savepoint, entry.compiled));
      }
      return { type: 'array', value: replies } as const;
    });
  }

  private async subscription(
    name: 'SUBSCRIBE' | 'PSUBSCRIBE' | 'UNSUBSCRIBE' | 'PUNSUBSCRIBE',
    names: readonly Buffer[],
  ): Promise<RedisReply[]> {
    const pattern = name.startsWith('P');
    const set = pattern ? this.patterns : this.channels;
    const kind = pattern ? 'pattern' : 'channel';
    const S = quoteSchema(this.options.schema ?? DEFAULT_SCHEMA);
    const replies: RedisReply[] = [];
    if (name === 'SUBSCRIBE' || name === 'PSUBSCRIBE') {
      const listener = await this.listen();
      for (const n of names) {
        if (!set.has(n.toString('latin1'))) {
          await listener.query(
            `INSERT INTO ${S}.subscriptions (pid, session, kind, name) VALUES (pg_backend_pid(), $1, $2, $3::bytea) ON CONFLICT DO NOTHING`,
            [this.id, kind, n],
          );
          set.set(n.toString('latin1'), n);
        }
        replies.push(array([bulk(name.toLowerCase()), bulk(n), integer(this.channels.size + this.patterns.size)]));
      }
      return replies;
    }
    const targets = names.length > 0 ? names : [...set.values()];
    if (targets.length === 0) return [array([bulk(name.toLowerCase()), bulk(null), integer(this.channels.size + this.patterns.size)])];
    for (const n of targets) {
      if (set.delete(n.toString('latin1')) && this.listener !== undefined) {
        await this.listener.query(`DELETE FROM ${S}.subscriptions WHERE session = $1 AND kind = $2 AND name = $3::bytea`, [
          this.id,
          kind,
          n,
        ]);
      }
      replies.push(array([bulk(name.toLowerCase()), bulk(n), integer(this.channels.size + this.patterns.size)]));
    }
    if (!this.subscribed) await this.stopListening();
    return replies;
  }

  private async listen(): Promise<Listener> {
    this.listener ??= await this.db.listen(pubsubChannel(this.options.schema), (payload) => this.deliver(payload));
    return this.listener;
  }

  private async stopListening(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    this.channels.clear();
    this.patterns.clear();
    if (listener === undefined) return;
    const S = quoteSchema(this.options.schema ?? DEFAULT_SCHEMA);
    try {
      await listener.query(`DELETE FROM ${S}.subscriptions WHERE session = $1`, [this.id]);
    } catch (e) {
      // A listener whose connection died leaves rows that no longer count (their backend is gone).
      if (!(e instanceof DatabaseError)) throw e;
    } finally {
      await listener.close();
    }
  }

  /** A NOTIFY payload `base64(channel) base64(message)` → the messages this session subscribed to. */
  private deliver(payload: string): void {
    const space = payload.indexOf(' ');
    if (space < 0) return;
    const channel = Buffer.from(payload.slice(0, space), 'base64');
    const message = Buffer.from(payload.slice(space + 1), 'base64');
    const onMessage = this.options.onMessage;
    if (onMessage === undefined) return;
    if (this.channels.has(channel.toString('latin1'))) onMessage(array([bulk('message'), bulk(channel), bulk(message)]));
    for (const p of this.patterns.values()) {
      if (globMatch(p, channel)) onMessage(array([bulk('pmessage'), bulk(p), bulk(channel), bulk(message)]));
    }
  }
}

/**
 * The statement EXEC runs first when keys are watched: lock their registry
 * rows (in key order, as multi-key writes lock) and read their versions; a
 * key that is absent or expired (`live` false) counts as absent.
 *
 *   watchCheckSql('redis') → SELECT k.key, k.version, redis.is_live(k.expires_at) AS live FROM redis.keys k WHERE k.key = ANY($1::text[]) ORDER BY k.key FOR UPDATE
 */
export function watchCheckSql(S: string): string {
  return `SELECT k.key, k.version, ${S}.is_live(k.expires_at) AS live FROM ${S}.keys k WHERE k.key = ANY($1::text[]) ORDER BY k.key FOR UPDATE`;
}

/**
 * Whether Redis refuses a command before its own code runs (processCommand:
 * unknown command or subcommand, the table's arity; a line the protocol
 * cannot split). Our parser marks those with argument index 0.
 */
export function rejectedBeforeQueueing(error: unknown): boolean {
  if (error instanceof TokenizeError) return true;
  if (!(error instanceof RedisError)) return false;
  return error.argIndex === 0 || error.message.startsWith('ERR unknown subcommand');
}

/** Run a statement outside a transaction: its reply, or its Redis error as an error reply. */
async function runOne(db: Queryable, compiled: CompiledCommand): Promise<RedisReply> {
  try {
    return decodeReply(compiled.reply, await db.query(compiled.sql, compiled.params));
  } catch (e) {
    if (e instanceof RedisError) return error(e.message);
    throw e;
  }
}

/** Run a statement inside EXEC's transaction: a Redis error undoes this command only. */
async function runSaved(tx: Queryable, savepoint: CommandSavepoint, compiled: CompiledCommand): Promise<RedisReply> {
  await savepoint.before();
  try {
    const reply = decodeReply(compiled.reply, await tx.query(compiled.sql, compiled.params));
    savepoint.succeeded();
    return reply;
  } catch (e) {
    if (!(e instanceof RedisError)) throw e;
    await savepoint.failed();
    return error(e.message);
  }
}

/**
 * The savepoint each command of a transaction runs after, so that a Redis
 * error undoes that command only (EXEC's semantics): at most one round trip
 * before a command. The first command creates it; one after a command that
 * ran releases it and creates it again in one query; one after a command
 * that failed needs none, since ROLLBACK TO keeps the savepoint. (A
 * savepoint and a release around every command cost three round trips per
 * command, this two.) COMMIT releases the last.
 *
 *   const savepoint = new CommandSavepoint(tx);
 *   await savepoint.before(); try { await tx.query(…); savepoint.succeeded(); } catch { await savepoint.failed(); }
 */
export class CommandSavepoint {
  private state: 'none' | 'fresh' | 'used' = 'none';

  constructor(private readonly tx: Queryable) {}

  async before(): Promise<void> {
    if (this.state === 'none') await this.tx.exec(`SAVEPOINT ${SAVEPOINT}`);
    else if (this.state === 'used') await this.tx.exec(`RELEASE SAVEPOINT ${SAVEPOINT}; SAVEPOINT ${SAVEPOINT}`);
    this.state = 'fresh';
  }

  /** The command's statement ran: what it did stays. */
  succeeded(): void {
    this.state = 'used';
  }

  /** The command's statement failed: undo it, the savepoint kept for the next. */
  async failed(): Promise<void> {
    await this.tx.exec(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
    this.state = 'fresh';
  }
}

const error = (message: string): RedisReply => ({ type: 'error', message });
const integer = (value: number): RedisReply => ({ type: 'integer', value: BigInt(value) });
const array = (value: RedisReply[]): RedisReply => ({ type: 'array', value });
const bulk = (value: string | Buffer | null): RedisReply => ({
  type: 'bulk',
  value: typeof value === 'string' ? Buffer.from(value) : value,
});

/**
 * Redis' glob match (stringmatchlen in util.c, case-sensitive) over bytes:
 * `*`, `?`, `[abc]`, `[^a-z]`, `\x` escapes.
 *
 *   globMatch(Buffer.from('news.*'), Buffer.from('news.art')) → true
 */
export function globMatch(pattern: Buffer, subject: Buffer): boolean {
  return matchFrom(pattern, 0, subject, 0);
}

function matchFrom(pat: Buffer, p: number, str: Buffer, s: number): boolean {
  const STAR = 0x2a, QUESTION = 0x3f, OPEN = 0x5b, CLOSE = 0x5d, BACKSLASH = 0x5c, CARET = 0x5e, DASH = 0x2d;
  while (p < pat.length && s < str.length) {
    switch (pat[p]) {
      case STAR:
        while (p + 1 < pat.length && pat[p + 1] === STAR) p++;
        if (p + 1 === pat.length) return true;
        for (; s < str.length; s++) if (matchFrom(pat, p + 1, str, s)) return true;
        return false;
      case QUESTION:
        s++;
        break;
      case OPEN: {
        p++;
        const not = pat[p] === CARET;
        if (not) p++;
        let match = false;
        for (;;) {
          if (pat[p] === BACKSLASH && pat.length - p >= 2) {
            p++;
            if (pat[p] === str[s]) match = true;
          } else if (pat[p] === CLOSE) {
            break;
          } else if (p >= pat.length) {
            p--;
            break;
          } else if (pat.length - p >= 3 && pat[p + 1] === DASH) {
            let start = pat[p]!;
            let end = pat[p + 2]!;
            if (start > end) [start, end] = [end, start];
            p += 2;
            if (str[s]! >= start && str[s]! <= end) match = true;
          } else if (pat[p] === str[s]) {
            match = true;
          }
          p++;
        }
        if (not) match = !match;
        if (!match) return false;
        s++;
        break;
      }
      case BACKSLASH:
        if (pat.length - p >= 2) p++;
        if (pat[p] !== str[s]) return false;
        s++;
        break;
      default:
        if (pat[p] !== str[s]) return false;
        s++;
    }
    p++;
    if (s === str.length) {
      while (pat[p] === STAR) p++;
      break;
    }
  }
  return p >= pat.length && s === str.length;
}
