import { UsageError } from '../../errors.js';
import { BITMAPS_DDL } from './bitmaps.js';
import { CORE_DDL, VALUE_TABLES_DDL } from './core.js';
import { GENERIC_DDL } from './generic.js';
import { HASHES_DDL } from './hashes.js';
import { LISTS_DDL } from './lists.js';
import { PUBSUB_DDL } from './pubsub.js';
import { ZSETS_DDL } from './zsets.js';
import { SCRIPTING_DDL } from './scripting.js';
import { LUA_LIBRARY_DDL } from './lua-library.js';
import { SETS_DDL } from './sets.js';
import { SORT_DDL } from './sort.js';
import { STREAMS_DDL } from './streams.js';
import { STRINGS_DDL } from './strings.js';
import { VIEWS_DDL } from './views.js';

/**
 * `redis2sql schema`: the DDL of the tables and helper functions, for
 * PostgreSQL 15 and later. Rerunnable (IF NOT EXISTS / CREATE OR REPLACE).
 *
 *   schemaSql()                       → CREATE SCHEMA IF NOT EXISTS redis; …
 *   schemaSql({ schema: 'cache', unlogged: true })
 */
export interface SchemaOptions {
  /** PostgreSQL schema for everything (default `redis`). */
  readonly schema?: string;
  /** UNLOGGED tables: faster, emptied after a crash (cache-only use). */
  readonly unlogged?: boolean;
}

export const DEFAULT_SCHEMA = 'redis';

/** The parts, in the order they must run: tables before the functions that name them. */
const PARTS: readonly string[] = [CORE_DDL, VALUE_TABLES_DDL, LISTS_DDL, ZSETS_DDL, STREAMS_DDL, GENERIC_DDL, STRINGS_DDL, BITMAPS_DDL, HASHES_DDL, SETS_DDL, PUBSUB_DDL, SCRIPTING_DDL, LUA_LIBRARY_DDL, SORT_DDL, VIEWS_DDL];

export function quoteSchema(name: string): string {
  if (name === '' || /['\0]/.test(name)) throw new UsageError(`invalid schema name: ${JSON.stringify(name)}`);
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

export function schemaSql(options: SchemaOptions = {}): string {
  const schema = quoteSchema(options.schema ?? DEFAULT_SCHEMA);
  const text = PARTS.join('\n')
    .replace(/@UNLOGGED /g, options.unlogged ? 'UNLOGGED ' : '')
    // Inside string literals (nextval('@S.versions')) a quoted schema needs no extra escaping:
    // quoteSchema doubles double quotes only, and the schema name is ours, not Redis data.
    .replace(/@S\b/g, schema);
  return text.trim() + '\n';
}
