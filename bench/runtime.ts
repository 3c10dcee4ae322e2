import pg from 'pg';
import { ioredis, ioredisMulti } from '../src/codemod/runtime.js';
import { postgresDatabase } from '../src/db/postgres.js';
import { SAVEPOINT } from '../src/session.js';
import { schemaSql } from '../src/emit/schema/index.js';
import { translate } from '../src/translate.js';
import { startPostgres } from '../test/support/servers.js';
import { processCpuMicros, table } from './support.js';

/**
 * `npm run bench -- runtime`: converted code's calls on PostgreSQL 15, as the
 * codemod writes them (the runtime's `ioredis()` given a pg Pool, which is
 * what a client's construction becomes), with their statements prepared
 * once per connection (the runtime's default, src/codemod/database-runtime.ts)
 * against the same calls unnamed (`REDIS2SQL_PREPARE=off`, every call parsed
 * and planned again: the runtime before it prepared). Same process, same
 * connection, the two alternating by rounds; per command, the p50 of a call's
 * wall time and the server's CPU per call (its backend's, from /proc).
 * Then a multi() of MULTI_COMMANDS as the runtime runs it (a savepoint before
 * each command, released and made again in one query: 2N + 2 round trips)
 * against the same statements with a savepoint and a release around each
 * command (3N + 2, the runtime before session 13), both prepared.
 *
 *   await runtimeBench();   // prints the table
 */

const CALLS = Number(process.env.RUNTIME_BENCH_CALLS ?? 2_000);
const WARMUP = 200;
const ROUNDS = 3;

/** An application's everyday calls, on keys the fill made (the statement depends on the shape, not the values). */
const COMMANDS: readonly string[] = [
  'GET user:1:name',
  'SET session:1 token EX 3600',
  'INCR visits',
  'HGET user:1 name',
  'HSET user:1 seen 1700000000',
  'HGETALL user:1',
  'ZSCORE board alice',
  'ZADD board 10 alice',
  'ZREVRANGE board 0 9 WITHSCORES',
  'LPUSH recent x',
  'LRANGE recent 0 9',
  'SISMEMBER tags a',
  'EXPIRE session:1 60',
];

const MULTI_COMMANDS: readonly string[] = ['SET m:a 1', 'INCR m:a', 'HGET user:1 name', 'ZSCORE board alice'];

const FILL: readonly string[] = [
  'SET user:1:name ada',
  'HSET user:1 name ada email ada@example.com seen 1',
  ...Array.from({ length: 50 }, (_, i) => `ZADD board ${i} player${i}`),
  ...Array.from({ length: 20 }, (_, i) => `RPUSH recent item${i}`),
  'SADD tags a b c',
];

interface Measured {
  readonly p50: number;
  readonly serverCpu: number;
}

async function measure(pool: pg.Pool, pid: number, line: string): Promise<Measured> {
  const c = translate(line);
  const times: number[] = [];
  let cpuStart: number | undefined;
  for (let i = 0; i < WARMUP + CALLS; i++) {
    if (i === WARMUP) cpuStart = processCpuMicros(pid);
    const start = process.hrtime.bigint();
    await ioredis(pool, c.sql, c.params, c.reply);
    if (i >= WARMUP) times.push(Number(process.hrtime.bigint() - start) / 1_000);
  }
  const cpuEnd = processCpuMicros(pid);
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)] ?? NaN, serverCpu: cpuStart === undefined || cpuEnd === undefined ? NaN : (cpuEnd - cpuStart) / CALLS };
}

/** The multi() rows: the runtime's against a savepoint and a release around each command, alternating rounds, the best of each. */
async function multiBench(pool: pg.Pool, pid: number): Promise<void> {
  process.env.REDIS2SQL_PREPARE = 'on';
  const compiled = MULTI_COMMANDS.map((line) => translate(line));
  const runtime = async (): Promise<void> => {
    let batch = ioredisMulti(pool);
    for (const c of compiled) batch = batch.add(c.sql, c.params, c.reply);
    await batch.exec();
  };
  const db = postgresDatabase(pool, { prepare: true });
  const aroundEach = (): Promise<void> =>
    db.transaction(async (tx) => {
      for (const c of compiled) {
        await tx.exec(`SAVEPOINT ${SAVEPOINT}`);
        await tx.query(c.sql, c.params);
        await tx.exec(`RELEASE SAVEPOINT ${SAVEPOINT}`);
      }
    });
  const measureMulti = async (run: () => Promise<void>): Promise<Measured> => {
    const times: number[] = [];
    for (let i = 0; i < WARMUP; i++) await run();
    const cpuStart = processCpuMicros(pid);
    for (let i = 0; i < CALLS; i++) {
      const start = process.hrtime.bigint();
      await run();
      times.push(Number(process.hrtime.bigint() - start) / 1_000);
    }
    const cpuEnd = processCpuMicros(pid);
    times.sort((a, b) => a - b);
    return { p50: times[Math.floor(times.length / 2)] ?? NaN, serverCpu: cpuStart === undefined || cpuEnd === undefined ? NaN : (cpuEnd - cpuStart) / CALLS };
  };
  let ours: Measured = { p50: Infinity, serverCpu: Infinity };
  let before: Measured = { p50: Infinity, serverCpu: Infinity };
  for (let round = 0; round < ROUNDS; round++) {
    for (const which of round % 2 === 0 ? ['ours', 'before'] : ['before', 'ours']) {
      const m = await measureMulti(which === 'ours' ? runtime : aroundEach);
      if (which === 'ours') ours = { p50: Math.min(ours.p50, m.p50), serverCpu: Math.min(ours.serverCpu, m.serverCpu) };
      else before = { p50: Math.min(before.p50, m.p50), serverCpu: Math.min(before.serverCpu, m.serverCpu) };
    }
  }
  const n = MULTI_COMMANDS.length;
  console.log(`\nmulti() of ${n} commands (${MULTI_COMMANDS.join(', ')}), ${CALLS} per round, prepared statements`);
  console.log(
    table(
      ['', 'round trips', 'p50 µs', 'server CPU µs'],
      [
        ['the runtime: one savepoint query before each command', String(2 * n + 2), ours.p50.toFixed(0), ours.serverCpu.toFixed(0)],
        ['a savepoint and a release around each command', String(3 * n + 2), before.p50.toFixed(0), before.serverCpu.toFixed(0)],
      ],
    ),
  );
  console.log(`around each / the runtime: p50 ${(before.p50 / ours.p50).toFixed(2)}x, server CPU ${(before.serverCpu / ours.serverCpu).toFixed(2)}x`);
}

export async function runtimeBench(): Promise<void> {
  const postgres = await startPostgres(undefined, { synchronous_commit: 'off', fsync: 'on', full_page_writes: 'on' });
  // One connection: the calls' latency one at a time, and its backend's CPU.
  const pool = new pg.Pool({ connectionString: postgres.url, max: 1 });
  const was = process.env.REDIS2SQL_PREPARE;
  try {
    await pool.query(schemaSql());
    for (const line of FILL) {
      const c = translate(line);
      await ioredis(pool, c.sql, c.params, c.reply);
    }
    const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = rows[0]!.pid;
    console.log(`${COMMANDS.length} commands, ${CALLS} calls each per round (after ${WARMUP} unmeasured), ${ROUNDS} rounds of each mode, alternating; one connection`);
    // Per command and mode, the best round (the least disturbed by the machine's other work).
    const best = new Map<string, { prepared: Measured; unnamed: Measured }>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const prepared of round % 2 === 0 ? [true, false] : [false, true]) {
        process.env.REDIS2SQL_PREPARE = prepared ? 'on' : 'off';
        for (const line of COMMANDS) {
          const m = await measure(pool, pid, line);
          const seen = best.get(line) ?? { prepared: { p50: Infinity, serverCpu: Infinity }, unnamed: { p50: Infinity, serverCpu: Infinity } };
          const key = prepared ? 'prepared' : 'unnamed';
          best.set(line, { ...seen, [key]: { p50: Math.min(seen[key].p50, m.p50), serverCpu: Math.min(seen[key].serverCpu, m.serverCpu) } });
        }
      }
    }
    const rowsOut = [...best].map(([line, { prepared, unnamed }]) => [
      line,
      prepared.p50.toFixed(0),
      unnamed.p50.toFixed(0),
      (unnamed.p50 / prepared.p50).toFixed(2),
      prepared.serverCpu.toFixed(0),
      unnamed.serverCpu.toFixed(0),
      (unnamed.serverCpu / prepared.serverCpu).toFixed(2),
    ]);
    console.log(table(['command', 'p50 µs prepared', 'unnamed', 'unnamed/prepared', 'server CPU µs/call prepared', 'unnamed', 'unnamed/prepared'], rowsOut));
    const ratios = [...best.values()].map(({ prepared, unnamed }) => unnamed.serverCpu / prepared.serverCpu).filter(Number.isFinite);
    const geo = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
    console.log(`server CPU per call, unnamed / prepared, geometric mean over the commands: ${geo.toFixed(2)}x`);
    await multiBench(pool, pid);
  } finally {
    if (was === undefined) delete process.env.REDIS2SQL_PREPARE;
    else process.env.REDIS2SQL_PREPARE = was;
    await pool.end();
    await postgres.stop();
  }
}
