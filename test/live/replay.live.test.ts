import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSchema, postgresDatabase, type Database } from '../../src/db/index.js';
import type { RedisReply } from '../../src/emit/reply.js';
import { Session } from '../../src/session.js';
import { cliLine } from '../support/fuzz.js';
import { bytesFromJson, compareReplies, replyFromJson, universeQuery, type Recording } from '../support/oracle.js';
import { RespClient } from '../support/resp.js';

/**
 * Every recorded sequence, replayed live: on the redis-server (its replies
 * must still be the recorded ones, so the recordings are current) and on the
 * PostgreSQL server through node-postgres (its replies must be the live
 * server's), reply by reply. Servers: test/live/global-setup.ts.
 */

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'oracle');
const recordings = readdirSync(DIR)
  .filter((f) => f.endsWith('.replies.json'))
  .sort();
// A schema of its own, so that other live files' data never meets ours.
const SCHEMA = 'oracle_replay';

let redis: RespClient;
let db: Database;

beforeAll(async () => {
  redis = await RespClient.connect(Number(process.env.REDIS_PORT));
  db = postgresDatabase(process.env.DATABASE_URL ?? '');
});
afterAll(async () => {
  await redis?.close();
  await db?.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
  await db?.close();
});

describe('replay the recordings on redis-server and PostgreSQL', () => {
  it('has recordings to replay', () => {
    expect(recordings.length).toBeGreaterThan(0);
  });

  it.each(recordings)('%s', async (file) => {
    const rec = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Recording;
    expect((await redis.call('FLUSHALL')).type).toBe('status');
    await db.exec(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await ensureSchema(db, { schema: SCHEMA });
    const stale: string[] = [];
    const diffs: string[] = [];
    // One connection's state (MULTI, WATCH) on both sides, as the recorder had.
    const session = new Session(db, { schema: SCHEMA });
    // Times in replies drift apart by up to the replay's duration so far (a loaded machine replays slowly).
    const started = Date.now();
    for (const command of rec.commands) {
      const argv = command.argv.map(bytesFromJson);
      const rule = command.rule ?? { kind: 'exact' as const };
      const query = rule.kind === 'random' ? universeQuery(argv) : undefined;
      const universe: RedisReply | undefined = query ? await redis.send(query) : undefined;
      const live = await redis.send(argv);
      const got = await session.run(argv);
      const where = `${rec.source}:${command.line}: ${cliLine(argv)}`;
      const recorded = command.universe === undefined ? undefined : replyFromJson(command.universe);
      const drift = compareReplies(replyFromJson(command.reply), live, rule, recorded, started);
      if (drift !== undefined) stale.push(`${where}\n    recording vs redis-server: ${drift}`);
      const diff = compareReplies(live, got, rule, universe, started);
      if (diff !== undefined) diffs.push(`${where}\n    redis-server vs PostgreSQL: ${diff}`);
    }
    expect(stale.join('\n'), 'the recording is stale: run `npm run record`').toBe('');
    expect(diffs.join('\n'), `${diffs.length} of ${rec.commands.length} replies differ`).toBe('');
  });
});
