import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSchema, postgresDatabase, type Database } from '../../src/db/index.js';
import type { RedisReply } from '../../src/emit/reply.js';
import { tokenize } from '../../src/grammar/tokenize.js';
import { Session } from '../../src/session.js';
import { replyFromJson, showReply } from '../support/oracle.js';
import type { RecordedStep } from '../translators/record-pubsub.js';

/**
 * Pub/sub on a real PostgreSQL 15: two sessions on two connections (a
 * LISTENing one each) replay the two-connection cases recorded from
 * redis-server (test/translators/pubsub.recorded.json); a subscriber whose
 * connection dies stops counting as a receiver.
 */

const SCHEMA = 'redis_pubsub_live';
const RECORDED = JSON.parse(
  readFileSync(new URL('../translators/pubsub.recorded.json', import.meta.url), 'utf8'),
) as Record<string, RecordedStep[]>;

let dbs: Database[] = [];
beforeAll(async () => {
  const url = process.env.DATABASE_URL;
  if (url === undefined || url === '') throw new Error('DATABASE_URL is not set: run through the live project');
  dbs = [postgresDatabase(url), postgresDatabase(url)];
  await dbs[0]!.exec(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await ensureSchema(dbs[0]!, { schema: SCHEMA });
});
afterAll(async () => {
  await dbs[0]?.exec(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await Promise.all(dbs.map((d) => d.close()));
});

/** Wait until NOTIFY had time to arrive on the other connection. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 100));
const sorted = (replies: readonly RedisReply[]): string[] => replies.map(showReply).sort();

describe('recorded two-connection cases on PostgreSQL 15', () => {
  it.each(Object.entries(RECORDED))('%s', async (_name, steps) => {
    const inbox: Record<'A' | 'B', RedisReply[]> = { A: [], B: [] };
    const sessions = {
      A: new Session(dbs[0]!, { schema: SCHEMA, onMessage: (m) => inbox.A.push(m) }),
      B: new Session(dbs[1]!, { schema: SCHEMA, onMessage: (m) => inbox.B.push(m) }),
    };
    await sessions.A.run('FLUSHALL');
    try {
      for (const step of steps) {
        const who = step.line[0] as 'A' | 'B';
        const replies = await sessions[who].execute(tokenize(step.line.slice(2)));
        await settle();
        for (const c of ['A', 'B'] as const) {
          const got = [...(c === who ? replies : []), ...inbox[c].splice(0)];
          const want = step[c].map(replyFromJson);
          if (c === who) expect(got.map(showReply), `${step.line} (${c})`).toEqual(want.map(showReply));
          else expect(sorted(got), `${step.line} (${c})`).toEqual(sorted(want));
        }
      }
    } finally {
      await sessions.A.close();
      await sessions.B.close();
    }
  });
});

describe('receivers are live connections', () => {
  it('a subscriber whose backend is terminated no longer counts', async () => {
    const sub = new Session(dbs[0]!, { schema: SCHEMA });
    const pub = new Session(dbs[1]!, { schema: SCHEMA });
    await sub.run('SUBSCRIBE gone');
    expect(await pub.run('PUBLISH gone x')).toEqual({ type: 'integer', value: 1n });
    expect(await pub.run('PUBSUB NUMSUB gone')).toMatchObject({ value: [{}, { value: 1n }] });
    const rows = await dbs[1]!.query(`SELECT pid FROM ${SCHEMA}.subscriptions WHERE name = 'gone'::bytea`);
    await dbs[1]!.query('SELECT pg_terminate_backend($1::int)', [rows[0]!['pid'] as number]);
    await settle();
    expect(await pub.run('PUBLISH gone x')).toEqual({ type: 'integer', value: 0n });
    expect(await pub.run('PUBSUB CHANNELS')).toEqual({ type: 'array', value: [] });
    // Its session closes without an error from the dead connection; the stale row is
    // the one a crash leaves behind, which nobody counts.
    await sub.close();
    expect(await dbs[1]!.query(`SELECT count(*) AS n FROM ${SCHEMA}.subscriptions WHERE name = 'gone'::bytea`)).toEqual([{ n: 1n }]);
    await dbs[1]!.query(`DELETE FROM ${SCHEMA}.subscriptions WHERE name = 'gone'::bytea`);
  });
});
