import { readFileSync } from 'node:fs';
import pg from 'pg';
import { PG_TYPES } from '../src/db/postgres.js';
import { UnsupportedError } from '../src/errors.js';
import { RespClient } from '../test/support/resp.js';
import { startPostgres, startRedis, type RunningPostgres, type RunningServer } from '../test/support/servers.js';

/**
 * The harness the SQL benchmarks share (`sql`, `collections`): systems under
 * test, prepared calls, latency on one connection, throughput on CONNECTIONS,
 * the comparison table with its goals, and the servers they run on.
 *
 *   const servers = await startBenchServers(console.log);
 *   const rows = await benchAll(systems, OPS, console.log);
 *   printComparison(rows, OPS, { ours: 'redis2sql', naive: 'naive kv' }, console.log);
 *   await servers.stop();
 */

export const CONNECTIONS = 8;
export const LATENCY_SAMPLES = 1_000;
export const LATENCY_WARMUP = 200;
export const THROUGHPUT_MS = 1_500;
export const THROUGHPUT_WARMUP_MS = 300;

export type Argv = readonly (string | Buffer)[];

export interface Op {
  readonly name: string;
  /** The n-th call of this operation. */
  argv(n: number): Argv;
  /** Each call uses up something that exists (a key for DEL, an element for RPOP): how many calls there are. */
  readonly consumes?: number;
}

/** One connection of a system under test: runs one prepared call at a time. */
export interface Connection {
  run(call: unknown): Promise<void>;
  close(): Promise<void>;
  /**
   * CPU time (µs, user + system) the server process serving this connection
   * has used so far, when the machine lets us read it (Linux /proc).
   */
  serverCpu?(): number | undefined;
}

/**
 * CPU microseconds a process has used (utime + stime of /proc/<pid>/stat), or
 * undefined where there is no /proc. Unlike wall time it barely moves when
 * other processes load the machine, so it compares systems fairly on a busy one.
 */
export function processCpuMicros(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1_000_000) / CLOCK_TICKS : undefined;
  } catch {
    return undefined;
  }
}
/** USER_HZ: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS = 100;

/** A system under test: how to fill it, how to turn an argv into a call, how to connect. */
export interface System {
  readonly name: string;
  prepare(op: Op, argv: Argv): unknown;
  connect(): Promise<Connection>;
  fill(): Promise<void>;
}

/**
 * A pg connection whose calls are query configs (a `name` makes them
 * prepared). Results are parsed with redis2sql's own type parsers (PG_TYPES:
 * what `exec` and the library use), for our statements and the naive ones alike.
 */
export const pgConnection = async (url: string): Promise<Connection & { client: pg.Client }> => {
  const client = new pg.Client({ connectionString: url, types: PG_TYPES });
  await client.connect();
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
  return {
    client,
    run: async (call) => {
      await client.query(call as pg.QueryConfig);
    },
    close: () => client.end(),
    serverCpu: () => (pid === undefined ? undefined : processCpuMicros(pid)),
  };
};

/** A statement name per operation: pg prepares it once per connection and rejects a second text under it. */
export const statementName = (prefix: string, op: Op): string =>
  `${prefix}_${op.name.replace(/\W+/g, '_').toLowerCase()}`;

/** A PostgreSQL system of hand-written statements per operation (the naive mapping, the contract floor). */
export interface SqlSystemSpec {
  readonly name: string;
  /** Of the statement names: pg prepares each once per connection. */
  readonly prefix: string;
  readonly url: string;
  readonly statements: Readonly<Record<string, (argv: Argv) => pg.QueryConfig>>;
  /** How a connection runs calls, when not plainly (the naive mapping counts its races' failures). */
  readonly connect?: () => Promise<Connection>;
}

/**
 * A system whose call for an operation is its statement in `spec.statements`,
 * prepared; `fill` runs on a connection of its own, closed afterwards.
 *
 *   sqlSystem({ name: 'naive kv', prefix: 'naive', url, statements: NAIVE_SQL }, (client) => client.query(DDL))
 */
export function sqlSystem(spec: SqlSystemSpec, fill: (client: pg.Client) => Promise<void>): System {
  return {
    name: spec.name,
    prepare: (op, argv) => {
      const make = spec.statements[op.name];
      if (make === undefined) throw new Error(`${spec.name}: no statement for ${op.name}`);
      return { name: statementName(spec.prefix, op), ...make(argv) };
    },
    connect: spec.connect ?? (() => pgConnection(spec.url)),
    fill: async () => {
      const c = await pgConnection(spec.url);
      try {
        await fill(c.client);
      } finally {
        await c.close();
      }
    },
  };
}

/** redis-server as a system: the argv is the call; `fill` pipelines the commands it is given. */
export function redisSystem(port: number, fillCommands: () => Iterable<Argv>): System {
  return {
    name: 'redis-server',
    prepare: (_op, argv) => argv,
    connect: async () => {
      const client = await RespClient.connect(port);
      const info = await client.send(['INFO', 'server']);
      const pid = info.type === 'bulk' ? /process_id:(\d+)/.exec(info.value?.toString() ?? '')?.[1] : undefined;
      return {
        run: async (call) => {
          const reply = await client.send(call as Argv);
          if (reply.type === 'error') throw new Error(`redis: ${reply.message}`);
        },
        close: () => client.close(),
        // One process serves every connection: measured while only one connection is busy.
        serverCpu: () => (pid === undefined ? undefined : processCpuMicros(Number(pid))),
      };
    },
    fill: async () => {
      const client = await RespClient.connect(port);
      try {
        let batch: Argv[] = [];
        for (const argv of fillCommands()) {
          batch.push(argv);
          if (batch.length === 1_000) {
            await client.pipeline(batch);
            batch = [];
          }
        }
        if (batch.length > 0) await client.pipeline(batch);
      } finally {
        await client.close();
      }
    },
  };
}

/**
 * Calls prepared ahead of the timed loops (translation is not what is timed).
 * Every batch continues where the last one stopped, so connections work on
 * different keys, and a consuming operation never gets the same thing twice.
 */
export class Workload {
  private next = 0;
  constructor(
    private readonly system: System,
    readonly op: Op,
  ) {}

  calls(count: number): unknown[] {
    const start = this.next;
    this.next = this.op.consumes !== undefined ? Math.min(this.op.consumes, start + count) : start + count;
    const out: unknown[] = [];
    for (let n = start; n < this.next; n++) out.push(this.system.prepare(this.op, this.op.argv(n)));
    return out;
  }
}

export interface Latency {
  readonly p50: number;
  readonly p99: number;
  /** Server CPU µs per call over the samples (NaN when it cannot be read). */
  readonly serverCpu: number;
}

/** Microseconds per call on one connection, warm-up excluded. */
export async function measureLatency(
  conn: Connection,
  workload: Workload,
  samples = LATENCY_SAMPLES,
  warmup = LATENCY_WARMUP,
): Promise<Latency> {
  const calls = workload.calls(warmup + samples);
  const times: number[] = [];
  let cpuStart: number | undefined;
  for (const [i, call] of calls.entries()) {
    if (i === warmup) cpuStart = conn.serverCpu?.();
    const start = process.hrtime.bigint();
    await conn.run(call);
    if (i >= warmup) times.push(Number(process.hrtime.bigint() - start) / 1_000);
  }
  const cpuEnd = conn.serverCpu?.();
  times.sort((a, b) => a - b);
  const at = (q: number): number => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;
  const serverCpu = cpuStart === undefined || cpuEnd === undefined ? NaN : (cpuEnd - cpuStart) / times.length;
  return { p50: at(0.5), p99: at(0.99), serverCpu };
}

/** Calls per second over the connections given, each with one call in flight. */
export async function measureThroughput(conns: readonly Connection[], workload: Workload): Promise<number> {
  const supply = workload.op.consumes;
  const run = async (ms: number, fraction: number): Promise<number> => {
    // Consuming operations get a share of what is left and stop when it is used up;
    // the others cycle a pool of calls.
    const pools = conns.map(() =>
      workload.calls(supply !== undefined ? Math.floor((supply * fraction) / conns.length) : 2_000),
    );
    const started = performance.now();
    const stopAt = started + ms;
    let done = 0;
    await Promise.all(
      conns.map(async (conn, c) => {
        const pool = pools[c]!;
        for (let i = 0; performance.now() < stopAt && (supply === undefined || i < pool.length); i++) {
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
  /** Server CPU µs per call on one connection (NaN when unknown). */
  readonly serverCpuUs: number;
}

/**
 * Every operation on every system, systems interleaved per operation so that
 * a change in the machine's load during the run hits them alike.
 */
export async function benchAll(
  systems: readonly System[],
  ops: readonly Op[],
  log: (line: string) => void,
  latency: { readonly samples: number; readonly warmup: number } = { samples: LATENCY_SAMPLES, warmup: LATENCY_WARMUP },
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const system of systems) await system.fill();
  const conns = await Promise.all(
    systems.map((system) => Promise.all(Array.from({ length: CONNECTIONS }, () => system.connect()))),
  );
  try {
    for (const op of ops) {
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
        const { p50, p99, serverCpu } = await measureLatency(conns[s]![0]!, workload, latency.samples, latency.warmup);
        const opsPerSecond = await measureThroughput(conns[s]!, workload);
        rows.push({ op: op.name, system: system.name, p50us: p50, p99us: p99, opsPerSecond, serverCpuUs: serverCpu });
        log(
          `  ${system.name.padEnd(12)} ${op.name.padEnd(8)} p50 ${p50.toFixed(0)} µs, p99 ${p99.toFixed(0)} µs, ${opsPerSecond.toFixed(0)} ops/s, server CPU ${serverCpu.toFixed(0)} µs/call`,
        );
      }
    }
  } finally {
    await Promise.all(conns.flat().map((c) => c.close()));
  }
  return rows;
}

/** Mean server-side execution time per statement (pg_stat_statements), when the module loaded. */
export async function serverTimes(url: string): Promise<Map<string, number> | undefined> {
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
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  left: readonly number[] = [0],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (left.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * The comparison with its goals: ours/naive throughput ≥ 0.8, ours/redis p50 ≤ 3×.
 * With `names.floor` (the smallest SQL the storage contract allows, same
 * client and parameters), also floor/naive (is the goal reachable at all?)
 * and ours/floor (how far we are from what the contract permits).
 */
export function printComparison(
  rows: readonly BenchRow[],
  ops: readonly Op[],
  names: { readonly ours: string; readonly naive: string; readonly floor?: string },
  log: (line: string) => void,
): void {
  const find = (op: string, system: string): BenchRow | undefined =>
    rows.find((r) => r.op === op && r.system === system);
  const body = ops.map((op) => {
    const o = find(op.name, names.ours);
    const n = find(op.name, names.naive);
    const r = find(op.name, 'redis-server');
    if (o === undefined || n === undefined || r === undefined) return [op.name, 'not translated'];
    const throughputRatio = o.opsPerSecond / n.opsPerSecond;
    const latencyRatio = o.p50us / r.p50us;
    const us = (x: number): string => x.toFixed(0);
    const f = names.floor === undefined ? undefined : find(op.name, names.floor);
    const floorCells =
      names.floor === undefined
        ? []
        : f === undefined
          ? ['-', '-', '-', '-', '-']
          : [
              `${us(f.p50us)} / ${us(f.p99us)}`,
              f.opsPerSecond.toFixed(0),
              (f.opsPerSecond / n.opsPerSecond).toFixed(2),
              (o.opsPerSecond / f.opsPerSecond).toFixed(2),
              `${us(f.serverCpuUs)} / ${us(o.serverCpuUs)}`,
            ];
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
      `${us(o.serverCpuUs)} / ${us(n.serverCpuUs)} / ${us(r.serverCpuUs)}`,
      ...floorCells,
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
        'server CPU µs/call ours / naive / redis',
        ...(names.floor === undefined
          ? []
          : ['floor p50/p99 µs', 'floor ops/s', 'floor/naive ops', 'ours/floor ops', 'server CPU floor / ours']),
      ],
      body,
    ),
  );
  log(
    'Server CPU: the PostgreSQL backend (or redis-server) process time per call on one connection, from /proc: ' +
      'unlike wall time it hardly moves when other processes load the machine.',
  );
  if (names.floor !== undefined) {
    log(
      `Contract floor (${names.floor}): the smallest SQL that keeps DESIGN §4's storage contract for this call ` +
        '(registry row with type, expiry and WATCH version, plus the type table), without type, expiry or ' +
        'emptied-key checks on writes: an upper bound on what any faithful translation can reach.',
    );
  }
}

/** The statements `keep` selects, slowest first. */
export function printServerTimes(
  times: ReadonlyMap<string, number>,
  keep: (query: string) => boolean,
  log: (line: string) => void,
): void {
  const label = (query: string): string => {
    const one = query.replace(/\s+/g, ' ');
    return one.length > 90 ? `${one.slice(0, 87)}...` : one;
  };
  const rows = [...times.entries()]
    .filter(([q]) => keep(q))
    .sort((a, b) => b[1] - a[1])
    .map(([q, mean]) => [mean.toFixed(1), label(q)]);
  log('');
  log('Server-side mean execution time per statement (pg_stat_statements; the rest of a round trip is protocol, network and client):');
  log(table(['µs', 'statement'], rows, [1]));
}

export interface BenchServers {
  readonly postgresUrl: string;
  readonly redisPort: number;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL 15 server configured as a cache (synchronous_commit=off, fsync
 * left on, pg_stat_statements when it loads) and a redis-server without
 * persistence; logs what PostgreSQL says its settings are.
 *
 *   const { postgresUrl, redisPort, stop } = await startBenchServers(console.log);
 */
export async function startBenchServers(log: (line: string) => void): Promise<BenchServers> {
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
  const stop = async (): Promise<void> => {
    await Promise.all([postgres.stop(), redisServer?.stop()]);
  };
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
    return { postgresUrl: postgres.url, redisPort: redisServer.port, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
