import { availableParallelism, loadavg } from 'node:os';
import type pg from 'pg';
import { translate } from '../src/translate.js';
import { schemaSql } from '../src/emit/schema/index.js';
import {
  benchAll,
  CONNECTIONS,
  LATENCY_SAMPLES,
  LATENCY_WARMUP,
  pgConnection,
  printComparison,
  printServerTimes,
  redisSystem,
  sqlSystem,
  serverTimes,
  startBenchServers,
  statementName,
  THROUGHPUT_MS,
  THROUGHPUT_WARMUP_MS,
  type Argv,
  type BenchRow,
  type Op,
  type System,
} from './support.js';

/**
 * `npm run bench -- sql`: our compiled SQL against redis-server and against the
 * seed guide's naive one-table mapping, on a PostgreSQL 15 server configured
 * as a cache (synchronous_commit=off, fsync left on).
 *
 *   (a) latency p50/p99: one connection, one command at a time, prepared statements;
 *   (b) throughput: CONNECTIONS connections, one command in flight on each.
 *
 * Goals printed with the table: ours/naive throughput ≥ 0.8, ours/redis p50 ≤ 3×.
 *
 *   await sqlLatencyBench();   // prints the tables, returns the rows
 */

/** Keys read and written by GET/SET/MGET (values) and INCR (counters). */
const KEYSPACE = 10_000;
/** Keys that DEL consumes: each DEL removes a key that exists, never one already gone. */
const DOOMED = 80_000;
const VALUE = Buffer.from('v'.repeat(64));
const MGET_KEYS = 10;

const valueKey = (n: number): string => `bench:v:${n % KEYSPACE}`;
const counterKey = (n: number): string => `bench:c:${n % KEYSPACE}`;
const doomedKey = (n: number): string => `bench:d:${n}`;
/** Spread consecutive calls over the keyspace (a prime stride, no two neighbours on one key). */
const spread = (n: number): number => (n * 7919) % KEYSPACE;

export const OPS: readonly Op[] = [
  // The bare round trip: what no statement can go below (SELECT 1 against Redis' PING).
  { name: 'PING', argv: () => ['PING'] },
  { name: 'GET', argv: (n) => ['GET', valueKey(spread(n))] },
  { name: 'SET', argv: (n) => ['SET', valueKey(spread(n)), VALUE] },
  { name: 'SET EX', argv: (n) => ['SET', valueKey(spread(n)), VALUE, 'EX', '3600'] },
  { name: 'INCR', argv: (n) => ['INCR', counterKey(spread(n))] },
  {
    name: `MGET ${MGET_KEYS}`,
    argv: (n) => ['MGET', ...Array.from({ length: MGET_KEYS }, (_, i) => valueKey(spread(n * MGET_KEYS + i)))],
  },
  { name: 'DEL', argv: (n) => ['DEL', doomedKey(n)], consumes: DOOMED },
];

function ours(url: string): System {
  return {
    name: 'redis2sql',
    prepare: (op, argv) => {
      const compiled = translate(argv);
      return { name: statementName('r2s', op), text: compiled.sql, values: [...compiled.params] };
    },
    connect: () => pgConnection(url),
    fill: async () => {
      const c = await pgConnection(url);
      try {
        await c.client.query(schemaSql());
        // What SET would leave behind, written in bulk: a registry row and a value row per key.
        await c.client.query(
          `INSERT INTO redis.keys (key, type, version)
           SELECT k, 'string', nextval('redis.versions') FROM unnest($1::text[]) k`,
          [allKeys()],
        );
        await c.client.query(
          `INSERT INTO redis.strings (key, value)
           SELECT k, CASE WHEN k LIKE 'bench:c:%' THEN '0'::bytea ELSE $2::bytea END FROM unnest($1::text[]) k`,
          [allKeys(), VALUE],
        );
        await c.client.query('VACUUM ANALYZE');
      } finally {
        await c.close();
      }
    },
  };
}

/** Live per DESIGN §4, with the clock inline (no setting read): the cheapest faithful expiry check. */
const LIVE = `(k.expires_at IS NULL OR k.expires_at > (extract(epoch FROM statement_timestamp()) * 1000)::bigint)`;
const NOW_MS = `(extract(epoch FROM statement_timestamp()) * 1000)::bigint`;

/**
 * The contract floor: the smallest statements that keep the storage contract
 * (registry row with type, expiry and version; the value in the strings table;
 * the registry row locked first) on the schema `floor`, with our parameters.
 * No WRONGTYPE, no expired-key reset, no other type's rows on writes: a bound
 * no faithful translation can beat, not a translation.
 */
export const FLOOR_SQL: Readonly<Record<string, (argv: Argv) => pg.QueryConfig>> = {
  PING: () => ({ text: 'SELECT 1', values: [] }),
  GET: (a) => ({
    text: `SELECT s.value, k.type FROM floor.keys k LEFT JOIN floor.strings s ON s.key = k.key WHERE k.key = $1 AND ${LIVE}`,
    values: [a[1]],
  }),
  SET: (a) => ({
    text: `WITH k AS (
  INSERT INTO floor.keys AS cur (key, type, expires_at, version) VALUES ($1, 'string', NULL, nextval('floor.versions'))
  ON CONFLICT (key) DO UPDATE SET type = 'string', expires_at = NULL, version = excluded.version RETURNING cur.key)
INSERT INTO floor.strings (key, value) SELECT k.key, $2 FROM k ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    values: [a[1], a[2]],
  }),
  'SET EX': (a) => ({
    text: `WITH k AS (
  INSERT INTO floor.keys AS cur (key, type, expires_at, version)
  VALUES ($1, 'string', ${NOW_MS} + $3::bigint * 1000, nextval('floor.versions'))
  ON CONFLICT (key) DO UPDATE SET type = 'string', expires_at = excluded.expires_at, version = excluded.version RETURNING cur.key)
INSERT INTO floor.strings (key, value) SELECT k.key, $2 FROM k ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    values: [a[1], a[2], a[4]],
  }),
  INCR: (a) => ({
    text: `WITH k AS (
  INSERT INTO floor.keys AS cur (key, type, version) VALUES ($1, 'string', nextval('floor.versions'))
  ON CONFLICT (key) DO UPDATE SET version = excluded.version RETURNING cur.key)
INSERT INTO floor.strings AS cur (key, value) SELECT k.key, convert_to($2::bigint::text, 'UTF8') FROM k
ON CONFLICT (key) DO UPDATE SET value = convert_to((convert_from(cur.value, 'UTF8')::bigint + $2::bigint)::text, 'UTF8')
RETURNING convert_from(cur.value, 'UTF8')::bigint`,
    values: [a[1], '1'],
  }),
  [`MGET ${MGET_KEYS}`]: (a) => ({
    text: `SELECT k.key, s.value FROM floor.keys k JOIN floor.strings s ON s.key = k.key WHERE k.key = ANY($1::text[]) AND ${LIVE}`,
    values: [a.slice(1).map(String)],
  }),
  // A lower bound: a real DEL also looks in the other types' tables.
  DEL: (a) => ({
    text: `WITH k AS (DELETE FROM floor.keys WHERE key = $1 RETURNING key, type),
s AS (DELETE FROM floor.strings s USING k WHERE s.key = k.key AND k.type = 'string')
SELECT count(*) FROM k`,
    values: [a[1]],
  }),
};

function floor(url: string): System {
  return sqlSystem({ name: 'floor', prefix: 'floor', url, statements: FLOOR_SQL },  async (client) => {
    // The same tables and indexes as ours, in their own schema.
    await client.query(schemaSql({ schema: 'floor' }));
    await client.query(
      `INSERT INTO floor.keys (key, type, version)
       SELECT k, 'string', nextval('floor.versions') FROM unnest($1::text[]) k`,
      [allKeys()],
    );
    await client.query(
      `INSERT INTO floor.strings (key, value)
       SELECT k, CASE WHEN k LIKE 'bench:c:%' THEN '0'::bytea ELSE $2::bytea END FROM unnest($1::text[]) k`,
      [allKeys(), VALUE],
    );
    await client.query('VACUUM ANALYZE');
  });
}

/** The seed guide's mapping: one text table, no types, no expiry on reads. */
export const NAIVE_SQL: Readonly<Record<string, (argv: Argv) => pg.QueryConfig>> = {
  PING: () => ({ text: 'SELECT 1', values: [] }),
  GET: (a) => ({ text: 'SELECT value FROM kv WHERE key = $1', values: [String(a[1])] }),
  SET: (a) => ({
    text: `INSERT INTO kv (key, value, expires_at) VALUES ($1, $2, NULL)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    values: [String(a[1]), String(a[2])],
  }),
  'SET EX': (a) => ({
    text: `INSERT INTO kv (key, value, expires_at) VALUES ($1, $2, now() + $3 * interval '1 second')
ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    values: [String(a[1]), String(a[2]), Number(a[4])],
  }),
  INCR: (a) => ({
    text: `INSERT INTO kv AS t (key, value) VALUES ($1, '1')
ON CONFLICT (key) DO UPDATE SET value = (t.value::bigint + 1)::text RETURNING value`,
    values: [String(a[1])],
  }),
  [`MGET ${MGET_KEYS}`]: (a) => ({
    text: 'SELECT key, value FROM kv WHERE key = ANY($1)',
    values: [a.slice(1).map(String)],
  }),
  DEL: (a) => ({ text: 'DELETE FROM kv WHERE key = $1', values: [String(a[1])] }),
};

function naive(url: string): System {
  return sqlSystem({ name: 'naive kv', prefix: 'naive', url, statements: NAIVE_SQL },  async (client) => {
    await client.query('CREATE TABLE kv (key text PRIMARY KEY, value text, expires_at timestamptz)');
    await client.query(
      `INSERT INTO kv (key, value) SELECT k, CASE WHEN k LIKE 'bench:c:%' THEN '0' ELSE $2 END FROM unnest($1::text[]) k`,
      [allKeys(), VALUE.toString()],
    );
    await client.query('VACUUM ANALYZE kv');
  });
}

function redis(port: number): System {
  return redisSystem(port, function* () {
    for (const k of allKeys()) yield ['SET', k, k.startsWith('bench:c:') ? '0' : VALUE];
  });
}

function allKeys(): string[] {
  const keys: string[] = [];
  for (let n = 0; n < KEYSPACE; n++) keys.push(valueKey(n), counterKey(n));
  for (let n = 0; n < DOOMED; n++) keys.push(doomedKey(n));
  return keys;
}

/**
 * Start the servers, run every system, print the comparison and stop the
 * servers again.
 *
 *   const rows = await sqlLatencyBench();
 *   rows.find((r) => r.op === 'GET' && r.system === 'redis2sql')?.p50us  // → e.g. 95
 */
export async function sqlLatencyBench(log: (line: string) => void = console.log): Promise<BenchRow[]> {
  const servers = await startBenchServers(log);
  try {
    log(
      `${CONNECTIONS} connections for throughput (${THROUGHPUT_MS} ms per operation after ${THROUGHPUT_WARMUP_MS} ms warm-up); ` +
        `latency over ${LATENCY_SAMPLES} calls after ${LATENCY_WARMUP} warm-up; ${VALUE.length}-byte values, ${KEYSPACE} keys`,
    );
    // Client, servers and everything else share these CPUs: a busy machine moves every number.
    const load = (): string => `${availableParallelism()} CPUs, load average ${loadavg()[0]!.toFixed(1)}`;
    log(`machine before: ${load()}`);
    const systems = [ours(servers.postgresUrl), naive(servers.postgresUrl), floor(servers.postgresUrl), redis(servers.redisPort)];
    const rows = await benchAll(systems, OPS, log);
    log(`machine after: ${load()}`);
    const times = await serverTimes(servers.postgresUrl);
    printComparison(rows, OPS, { ours: 'redis2sql', naive: 'naive kv', floor: 'floor' }, log);
    if (times !== undefined) printServerTimes(times, SHOWN_STATEMENT, log);
    return rows;
  } finally {
    await servers.stop();
  }
}

/** Our statements and the naive ones, not the bulk fill. */
const SHOWN_STATEMENT = (q: string): boolean =>
  /\b(redis|kv|floor)\b/.test(q) && !/^\s*(CREATE|INSERT INTO (redis|floor)\.(keys|strings)|VACUUM)/i.test(q);
