import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSchema, postgresDatabase, type Database } from '../../src/db/index.js';
import { runCommand } from '../../src/exec.js';
import { scriptSha } from '../../src/translators/lua/compile.js';
import { argvOf, CASES } from '../lua/cases.js';
import type { RecordedLuaCase } from '../lua/record-lua.js';
import { cliLine } from '../support/fuzz.js';
import { compareReplies, defaultRule, replyFromJson } from '../support/oracle.js';
import { RespClient } from '../support/resp.js';

/**
 * The Lua cases of test/lua/cases.ts (the library, the corpus of
 * fixtures/lua, the language) live: each sequence with EVAL on the
 * redis-server and as the compiled PL/pgSQL function on the PostgreSQL server
 * (node-postgres), reply by reply; the redis-server's replies must also still
 * be the recorded ones that `npm test` replays on PGlite.
 */

const RECORDED = JSON.parse(
  readFileSync(new URL('../lua/lua.recorded.json', import.meta.url), 'utf8'),
) as readonly RecordedLuaCase[];
// A schema of its own, so that other live files' data never meets ours.
const SCHEMA = 'lua_live';

let redis: RespClient;
let db: Database;

beforeAll(async () => {
  redis = await RespClient.connect(Number(process.env.REDIS_PORT));
  db = postgresDatabase(process.env.DATABASE_URL ?? '');
  await db.exec(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await ensureSchema(db, { schema: SCHEMA });
}, 120_000);
afterAll(async () => {
  await redis?.close();
  await db?.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
  await db?.close();
});

describe('Lua scripts on redis-server and PostgreSQL', () => {
  it.each(Object.keys(CASES))('%s', async (name) => {
    const lines = CASES[name] ?? [];
    const recorded = RECORDED.find((c) => c.name === name);
    expect(recorded, `no recorded replies for ${name}: rerun record-lua.ts`).toBeDefined();
    for (const flush of [['FLUSHALL'], ['SCRIPT', 'FLUSH']]) {
      await redis.call(...flush);
      await runCommand(db, flush, { schema: SCHEMA });
    }
    const stale: string[] = [];
    const diffs: string[] = [];
    for (const [i, line] of lines.entries()) {
      const argv = argvOf(line, scriptSha);
      const live = await redis.send(argv);
      const got = await runCommand(db, argv, { schema: SCHEMA });
      const where = `${i}: ${cliLine(argv).slice(0, 120)}`;
      // The oracle's rules: a TTL may differ by a second between two servers running one after the other.
      const rule = defaultRule(argv);
      const drift = compareReplies(replyFromJson(recorded?.replies[i] ?? null), live, rule);
      if (drift !== undefined) stale.push(`${where}\n    recorded vs redis-server: ${drift}`);
      const diff = compareReplies(live, got, rule);
      if (diff !== undefined) diffs.push(`${where}\n    redis-server vs PostgreSQL: ${diff}`);
    }
    expect(stale.join('\n'), 'the recording is stale: rerun test/lua/record-lua.ts').toBe('');
    expect(diffs.join('\n'), `${diffs.length} of ${lines.length} replies differ`).toBe('');
  }, 120_000);
});
