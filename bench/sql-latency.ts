import { availableParallelism, loadavg } from 'node:os';
import pg from 'pg';
import { UnsupportedError } from '../src/errors.js';
import { translate } from '../src/translate.js';
import { schemaSql } from '../src/emit/schema/index.js';
import { RespClient } from '../test/support/resp.js';
import { startPostgres, startRedis, type RunningPostgres, type RunningServer } from '../test/support/servers.js';

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

const CONNECTIONS = 8;
const LATENCY_SAMPLES = 1_000;
const LATENCY_WARMUP = 200;
const THROUGHPUT_MS = 1_500;
const THROUGHPUT_WARMUP_MS = 300;
/** Keys read and written by GET/SET/MGET (values) and INCR (counters). */
const KEYSPACE = 10_000;
/** Keys that DEL consumes: each DEL removes a key that exists, never one already gone. */
const DOOMED = 80_000;
const VALUE = Buffer.from('v'.repeat(64));
const MGET_KEYS = 10;

type Argv = readonly (string | Buffer)[];

const valueKey = (n: number): string => `bench:v:${n % KEYSPACE}`;
const counterKey = (n: number): string => `bench:c:${n % KEYSPACE}`;
const doomedKey = (n: number): string => `bench:d:${n}`;
/** Spread consecutive calls over the keyspace (a prime stride, no two neighbours on one key). */
const spread = (n: number): number => (n * 7919) % KEYSPACE;

interface Op {
  readonly name: string;
  /** The n-th call of this operation. */
  argv(n: number): Argv;
  /** Each call needs a key of its own that exists (DEL). */
  readonly consumes?: boolean;
}

const OPS: readonly Op[] = [
  { name: 'GET', argv: (n) => ['GET', valueKey(spread(n))] },
  { name: 'SET', argv: (n) => ['SET', valueKey(spread(n)), VALUE] },
  { name: 'SET EX', argv: (n) => ['SET', valueKey(spread(n)), VALUE, 'EX', '3600'] },
  { name: 'INCR', argv: (n) => ['INCR', counterKey(spread(n))] },
  {
    name: `MGET ${MGET_KEYS}`,
    argv: (n) => ['MGET', ...Array.from({ length: MGET_KEYS }, (_, i) => valueKey(spread(n * MGET_KEYS + i)))],
  },
  { name: 'DEL', argv: (n) => ['DEL', doomedKey(n)], consumes: true },
];

/** One connection of a system under test: runs one prepared call at a time. */
interface Connection {
  run(call: unknown): Promise<void>;
  close(): Promise<void>;
}

/** A system under test: how to fill it, how to turn an argv into a call, how to connect. */
interface System {
  readonly name: string;
  prepare(op: Op, argv: Argv): unknown;
  connect(): Promise<Connection>;
  fill(): Promise<void>;
}

const pgConnection = async (url: string): Promise<Connection & { client: pg.Client }> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    client,
    run: async (call) => {
      await client.query(call as pg.QueryConfig);
    },
    close: () => client.end(),
  };
};

/** A statement name per operation: pg prepares it once per connection and rejects a second text under it. */
const statementName = (prefix: string, op: Op): string => `${prefix}_${op.name.replace(/\W+/g, '_').toLowerCase()}`;

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

/** The seed guide's mapping: one text table, no types, no expiry on reads. */
const NAIVE_SQL: Readonly<Record<string, (argv: Argv) => pg.QueryConfig>> = {
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
  return {
    name: 'naive kv',
    prepare: (op, argv) => {
      const make = NAIVE_SQL[op.name];
      if (make === undefined) throw new Error(`no naive mapping for ${op.name}`);
      return { name: statementName('naive', op), ...make(argv) };
    },
    connect: () => pgConnection(url),
    fill: async () => {
      const c = await pgConnection(url);
      try {
        await c.client.query('CREATE TABLE kv (key text PRIMARY KEY, value text, expires_at timestamptz)');
        await c.client.query(
          `INSERT INTO kv (key, value) SELECT k, CASE WHEN k LIKE 'bench:c:%' THEN '0' ELSE $2 END FROM unnest($1::text[]) k`,
          [allKeys(), VALUE.toString()],
        );
        await c.client.query('VACUUM ANALYZE kv');
      } finally {
        await c.close();
      }
    },
  };
}

function redis(port: number): System {
  return {
    name: 'redis-server',
    prepare: (_op, argv) => argv,
    connect: async () => {
      const client = await RespClient.connect(port);
      return {
        run: async (call) => {
          const reply = await client.send(call as Argv);
          if (reply.type === 'error') throw new Error(`redis: ${reply.message}`);
        },
        close: () => client.close(),
      };
    },
    fill: async () => {
      const client = await RespClient.connect(port);
      try {
        const keys = allKeys();
        for (let i = 0; i < keys.length; i += 1_000) {
          const batch = keys
            .slice(i, i + 1_000)
            .map((k) => ['SET', k, k.startsWith('bench:c:') ? '0' : VALUE] as Argv);
          await client.pipeline(batch);
        }
      } finally {
        await client.close();
      }
    },
  };
}

function allKeys(): string[] {
  const keys: string[] = [];
  for (let n = 0; n < KEYSPACE; n++) keys.push(valueKey(n), counterKey(n));
  for (let n = 0; n < DOOMED; n++) keys.push(doomedKey(n));
  return keys;
}

/**
 * Calls prepared ahead of the timed loops (translation is not what is timed).
 * Every batch continues where the last one stopped, so connections work on
 * different keys, and DEL never gets a key twice.
 */
class Workload {
  private next = 0;
  constructor(
    private readonly system: System,
    readonly op: Op,
  ) {}

  calls(count: number): unknown[] {
    const start = this.next;
    this.next = this.op.consumes ? Math.min(DOOMED, start + count) : start + count;
    const out: unknown[] = [];
    for (let n = start; n < this.next; n++) out.push(this.system.prepare(this.op, this.op.argv(n)));
    return out;
  }
}

interface Latency {
  readonly p50: number;
  readonly p99: number;
}

/** Microseconds per call on one connection, warm-up excluded. */
async function measureLatency(conn: Connection, workload: Workload): Promise<Latency> {
  const calls = workload.calls(LATENCY_WARMUP + LATENCY_SAMPLES);
  const samples: number[] = [];
  for (const [i, call] of calls.entries()) {
    const start = process.hrtime.bigint();
    await conn.run(call);
    if (i >= LATENCY_WARMUP) samples.push(Number(process.hrtime.bigint() - start) / 1_000);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

/** Calls per second over CONNECTIONS connections, each with one call in flight. */
async function measureThroughput(conns: readonly Connection[], workload: Workload): Promise<number> {
  const consumes = workload.op.consumes === true;
  const run = async (ms: number, fraction: number): Promise<number> => {
    // Consuming operations get a share of the keys left and stop when it is used up;
    // the others cycle a pool of calls.
    const pools = conns.map(() => workload.calls(consumes ? Math.floor((DOOMED * fraction) / conns.length) : 2_000));
    const started = performance.now();
    const stopAt = started + ms;
    let done = 0;
    await Promise.all(
      conns.map(async (conn, c) => {
        const pool = pools[c]!;
        for (let i = 0; performance.now() < stopAt && (!consumes || i < pool.length); i++) {
          await conn.run(pool[i % pool.length]);
          done++;
        }
      }),
    );
    return done / ((performance.now() - started) / 1_000);
  };
  await run(THROUGHPUT_WARMUP_MS, 0.05);
  return run(THROUGHPUT_MS, 0.9);
}

export interface BenchRow {
  readonly op: string;
  readonly system: string;
  readonly p50us: number;
  readonly p99us: number;
  readonly opsPerSecond: number;
}

/**
 * Every operation on every system, systems interleaved per operation so that
 * a change in the machine's load during the run hits them alike.
 */
async function benchAll(systems: readonly System[], log: (line: string) => void): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const system of systems) await system.fill();
  const conns = await Promise.all(
    systems.map((system) => Promise.all(Array.from({ length: CONNECTIONS }, () => system.connect()))),
  );
  try {
    for (const op of OPS) {
      for (const [s, system] of systems.entries()) {
        const workload = new Workload(system, op);
        try {
          system.prepare(op, op.argv(0));
        } catch (err) {
          // A command we do not translate (yet) is reported, not benchmarked.
          if (!(err instanceof UnsupportedError)) throw err;
          log(`  ${system.name.padEnd(12)} ${op.name.padEnd(8)} skipped: ${err.message}`);
          continue;
        }
        const latency = await measureLatency(conns[s]![0]!, workload);
        const opsPerSecond = await measureThroughput(conns[s]!, workload);
        rows.push({ op: op.name, system: system.name, p50us: latency.p50, p99us: latency.p99, opsPerSecond });
        log(
          `  ${system.name.padEnd(12)} ${op.name.padEnd(8)} p50 ${latency.p50.toFixed(0)} µs, p99 ${latency.p99.toFixed(0)} µs, ${opsPerSecond.toFixed(0)} ops/s`,
        );
      }
    }
  } finally {
    await Promise.all(conns.flat().map((c) => c.close()));
  }
  return rows;
}

/** Mean server-side execution time per statement (pg_stat_statements), when the module loaded. */
async function serverTimes(url: string): Promise<Map<string, number> | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const result = await client.query<{ query: string; mean: number }>(
      `SELECT query, mean_exec_time * 1000 AS mean FROM pg_stat_statements WHERE calls >= 100`,
    );
    return new Map(result.rows.map((r) => [r.query, r.mean]));
  } catch {
    return undefined;
  } finally {
    await client.end();
  }
}

/** A plain-text table: text columns (`left`) padded right, number columns padded left. */
function table(header: readonly string[], rows: readonly (readonly string[])[], left: readonly number[] = [0]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (left.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * Start the servers, run every system, print the comparison and stop the
 * servers again.
 *
 *   const rows = await sqlLatencyBench();
 *   rows.find((r) => r.op === 'GET' && r.system === 'redis2sql')?.p50us  // → e.g. 95
 */
export async function sqlLatencyBench(log: (line: string) => void = console.log): Promise<BenchRow[]> {
  const settings = {
    synchronous_commit: 'off',
    fsync: 'on',
    full_page_writes: 'on',
    shared_preload_libraries: 'pg_stat_statements',
  };
  let postgres: RunningPostgres;
  try {
    postgres = await startPostgres(undefined, settings);
  } catch {
    // Without pg_stat_statements we lose the server-side column only.
    const { shared_preload_libraries: _, ...rest } = settings;
    postgres = await startPostgres(undefined, rest);
  }
  let redisServer: RunningServer | undefined;
  try {
    redisServer = await startRedis();
    const check = new pg.Client({ connectionString: postgres.url });
    await check.connect();
    const shown = await check.query<{ version: string; sc: string; fsync: string }>(
      `SELECT current_setting('server_version') AS version, current_setting('synchronous_commit') AS sc,
              current_setting('fsync') AS fsync`,
    );
    await check.end();
    const s = shown.rows[0]!;
    log(`PostgreSQL ${s.version} as a cache: synchronous_commit=${s.sc}, fsync=${s.fsync} (logged tables); redis-server 7.0 without persistence`);
    log(
      `${CONNECTIONS} connections for throughput (${THROUGHPUT_MS} ms per operation after ${THROUGHPUT_WARMUP_MS} ms warm-up); ` +
        `latency over ${LATENCY_SAMPLES} calls after ${LATENCY_WARMUP} warm-up; ${VALUE.length}-byte values, ${KEYSPACE} keys`,
    );
    // Client, servers and everything else share these CPUs: a busy machine moves every number.
    const load = (): string => `${availableParallelism()} CPUs, load average ${loadavg()[0]!.toFixed(1)}`;
    log(`machine before: ${load()}`);
    const rows = await benchAll([ours(postgres.url), naive(postgres.url), redis(redisServer.port)], log);
    log(`machine after: ${load()}`);
    const times = await serverTimes(postgres.url);
    printComparison(rows, log);
    if (times !== undefined) printServerTimes(times, log);
    return rows;
  } finally {
    await Promise.all([postgres.stop(), redisServer?.stop()]);
  }
}

function printComparison(rows: readonly BenchRow[], log: (line: string) => void): void {
  const find = (op: string, system: string): BenchRow | undefined =>
    rows.find((r) => r.op === op && r.system === system);
  const body = OPS.map((op) => {
    const o = find(op.name, 'redis2sql');
    const n = find(op.name, 'naive kv');
    const r = find(op.name, 'redis-server');
    if (o === undefined || n === undefined || r === undefined) return [op.name, 'not translated'];
    const throughputRatio = o.opsPerSecond / n.opsPerSecond;
    const latencyRatio = o.p50us / r.p50us;
    const us = (x: number): string => x.toFixed(0);
    return [
      op.name,
      `${us(o.p50us)} / ${us(o.p99us)}`,
      `${us(n.p50us)} / ${us(n.p99us)}`,
      `${us(r.p50us)} / ${us(r.p99us)}`,
      o.opsPerSecond.toFixed(0),
      n.opsPerSecond.toFixed(0),
      r.opsPerSecond.toFixed(0),
      `${throughputRatio.toFixed(2)} ${throughputRatio >= 0.8 ? 'met' : 'MISSED'}`,
      `${latencyRatio.toFixed(2)}x ${latencyRatio <= 3 ? 'met' : 'MISSED'}`,
    ];
  });
  log('');
  log(
    table(
      [
        'command',
        'ours p50/p99 µs',
        'naive p50/p99 µs',
        'redis p50/p99 µs',
        'ours ops/s',
        'naive ops/s',
        'redis ops/s',
        'ours/naive ops (≥0.8)',
        'ours/redis p50 (≤3x)',
      ],
      body,
    ),
  );
}

function printServerTimes(times: ReadonlyMap<string, number>, log: (line: string) => void): void {
  const label = (query: string): string => {
    const one = query.replace(/\s+/g, ' ');
    return one.length > 90 ? `${one.slice(0, 87)}...` : one;
  };
  const rows = [...times.entries()]
    .filter(([q]) => /\b(redis|kv)\b/.test(q) && !/^\s*(CREATE|INSERT INTO redis\.(keys|strings)|VACUUM)/i.test(q))
    .sort((a, b) => b[1] - a[1])
    .map(([q, mean]) => [mean.toFixed(1), label(q)]);
  log('');
  log('Server-side mean execution time per statement (pg_stat_statements; the rest of a round trip is protocol, network and client):');
  log(table(['µs', 'statement'], rows, [1]));
}
