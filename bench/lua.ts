import { readFileSync } from 'node:fs';
import pg from 'pg';
import { schemaSql } from '../src/emit/schema/index.js';
import { translate } from '../src/translate.js';
import { compileLua } from '../src/translators/lua/compile.js';
import { RespClient } from '../test/support/resp.js';
import { processCpuMicros, startBenchServers, table, type Argv } from './support.js';

/**
 * `npm run bench -- lua`: three production-shaped scripts run RUNS times each,
 * one call at a time on one connection, in the same run:
 *
 *   redis       EVALSHA on redis-server;
 *   compiled    the script's PL/pgSQL function on PostgreSQL 15 (one prepared SELECT per run);
 *   round trips the same logic from the client, one prepared statement per redis.call
 *               (no BEGIN/COMMIT around them, so this is the round-trip approach at its cheapest:
 *               made atomic as the script is, it would cost two more round trips per run);
 *   floor fn    the script's contract floor (FLOOR_FN): the least SQL any faithful function must run,
 *               as one PL/pgSQL function called as the compiled one is; its replies are checked
 *               against the compiled function's, run by run.
 *
 * Goals printed with the table: compiled ≥ 2× faster than round trips, within 4× of redis.
 * Beside wall time, the server's CPU time per run (the backend serving the connection, or
 * redis-server): on a loaded machine it moves far less than wall time.
 * `LUA_BENCH_RUNS=n` runs n times instead of 10 000 (the output says so).
 *
 *   await luaBench();   // prints the table, returns the rows
 */

const RUNS = Number(process.env.LUA_BENCH_RUNS ?? 10_000);
const WARMUP = 500;
const RATE_KEYS = 100;
const LIMIT = '50';
const WINDOW_MS = '60000';
/** The sliding window's clock: run n is 10 ms after run n-1, so each key sees a request every second. */
const SLIDING_START = 1_700_000_000_000;

const script = (name: string): Buffer => readFileSync(new URL(`../fixtures/lua/${name}`, import.meta.url));

interface Scenario {
  readonly name: string;
  readonly source: Buffer;
  /** KEYS and ARGV of the n-th run. */
  args(n: number): { keys: string[]; argv: string[] };
  /** Commands that set up the data before the runs (on both systems). */
  fill(): Argv[];
  /** The script's logic as separate commands from the client: `run` sends one and gives its reply. */
  roundTrips(n: number, run: (argv: Argv) => Promise<unknown>): Promise<void>;
  /** The contract floor of the script: FLOOR_FN's body (PL/pgSQL on the schema `floor`). */
  readonly floor: string;
  /** A reply with what depends on the clock left out, to compare the floor's with the compiled function's. */
  readonly timeless?: (reply: unknown) => unknown;
}

/**
 * The contract floor of a script: one PL/pgSQL function (called as the compiled one is, one prepared
 * SELECT per run) doing the script's work with the smallest statements that keep DESIGN §4's storage
 * contract (registry row with type, expiry, size and version, locked before the type table is
 * touched; dense list positions from the locked row), on the schema `floor` filled by our own
 * commands. No WRONGTYPE, no expired-key reset, no Lua semantics, calls that touch the same key
 * merged into one statement where SQL allows: a bound no faithful compilation can beat, not one.
 */
const FLOOR_FN = (name: string, declare: string, body: string): string =>
  `CREATE OR REPLACE FUNCTION floor.${name}(keys text[], argv bytea[]) RETURNS jsonb LANGUAGE plpgsql AS $floor$
#variable_conflict use_variable
DECLARE
${declare}
BEGIN
${body}
END
$floor$;`;
const NOW_MS = `(extract(epoch FROM statement_timestamp()) * 1000)::bigint`;
/** A number as an integer reply, truncated as Redis does a Lua number. */
const int = (x: string): string => `jsonb_build_object('i', trunc((${x})::numeric)::text)`;

const jobs = WARMUP + RUNS;

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'fixed-window rate limiter (INCR, PEXPIRE, TTL)',
    source: script('rate-limiter.lua'),
    args: (n) => ({ keys: [`rl:${n % RATE_KEYS}`], argv: [LIMIT, WINDOW_MS] }),
    fill: () => [],
    roundTrips: async (n, run) => {
      const key = `rl:${n % RATE_KEYS}`;
      const current = Number(await run(['INCR', key]));
      if (current === 1) await run(['PEXPIRE', key, WINDOW_MS]);
      if (current > Number(LIMIT)) await run(['TTL', key]);
    },
    // Over the limit, the reply ends with the key's TTL: seconds left at that moment of that run.
    timeless: (reply) => (reply as { a?: unknown[] } | null)?.a?.slice(0, 2) ?? reply,
    floor: FLOOR_FN(
      'fixed_window',
      `  cur bigint; lim bigint := convert_from(argv[1], 'UTF8')::bigint; win bigint := convert_from(argv[2], 'UTF8')::bigint; ttl bigint;`,
      `  WITH k AS (
    INSERT INTO floor.keys AS k (key, type, version) VALUES (keys[1], 'string', nextval('floor.versions'))
    ON CONFLICT (key) DO UPDATE SET version = excluded.version RETURNING k.key)
  INSERT INTO floor.strings AS s (key, value) SELECT k.key, '1'::bytea FROM k
  ON CONFLICT (key) DO UPDATE SET value = convert_to((convert_from(s.value, 'UTF8')::bigint + 1)::text, 'UTF8')
  RETURNING convert_from(s.value, 'UTF8')::bigint INTO cur;
  IF cur = 1 THEN
    UPDATE floor.keys SET expires_at = ${NOW_MS} + win, version = nextval('floor.versions') WHERE key = keys[1];
  END IF;
  IF cur > lim THEN
    SELECT (expires_at - ${NOW_MS} + 500) / 1000 INTO ttl FROM floor.keys WHERE key = keys[1];
    RETURN jsonb_build_object('a', jsonb_build_array('{"i":"0"}'::jsonb, ${int('cur')}, ${int('ttl')}));
  END IF;
  RETURN jsonb_build_object('a', jsonb_build_array('{"i":"1"}'::jsonb, ${int('cur')}, ${int('lim - cur')}));`,
    ),
  },
  {
    // The other common rate limiter: a log of request times per key (4 or 3 calls where the fixed window makes 1 or 2).
    name: 'sliding-window rate limiter (ZREMRANGEBYSCORE, ZCARD, ZADD, PEXPIRE | ZRANGE)',
    source: script('sliding-window.lua'),
    args: (n) => ({ keys: [`sw:${n % RATE_KEYS}`], argv: [String(SLIDING_START + n * 10), WINDOW_MS, LIMIT, `req-${n}`] }),
    fill: () => [],
    roundTrips: async (n, run) => {
      const key = `sw:${n % RATE_KEYS}`;
      const now = SLIDING_START + n * 10;
      await run(['ZREMRANGEBYSCORE', key, '0', String(now - Number(WINDOW_MS))]);
      const count = Number(await run(['ZCARD', key]));
      if (count < Number(LIMIT)) {
        await run(['ZADD', key, String(now), `req-${n}`]);
        await run(['PEXPIRE', key, WINDOW_MS]);
        return;
      }
      await run(['ZRANGE', key, '0', '0', 'WITHSCORES']);
    },
    floor: FLOOR_FN(
      'sliding_window',
      `  now float8 := convert_from(argv[1], 'UTF8')::float8; win float8 := convert_from(argv[2], 'UTF8')::float8;
  lim bigint := convert_from(argv[3], 'UTF8')::bigint; cnt bigint; removed bigint; added int; oldest float8;`,
      `  SELECT size INTO cnt FROM floor.keys WHERE key = keys[1] FOR UPDATE;
  DELETE FROM floor.zsets WHERE key = keys[1] AND score >= 0 AND score <= now - win;
  GET DIAGNOSTICS removed = ROW_COUNT;
  IF removed > 0 THEN
    UPDATE floor.keys SET size = size - removed, version = nextval('floor.versions') WHERE key = keys[1];
  END IF;
  cnt := coalesce(cnt, 0) - removed;
  IF cnt < lim THEN
    INSERT INTO floor.zsets AS z (key, member, score) VALUES (keys[1], argv[4], now)
    ON CONFLICT (key, member) DO UPDATE SET score = excluded.score RETURNING (xmax = 0)::int INTO added;
    -- ZADD's size and version and PEXPIRE's expiry in one registry upsert.
    INSERT INTO floor.keys AS k (key, type, version, size, expires_at) VALUES (keys[1], 'zset', nextval('floor.versions'), 1, ${NOW_MS} + win::bigint)
    ON CONFLICT (key) DO UPDATE SET size = k.size + added, version = excluded.version, expires_at = excluded.expires_at;
    RETURN jsonb_build_object('a', jsonb_build_array('{"i":"1"}'::jsonb, ${int('cnt + 1')}, ${int('lim - cnt - 1')}));
  END IF;
  SELECT score INTO oldest FROM floor.zsets WHERE key = keys[1] ORDER BY score, member LIMIT 1;
  RETURN jsonb_build_object('a', jsonb_build_array('{"i":"0"}'::jsonb, ${int('cnt')}, '{"i":"0"}'::jsonb, ${int('oldest + win - now')}));`,
    ),
  },
  {
    name: 'job claim (LPOP, HINCRBY, HSET, SADD, HGET)',
    source: script('job-claim.lua'),
    args: (n) => ({ keys: ['jobs:queue', 'jobs:running'], argv: [`worker-${n % 8}`, String(1_700_000_000 + n)] }),
    fill: () => {
      const out: Argv[] = [];
      for (let i = 0; i < jobs; i += 1000) {
        out.push(['RPUSH', 'jobs:queue', ...Array.from({ length: Math.min(1000, jobs - i) }, (_, j) => String(i + j))]);
      }
      return out;
    },
    roundTrips: async (n, run) => {
      const id = await run(['LPOP', 'jobs:queue']);
      if (id === null || id === undefined) return;
      const key = Buffer.concat([Buffer.from('job:'), Buffer.isBuffer(id) ? id : Buffer.from(String(id))]);
      await run(['HINCRBY', key, 'attempts', '1']);
      await run(['HSET', key, 'state', 'running', 'worker', `worker-${n % 8}`, 'started', String(1_700_000_000 + n)]);
      await run(['SADD', 'jobs:running', Buffer.isBuffer(id) ? id : String(id)]);
      await run(['HGET', key, 'payload']);
    },
    floor: FLOOR_FN(
      'job_claim',
      `  id bytea; k text; attempts bigint; payload bytea;`,
      `  WITH q AS (
    UPDATE floor.keys AS q SET list_head = q.list_head + 1, size = q.size - 1, version = nextval('floor.versions')
    WHERE q.key = keys[1] AND q.size > 0 RETURNING q.key, q.list_head - 1 AS pos)
  DELETE FROM floor.lists l USING q WHERE l.key = q.key AND l.pos = q.pos RETURNING l.value INTO id;
  IF id IS NULL THEN RETURN 'null'::jsonb; END IF;
  k := 'job:' || convert_from(id, 'UTF8');
  -- HINCRBY and HSET on the job's hash: one registry upsert, then its fields.
  INSERT INTO floor.keys AS r (key, type, version) VALUES (k, 'hash', nextval('floor.versions'))
  ON CONFLICT (key) DO UPDATE SET version = excluded.version;
  INSERT INTO floor.hashes AS h (key, field, value) VALUES (k, 'attempts', '1')
  ON CONFLICT (key, field) DO UPDATE SET value = convert_to((convert_from(h.value, 'UTF8')::bigint + 1)::text, 'UTF8')
  RETURNING convert_from(h.value, 'UTF8')::bigint INTO attempts;
  INSERT INTO floor.hashes (key, field, value) VALUES (k, 'state', 'running'), (k, 'worker', argv[1]), (k, 'started', argv[2])
  ON CONFLICT (key, field) DO UPDATE SET value = excluded.value;
  INSERT INTO floor.keys AS r (key, type, version) VALUES (keys[2], 'set', nextval('floor.versions'))
  ON CONFLICT (key) DO UPDATE SET version = excluded.version;
  INSERT INTO floor.sets (key, member) VALUES (keys[2], id) ON CONFLICT DO NOTHING;
  SELECT value INTO payload FROM floor.hashes WHERE key = k AND field = 'payload';
  RETURN jsonb_build_object('a', jsonb_build_array(jsonb_build_object('b', encode(id, 'hex')), ${int('attempts')},
    CASE WHEN payload IS NULL THEN 'null'::jsonb ELSE jsonb_build_object('b', encode(payload, 'hex')) END));`,
    ),
  },
];

export interface LuaBenchRow {
  readonly scenario: string;
  readonly redisUs: number;
  readonly compiledUs: number;
  readonly evalshaUs: number;
  readonly roundTripUs: number;
  /** The contract floor's function (FLOOR_FN), called as the compiled one is. */
  readonly floorUs: number;
  /** Server CPU µs per run (NaN where /proc cannot be read). */
  readonly redisCpuUs: number;
  readonly compiledCpuUs: number;
  readonly roundTripCpuUs: number;
  readonly floorCpuUs: number;
  /** Runs whose floor reply differs from the compiled function's (clock-dependent parts left out). */
  readonly floorDiffers: number;
}

/** Mean wall µs per run, and the server process' CPU µs per run. */
async function timed(runs: number, serverPid: number, body: (n: number) => Promise<unknown>): Promise<{ us: number; cpuUs: number }> {
  for (let n = 0; n < WARMUP; n++) await body(n);
  const cpu = processCpuMicros(serverPid);
  const start = process.hrtime.bigint();
  for (let n = WARMUP; n < WARMUP + runs; n++) await body(n);
  const us = Number(process.hrtime.bigint() - start) / 1000 / runs;
  const cpuEnd = processCpuMicros(serverPid);
  return { us, cpuUs: cpu === undefined || cpuEnd === undefined ? Number.NaN : (cpuEnd - cpu) / runs };
}

/** A pg call of a command's translation, prepared once per command shape. */
function pgCommand(client: pg.Client): (argv: Argv) => Promise<unknown> {
  return async (argv) => {
    const compiled = translate(argv);
    const name = `rt_${String(argv[0]).toLowerCase()}_${compiled.params.length}`;
    const result = await client.query({ name, text: compiled.sql, values: [...compiled.params] as unknown[] });
    const row = result.rows[0] as Record<string, unknown> | undefined;
    return row === undefined ? null : (row['reply'] ?? Object.values(row)[0] ?? null);
  };
}

export async function luaBench(log: (line: string) => void = console.log, runs = RUNS): Promise<LuaBenchRow[]> {
  const servers = await startBenchServers(log);
  const rows: LuaBenchRow[] = [];
  try {
    const client = new pg.Client({ connectionString: servers.postgresUrl });
    await client.connect();
    // The servers stop in `finally`: their goodbye must not hide the error that stopped the run.
    client.on('error', () => undefined);
    await client.query(schemaSql({}));
    // The same tables, indexes and helpers as ours, in their own schema, for the floor functions.
    await client.query(schemaSql({ schema: 'floor' }));
    const runFloor = async (argv: Argv): Promise<void> => {
      const compiled = translate(argv, { schema: 'floor' });
      await client.query(compiled.sql, [...compiled.params] as unknown[]);
    };
    const redis = await RespClient.connect(servers.redisPort);
    const run = pgCommand(client);
    const backendPid = Number((await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid);
    const info = await redis.call('INFO', 'server');
    const redisPid = Number(/process_id:(\d+)/.exec(info.type === 'bulk' ? String(info.value) : '')?.[1]);
    const reset = async (s: Scenario): Promise<void> => {
      await redis.call('FLUSHALL');
      await run(['FLUSHALL']);
      for (const argv of s.fill()) {
        await redis.send(argv);
        await run(argv);
      }
    };
    for (const s of SCENARIOS) {
      const compiled = compileLua(s.source);
      await client.query(compiled.ddl);
      const sha = String((await redis.send(['SCRIPT', 'LOAD', s.source])).type === 'error' ? '' : compiled.sha);

      await reset(s);
      const redisRun = await timed(runs, redisPid, async (n) => {
        const { keys, argv } = s.args(n);
        const reply = await redis.send(['EVALSHA', sha, String(keys.length), ...keys, ...argv]);
        if (reply.type === 'error') throw new Error(`redis: ${reply.message}`);
      });

      await reset(s);
      const call = `SELECT ${'redis'}.${compiled.name}($1::text[], $2::bytea[]) AS reply`;
      // Replies kept to check the floor function against: it must do the script's work, not less.
      const compiledReplies: string[] = [];
      const compiledRun = await timed(runs, backendPid, async (n) => {
        const { keys, argv } = s.args(n);
        const result = await client.query({ name: `lua_${compiled.sha.slice(0, 12)}`, text: call, values: [keys, argv.map((a) => Buffer.from(a))] });
        compiledReplies[n] = JSON.stringify((s.timeless ?? ((r) => r))(result.rows[0]?.reply));
      });

      await reset(s);
      const evalshaRun = await timed(runs, backendPid, async (n) => {
        const { keys, argv } = s.args(n);
        await run(['EVALSHA', compiled.sha, String(keys.length), ...keys, ...argv]);
      });

      await reset(s);
      const roundTripRun = await timed(runs, backendPid, (n) => s.roundTrips(n, run));

      await client.query(s.floor);
      await runFloor(['FLUSHALL']);
      for (const argv of s.fill()) await runFloor(argv);
      const floorName = /FUNCTION floor\.(\w+)/.exec(s.floor)?.[1] ?? '';
      let floorDiffers = 0;
      const floorRun = await timed(runs, backendPid, async (n) => {
        const { keys, argv } = s.args(n);
        const result = await client.query({ name: `floor_${floorName}`, text: `SELECT floor.${floorName}($1::text[], $2::bytea[]) AS reply`, values: [keys, argv.map((a) => Buffer.from(a))] });
        if (JSON.stringify((s.timeless ?? ((r) => r))(result.rows[0]?.reply)) !== compiledReplies[n]) floorDiffers++;
      });
      rows.push({
        scenario: s.name,
        redisUs: redisRun.us,
        compiledUs: compiledRun.us,
        evalshaUs: evalshaRun.us,
        roundTripUs: roundTripRun.us,
        floorUs: floorRun.us,
        redisCpuUs: redisRun.cpuUs,
        compiledCpuUs: compiledRun.cpuUs,
        roundTripCpuUs: roundTripRun.cpuUs,
        floorCpuUs: floorRun.cpuUs,
        floorDiffers,
      });
    }
    await redis.close();
    await client.end();
  } finally {
    await servers.stop();
  }
  const us = (x: number): string => x.toFixed(0);
  log('');
  log(`${runs} runs per script${runs === 10_000 ? '' : ' (LUA_BENCH_RUNS; the issue asks for 10 000)'} after ${WARMUP} warm-up, one at a time on one connection; mean wall µs per run`);
  log(
    table(
      ['script', 'redis EVALSHA', 'compiled fn', 'EVALSHA via SQL', 'round trips', 'floor fn', 'round trips / compiled (≥2)', 'compiled / redis (≤4)', 'floor / redis', 'compiled / floor'],
      rows.map((r) => {
        const speedup = r.roundTripUs / r.compiledUs;
        const vsRedis = r.compiledUs / r.redisUs;
        return [
          r.scenario,
          us(r.redisUs),
          us(r.compiledUs),
          us(r.evalshaUs),
          us(r.roundTripUs),
          us(r.floorUs),
          `${speedup.toFixed(2)} ${speedup >= 2 ? 'met' : 'MISSED'}`,
          `${vsRedis.toFixed(2)}x ${vsRedis <= 4 ? 'met' : 'MISSED'}`,
          `${(r.floorUs / r.redisUs).toFixed(2)}x`,
          `${(r.compiledUs / r.floorUs).toFixed(2)}x`,
        ];
      }),
    ),
  );
  log('');
  log('Server CPU µs per run (the PostgreSQL backend of the connection, or redis-server; the client is not counted):');
  log(
    table(
      ['script', 'redis', 'compiled fn', 'round trips', 'floor fn', 'round trips / compiled', 'compiled / redis', 'floor / redis'],
      rows.map((r) => [
        r.scenario,
        us(r.redisCpuUs),
        us(r.compiledCpuUs),
        us(r.roundTripCpuUs),
        us(r.floorCpuUs),
        (r.roundTripCpuUs / r.compiledCpuUs).toFixed(2),
        `${(r.compiledCpuUs / r.redisCpuUs).toFixed(2)}x`,
        `${(r.floorCpuUs / r.redisCpuUs).toFixed(2)}x`,
      ]),
    ),
  );
  log('');
  log(
    'floor fn: the contract floor of each script (FLOOR_FN in bench/lua.ts): one PL/pgSQL function doing its work with the smallest ' +
      'statements DESIGN §4 allows, no WRONGTYPE, no Lua. Where floor / redis is above 4, no faithful compiled function can be within 4x of redis here. ' +
      `Its replies (TTLs left out) equal the compiled function's in every run but ${rows.map((r) => `${r.floorDiffers} (${r.scenario.split(' (')[0]})`).join(', ')}.`,
  );
  log(
    "fixed-window: its round trips are one INCR in the common case (PEXPIRE on a window's first hit, TTL once over the limit), so one " +
      'call of anything cannot be 2x faster than them; the goal is for the scripts making several calls.',
  );
  return rows;
}
