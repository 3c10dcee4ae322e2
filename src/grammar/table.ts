import type { CommandSpec, Group } from './spec.js';
import { BITMAP_COMMANDS } from './commands/bitmap.js';
import { GENERIC_COMMANDS } from './commands/generic.js';
import { HASH_COMMANDS } from './commands/hash.js';
import { LIST_COMMANDS } from './commands/list.js';
import { PUBSUB_COMMANDS } from './commands/pubsub.js';
import { SCRIPTING_COMMANDS } from './commands/scripting.js';
import { SERVER_COMMANDS } from './commands/server.js';
import { SET_COMMANDS } from './commands/set.js';
import { SORTED_SET_COMMANDS } from './commands/sorted-set.js';
import { STREAM_COMMANDS } from './commands/stream.js';
import { STRING_COMMANDS } from './commands/string.js';
import { TRANSACTIONS_COMMANDS } from './commands/transactions.js';

/**
 * Every command redis2sql knows how to parse: one declarative entry each,
 * grouped as Redis groups them. Commands Redis has but we never parse
 * (server admin, cluster, ACL…) are in `REFUSED_COMMANDS` with the reason.
 */
export const COMMAND_SPECS = [
  ...STRING_COMMANDS,
  ...BITMAP_COMMANDS,
  ...GENERIC_COMMANDS,
  ...HASH_COMMANDS,
  ...LIST_COMMANDS,
  ...SET_COMMANDS,
  ...SORTED_SET_COMMANDS,
  ...STREAM_COMMANDS,
  ...PUBSUB_COMMANDS,
  ...TRANSACTIONS_COMMANDS,
  ...SCRIPTING_COMMANDS,
  ...SERVER_COMMANDS,
] as const;

export type AnyCommandSpec = (typeof COMMAND_SPECS)[number];
export type CommandName = AnyCommandSpec['name'];
export type SpecOf<N extends CommandName> = Extract<AnyCommandSpec, { readonly name: N }>;
/** The names of one group's commands (`NamesOf<'hash'>` = 'HGET' | 'HSET' | …). */
export type NamesOf<G extends Group> = Extract<AnyCommandSpec, { readonly group: G }>['name'];

const BY_NAME: ReadonlyMap<string, CommandSpec> = new Map(COMMAND_SPECS.map((spec) => [spec.name, spec]));

/** The spec of a command (`'GET'`, `'XGROUP CREATE'`), by its upper-case name. */
export function specOf(name: string): CommandSpec | undefined {
  return BY_NAME.get(name);
}

// One reason per family of refused commands: what the user does instead.
const ADMIN = 'server administration: there is no Redis server after migration; use PostgreSQL’s own tools';
const PERSISTENCE =
  'persistence: PostgreSQL makes every committed change durable through its WAL; there is no RDB or AOF file to write';
const REPLICATION =
  'replication: Redis replicas do not exist after migration; use PostgreSQL streaming or logical replication';
const CLUSTER = 'cluster topology: PostgreSQL has no Redis cluster slots; every key lives in the one database';
const CONNECTION =
  'connection state: QUIT and RESET act on a Redis connection; close or reset the PostgreSQL connection instead';
const AUTH = 'authentication: connect to PostgreSQL with its own roles and credentials (the connection string)';
const GEO = 'geospatial commands: not translated; use PostGIS (or earthdistance) for geo queries in PostgreSQL';
const HYPERLOGLOG =
  'HyperLogLog: Redis’ sketch encoding is not reproduced; count distinct values in SQL (COUNT(DISTINCT …)) or with the hll extension';

/**
 * Every other command of Redis 7.0, by name (a container such as `CLIENT`
 * stands for all its subcommands), with the reason it is not translated, so
 * that we can say why rather than calling it unknown. Connection, server and
 * keyspace commands that do have a translation (PING, ECHO, SELECT, DBSIZE,
 * FLUSHDB, FLUSHALL, TIME and the `generic` group) are in COMMAND_SPECS instead.
 */
export const REFUSED_COMMANDS: Readonly<Record<string, string>> = {
  // server
  ACL: 'access control: Redis ACL users do not carry over; use PostgreSQL roles and GRANT',
  BGREWRITEAOF: PERSISTENCE,
  BGSAVE: PERSISTENCE,
  COMMAND: 'command introspection describes a Redis server; `redis2sql commands` lists what redis2sql translates',
  CONFIG:
    'server configuration: there is no Redis server after migration; configure PostgreSQL (postgresql.conf, ALTER SYSTEM)',
  DEBUG: 'debugging Redis internals: there is no Redis server after migration',
  FAILOVER: REPLICATION,
  INFO: 'server statistics: there is no Redis server after migration; query PostgreSQL’s pg_stat_* views',
  LASTSAVE: PERSISTENCE,
  LATENCY: 'latency monitoring of a Redis server: use pg_stat_statements or log_min_duration_statement',
  LOLWUT: 'Redis version art: nothing to translate',
  MEMORY:
    'memory introspection of a Redis server: PostgreSQL reports sizes with pg_total_relation_size and pg_column_size',
  MODULE: 'Redis modules are native Redis extensions: they cannot run inside PostgreSQL',
  MONITOR: 'MONITOR streams a Redis server’s commands: use PostgreSQL’s statement logging (log_statement)',
  PSYNC: REPLICATION,
  REPLCONF: REPLICATION,
  REPLICAOF: REPLICATION,
  'RESTORE-ASKING': CLUSTER,
  ROLE: REPLICATION,
  SAVE: PERSISTENCE,
  SHUTDOWN: ADMIN,
  SLAVEOF: REPLICATION,
  SLOWLOG: 'slow log of a Redis server: use pg_stat_statements or log_min_duration_statement',
  SWAPDB:
    'numbered databases: redis2sql keeps database 0 in one PostgreSQL schema (--schema picks another); swap schemas with ALTER SCHEMA … RENAME',
  SYNC: REPLICATION,
  // cluster
  ASKING: CLUSTER,
  CLUSTER,
  READONLY: CLUSTER,
  READWRITE: CLUSTER,
  // connection
  AUTH,
  CLIENT: 'client connections of a Redis server: PostgreSQL lists its own in pg_stat_activity (pg_terminate_backend…)',
  HELLO:
    'protocol handshake: HELLO negotiates a Redis connection (RESP version, AUTH); PostgreSQL connections have their own',
  QUIT: CONNECTION,
  RESET: CONNECTION,
  // geo
  GEOADD: GEO,
  GEODIST: GEO,
  GEOHASH: GEO,
  GEOPOS: GEO,
  GEORADIUS: GEO,
  GEORADIUSBYMEMBER: GEO,
  GEORADIUSBYMEMBER_RO: GEO,
  GEORADIUS_RO: GEO,
  GEOSEARCH: GEO,
  GEOSEARCHSTORE: GEO,
  // hyperloglog
  PFADD: HYPERLOGLOG,
  PFCOUNT: HYPERLOGLOG,
  PFDEBUG: HYPERLOGLOG,
  PFMERGE: HYPERLOGLOG,
  PFSELFTEST: HYPERLOGLOG,
};
