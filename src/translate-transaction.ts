import { RedisError, StorageError, TokenizeError, UnsupportedError, UsageError } from './errors.js';
import { showInput, type TranslationResult } from './emit/format.js';
import { OK } from './emit/reply.js';
import { DEFAULT_SCHEMA, quoteSchema } from './emit/schema/index.js';
import type { AnyCommand } from './grammar/command.js';
import { parseCommand } from './grammar/parse.js';
import { toArgv, type CommandInput } from './grammar/tokenize.js';
import { rejectedBeforeQueueing, SAVEPOINT, watchCheckSql } from './session.js';
import { translate } from './translate.js';
import type { SqlParam, TranslateOptions } from './translators/types.js';

/**
 * The SQL a session runs for a script that uses MULTI: the statements in the
 * order they run, each as a translation result (so every output format of
 * `redis2sql translate` prints them). MULTI is `BEGIN`; each queued command
 * runs between `SAVEPOINT redis2sql_command` and `RELEASE SAVEPOINT …` (on a
 * Redis error, `ROLLBACK TO SAVEPOINT …` instead, and the error is the
 * command's entry in EXEC's reply); EXEC is `COMMIT`, DISCARD `ROLLBACK`.
 * With WATCHed keys, EXEC first locks and re-reads their versions.
 *
 *   translateTransaction(['MULTI', 'INCR n', 'EXEC'])
 *   → BEGIN; SAVEPOINT redis2sql_command; SELECT redis.incrby($1, $2) AS reply;
 *     RELEASE SAVEPOINT redis2sql_command; COMMIT
 *
 * A command Redis would refuse before queueing it (unknown, wrong arity) is
 * an error result, and EXEC becomes `ROLLBACK` with Redis' EXECABORT.
 */
export function translateTransaction(
  lines: Iterable<CommandInput>,
  options: TranslateOptions = {},
): TranslationResult[] {
  const S = quoteSchema(options.schema ?? DEFAULT_SCHEMA);
  const out: TranslationResult[] = [];
  let inMulti = false;
  let aborted = false;
  let watched: string[] = [];
  const statement = (input: string, command: string, sql: string, params: readonly SqlParam[] = [], note?: string): void => {
    const warnings = Object.freeze(note === undefined ? [] : [note]);
    out.push({ input, compiled: Object.freeze({ command, sql, params: Object.freeze([...params]), reply: OK, warnings }) });
  };
  for (const line of lines) {
    const input = showInput(line);
    const argv = toArgv(line);
    if (argv.length === 0) throw new UsageError('empty command');
    let cmd: AnyCommand;
    try {
      cmd = parseCommand(argv);
    } catch (error) {
      if (!isAnswer(error)) throw error;
      if (inMulti && rejectedBeforeQueueing(error)) aborted = true;
      out.push({ input, error: error.message });
      continue;
    }
    switch (cmd.name) {
      case 'MULTI':
        if (inMulti) {
          out.push({ input, error: 'ERR MULTI calls can not be nested' });
          continue;
        }
        inMulti = true;
        aborted = false;
        statement(input, 'MULTI', 'BEGIN');
        if (watched.length > 0) {
          statement(input, 'WATCH', watchCheckSql(S), [watched], WATCH_NOTE);
        }
        continue;
      case 'DISCARD':
      case 'EXEC': {
        if (!inMulti) {
          out.push({ input, error: `ERR ${cmd.name} without MULTI` });
          continue;
        }
        inMulti = false;
        if (cmd.name === 'DISCARD') statement(input, 'DISCARD', 'ROLLBACK');
        else if (aborted) statement(input, 'EXEC', 'ROLLBACK', [], 'EXECABORT Transaction discarded because of previous errors.');
        else statement(input, 'EXEC', 'COMMIT');
        watched = [];
        continue;
      }
      case 'WATCH':
        if (inMulti) {
          out.push({ input, error: 'ERR WATCH inside MULTI is not allowed' });
          continue;
        }
        watched = [...new Set([...watched, ...cmd.args.key])];
        break;
      case 'UNWATCH':
        // Session state only: nothing runs (inside MULTI it is queued and answers OK).
        if (!inMulti) watched = [];
        continue;
    }
    let compiled;
    try {
      compiled = translate(cmd, options);
    } catch (error) {
      if (!isAnswer(error)) throw error;
      out.push({ input, error: error.message });
      continue;
    }
    if (!inMulti) {
      out.push({ input, compiled });
      continue;
    }
    statement(input, 'SAVEPOINT', `SAVEPOINT ${SAVEPOINT}`);
    out.push({ input, compiled });
    statement(input, 'RELEASE SAVEPOINT', `RELEASE SAVEPOINT ${SAVEPOINT}`, [], `on a Redis error (SQLSTATE RD000): ROLLBACK TO SAVEPOINT ${SAVEPOINT} instead, and the error is this command's entry in EXEC's reply`);
  }
  return out;
}

const WATCH_NOTE =
  'the session runs this at EXEC, right after BEGIN: if any key\'s version differs from what WATCH read (absent or expired: none), ROLLBACK and EXEC replies with a nil array';

function isAnswer(error: unknown): error is Error {
  return (
    error instanceof RedisError ||
    error instanceof TokenizeError ||
    error instanceof UnsupportedError ||
    error instanceof StorageError
  );
}
