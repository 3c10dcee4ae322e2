import pg from 'pg';
import { postgresDatabase, type Database } from '../../src/db/index.js';
import type { RedisReply } from '../../src/emit/reply.js';
import { schemaSql } from '../../src/emit/schema/index.js';
import { runCommand } from '../../src/exec.js';
import { replyKey, showReply } from './oracle.js';
import { RespClient } from './resp.js';

/** One command on one side, by client index. */
export type Side = (i: number, ...argv: string[]) => Promise<RedisReply>;

/**
 * N connections to each side of a live contention test: N pg clients running
 * our SQL in their own schema (created fresh), and N redis-server connections
 * (the test's keys deleted first). Servers come from the live globalSetup.
 *
 *   const live = await LiveClients.open('redis_lists', 8, ['lz:a']);
 *   await live.concurrently((i) => live.onPg(i, 'RPUSH', 'lz:a', String(i)));
 *   await live.close();
 */
export class LiveClients {
  private constructor(
    readonly schema: string,
    readonly pgClients: readonly pg.Client[],
    private readonly dbs: readonly Database[],
    private readonly redis: readonly RespClient[],
  ) {}

  static async open(schema: string, count: number, keysToDelete: readonly string[]): Promise<LiveClients> {
    const url = process.env.DATABASE_URL;
    const port = Number(process.env.REDIS_PORT);
    if (url === undefined || !(port > 0)) throw new Error('DATABASE_URL and REDIS_PORT come from the live globalSetup');
    const setup = new pg.Client({ connectionString: url });
    await setup.connect();
    await setup.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await setup.query(schemaSql({ schema }));
    await setup.end();
    const clients = await Promise.all(
      Array.from({ length: count }, async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        return client;
      }),
    );
    const redis = await Promise.all(Array.from({ length: count }, () => RespClient.connect(port)));
    if (keysToDelete.length > 0) await redis[0]!.send(['DEL', ...keysToDelete]);
    return new LiveClients(schema, clients, clients.map((c) => postgresDatabase(c)), redis);
  }

  readonly onPg: Side = (i, ...argv) => runCommand(this.dbs[i]!, argv, { schema: this.schema });
  readonly onRedis: Side = (i, ...argv) => this.redis[i]!.send(argv);

  /** Run `work(i)` for every client index at once; each client stays sequential inside. */
  async concurrently(work: (i: number) => Promise<void>): Promise<void> {
    await Promise.all(this.pgClients.map((_, i) => work(i)));
  }

  async close(): Promise<void> {
    await Promise.all(this.redis.map((c) => c.close()));
    await Promise.all(this.pgClients.map((c) => c.end()));
  }
}

export const integer = (r: RedisReply): bigint => {
  if (r.type !== 'integer') throw new Error(`not an integer: ${showReply(r)}`);
  return r.value;
};

/** An array reply's elements as latin1 text (non-bulk elements by their reply key). */
export const members = (r: RedisReply): string[] => {
  if (r.type !== 'array' || r.value === null) throw new Error(`not an array: ${showReply(r)}`);
  return r.value.map((x) => (x.type === 'bulk' && x.value !== null ? x.value.toString('latin1') : replyKey(x)));
};
