import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { embeddedDatabase, ensureSchema, type Database } from '../../src/db/index.js';
import { decodeReply } from '../../src/emit/decode.js';
import { runCommand } from '../../src/exec.js';
import { LuaCompileError } from '../../src/errors.js';
import { translate } from '../../src/translate.js';
import { compileLua } from '../../src/translators/lua/compile.js';

/*
 * What the compiler refuses (with the construct's line and column), the SQL
 * EVAL sends, and the `lua` subcommand's function used directly from SQL.
 */

const refusal = (source: string): { line: number; column: number; reason: string } => {
  try {
    compileLua(source);
  } catch (e) {
    if (e instanceof LuaCompileError) return { line: e.line, column: e.column, reason: e.reason };
    throw e;
  }
  throw new Error(`compiled: ${source}`);
};

describe('refusals carry line:column and a reason', () => {
  it.each([
    ['local cmd = "GET"\nreturn redis.call(cmd, KEYS[1])', 2, 'redis.call needs a literal command name'],
    ['local f = function() return 1 end\nreturn f', 2, "the local function 'f' is used as a value"],
    ['local function fact(n)\n  if n < 2 then return 1 end\n  return n * fact(n - 1)\nend\nreturn fact(5)', 3, "recursive call of local function 'fact'"],
    ['local t = {}\nt.f = function() end', 2, 'a function value is not compiled'],
    ['for k, v in string.find, "x" do end', 1, 'generic for is compiled over pairs(t), ipairs(t), next, t'],
    ["return redis.call('DEL', unpack(KEYS))", 1, 'known only at run time'],
    ['return setmetatable({}, {})', 1, 'call not compiled'],
    ['return coroutine.create(nil)', 1, 'call not compiled'],
    ['return loadstring("return 1")()', 1, 'call not compiled'],
    ['local t = {1}\ntable.sort(t, math.max)', 2, "table.sort's comparator must be a local or anonymous function"],
    ["return redis.call('LCS', KEYS[1], KEYS[2], 'IDX')", 1, "LCS's reply (json) is not converted to Lua yet"],
    // The group's name is in the NOGROUP text the translator writes: only a key from KEYS is built into it in SQL.
    ["return redis.call('XREADGROUP', 'GROUP', ARGV[1], 'c', 'STREAMS', KEYS[1], '>')", 1, 'make it a literal'],
    ["return redis.call('XPENDING', ARGV[1], 'g')", 1, 'make it a literal'],
    ["return redis.call('SET', KEYS[1], 'v', ARGV[1])", 1, 'make them literals'],
    ['return (', 1, 'syntax error'],
  ])('%s', (source, line, reason) => {
    const r = refusal(source);
    expect(r.line).toBe(line);
    expect(r.reason).toContain(reason);
  });
});

describe('EVAL is one statement whose SQL text depends only on the script', () => {
  // The sha redis-server 7.0 gave to SCRIPT LOAD of the same script.
  it('keys and arguments are parameters, the function is created by its sha', () => {
    const a = translate(['EVAL', "return redis.call('GET', KEYS[1])", '1', 'k1', 'a\\b']);
    const b = translate(['EVAL', "return redis.call('GET', KEYS[1])", '2', 'k2', 'k3']);
    expect(a.sql).toBe('SELECT redis.lua_eval($1, $2, $3::text[], $4::bytea[]) AS reply');
    expect(b.sql).toBe(a.sql);
    expect(a.params[0]).toBe('d3c21d0c2b9ca22f82737626a27bcaf5d288f99f');
    expect(a.params[1]).toBe(b.params[1]);
    expect(a.params.slice(2)).toEqual([['k1'], [Buffer.from('a\\b')]]);
    expect(String(a.params[1])).not.toContain('k1');
  });
});

describe('the PL/pgSQL reads against the script', () => {
  it('each statement sits under a comment holding its Lua line', () => {
    const { ddl } = compileLua("local n = redis.call('INCR', KEYS[1])\nif n > 10 then\n  return 'busy'\nend\nreturn n");
    const comments = ddl.split('\n').filter((l) => l.trim().startsWith('-- lua '));
    expect(comments.map((l) => l.trim())).toEqual([
      "-- lua 1: local n = redis.call('INCR', KEYS[1])",
      '-- lua 2: if n > 10 then …',
      "-- lua 3: return 'busy'",
      '-- lua 5: return n',
    ]);
    // The statement follows its comment: the INCR under line 1, the RETURN under line 3.
    expect(ddl).toMatch(/-- lua 1: [^\n]*\n\s*_line := 1;\n[\s\S]*redis\.incrby\(/);
    // A string's reply is written out (typed values need no lua_reply).
    expect(ddl).toMatch(/-- lua 3: [^\n]*\n\s*_line := 3;\n\s*RETURN jsonb_build_object\('b', /);
  });

  it("a key from KEYS in a command's error text (XREADGROUP's NOGROUP) is read in SQL, not spliced in", () => {
    const { ddl } = compileLua("return redis.call('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', KEYS[1], '>')");
    // keys[1] was tested for nil before the statement (redis.call's own argument check).
    expect(ddl).toContain("('NOGROUP No such key ''' || keys[1] || ''' or consumer group ''g'' in XREADGROUP with GROUP option')::text");
    expect(ddl).toMatch(/IF keys\[1\] IS NULL THEN\n\s*RETURN jsonb_build_object\('e', [^\n]*must be strings or integers script: [^\n]*\n\s*END IF;\n[\s\S]*NOGROUP/);
    expect(ddl).not.toContain('redis2sql-lua-arg');
  });

  it("a reply of a statement with a WITH list (INCR's) is read by SELECT … INTO after the list, without a FOR loop", () => {
    const { ddl } = compileLua("local n = redis.call('INCR', KEYS[1])\nreturn n");
    // The data-modifying CTEs stay as they are; the query's one column goes straight into the variable.
    expect(ddl).toMatch(/\n {2}WITH arg AS \([\s\S]*\), s AS \([\s\S]*\)\n {4}SELECT redis\.lua_reply_num\(\(coalesce\([\s\S]*\)\)\) INTO v\d+_call;\n/);
    expect(ddl).not.toContain('FOR _r IN');
    // A protected call's reply is a jsonb (an error is a value): untyped, false when no row came, as the loop's default.
    const pcalled = compileLua("return redis.pcall('INCR', KEYS[1])").ddl;
    expect(pcalled).toMatch(/\n {6}SELECT redis\.lua_from_scalar\('integer', [\s\S]*\) INTO (v\d+_call);\n {4}IF NOT FOUND THEN\n {6}\1 := 'false'::jsonb;\n {4}END IF;\n/);
    expect(pcalled).not.toContain('FOR _r IN');
    // PING's `SELECT 'PONG' AS reply` is of type unknown until the row makes it text: read from the row.
    expect(compileLua("return redis.call('PING')").ddl).toMatch(/FOR _r IN SELECT 'PONG' AS reply\n/);
  });

  it('a value found not nil (by redis.call, arithmetic, an ordering) is read without a nil test after, only where that surely ran', () => {
    const { ddl } = compileLua(
      "local n = tonumber(ARGV[1])\nlocal m = n + 1\nredis.call('SET', KEYS[1], ARGV[2])\nredis.call('SET', KEYS[1], n, 'PX', m)\n" +
        "if ARGV[3] == 'a' then redis.call('SET', KEYS[2], 'x') end\nreturn redis.call('GET', KEYS[2])",
    );
    const count = (s: string): number => ddl.split(s).length - 1;
    // keys[1] and argv[2] are tested once, before line 3's call; n and m (line 2's arithmetic) never.
    expect(count('IF keys[1] IS NULL THEN')).toBe(0);
    expect(count('IF keys[1] IS NULL OR argv[2] IS NULL THEN')).toBe(1);
    const after = ddl.slice(ddl.indexOf('-- lua 3:'));
    expect(after).toContain('v1_n = trunc(v1_n)');
    expect(after).not.toMatch(/v\d+_[nm] IS NULL/);
    // keys[2] tested in the branch is tested again after it; nothing is left to lua_arg_nil.
    expect(count('IF keys[2] IS NULL THEN')).toBe(2);
    expect(ddl).not.toContain('lua_arg_nil');
  });

  it('a call after a write gets a subtransaction only if it can fail: errors from the DDL, WRONGTYPE ruled out by an earlier call on its key', () => {
    const block = (ddl: string, line: number): boolean => new RegExp(`BEGIN\\n(?:(?!\\n\\s*END;)[\\s\\S])*@user_script:${line}\\.`).test(ddl);
    // ZCARD after ZREMRANGEBYSCORE on KEYS[1]: a sorted set or nothing, and ZCARD raises nothing else.
    const after = compileLua("redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, 1)\nreturn redis.call('ZCARD', KEYS[1])").ddl;
    expect(block(after, 2)).toBe(false);
    // After SET (any type replaced, no check), KEYS[2] (maybe the same key) or a loop: WRONGTYPE is possible.
    expect(block(compileLua("redis.call('SET', KEYS[1], 'v')\nreturn redis.call('ZCARD', KEYS[1])").ddl, 2)).toBe(true);
    expect(block(compileLua("redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, 1)\nreturn redis.call('ZCARD', KEYS[2])").ddl, 2)).toBe(true);
    expect(block(compileLua("redis.call('ZADD', KEYS[1], 1, 'a')\nredis.call('SET', KEYS[2], 'v')\nreturn redis.call('ZCARD', KEYS[1])").ddl, 3)).toBe(true);
    expect(block(compileLua("redis.call('ZADD', KEYS[1], 1, 'a')\nfor i = 1, 2 do redis.call('ZCARD', KEYS[1]) end").ddl, 2)).toBe(true);
    // PEXPIRE's own errors (a time that is not an integer, or out of range) keep its subtransaction.
    expect(block(compileLua("redis.call('ZADD', KEYS[1], 1, 'a')\nreturn redis.call('PEXPIRE', KEYS[1], ARGV[1])").ddl, 2)).toBe(true);
    // TTL raises nothing at all.
    expect(block(compileLua("redis.call('SET', KEYS[1], 'v')\nreturn redis.call('TTL', KEYS[1])").ddl, 2)).toBe(false);
  });

  it('a script line holding the dollar-quote tag does not end the function body', () => {
    const { ddl } = compileLua("return 'x' -- $lua$");
    expect(ddl).toContain('AS $lua1$');
    expect(ddl.trimEnd().endsWith('$lua1$;')).toBe(true);
  });
});

let db: Database;
let dir: string;
beforeAll(async () => {
  db = await embeddedDatabase();
  await ensureSchema(db);
  dir = mkdtempSync(join(tmpdir(), 'redis2sql-lua-'));
}, 120_000);
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string | Uint8Array) => ((stdout += s.toString()), true) },
    stderr: { write: (s: string | Uint8Array) => ((stderr += s.toString()), true) },
    stdin: Object.assign(Readable.from([]), { isTTY: true }),
    env: {},
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

describe('redis2sql lua', () => {
  it('prints a function that SQL calls with KEYS and ARGV', async () => {
    const out = await cli(['lua', new URL('../../fixtures/lua/lock-release.lua', import.meta.url).pathname, '--name', 'unlock']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('CREATE OR REPLACE FUNCTION redis.unlock(keys text[], argv bytea[]) RETURNS jsonb');
    await db.exec(out.stdout);
    await runCommand(db, ['SET', 'lock', 'tok']);
    const call = (token: string) => db.query('SELECT redis.unlock($1::text[], $2::bytea[]) AS reply', [['lock'], [Buffer.from(token)]]);
    expect(decodeReply({ kind: 'lua' }, await call('other'))).toEqual({ type: 'integer', value: 0n });
    expect(decodeReply({ kind: 'lua' }, await call('tok'))).toEqual({ type: 'integer', value: 1n });
    expect(decodeReply({ kind: 'lua' }, await call('tok'))).toEqual({ type: 'integer', value: 0n });
  }, 120_000);

  it('reports what it cannot compile as FILE:LINE:COLUMN', async () => {
    const file = join(dir, 'dynamic.lua');
    writeFileSync(file, "local n = 'GET'\nreturn redis.call(n, KEYS[1])\n");
    const out = await cli(['lua', file]);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(`redis2sql: ${file}:2:8: redis.call needs a literal command name\n`);
    expect(out.stdout).toBe('');
  });
});
