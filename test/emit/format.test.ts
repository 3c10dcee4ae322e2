import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedDatabase, ensureSchema, type Database } from '../../src/db/index.js';
import { decodeReply } from '../../src/emit/decode.js';
import {
  formatPsql,
  formatSql,
  inlineParams,
  jsonOf,
  mapOutsideLiterals,
  prettySql,
  readableParam,
  renderTranslations,
  showInput,
  sqlLiteral,
  translateForOutput,
} from '../../src/emit/format.js';
import type { RedisReply } from '../../src/emit/reply.js';
import { runCommand } from '../../src/exec.js';
import { RedisError } from '../../src/errors.js';
import { translate } from '../../src/translate.js';

let db: Database;
beforeAll(async () => {
  db = await embeddedDatabase();
  await ensureSchema(db, { schema: 'as_params' });
  await ensureSchema(db, { schema: 'as_psql' });
  await ensureSchema(db, { schema: 'as_pretty' });
});
afterAll(async () => {
  await db.close();
});

// Values with quotes, backslashes, NUL bytes, invalid UTF-8, E'' look-alikes and placeholders look-alikes.
const SCRIPT = [
  `SET "it's" "a'b\\\\c\\x00d\\xff"`,
  `GET "it's"`,
  `SET "back\\\\slash" "E'\\\\x00' $1 -- not a comment"`,
  `GET "back\\\\slash"`,
  `MSET k1 "x\\"y" "k 2" "\\x00\\x00" "k'3" "$2::text"`,
  `MGET k1 "k 2" "k'3" missing`,
  `RPUSH list "a'" "\\\\" "\\x00\\x01" "" "\\xc3\\xa9"`,
  `LRANGE list 0 -1`,
  `LPOS list "\\\\"`,
  `INCRBYFLOAT f 0.1`,
  `INCRBYFLOAT f -1e3`,
  `GETRANGE "it's" -3 -1`,
  `APPEND "it's" "'\\\\'"`,
  `GET "it's"`,
  `INCR "it's"`,
  `EXPIRE "k 2" 100`,
  `TTL "k 2"`,
  `DEL k1 "k 2" nothing`,
  `EXISTS k1 "k'3"`,
];

async function runPsql(text: string): Promise<RedisReply> {
  return runText(text, []);
}

async function runText(text: string, params: readonly unknown[], shape = translate('PING').reply): Promise<RedisReply> {
  try {
    return decodeReply(shape, await db.query(text, params as never));
  } catch (error) {
    if (error instanceof RedisError) return { type: 'error', message: error.message };
    throw error;
  }
}

describe('the psql and sql formats run and give the same replies as the parameterised statement', () => {
  it.each(SCRIPT.map((line, i) => [i + 1, line] as const))('%i: %s', async (_i, line) => {
    const expected = await runCommand(db, line, { schema: 'as_params' });
    const psql = translate(line, { schema: 'as_psql' });
    const psqlText = formatPsql(psql);
    expect(psqlText).not.toMatch(/\$\d/);
    const viaPsql = await runText(psqlText, [], psql.reply);
    const pretty = translate(line, { schema: 'as_pretty' });
    const viaPretty = await runText(prettySql(pretty.sql), pretty.params, pretty.reply);
    expect(viaPsql).toEqual(expected);
    expect(viaPretty).toEqual(expected);
  });
});

describe('sqlLiteral', () => {
  it('reads back as the same value in PostgreSQL', async () => {
    const values = ["a'b", 'back\\slash', "E'x'", 'ünï', '', '$1'];
    for (const v of values) {
      expect(await db.query(`SELECT ${sqlLiteral(v)}::text AS v`)).toEqual([{ v }]);
    }
    const bytes = Buffer.from([0, 0x27, 0x5c, 0xff, 0x0a]);
    expect(await db.query(`SELECT ${sqlLiteral(bytes)} AS v`)).toEqual([{ v: bytes }]);
    expect(await db.query(`SELECT ${sqlLiteral([bytes, null])} AS v`)).toEqual([{ v: [bytes, null] }]);
    expect(await db.query(`SELECT ${sqlLiteral(["'", '\\', null])} AS v`)).toEqual([{ v: ["'", '\\', null] }]);
    expect(await db.query(`SELECT ${sqlLiteral([])} AS v`)).toEqual([{ v: [] }]);
    expect(await db.query(`SELECT ${sqlLiteral(1.5)}::float8 AS a, ${sqlLiteral(Infinity)}::float8 AS b, ${sqlLiteral(true)}::bool AS c`)).toEqual([
      { a: 1.5, b: Infinity, c: true },
    ]);
  });

  it('types an array by the cast written after its placeholder', () => {
    expect(inlineParams('SELECT $1::int8[]', [['1', '2']])).toBe("SELECT ARRAY['1', '2']::int8[]::int8[]");
    expect(inlineParams('SELECT $1', [['a']])).toBe("SELECT ARRAY['a']::text[]");
  });

  it('leaves placeholders alone inside literals, identifiers and comments, and tells $1 from $10', () => {
    const params = Array.from({ length: 10 }, (_, i) => `p${i + 1}`);
    expect(inlineParams(`SELECT $1, '$1', "$1", $10 -- $1\n/* $1 */, E'\\'$1', $$ $1 $$`, params)).toBe(
      `SELECT 'p1', '$1', "$1", 'p10' -- $1\n/* $1 */, E'\\'$1', $$ $1 $$`,
    );
  });

  it('mapOutsideLiterals hands only code to the function', () => {
    const seen: string[] = [];
    mapOutsideLiterals(`a 'b' c "d" e`, (code) => {
      seen.push(code);
      return code;
    });
    expect(seen).toEqual(['a ', ' c ', ' e']);
  });
});

describe('sql format', () => {
  it('pretty-prints the statement and lists the parameters', () => {
    const out = formatSql(translate(['SET', "it's", Buffer.from([0, 0xff])]));
    expect(out).toMatch(/\$1/);
    expect(out).toMatch(/;\n-- \$1 = 'it''s'\n-- \$2 = '\\x00ff'::bytea\n/);
    expect(out).not.toMatch(/[a-z_]\.[a-z_]+ \(/);
  });

  it('shows printable UTF-8 bytes as text and anything else as hex', () => {
    expect(readableParam(Buffer.from('héllo'))).toBe(`'héllo'`);
    expect(readableParam(Buffer.from('a\nb'))).toBe(`'\\x610a62'::bytea`);
    expect(readableParam(Buffer.from([0xff]))).toBe(`'\\xff'::bytea`);
    expect(readableParam([Buffer.from('a'), null])).toBe(`ARRAY['a', NULL]`);
    expect(readableParam(3)).toBe('3');
  });

  it('heads each command with its input when there are several, and leaves failures to the caller', () => {
    const out = renderTranslations([translateForOutput('GET a'), translateForOutput('GET'), translateForOutput('GET b')], 'sql');
    expect(out.match(/^-- GET [ab]$/gm)).toEqual(['-- GET a', '-- GET b']);
    expect(out).not.toContain('wrong number');
  });
});

describe('json format', () => {
  it('gives one object per line, Buffers as base64 with text beside when UTF-8', () => {
    const out = renderTranslations([translateForOutput(['SET', 'k', Buffer.from('v')]), translateForOutput('SET k "\\xff"'), translateForOutput('GET')], 'json');
    const lines = out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ input: 'SET k v', command: 'SET', params: expect.arrayContaining(['k', { base64: 'dg==', text: 'v' }]) });
    expect(lines[1]!['params']).toContainEqual({ base64: '/w==' });
    expect(lines[2]).toEqual({ input: 'GET', error: "ERR wrong number of arguments for 'get' command" });
    expect(typeof lines[0]!['sql']).toBe('string');
    expect(lines[0]!['reply']).toEqual(translate('SET k v').reply);
  });

  it('jsonOf keeps the compiled command whole', () => {
    const c = translate('GET k');
    expect(jsonOf({ input: 'GET k', compiled: c })).toEqual({ input: 'GET k', command: 'GET', sql: c.sql, params: ['k'], reply: c.reply, warnings: [] });
  });
});

describe('translateForOutput and showInput', () => {
  it('reports Redis, tokenizer and unsupported errors by their message', () => {
    expect(translateForOutput('GET "a')).toEqual({ input: 'GET "a', error: expect.stringContaining('ERR Protocol error: unbalanced quotes') });
    expect(translateForOutput('CONFIG GET x')).toEqual({ input: 'CONFIG GET x', error: expect.stringMatching(/^CONFIG: /) });
  });

  it('quotes argv words as redis-cli would read them back', () => {
    expect(showInput(['SET', 'k', 'a b', 'q"', '', 'é', Buffer.from([0, 0xff])])).toBe('SET k "a b" "q\\"" "" é "\\x00\\xff"');
  });
});
