import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { LuaCompileError, UsageError } from '../errors.js';
import type { CliIo } from './io.js';

/**
 * `redis2sql lua FILE [--name NAME] [--schema S]`: print the CREATE FUNCTION a
 * Redis Lua script compiles to. Call it with the KEYS and ARGV arrays; its
 * jsonb result is the script's reply (the `lua` shape of src/emit/reply.ts).
 *
 *   redis2sql lua unlock.lua --name unlock
 *   → CREATE OR REPLACE FUNCTION redis.unlock(keys text[], argv bytea[]) RETURNS jsonb …
 *   SELECT redis.unlock(ARRAY['lock'], ARRAY['token'::bytea]);
 *
 * A construct that is not compiled is reported as FILE:LINE:COLUMN: reason (exit code 1).
 */
export function registerLua(program: Command, io: CliIo, setCode: (code: number) => void): void {
  program
    .command('lua')
    .description('compile a Redis Lua script (EVAL body) into a PL/pgSQL function and print its CREATE FUNCTION')
    .argument('<file>', 'the Lua script')
    .option('--name <name>', 'function name (default lua_<sha1 of the script>, the one EVAL and EVALSHA call)')
    .addOption(new Option('--schema <name>', 'PostgreSQL schema of the tables').default('redis'))
    .option('--json', 'print {file, sha, ddl} (or {file, line, column, error}) as JSON', false)
    .action(async (file: string, opts: { name?: string; schema: string; json: boolean }) => {
      let source: Buffer;
      try {
        source = readFileSync(file);
      } catch (e) {
        throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
      }
      // The compiler loads every command's translator: only this command needs it.
      const { compileLua } = await import('../translators/lua/compile.js');
      try {
        const compiled = compileLua(source, opts.name === undefined ? { schema: opts.schema } : { schema: opts.schema, name: opts.name });
        if (opts.json) io.stdout.write(JSON.stringify({ file, sha: compiled.sha, ddl: compiled.ddl }) + '\n');
        else io.stdout.write(`-- sha1 ${compiled.sha}\n${compiled.ddl}\n`);
      } catch (e) {
        if (!(e instanceof LuaCompileError)) throw e;
        if (opts.json) io.stdout.write(JSON.stringify({ file, line: e.line, column: e.column, error: e.reason }) + '\n');
        else io.stderr.write(`redis2sql: ${file}:${e.line}:${e.column}: ${e.reason}\n`);
        setCode(1);
      }
    });
}
