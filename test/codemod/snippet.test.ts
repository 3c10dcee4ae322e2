import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as runtime from '../../src/codemod/runtime.js';
import { renderSnippet } from '../../src/codemod/snippet.js';
import { embeddedDatabase, ensureSchema, type Database } from '../../src/db/index.js';
import { RedisError, UnsupportedError } from '../../src/errors.js';

// renderSnippet is what `translate --format ts` prints: the call it renders,
// run on PGlite, yields each client's own value.
let db: Database;
beforeAll(async () => {
  db = await embeddedDatabase();
  await ensureSchema(db);
}, 120_000);
afterAll(async () => {
  await db.close();
});

/** Run the `const reply = await …;` line of a snippet with `pool` bound to PGlite. */
async function runSnippet(snippet: string): Promise<unknown> {
  const call = /const reply = await ([\s\S]*);\n$/.exec(snippet)?.[1];
  expect(call).toBeDefined();
  return (new Function('r2s', 'pool', 'Buffer', `return ${call!};`) as (r: unknown, p: unknown, b: unknown) => Promise<unknown>)(runtime, db, Buffer);
}

describe('renderSnippet', () => {
  it('writes the imports, a pool from DATABASE_URL and the call', () => {
    const s = renderSnippet(['GET', 'k']);
    expect(s).toMatch(/^import pg from 'pg';\nimport \* as r2s from 'redis2sql\/codemod-runtime';\n\nconst pool = new pg\.Pool\(\{ connectionString: process\.env\.DATABASE_URL \}\);\nconst reply = await r2s\.ioredis\(pool, "SELECT /);
  });

  it("yields each flavour's value: SISMEMBER as 1 (ioredis, node-redis 5) or true (node-redis 4)", async () => {
    await runSnippet(renderSnippet(['SADD', 's', 'm']));
    expect(await runSnippet(renderSnippet(['SISMEMBER', 's', 'm']))).toBe(1);
    expect(await runSnippet(renderSnippet(['SISMEMBER', 's', 'm'], { flavour: 'node-redis4' }))).toBe(true);
    expect(await runSnippet(renderSnippet(['SISMEMBER', 's', 'm'], { flavour: 'node-redis5' }))).toBe(1);
  });

  it('shapes WITHSCORES and HGETALL as each client does', async () => {
    await runSnippet(renderSnippet(['ZADD', 'z', '1.5', 'a']));
    expect(await runSnippet(renderSnippet(['ZRANGE', 'z', '0', '-1', 'WITHSCORES']))).toEqual(['a', '1.5']);
    expect(await runSnippet(renderSnippet(['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], { flavour: 'node-redis5' }))).toEqual([{ value: 'a', score: 1.5 }]);
    await runSnippet(renderSnippet(['HSET', 'h', 'f', 'v']));
    const v4 = await runSnippet(renderSnippet(['HGETALL', 'h'], { flavour: 'node-redis4' }));
    expect(Object.getPrototypeOf(v4)).toBe(null);
    expect({ ...(v4 as object) }).toEqual({ f: 'v' });
    expect(Object.getPrototypeOf(await runSnippet(renderSnippet(['HGETALL', 'h'])))).toBe(Object.prototype);
    // node-redis 4's TIME: a Date of the database's clock, with its microseconds.
    const time = (await runSnippet(renderSnippet(['TIME'], { flavour: 'node-redis4' }))) as Date & { microseconds: number };
    expect(time).toBeInstanceOf(Date);
    expect(Math.abs(time.getTime() - Date.now())).toBeLessThan(60_000);
    expect(Math.floor(time.getTime() % 1000)).toBe(Math.floor(time.microseconds / 1000));
  });

  it('refuses a reply transform it does not reproduce, and what translate refuses', () => {
    expect(() => renderSnippet(['BLPOP', 'l', '0'], { flavour: 'node-redis4' })).toThrow(UnsupportedError);
    expect(() => renderSnippet(['GET'])).toThrow(RedisError);
    expect(() => renderSnippet(['GET'])).toThrow("ERR wrong number of arguments for 'get' command");
  });
});
