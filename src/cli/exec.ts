import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { DatabaseError, UsageError } from '../errors.js';
import { ensureSchema, openDatabase, preparing } from '../db/index.js';
import { formatRedisCli } from '../emit/redis-cli.js';
import type { RedisReply } from '../emit/reply.js';
import { Session } from '../session.js';
import type { CommandInput } from '../grammar/tokenize.js';
import { lineCount } from '../analyze/input.js';
import { inputSource, type CliIo } from './io.js';
import { formatJsonReply, type JsonMode } from './json-reply.js';
import { progress } from './style.js';

export interface ExecCliOptions {
  /** Print replies as `redis-cli -2 --json` / `--quoted-json` does instead of `--no-raw`. */
  readonly json?: JsonMode;
  readonly file?: string;
  readonly dataDir?: string;
  readonly db?: string;
  readonly schema?: string;
}

export const PROMPT = 'redis2sql> ';
/** What redis-cli prints when a connection starts subscribing. */
const READING = 'Reading messages... (press Ctrl-C to quit)\n';

/** Resolves at Ctrl-C (SIGINT) or SIGTERM. */
function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

/**
 * `redis2sql exec`: run commands on PGlite (default) or a PostgreSQL server,
 * printing each reply as `redis-cli --no-raw` does. A script keeps going after
 * an error reply (exit 1 at the end) and stops at a database failure.
 */
export async function execCommand(words: readonly string[], options: ExecCliOptions, io: CliIo): Promise<number> {
  const url = options.db ?? io.env['DATABASE_URL'];
  if (options.db !== undefined && options.dataDir !== undefined) throw new UsageError('--db and --data-dir exclude each other');
  if (options.db !== undefined && !/^postgres(ql)?:\/\//.test(options.db)) {
    throw new UsageError(`--db wants a postgres:// or postgresql:// URL, got ${JSON.stringify(options.db)}`);
  }
  // On a server, statements are prepared once per connection unless REDIS2SQL_PREPARE says off (src/db/postgres.ts).
  let prepare: boolean;
  try {
    prepare = preparing(io.env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const source = await inputSource(words, options.file, io);
  const print = (reply: RedisReply): string | Buffer => (options.json === undefined ? formatRedisCli(reply) : formatJsonReply(reply, options.json));
  // A long --file run shows where it is on a terminal's stderr (the replies may go to a file).
  const total = options.file === undefined ? undefined : lineCount(await readFile(options.file));
  const db = await (io.openDatabase ?? openDatabase)({
    ...(url !== undefined && url !== '' && options.dataDir === undefined ? { url, prepare } : {}),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
  });
  try {
    const schema = {
      ...(options.schema === undefined ? {} : { schema: options.schema }),
      onWarning: (warning: string) => io.stderr.write(`redis2sql: warning: ${warning}\n`),
    };
    await ensureSchema(db, schema);
    // One session, as one redis-cli connection: MULTI, WATCH and subscriptions span lines.
    const session = new Session(db, { ...schema, onMessage: (m) => io.stdout.write(print(m)) });
    try {
      if (source.kind === 'terminal') return await interactive(session, io, print);
      const inputs: Iterable<{ line?: number; text: CommandInput }> | AsyncIterable<{ line?: number; text: CommandInput }> =
        source.kind === 'words' ? [{ text: words.length === 1 ? words[0]! : words }] : source.lines;
      let failed = false;
      const bar = progress(io, 'exec', total, { streamsStdout: true });
      for await (const { line, text: input } of inputs) {
        if (line !== undefined && total !== undefined) bar.update(line);
        const wasSubscribed = session.subscribed;
        const replies = await session.execute(input);
        if (!wasSubscribed && session.subscribed) io.stdout.write(READING);
        for (const reply of replies) {
          if (reply.type === 'error') failed = true;
          io.stdout.write(print(reply));
        }
      }
      bar.finish();
      // Subscribed at the end of the input: print messages until interrupted, as redis-cli does.
      if (session.subscribed) await (io.interrupted ?? interrupted)();
      return failed ? 1 : 0;
    } finally {
      await session.close();
    }
  } finally {
    await db.close();
  }
}

/** A prompt on a terminal: one line, one reply; `quit` or `exit` (or end of input) leaves. */
async function interactive(session: Session, io: CliIo, print: (reply: RedisReply) => string | Buffer): Promise<number> {
  // Line editing and history need the real terminal streams; anything else gets a plain prompt.
  const stdout = io.stdout as Partial<NodeJS.WriteStream>;
  const terminal = typeof stdout.on === 'function' && stdout.isTTY === true;
  const rl = terminal
    ? createInterface({ input: io.stdin, output: stdout as NodeJS.WriteStream, prompt: PROMPT, terminal: true })
    : createInterface({ input: io.stdin, terminal: false });
  const prompt = (): void => {
    if (terminal) rl.prompt();
    else io.stdout.write(PROMPT);
  };
  prompt();
  for await (const line of rl) {
    const trimmed = line.trim();
    if (/^(quit|exit)$/i.test(trimmed)) break;
    if (trimmed !== '') {
      try {
        const wasSubscribed = session.subscribed;
        const replies = await session.execute(line);
        if (!wasSubscribed && session.subscribed) io.stdout.write(READING);
        for (const reply of replies) io.stdout.write(print(reply));
      } catch (error) {
        // A failure of the database does not end the session; anything else is a bug.
        if (!(error instanceof DatabaseError || error instanceof UsageError)) throw error;
        io.stderr.write(`redis2sql: ${error.message}\n`);
      }
    }
    prompt();
  }
  rl.close();
  return 0;
}
