import { rmSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSchema, postgresDatabase, type Database } from '../../src/db/index.js';
import { translate } from '../../src/translate.js';
import { APPS, convertApp, runConverted, runWithRedis, scratchApp } from '../support/codemod-apps.js';

/**
 * The behavioural sample apps, both sides live: each app runs with its real
 * client (ioredis 5, node-redis 4, node-redis 5) against redis-server, and
 * its converted output runs on a pg.Pool against PostgreSQL 15 (transactions
 * on pooled connections, as an application would); the values must be equal.
 * A database of its own keeps FLUSHALL away from other live tests.
 */
const DATABASE = 'redis2sql_codemod_apps';
let admin: pg.Client;
let db: Database;
let pool: pg.Pool;

beforeAll(async () => {
  const url = process.env.DATABASE_URL;
  if (url === undefined || url === '' || !(Number(process.env.REDIS_PORT) > 0)) throw new Error('DATABASE_URL / REDIS_PORT not set: run through the live project');
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE}`);
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  const own = new URL(url);
  own.pathname = `/${DATABASE}`;
  db = postgresDatabase(own.toString());
  await ensureSchema(db);
  pool = new pg.Pool({ connectionString: own.toString(), max: 4 });
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await db?.close();
  await admin?.query(`DROP DATABASE IF EXISTS ${DATABASE}`);
  await admin?.end();
});

for (const app of APPS) {
  describe(`codemod sample app on redis-server and PostgreSQL: ${app.name}`, () => {
    it('the converted app returns what the app returned with its real client', async () => {
      const expected = await runWithRedis(app, Number(process.env.REDIS_PORT));
      const dir = scratchApp(app);
      try {
        // The functions the converted scripts call, as --schema-out writes them.
        const result = await convertApp(dir, app);
        expect(result.findings).toEqual([]);
        for (const ddl of result.functions.values()) await db.exec(ddl);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const flush = translate('FLUSHALL');
      await db.query(flush.sql, flush.params);
      expect(await runConverted(app, pool)).toEqual(expected);
    }, 180_000);
  });
}
