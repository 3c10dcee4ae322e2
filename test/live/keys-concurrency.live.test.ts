import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSchema, postgresDatabase, type Database } from '../../src/db/index.js';
import { runCommand } from '../../src/exec.js';

/**
 * Multi-key writes under concurrent clients on a real PostgreSQL 15 (the
 * server of test/live/global-setup.ts): RENAME, COPY, DEL and FLUSHALL lock
 * their keys in one order (and claim an absent destination in that order), so
 * clients working on the same keys in opposite orders wait for each other but
 * never deadlock, and no interleaving leaves a key without its value or a
 * value without its key.
 */

const CLIENTS = 8;
const SCHEMA = 'redis_keys_concurrency';
const opts = { schema: SCHEMA };

let clients: Database[] = [];

beforeAll(async () => {
  const url = process.env.DATABASE_URL;
  if (url === undefined || url === '') throw new Error('DATABASE_URL is not set: run through the live project');
  clients = Array.from({ length: CLIENTS }, () => postgresDatabase(url));
  const first = clients[0] as Database;
  await first.exec(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await ensureSchema(first, opts);
});

afterAll(async () => {
  await clients[0]?.exec(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await Promise.all(clients.map((c) => c.close()));
});

/** Each client runs its own rotation of the lines, all clients at once; replies counted by text. */
async function hammer(lines: readonly string[], rounds: number): Promise<Map<string, number>> {
  const replies = new Map<string, number>();
  await Promise.all(
    clients.map(async (db, i) => {
      for (let n = 0; n < rounds; n++) {
        const line = lines[(n * 7 + i * 3) % lines.length] as string;
        const reply = await runCommand(db, line, opts);
        const text = reply.type === 'error' ? reply.message : reply.type;
        replies.set(text, (replies.get(text) ?? 0) + 1);
      }
    }),
  );
  return replies;
}

async function invariants(db: Database): Promise<unknown> {
  const [row] = await db.query(`SELECT
    (SELECT count(*) FROM ${SCHEMA}.strings v WHERE NOT EXISTS
      (SELECT FROM ${SCHEMA}.keys k WHERE k.key = v.key AND k.type = 'string')) AS orphan_strings,
    (SELECT count(*) FROM ${SCHEMA}.lists v WHERE NOT EXISTS
      (SELECT FROM ${SCHEMA}.keys k WHERE k.key = v.key AND k.type = 'list')) AS orphan_list_elements,
    (SELECT count(*) FROM ${SCHEMA}.keys k WHERE k.type = 'string' AND NOT EXISTS
      (SELECT FROM ${SCHEMA}.strings v WHERE v.key = k.key)) AS strings_without_value,
    (SELECT count(*) FROM ${SCHEMA}.keys k WHERE k.type = 'list'
      AND k.size <> (SELECT count(*) FROM ${SCHEMA}.lists v WHERE v.key = k.key)) AS lists_with_wrong_size,
    (SELECT count(*) FROM ${SCHEMA}.keys k WHERE k.version = 0) AS placeholders`);
  return row;
}

const CLEAN = {
  orphan_strings: 0n,
  orphan_list_elements: 0n,
  strings_without_value: 0n,
  lists_with_wrong_size: 0n,
  placeholders: 0n,
};

describe('multi-key writes on PostgreSQL under concurrent clients', () => {
  it('RENAME, COPY, DEL, UNLINK and FLUSHALL in opposite key orders: no deadlock, nothing orphaned', async () => {
    const db = clients[0] as Database;
    await runCommand(db, 'SET a 1', opts);
    await runCommand(db, 'RPUSH b x y', opts);
    const replies = await hammer(
      [
        'RENAME a b', 'RENAME b a', 'COPY a b REPLACE', 'COPY b a REPLACE', 'DEL a b', 'SET a 1', 'RPUSH b z',
        'RENAMENX a c', 'RENAME c a', 'EXPIRE a 100', 'PERSIST b', 'DEL c b a', 'COPY c a', 'RENAME c b', 'SET c 2',
        'FLUSHALL', 'COPY b c', 'RENAMENX b a', 'UNLINK b c', 'RPUSH a q',
      ],
      150,
    );
    const unexpected = [...replies.keys()].filter(
      (text) =>
        !['integer', 'status', 'ERR no such key', 'WRONGTYPE Operation against a key holding the wrong kind of value'].includes(
          text,
        ),
    );
    expect(unexpected).toEqual([]);
    expect(await invariants(db)).toEqual(CLEAN);
  });

  it('a value renamed back and forth by every client is never lost or duplicated', async () => {
    const db = clients[0] as Database;
    await runCommand(db, 'FLUSHALL', opts);
    await runCommand(db, 'RPUSH ping 1 2 3', opts);
    const replies = await hammer(['RENAME ping pong', 'RENAME pong ping', 'RENAMENX ping pong', 'RENAMENX pong ping'], 100);
    expect([...replies.keys()].filter((t) => !['status', 'integer', 'ERR no such key'].includes(t))).toEqual([]);
    expect(await runCommand(db, 'EXISTS ping pong', opts)).toEqual({ type: 'integer', value: 1n });
    const [list] = await db.query(`SELECT array_agg(convert_from(value, 'UTF8') ORDER BY pos) AS v FROM ${SCHEMA}.lists`);
    expect(list).toEqual({ v: ['1', '2', '3'] });
    expect(await invariants(db)).toEqual(CLEAN);
  });
});
