import { createHash } from 'node:crypto';
import { DEFAULT_SCHEMA, quoteSchema, schemaSql, type SchemaOptions } from '../emit/schema/index.js';
import type { Queryable } from './types.js';

// The schema's comment records which DDL created it, so that a data directory
// or database set up by an older redis2sql gets the newer functions.
const MARK = 'redis2sql schema ';

/**
 * Create the schema (tables and helper functions) when it is missing or was
 * installed from different DDL; leave it alone when it is current. The DDL is
 * rerunnable (IF NOT EXISTS / CREATE OR REPLACE), so updating keeps the data.
 *
 *   await ensureSchema(db)                       → 'created'   (first run)
 *   await ensureSchema(db)                       → 'present'
 *   await ensureSchema(db, { schema: 'cache' })  → 'created'
 */
export async function ensureSchema(
  db: Queryable,
  options: SchemaOptions = {},
): Promise<'created' | 'updated' | 'present'> {
  const name = options.schema ?? DEFAULT_SCHEMA;
  const quoted = quoteSchema(name);
  const ddl = schemaSql(options);
  const mark = MARK + createHash('sha256').update(ddl).digest('hex').slice(0, 16);
  const [row] = await db.query(
    `SELECT to_regclass($1) IS NOT NULL AS present,
            obj_description(to_regnamespace($2), 'pg_namespace') AS mark`,
    [`${quoted}.keys`, quoted],
  );
  const present = row?.['present'] === true;
  if (present && row?.['mark'] === mark) return 'present';
  await db.exec(ddl);
  // The mark is our own constant text (hex digest), never Redis data.
  await db.exec(`COMMENT ON SCHEMA ${quoted} IS '${mark}'`);
  return present ? 'updated' : 'created';
}
