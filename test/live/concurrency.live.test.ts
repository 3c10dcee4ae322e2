import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { translate } from '../../src/translate.js';
import { schemaSql } from '../../src/emit/schema/index.js';
import type { ReplyShape } from '../../src/emit/reply.js';
import { RespClient } from '../support/resp.js';

/**
 * The storage model's promise (DESIGN §4): every read-modify-write is atomic
 * under concurrent clients at READ COMMITTED. Each check runs the same workload
 * on a real PostgreSQL 15 and a real redis-server — CLIENTS connections, each
 * sending its commands one after another, all connections at once — and
 * compares the end state with Redis' and with the arithmetic.
 *
 * Statements come straight from `translate()` and run on a plain `pg` client,
 * so what is checked is the compiled SQL itself, not a runtime around it.
 */

const CLIENTS = 8;
// The servers of test/live/global-setup.ts; our own schema keeps our tables apart.
const SCHEMA = 'redis_concurrency';

let pgClients: pg.Client[] = [];
let respClients: RespClient[] = [];

type Arg = string | Buffer;

/** The value a scalar (or array) reply column holds (`reply` unless the shape names another). */
function scalarColumn(shape: ReplyShape): string {
  if (shape.kind !== 'scalar' && shape.kind !== 'array-column') {
    throw new Error(`expected a scalar or array-column reply shape, got ${shape.kind}`);
  }
  return shape.column ?? 'reply';
}

/** Run one command through translate() on a pg client; the first row's reply value. */
async function sqlCall(client: pg.Client, argv: readonly Arg[]): Promise<unknown> {
  const compiled = translate(argv, { schema: SCHEMA });
  const result = await client.query({ text: compiled.sql, values: [...compiled.params] });
  if (compiled.reply.kind === 'constant') return compiled.reply.status;
  const row = result.rows[0] as Record<string, unknown> | undefined;
  return row === undefined ? null : (row[scalarColumn(compiled.reply)] ?? null);
}

async function sqlGet(client: pg.Client, key: string): Promise<Buffer | null> {
  const value = await sqlCall(client, ['GET', key]);
  if (value === null) return null;
  if (!Buffer.isBuffer(value)) throw new Error(`GET gave ${typeof value}, not bytea`);
  return value;
}

async function redisGet(client: RespClient, key: string): Promise<Buffer | null> {
  const reply = await client.send(['GET', key]);
  if (reply.type !== 'bulk') throw new Error(`GET gave ${reply.type}`);
  return reply.value;
}

/** Run `work(i)` for every client index at once; each client stays sequential inside. */
async function concurrently(work: (i: number) => Promise<void>): Promise<void> {
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => work(i)));
}

beforeAll(async () => {
  const url = process.env.DATABASE_URL;
  const redisPort = Number(process.env.REDIS_PORT);
  if (url === undefined || !(redisPort > 0)) throw new Error('DATABASE_URL and REDIS_PORT come from the live globalSetup');
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await setup.query(schemaSql({ schema: SCHEMA }));
  await setup.end();
  pgClients = await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      return client;
    }),
  );
  respClients = await Promise.all(Array.from({ length: CLIENTS }, () => RespClient.connect(redisPort)));
  const keys = [
    'conc:incr',
    'conc:float:0.5',
    'conc:float:0.1',
    'conc:append',
    'conc:bitfield',
    'conc:queue',
    'lock',
    'locked-counter',
  ];
  expect(await respClients[0]!.send(['DEL', ...keys])).toMatchObject({ type: 'integer' });
});

afterAll(async () => {
  await Promise.all(pgClients.map((c) => c.end()));
  await Promise.all(respClients.map((c) => c.close()));
});

/**
 * Every client sends `argv(i)` OPS times, on PostgreSQL and on Redis at the
 * same time (the two servers share nothing); PostgreSQL's replies, all clients.
 */
async function onBoth(ops: number, argv: (i: number) => readonly Arg[]): Promise<unknown[]> {
  const sqlReplies: unknown[] = [];
  await Promise.all([
    concurrently(async (i) => {
      for (let n = 0; n < ops; n++) sqlReplies.push(await sqlCall(pgClients[i]!, argv(i)));
    }),
    concurrently(async (i) => {
      for (let n = 0; n < ops; n++) {
        const reply = await respClients[i]!.send(argv(i));
        if (reply.type === 'error') throw new Error(`redis-server: ${reply.message}`);
      }
    }),
  ]);
  return sqlReplies;
}

/** Integer replies, sorted: atomic increments hand out each of 1…n exactly once. */
function sortedIntegers(replies: readonly unknown[]): bigint[] {
  return replies.map((r) => BigInt(String(r))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const oneToN = (n: number): bigint[] => Array.from({ length: n }, (_, i) => BigInt(i + 1));

describe('concurrent read-modify-writes end where Redis ends', () => {
  it('INCR: 8 clients × 5 000 on one key end at exactly 40 000', async () => {
    const OPS = 5_000;
    const key = 'conc:incr';
    const replies = await onBoth(OPS, () => ['INCR', key]);
    expect((await sqlGet(pgClients[0]!, key))?.toString()).toBe(String(CLIENTS * OPS));
    expect((await redisGet(respClients[0]!, key))?.toString()).toBe(String(CLIENTS * OPS));
    expect(sortedIntegers(replies)).toEqual(oneToN(CLIENTS * OPS));
  });

  it('INCRBYFLOAT: 8 clients × 5 000 of 0.5 and of 0.1 end at Redis’ exact text', async () => {
    const OPS = 5_000;
    for (const step of ['0.5', '0.1']) {
      const key = `conc:float:${step}`;
      await onBoth(OPS, () => ['INCRBYFLOAT', key, step]);
      const expected = await redisGet(respClients[0]!, key);
      expect(expected).not.toBeNull();
      expect((await sqlGet(pgClients[0]!, key))?.toString()).toBe(expected!.toString());
    }
  });

  it('APPEND: 8 clients × 5 000 one-byte markers, every marker kept', async () => {
    const OPS = 5_000;
    const key = 'conc:append';
    const marker = (i: number): Buffer => Buffer.from([0x41 + i]);
    const replies = await onBoth(OPS, (i) => ['APPEND', key, marker(i)]);
    // Each APPEND replies with the length it made: atomic appends make each length once.
    expect(sortedIntegers(replies)).toEqual(oneToN(CLIENTS * OPS));
    const strlen = await sqlCall(pgClients[0]!, ['STRLEN', key]);
    const redisStrlen = await respClients[0]!.send(['STRLEN', key]);
    expect(redisStrlen).toEqual({ type: 'integer', value: BigInt(CLIENTS * OPS) });
    expect(BigInt(String(strlen))).toBe(BigInt(CLIENTS * OPS));
    for (const [name, value] of [
      ['postgres', await sqlGet(pgClients[0]!, key)],
      ['redis', await redisGet(respClients[0]!, key)],
    ] as const) {
      const counts = new Map<number, number>();
      for (const byte of value!) counts.set(byte, (counts.get(byte) ?? 0) + 1);
      expect([name, Object.fromEntries(counts)]).toEqual([
        name,
        Object.fromEntries(Array.from({ length: CLIENTS }, (_, i) => [0x41 + i, OPS])),
      ]);
    }
  });

  it('BITFIELD: 8 clients × 2 000 INCRBYs of their own field and of a shared one, nothing lost', async () => {
    const OPS = 2_000;
    const key = 'conc:bitfield';
    // Client i's u16 field is the i-th; the shared u32 counter comes after all of them,
    // so the first writes race to create and grow the string too.
    const fields = (i: number): string[] => ['INCRBY', 'u16', `#${i}`, '1', 'INCRBY', 'u32', '#4', '1'];
    const replies = await onBoth(OPS, (i) => ['BITFIELD', key, ...fields(i)]);
    expect(sortedIntegers(replies.map((r) => (r as unknown[])[1]))).toEqual(oneToN(CLIENTS * OPS));
    const value = await sqlGet(pgClients[0]!, key);
    expect(value).toEqual(await redisGet(respClients[0]!, key));
    for (let i = 0; i < CLIENTS; i++) expect(value!.readUInt16BE(2 * i)).toBe(OPS);
    expect(value!.readUInt32BE(16)).toBe(CLIENTS * OPS);
  });
});

/**
 * The classic single-instance lock: SET lock token NX PX, then GET/SET a
 * counter without atomicity, then GET the lock and DEL it if it still holds our
 * token. Mutual exclusion must hold on the SQL side as it does on Redis.
 */
describe('SET NX PX as a lock', () => {
  interface Ops {
    acquire(token: string): Promise<boolean>;
    get(key: string): Promise<Buffer | null>;
    set(key: string, value: string): Promise<void>;
    del(key: string): Promise<void>;
  }

  const sqlOps = (client: pg.Client): Ops => ({
    acquire: async (token) => (await sqlCall(client, ['SET', 'lock', token, 'NX', 'PX', '30000'])) !== null,
    get: (key) => sqlGet(client, key),
    set: async (key, value) => {
      expect(await sqlCall(client, ['SET', key, value])).toBe('OK');
    },
    del: async (key) => {
      await sqlCall(client, ['DEL', key]);
    },
  });

  const redisOps = (client: RespClient): Ops => ({
    acquire: async (token) => {
      const reply = await client.send(['SET', 'lock', token, 'NX', 'PX', '30000']);
      return reply.type === 'status';
    },
    get: (key) => redisGet(client, key),
    set: async (key, value) => {
      expect(await client.send(['SET', key, value])).toEqual({ type: 'status', value: 'OK' });
    },
    del: async (key) => {
      await client.send(['DEL', key]);
    },
  });

  async function lockRun(ops: (i: number) => Ops, iterations: number): Promise<{ counter: string; overlaps: number }> {
    let holders = 0;
    let overlaps = 0;
    await ops(0).del('lock');
    await ops(0).set('locked-counter', '0');
    await concurrently(async (i) => {
      const o = ops(i);
      for (let n = 0; n < iterations; n++) {
        const token = `client-${i}-${n}`;
        while (!(await o.acquire(token))) {
          // Back off as lock clients do, so the holder's round trips get through.
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        holders++;
        if (holders !== 1) overlaps++;
        const before = await o.get('locked-counter');
        // The lock is ours for the whole critical section: nobody replaced it.
        if ((await o.get('lock'))?.toString() !== token) overlaps++;
        await o.set('locked-counter', String(Number(before!.toString()) + 1));
        if (holders !== 1) overlaps++;
        holders--;
        if ((await o.get('lock'))?.toString() === token) await o.del('lock');
      }
    });
    return { counter: (await ops(0).get('locked-counter'))!.toString(), overlaps };
  }

  it(`8 workers keep mutual exclusion: the unlocked counter ends exact`, async () => {
    const ITERATIONS = 150;
    const [onSql, onRedis] = await Promise.all([
      lockRun((i) => sqlOps(pgClients[i]!), ITERATIONS),
      lockRun((i) => redisOps(respClients[i]!), ITERATIONS),
    ]);
    expect(onRedis).toEqual({ counter: String(CLIENTS * ITERATIONS), overlaps: 0 });
    expect(onSql).toEqual({ counter: String(CLIENTS * ITERATIONS), overlaps: 0 });
  });

  it('without the lock, the same GET/SET workload does lose updates (the check above can fail)', async () => {
    const ITERATIONS = 150;
    const ops = (i: number): Ops => sqlOps(pgClients[i]!);
    await ops(0).set('locked-counter', '0');
    await concurrently(async (i) => {
      const o = ops(i);
      for (let n = 0; n < ITERATIONS; n++) {
        const before = await o.get('locked-counter');
        await o.set('locked-counter', String(Number(before!.toString()) + 1));
      }
    });
    const counter = Number((await ops(0).get('locked-counter'))!.toString());
    expect(counter).toBeGreaterThan(0);
    expect(counter).toBeLessThan(CLIENTS * ITERATIONS);
  });
});

/**
 * A work queue (DESIGN §4): producers RPUSH while consumers LPOP, all at once.
 * Nothing may be lost or handed out twice, each consumer sees every
 * producer's items in the order they were pushed, and the drained list is gone.
 */
describe('RPUSH/LPOP work queue', () => {
  const PRODUCERS = CLIENTS / 2;
  const ITEMS = 2_500;
  const key = 'conc:queue';

  interface QueueOps {
    push(item: string): Promise<void>;
    pop(): Promise<Buffer | null>;
    exists(): Promise<bigint>;
  }

  const sqlQueue = (client: pg.Client): QueueOps => ({
    push: async (item) => {
      await sqlCall(client, ['RPUSH', key, item]);
    },
    pop: async () => {
      const value = await sqlCall(client, ['LPOP', key]);
      if (value !== null && !Buffer.isBuffer(value)) throw new Error(`LPOP gave ${typeof value}`);
      return value;
    },
    exists: async () => BigInt(String(await sqlCall(client, ['EXISTS', key]))),
  });

  const redisQueue = (client: RespClient): QueueOps => ({
    push: async (item) => {
      const reply = await client.send(['RPUSH', key, item]);
      if (reply.type !== 'integer') throw new Error(`RPUSH gave ${JSON.stringify(reply)}`);
    },
    pop: async () => {
      const reply = await client.send(['LPOP', key]);
      if (reply.type !== 'bulk') throw new Error(`LPOP gave ${JSON.stringify(reply)}`);
      return reply.value;
    },
    exists: async () => {
      const reply = await client.send(['EXISTS', key]);
      if (reply.type !== 'integer') throw new Error(`EXISTS gave ${JSON.stringify(reply)}`);
      return reply.value;
    },
  });

  /** Each consumer's items, in the order it popped them. */
  async function drain(ops: (i: number) => QueueOps): Promise<string[][]> {
    let producing = PRODUCERS;
    const popped: string[][] = [];
    await concurrently(async (i) => {
      const o = ops(i);
      if (i < PRODUCERS) {
        for (let n = 0; n < ITEMS; n++) await o.push(`p${i}:${n}`);
        producing--;
        return;
      }
      const mine: string[] = [];
      popped.push(mine);
      for (;;) {
        const done = producing === 0;
        const item = await o.pop();
        if (item !== null) mine.push(item.toString());
        else if (done) return;
        else await new Promise((resolve) => setTimeout(resolve, 1));
      }
    });
    return popped;
  }

  function check(popped: readonly string[][]): void {
    const all = popped.flat();
    expect(all.length).toBe(PRODUCERS * ITEMS);
    expect(new Set(all).size).toBe(PRODUCERS * ITEMS);
    for (const mine of popped) {
      const last = new Map<string, number>();
      for (const item of mine) {
        const [producer, seq] = item.split(':') as [string, string];
        expect(Number(seq)).toBeGreaterThan(last.get(producer) ?? -1);
        last.set(producer, Number(seq));
      }
    }
  }

  it(`${CLIENTS / 2} producers × 2 500 items, ${CLIENTS / 2} consumers: nothing lost, nothing twice, FIFO`, async () => {
    const [onSql, onRedis] = await Promise.all([
      drain((i) => sqlQueue(pgClients[i]!)),
      drain((i) => redisQueue(respClients[i]!)),
    ]);
    check(onRedis);
    check(onSql);
    expect(await redisQueue(respClients[0]!).exists()).toBe(0n);
    expect(await sqlQueue(pgClients[0]!).exists()).toBe(0n);
  });
});
