import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSchema, postgresDatabase, type Database } from '../../src/db/index.js';
import type { RedisReply } from '../../src/emit/reply.js';
import { tokenize } from '../../src/grammar/tokenize.js';
import { Session } from '../../src/session.js';
import { showReply } from '../support/oracle.js';
import { RespClient } from '../support/resp.js';

/**
 * WATCH / MULTI / EXEC with two connections on a real PostgreSQL 15 and a
 * real redis-server doing the same interleaving, reply by reply; then the
 * optimistic-locking loop WATCH exists for, with 6 clients at once.
 */

const SCHEMA = 'redis_transactions_live';
let dbs: Database[] = [];
let redis: RespClient[] = [];

beforeAll(async () => {
  const url = process.env.DATABASE_URL;
  const port = Number(process.env.REDIS_PORT);
  if (url === undefined || url === '' || !port) throw new Error('DATABASE_URL / REDIS_PORT not set: run through the live project');
  dbs = Array.from({ length: 6 }, () => postgresDatabase(url));
  await dbs[0]!.exec(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await ensureSchema(dbs[0]!, { schema: SCHEMA });
  redis = await Promise.all(Array.from({ length: 6 }, () => RespClient.connect(port)));
});

afterAll(async () => {
  await dbs[0]?.exec(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await Promise.all(dbs.map((d) => d.close()));
  await Promise.all(redis.map((r) => r.close()));
});

const INTERLEAVINGS: Record<string, readonly string[]> = {
  'another client writes a watched key: EXEC is nil': ['B:SET k 1', 'A:WATCH k', 'B:SET k 2', 'A:MULTI', 'A:SET k 3', 'A:INCR n', 'A:EXEC', 'B:GET k', 'B:GET n'],
  'another client only reads: EXEC runs': ['B:SET k 1', 'A:WATCH k', 'B:GET k', 'B:EXISTS k', 'A:MULTI', 'A:INCR k', 'A:EXEC', 'B:GET k'],
  'another client creates an absent watched key': ['A:WATCH fresh', 'B:SET fresh x', 'A:MULTI', 'A:SET fresh y', 'A:EXEC', 'B:GET fresh'],
  'another client deletes, expires or touches a value': [
    'B:SET k 1', 'B:RPUSH l a', 'B:SET e 1',
    'A:WATCH k', 'B:DEL k', 'A:MULTI', 'A:SET k 2', 'A:EXEC',
    'A:WATCH l', 'B:RPUSH l b', 'A:MULTI', 'A:LLEN l', 'A:EXEC',
    'A:WATCH e', 'B:EXPIRE e 100', 'A:MULTI', 'A:GET e', 'A:EXEC',
    'A:WATCH e', 'B:PEXPIREAT e 1000', 'A:MULTI', 'A:SET e 2', 'A:EXEC', 'B:EXISTS e',
  ],
  'a write to another key does not abort': ['A:WATCH k', 'B:SET other 1', 'A:MULTI', 'A:SET k mine', 'A:EXEC', 'B:GET k'],
  'both clients in MULTI at once': ['A:MULTI', 'B:MULTI', 'A:INCR c', 'B:INCR c', 'B:EXEC', 'A:EXEC', 'A:GET c'],
};

describe('two connections, the same interleaving on Redis and PostgreSQL', () => {
  it.each(Object.entries(INTERLEAVINGS))('%s', async (_name, steps) => {
    const sessions = { A: new Session(dbs[0]!, { schema: SCHEMA }), B: new Session(dbs[1]!, { schema: SCHEMA }) };
    const clients = { A: redis[0]!, B: redis[1]! };
    await clients.A.call('FLUSHALL');
    await sessions.A.run('FLUSHALL');
    const diffs: string[] = [];
    for (const step of steps) {
      const who = step[0] as 'A' | 'B';
      const argv = tokenize(step.slice(2));
      const want: RedisReply = await clients[who].send(argv);
      const got = await sessions[who].run(argv);
      if (showReply(got) !== showReply(want)) diffs.push(`${step}: Redis ${showReply(want)}, PostgreSQL ${showReply(got)}`);
    }
    expect(diffs).toEqual([]);
  });
});

describe('check-and-set with WATCH under 6 concurrent clients', () => {
  it('every committed increment counts once; aborted ones retry (PostgreSQL and Redis alike)', async () => {
    const ROUNDS = 15;
    async function run(call: (i: number, line: string) => Promise<RedisReply>): Promise<{ final: string; aborts: number }> {
      let aborts = 0;
      await call(0, 'SET counter 0');
      await Promise.all(
        dbs.map(async (_db, i) => {
          for (let done = 0; done < ROUNDS; ) {
            await call(i, 'WATCH counter');
            const now = await call(i, 'GET counter');
            const value = now.type === 'bulk' && now.value !== null ? Number(now.value.toString()) : NaN;
            await call(i, 'MULTI');
            await call(i, `SET counter ${value + 1}`);
            const exec = await call(i, 'EXEC');
            if (exec.type === 'array' && exec.value === null) aborts++;
            else {
              expect(exec).toEqual({ type: 'array', value: [{ type: 'status', value: 'OK' }] });
              done++;
            }
          }
        }),
      );
      const final = await call(0, 'GET counter');
      return { final: final.type === 'bulk' ? String(final.value) : showReply(final), aborts };
    }
    const sessions = dbs.map((db) => new Session(db, { schema: SCHEMA }));
    const pg = await run((i, line) => sessions[i]!.run(line));
    const rd = await run((i, line) => redis[i]!.send(tokenize(line)));
    expect(pg.final).toBe(String(dbs.length * ROUNDS));
    expect(rd.final).toBe(String(dbs.length * ROUNDS));
    // Both saw contention (the clients really interleaved), or the test proves nothing.
    expect(pg.aborts).toBeGreaterThan(0);
  });
});
