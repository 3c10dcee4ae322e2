import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedDatabase, ensureSchema, type Database } from '../../src/db/index.js';
import type { RedisReply } from '../../src/emit/reply.js';
import { runCommand } from '../../src/exec.js';

/**
 * Order at size. The recorded oracle (fixtures/oracle/lists.redis) covers
 * every command and error against a real Redis; this file checks that the
 * dense positions keep Redis' order under many inserts and removals in the
 * middle of long lists, against a plain array doing the same operations.
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

function strings(reply: RedisReply): string[] {
  if (reply.type !== 'array' || reply.value === null) throw new Error(`not an array: ${JSON.stringify(reply)}`);
  return reply.value.map((r) => (r.type === 'bulk' && r.value !== null ? r.value.toString() : `<${r.type}>`));
}

async function pushAll(key: string, values: readonly string[]): Promise<void> {
  for (let i = 0; i < values.length; i += 5000) await run('RPUSH', key, ...values.slice(i, i + 5000));
}

describe('list order at size', () => {
  it('keeps order through 10 000 LINSERTs before one pivot', async () => {
    const model = ['h0', 'h1', 'pivot', 't0', 't1', 't2'];
    await pushAll('ins', model);
    for (let i = 0; i < 10_000; i++) {
      const reply = await run('LINSERT', 'ins', 'BEFORE', 'pivot', `x${i}`);
      model.splice(model.indexOf('pivot'), 0, `x${i}`);
      if (i % 2500 === 0) expect(reply).toEqual({ type: 'integer', value: BigInt(model.length) });
    }
    expect(strings(await run('LRANGE', 'ins', '0', '-1'))).toEqual(model);
    expect(await run('LINDEX', 'ins', '5000')).toEqual({ type: 'bulk', value: Buffer.from(model[5000]!) });
    expect(await run('LLEN', 'ins')).toEqual({ type: 'integer', value: BigInt(model.length) });
  }, 300_000);

  it('keeps order through LINSERTs on both sides of pivots all along the list', async () => {
    const model = Array.from({ length: 200 }, (_, i) => `e${i}`);
    await pushAll('both', model);
    for (let i = 0; i < 400; i++) {
      const pivot = model[(i * 37) % model.length]!;
      const after = i % 2 === 1;
      await run('LINSERT', 'both', after ? 'AFTER' : 'BEFORE', pivot, `n${i}`);
      model.splice(model.indexOf(pivot) + (after ? 1 : 0), 0, `n${i}`);
    }
    expect(strings(await run('LRANGE', 'both', '0', '-1'))).toEqual(model);
  });

  it('LREM, LSET and LTRIM in the middle of 100 000 elements', async () => {
    let model = Array.from({ length: 100_000 }, (_, i) => (i % 1000 === 500 ? 'mark' : `v${i}`));
    await pushAll('big', model);
    expect(await run('LLEN', 'big')).toEqual({ type: 'integer', value: 100_000n });

    // LREM from the head, then from the tail.
    expect(await run('LREM', 'big', '3', 'mark')).toEqual({ type: 'integer', value: 3n });
    for (let n = 0; n < 3; n++) model.splice(model.indexOf('mark'), 1);
    expect(await run('LREM', 'big', '-2', 'mark')).toEqual({ type: 'integer', value: 2n });
    for (let n = 0; n < 2; n++) model.splice(model.lastIndexOf('mark'), 1);
    expect(strings(await run('LRANGE', 'big', '49990', '50010'))).toEqual(model.slice(49990, 50011));

    expect(await run('LSET', 'big', '50000', 'middle')).toEqual({ type: 'status', value: 'OK' });
    model[50000] = 'middle';
    expect(await run('LSET', 'big', '-30000', 'late')).toEqual({ type: 'status', value: 'OK' });
    model[model.length - 30000] = 'late';
    expect(await run('LINDEX', 'big', '50000')).toEqual({ type: 'bulk', value: Buffer.from('middle') });

    expect(await run('LTRIM', 'big', '25000', '-25000')).toEqual({ type: 'status', value: 'OK' });
    model = model.slice(25000, model.length - 25000 + 1);
    expect(await run('LLEN', 'big')).toEqual({ type: 'integer', value: BigInt(model.length) });
    expect(strings(await run('LRANGE', 'big', '0', '-1'))).toEqual(model);

    expect(await run('LPUSH', 'big', 'a', 'b')).toEqual({ type: 'integer', value: BigInt(model.length + 2) });
    model.unshift('b', 'a');
    expect(strings(await run('LRANGE', 'big', '0', '3'))).toEqual(model.slice(0, 4));
    expect(await run('RPOP', 'big', '2')).toEqual({
      type: 'array',
      value: model.splice(-2).reverse().map((v) => ({ type: 'bulk', value: Buffer.from(v) })),
    });
    expect(strings(await run('LRANGE', 'big', '-3', '-1'))).toEqual(model.slice(-3));
  }, 300_000);

  it('round-trips binary elements byte for byte', async () => {
    const values = [Buffer.from([0, 255, 0]), Buffer.from('a\\b\\x00'), Buffer.from([0xc3, 0x28]), Buffer.alloc(0)];
    await run('RPUSH', 'bin', ...values);
    expect(await run('LRANGE', 'bin', '0', '-1')).toEqual({
      type: 'array',
      value: values.map((value) => ({ type: 'bulk', value })),
    });
    expect(await run('LPOS', 'bin', Buffer.from('a\\b\\x00'))).toEqual({ type: 'integer', value: 1n });
  });
});
