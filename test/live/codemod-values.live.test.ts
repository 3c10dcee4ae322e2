import { rmSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codemod } from '../../src/codemod/index.js';
import { ensureSchema, postgresDatabase, type Database } from '../../src/db/index.js';
import { translate } from '../../src/translate.js';
import { withRealClient } from '../support/codemod-clients.js';
import { encodeValue, FLAVOURS, fromDirectory, importConverted, importInput, scratchProject, valueFixtures } from '../support/codemod-values.js';

/**
 * The proof of the codemod's values, per client flavour: the value fixture's
 * calls run through the real client (ioredis 4, 5 and 6, node-redis 4 and 5)
 * against redis-server, and the same file converted by the codemod right now
 * runs against PostgreSQL 15, given a pg Pool as converted code is (its
 * statements prepared, src/codemod/database-runtime.ts); every value must be
 * deep-equal, prototypes included. A database of its own keeps FLUSHALL away
 * from other live tests.
 */
const DATABASE = 'redis2sql_codemod_values';
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

for (const flavour of FLAVOURS) {
  describe(`codemod values on redis-server and PostgreSQL: ${flavour}`, () => {
    for (const fixture of valueFixtures(flavour)) {
      it(`${fixture.input}: the converted calls return what the real client returns`, async () => {
        const { run: original } = await importInput(flavour, fixture.input);
        const expected = await withRealClient(flavour, Number(process.env.REDIS_PORT), original);

        const dir = scratchProject(flavour, [fixture.input]);
        try {
          const result = await codemod([fixture.input], { cwd: dir, write: true });
          expect(result.findings).toEqual([]);
          const { run: converted } = await importConverted(dir, fixture.input);
          const flush = translate('FLUSHALL');
          await db.query(flush.sql, flush.params);
          for (const ddl of result.functions.values()) await db.exec(ddl);
          const actual = await fromDirectory(dir, () => converted(pool));
          expect(actual.length).toBe(expected.length);
          const different = actual.flatMap((v, i) => (isDeepStrictEqual(v, expected[i]) ? [] : [{ i, postgres: encodeValue(v), redis: encodeValue(expected[i]) }]));
          expect(different).toEqual([]);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }, 240_000);
    }
  });
}
