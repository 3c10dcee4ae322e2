import { BULK, OK, type ReplyShape } from '../emit/reply.js';
import { LuaCompileError, UnsupportedError } from '../errors.js';
import { compileLua, type CompiledScript } from './lua/compile.js';
import { sql } from './sql.js';
import { never, pending, type GroupTranslators, type TranslateContext, type Translation } from './types.js';

const LUA: ReplyShape = { kind: 'lua' };

/**
 * EVAL compiles the script to its PL/pgSQL function (src/translators/lua/),
 * and one statement creates it the first time its sha is seen and calls it:
 *
 *   EVAL "return redis.call('GET', KEYS[1])" 1 k
 *   → SELECT redis.lua_eval($1, $2, $3::text[], $4::bytea[]) AS reply   ($2 is the CREATE FUNCTION)
 */
function evalScript(S: TranslateContext['S'], script: Buffer, keys: readonly string[], args: readonly Buffer[]): Translation {
  const compiled = compileFor('EVAL', S, script);
  return {
    sql: sql`SELECT ${S}.lua_eval(${compiled.sha}, ${compiled.ddl}, ${[...keys]}::text[], ${[...args]}::bytea[]) AS reply`,
    reply: LUA,
  };
}

/**
 * The script compiled for a command that carries it. A script the compiler
 * refuses is that command's refusal (an `UnsupportedError` naming the command
 * and the script's line:column), so `exec` answers that line with an error
 * reply and goes on, as it does for any command redis2sql does not translate.
 *
 *   compileFor('EVAL', S, Buffer.from('return redis.call(KEYS[1])'))
 *   → UnsupportedError "EVAL: the script cannot be compiled: 1:8: redis.call needs a literal command name"
 */
function compileFor(command: string, S: TranslateContext['S'], script: Buffer): CompiledScript {
  try {
    return compileLua(script, { schema: schemaName(S.text) });
  } catch (error) {
    if (!(error instanceof LuaCompileError)) throw error;
    throw new UnsupportedError(command, `the script cannot be compiled: ${error.message}`);
  }
}

function schemaName(quoted: string): string {
  return quoted.startsWith('"') ? quoted.slice(1, -1).replace(/""/g, '"') : quoted;
}

export const SCRIPTING_TRANSLATORS = {
  EVAL: (cmd, { S }) => evalScript(S, cmd.args.script, cmd.args.key ?? [], cmd.args.arg ?? []),
  EVALSHA: (cmd, { S }) => ({
    sql: sql`SELECT ${S}.lua_evalsha(${cmd.args.sha1.toString('latin1')}, ${[...(cmd.args.key ?? [])]}::text[], ${[...(cmd.args.arg ?? [])]}::bytea[]) AS reply`,
    reply: LUA,
  }),
  // The _RO variants run the same function with redis2sql.lua_ro on: its write commands fail as in Redis.
  EVALSHA_RO: (cmd, { S }) => ({
    sql: sql`SELECT ${S}.lua_evalsha_ro(${cmd.args.sha1.toString('latin1')}, ${[...(cmd.args.key ?? [])]}::text[], ${[...(cmd.args.arg ?? [])]}::bytea[]) AS reply`,
    reply: LUA,
  }),
  EVAL_RO: (cmd, { S }) => {
    const compiled = compileFor('EVAL_RO', S, cmd.args.script);
    return {
      sql: sql`SELECT ${S}.lua_eval_ro(${compiled.sha}, ${compiled.ddl}, ${[...(cmd.args.key ?? [])]}::text[], ${[...(cmd.args.arg ?? [])]}::bytea[]) AS reply`,
      reply: LUA,
    };
  },
  FCALL: pending('Redis functions (FUNCTION LOAD libraries) are not compiled yet (issue #8)'),
  FCALL_RO: pending('Redis functions (FUNCTION LOAD libraries) are not compiled yet (issue #8)'),
  'FUNCTION DELETE': pending('Redis functions are not compiled yet (issue #8)'),
  'FUNCTION DUMP': never('the payload is a Redis RDB serialisation'),
  'FUNCTION FLUSH': pending('Redis functions are not compiled yet (issue #8)'),
  'FUNCTION HELP': pending('help text not reproduced yet'),
  'FUNCTION KILL': never('a statement cannot stop another session\'s running function the way Redis does'),
  'FUNCTION LIST': pending('Redis functions are not compiled yet (issue #8)'),
  'FUNCTION LOAD': pending('Redis functions are not compiled yet (issue #8)'),
  'FUNCTION RESTORE': never('the payload is a Redis RDB serialisation'),
  'FUNCTION STATS': never('reports on scripts running in the server process'),
  'SCRIPT DEBUG': never('the Lua debugger runs inside redis-server'),
  'SCRIPT EXISTS': (cmd, { S }) => ({
    sql: sql`SELECT ARRAY(SELECT ${S}.lua_exists(s)::int FROM unnest(${cmd.args.sha1.map((b) => b.toString('latin1'))}::text[]) WITH ORDINALITY AS u(s, n) ORDER BY n) AS reply`,
    reply: { kind: 'array-column', of: 'integer' },
  }),
  'SCRIPT FLUSH': (_cmd, { S }) => ({ sql: sql`SELECT ${S}.lua_flush()`, reply: OK }),
  'SCRIPT HELP': pending('help text not reproduced yet'),
  'SCRIPT KILL': never('a statement cannot stop another session\'s running script the way Redis does'),
  'SCRIPT LOAD': (cmd, { S }) => {
    const compiled = compileFor('SCRIPT LOAD', S, cmd.args.script);
    return { sql: sql`SELECT ${S}.lua_define(${compiled.sha}, ${compiled.ddl}) AS reply`, reply: BULK };
  },
} as const satisfies GroupTranslators<'scripting'>;
