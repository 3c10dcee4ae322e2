import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedDatabase, ensureSchema, type Database } from '../../src/db/index.js';
import { runCommand } from '../../src/exec.js';
import { scriptSha } from '../../src/translators/lua/compile.js';
import { replyFromJson, showReply } from '../support/oracle.js';
import { argvOf, CASES } from './cases.js';
import type { RecordedLuaCase } from './record-lua.js';

/*
 * Lua scripts compiled to PL/pgSQL functions, run with EVAL on PGlite, against
 * the replies redis-server 7.0.15 gave to the same sequences (record-lua.ts).
 */

const RECORDED = JSON.parse(
  readFileSync(new URL('./lua.recorded.json', import.meta.url), 'utf8'),
) as readonly RecordedLuaCase[];

let db: Database;

beforeAll(async () => {
  db = await embeddedDatabase();
  await ensureSchema(db);
}, 120_000);
afterAll(async () => {
  await db?.close();
});

describe('Lua scripts against recorded Redis replies', () => {
  for (const [name, lines] of Object.entries(CASES)) {
    it(name, async () => {
      const recorded = RECORDED.find((c) => c.name === name);
      expect(recorded, `no recorded replies for ${name}: rerun record-lua.ts`).toBeDefined();
      await runCommand(db, ['FLUSHALL']);
      await runCommand(db, ['SCRIPT', 'FLUSH']);
      // A frozen clock: TTLs read back as Redis gives them however slow PGlite runs here.
      await db.query(`SELECT set_config('redis2sql.now_ms', (extract(epoch FROM clock_timestamp()) * 1000)::bigint::text, false)`);
      const got: string[] = [];
      const want: string[] = [];
      for (const [i, line] of lines.entries()) {
        const reply = await runCommand(db, argvOf(line, scriptSha));
        got.push(`${i}: ${showReply(reply)}`);
        want.push(`${i}: ${showReply(replyFromJson(recorded?.replies[i] ?? null))}`);
      }
      expect(got).toEqual(want);
    }, 120_000);
  }
});
