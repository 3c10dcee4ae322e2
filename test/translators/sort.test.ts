import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedDatabase, ensureSchema, type Database } from '../../src/db/index.js';
import type { RedisReply } from '../../src/emit/reply.js';
import { runCommand } from '../../src/exec.js';
import { translate } from '../../src/translate.js';

/**
 * What the recorded oracle (fixtures/oracle/sort.redis, replayed by
 * test/oracle/replay.test.ts) cannot say: the order of thousands of elements
 * against a model of Redis' comparison, BY and GET at size, what STORE leaves
 * in the tables, and SQL text that depends on the command's shape only.
 */
let db: Database;
beforeAll(async () => {
  db = await embeddedDatabase();
  await ensureSchema(db);
});
afterAll(async () => {
  await db.close();
});

const run = (...argv: (string | Buffer)[]): Promise<RedisReply> => runCommand(db, argv);

function items(reply: RedisReply): (Buffer | null)[] {
  if (reply.type !== 'array' || reply.value === null) throw new Error(`not an array: ${JSON.stringify(reply)}`);
  return reply.value.map((r) => {
    if (r.type !== 'bulk') throw new Error(`not a bulk string: ${JSON.stringify(r)}`);
    return r.value;
  });
}
const strings = (reply: RedisReply): (string | null)[] => items(reply).map((b) => (b === null ? null : b.toString('latin1')));

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Redis' numeric order: by value, equal values by the elements' bytes. */
const numericOrder = (a: string, b: string): number =>
  Number(a) - Number(b) || Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1'));

async function pushAll(key: string, values: readonly (string | Buffer)[]): Promise<void> {
  for (let i = 0; i < values.length; i += 1000) await run('RPUSH', key, ...values.slice(i, i + 1000));
}

describe('numeric SORT at size', () => {
  const next = random(7);
  // Many spellings of few values: equal scores are frequent and break on bytes.
  const spell = (): string => {
    const n = Math.floor(next() * 200) - 100;
    const forms = [`${n}`, `${n}.0`, `${n / 4}`, `${n}e0`, ` ${n}`, `${n / 8}e1`];
    return forms[Math.floor(next() * forms.length)]!;
  };
  const values = Array.from({ length: 3000 }, spell);

  it('orders 3000 list elements as Redis compares them, ASC and DESC', async () => {
    await pushAll('nums', values);
    const model = [...values].sort(numericOrder);
    expect(strings(await run('SORT', 'nums'))).toEqual(model);
    expect(strings(await run('SORT', 'nums', 'DESC'))).toEqual([...model].reverse());
    expect(strings(await run('SORT_RO', 'nums', 'LIMIT', '1000', '25'))).toEqual(model.slice(1000, 1025));
  });

  it('orders a set and a sorted set by their members, not by insertion or score', async () => {
    const distinct = [...new Set(values)];
    for (let i = 0; i < distinct.length; i += 1000) await run('SADD', 'numset', ...distinct.slice(i, i + 1000));
    const model = [...distinct].sort(numericOrder);
    expect(strings(await run('SORT', 'numset'))).toEqual(model);
    const zadd = distinct.flatMap((m, i) => [String(distinct.length - i), m]);
    for (let i = 0; i < zadd.length; i += 1000) await run('ZADD', 'numz', ...zadd.slice(i, i + 1000));
    expect(strings(await run('SORT', 'numz', 'DESC'))).toEqual([...model].reverse());
    // BY nosort keeps the score order, which here is the reverse of insertion.
    expect(strings(await run('SORT', 'numz', 'BY', 'nosort', 'LIMIT', '0', '3'))).toEqual(distinct.slice(-3).reverse());
  });
});

describe('ALPHA at size', () => {
  const next = random(11);
  const bytes = (): Buffer => Buffer.from(Array.from({ length: 1 + Math.floor(next() * 6) }, () => 1 + Math.floor(next() * 255)));
  const values = Array.from({ length: 2000 }, bytes);

  it('compares bytes (no NUL: C.UTF-8 strcoll is byte order), ties keep list order', async () => {
    await pushAll('bin', values);
    const model = values.map((v, i) => ({ v, i })).sort((a, b) => Buffer.compare(a.v, b.v) || a.i - b.i);
    expect(items(await run('SORT', 'bin', 'ALPHA'))).toEqual(model.map((m) => m.v));
    expect(await run('SORT', 'bin', 'ALPHA', 'DESC', 'STORE', 'bin:desc')).toEqual({ type: 'integer', value: 2000n });
    expect(items(await run('LRANGE', 'bin:desc', '0', '-1'))).toEqual(model.map((m) => m.v).reverse());
  });
});

describe('BY and GET at size', () => {
  it('weights from hash fields, GETs from strings and fields, missing ones nil', async () => {
    const n = 500;
    const ids = Array.from({ length: n }, (_, i) => `${i}`);
    await pushAll('ids', ids);
    // Weight (i * 7919) % 503: distinct for i < 503; every fifth id has no hash.
    for (const id of ids) {
      const i = Number(id);
      if (i % 5 !== 0) await run('HSET', `obj:${id}`, 'w', `${(i * 7919) % 503}`, 'name', `n${id}`);
      if (i % 3 === 0) await run('SET', `label:${id}`, `L${id}`);
    }
    const weight = (id: string): number => (Number(id) % 5 === 0 ? 0 : (Number(id) * 7919) % 503);
    const model = [...ids].sort((a, b) => weight(a) - weight(b) || Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const got = strings(await run('SORT', 'ids', 'BY', 'obj:*->w', 'GET', '#', 'GET', 'obj:*->name', 'GET', 'label:*'));
    const expected = model.flatMap((id) => [
      id,
      Number(id) % 5 === 0 ? null : `n${id}`,
      Number(id) % 3 === 0 ? `L${id}` : null,
    ]);
    expect(got).toEqual(expected);
    // STORE keeps the shape but stores "" where GET found nothing.
    expect(await run('SORT', 'ids', 'BY', 'obj:*->w', 'GET', 'label:*', 'STORE', 'labels')).toEqual({
      type: 'integer',
      value: BigInt(n),
    });
    expect(strings(await run('LRANGE', 'labels', '0', '-1'))).toEqual(
      model.map((id) => (Number(id) % 3 === 0 ? `L${id}` : '')),
    );
  });
});

describe('STORE', () => {
  it('replaces a hash destination: no stale rows, a dense list the list commands extend', async () => {
    await run('HSET', 'dest', 'a', '1', 'b', '2');
    await run('RPUSH', 'src', '3', '1', '2');
    expect(await run('SORT', 'src', 'STORE', 'dest')).toEqual({ type: 'integer', value: 3n });
    const stale = await db.query(`SELECT count(*)::int AS n FROM redis.hashes WHERE key = 'dest'`);
    expect(stale).toEqual([{ n: 0 }]);
    await run('LPUSH', 'dest', '0');
    await run('RPUSH', 'dest', '4');
    expect(strings(await run('LRANGE', 'dest', '0', '-1'))).toEqual(['0', '1', '2', '3', '4']);
    expect(await run('LINDEX', 'dest', '2')).toEqual({ type: 'bulk', value: Buffer.from('2') });
    expect(await run('LLEN', 'dest')).toEqual({ type: 'integer', value: 5n });
  });

  it('leaves the destination alone when the sort fails', async () => {
    await run('RPUSH', 'words', 'x', 'y');
    await run('SET', 'kept', 'v');
    expect(await run('SORT', 'words', 'STORE', 'kept')).toEqual({
      type: 'error',
      message: "ERR One or more scores can't be converted into double",
    });
    expect(await run('GET', 'kept')).toEqual({ type: 'bulk', value: Buffer.from('v') });
  });
});

describe('SQL text', () => {
  it('depends on the shape only; patterns, limits and keys are parameters', () => {
    const a = translate('SORT k1 BY w_* LIMIT 0 10 GET # GET h_*->f ALPHA STORE d1');
    const b = translate('SORT other BY "x\\x00*" LIMIT 5 -1 GET a GET b ALPHA STORE d2');
    expect(a.sql).toBe(b.sql);
    expect(a.params).toEqual(['d1', 'k1', Buffer.from('w_*'), '0', '10', [Buffer.from('#'), Buffer.from('h_*->f')]]);
    const c = translate('SORT k1');
    const d = translate('SORT_RO k2 BY w_* GET #');
    expect(c.sql).toBe(d.sql);
    expect(c.params).toEqual(['k1', null, '0', '-1', []]);
    for (const t of [a, c]) expect(t.sql).not.toMatch(/k1|w_|h_/);
  });

  it('passes a BY without "*" even when a later BY has one (Redis never sorts then)', () => {
    expect(translate('SORT k BY nosort BY w_*').params[1]).toEqual(Buffer.from('nosort'));
    expect(translate('SORT k BY w_* BY v_*').params[1]).toEqual(Buffer.from('v_*'));
  });
});
