import { RedisError, StorageError, TokenizeError, UnsupportedError, UsageError } from './errors.js';
import type { Queryable } from './db/types.js';
import { decodeReply } from './emit/decode.js';
import type { RedisReply } from './emit/reply.js';
import { toArgv, type CommandInput } from './grammar/tokenize.js';
import { translate } from './translate.js';
import type { CompiledCommand, TranslateOptions } from './translators/types.js';
import { scriptLines } from './script-lines.js';

export { scriptLines };

export interface ExecOptions extends TranslateOptions {
  /** Told what a translation does not reproduce (a blocking command that does not wait…). */
  readonly onWarning?: (warning: string, command: string) => void;
}

/**
 * The prefix of error replies that are ours rather than Redis': a command we
 * do not translate, a key PostgreSQL cannot hold. Redis clients see them as
 * ordinary `ERR` errors; people see who said it.
 */
export const OWN_ERROR_PREFIX = 'ERR redis2sql: ';

/**
 * Run one Redis command on the database and return Redis' reply: parse,
 * translate, run the one statement, decode its rows.
 *
 *   await runCommand(db, 'SET k v')     → { type: 'status', value: 'OK' }
 *   await runCommand(db, ['GET', 'k'])  → { type: 'bulk', value: <Buffer 76> }
 *   await runCommand(db, 'GET')         → { type: 'error', message: "ERR wrong number of arguments for 'get' command" }
 *   await runCommand(db, 'SUBSCRIBE c') → { type: 'error', message: 'ERR redis2sql: SUBSCRIBE: …reason…' }
 *
 * Whatever Redis would answer with an error (parse errors, WRONGTYPE raised by
 * the SQL, a line redis-server's inline protocol rejects for its quotes)
 * comes back as an error reply; so do `UnsupportedError` and `StorageError`,
 * as `ERR redis2sql: <reason>`. An empty command is a `UsageError`; a database
 * failure that is not a Redis error throws `DatabaseError`.
 */
export async function runCommand(db: Queryable, input: CommandInput, options: ExecOptions = {}): Promise<RedisReply> {
  let compiled: CompiledCommand;
  try {
    const argv = toArgv(input);
    if (argv.length === 0) throw new UsageError('empty command');
    compiled = translate(argv, options.schema === undefined ? {} : { schema: options.schema });
  } catch (error) {
    const reply = errorReply(error);
    if (reply === undefined) throw error;
    return reply;
  }
  for (const warning of compiled.warnings) options.onWarning?.(warning, compiled.command);
  return runCompiled(db, compiled);
}

/**
 * Run a command already translated (the same statement can run many times).
 *
 *   await runCompiled(db, translate('INCR n'))  → { type: 'integer', value: 1n }
 */
export async function runCompiled(db: Queryable, compiled: CompiledCommand): Promise<RedisReply> {
  try {
    const rows = await db.query(compiled.sql, compiled.params);
    return decodeReply(compiled.reply, rows);
  } catch (error) {
    if (error instanceof RedisError) return { type: 'error', message: error.message };
    throw error;
  }
}

/**
 * The error reply an error stands for, or undefined when it is not an answer
 * to the command (a usage error, a database failure, a bug).
 *
 *   errorReply(new UnsupportedError('SUBSCRIBE', 'needs a connection')) → (error) ERR redis2sql: SUBSCRIBE: needs a connection
 */
export function errorReply(error: unknown): RedisReply | undefined {
  if (error instanceof RedisError || error instanceof TokenizeError) return { type: 'error', message: error.message };
  if (error instanceof UnsupportedError || error instanceof StorageError) {
    return { type: 'error', message: OWN_ERROR_PREFIX + error.message };
  }
  return undefined;
}

export interface ScriptStep {
  /** 1-based line number in the script. */
  readonly line: number;
  readonly input: string;
  readonly reply: RedisReply;
}

/**
 * Run a script of redis-cli lines in order, one statement per command. Blank
 * lines and `#` comments are skipped; an error reply does not stop the script
 * (as when piping into redis-cli).
 *
 *   await runScript(db, 'SET k 1\nINCR k\n# done')
 *   → [{ line: 1, input: 'SET k 1', reply: OK }, { line: 2, input: 'INCR k', reply: (integer) 2 }]
 */
export async function runScript(
  db: Queryable,
  script: string | readonly string[],
  options: ExecOptions = {},
): Promise<ScriptStep[]> {
  const steps: ScriptStep[] = [];
  for (const { line, text } of scriptLines(script)) {
    steps.push({ line, input: text, reply: await runCommand(db, text, options) });
  }
  return steps;
}

