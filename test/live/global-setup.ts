import { startPostgres, startRedis, type RunningServer } from '../support/servers.js';

/**
 * vitest globalSetup of the `live` project: one redis-server and one
 * PostgreSQL server shared by every live test file, handed over through the
 * environment (`REDIS_PORT`, `DATABASE_URL`), which the test workers inherit.
 * A server the environment already names is reused and left running:
 *
 *   REDIS_PORT=7106 DATABASE_URL=postgres://postgres@127.0.0.1:5433/postgres npm run test:live
 */
export default async function setup(): Promise<() => Promise<void>> {
  const started: RunningServer[] = [];
  try {
    if (process.env.REDIS_PORT === undefined || process.env.REDIS_PORT === '') {
      const redis = await startRedis();
      started.push(redis);
      process.env.REDIS_PORT = String(redis.port);
    }
    if (process.env.DATABASE_URL === undefined || process.env.DATABASE_URL === '') {
      const postgres = await startPostgres();
      started.push(postgres);
      process.env.DATABASE_URL = postgres.url;
    }
  } catch (err) {
    await Promise.all(started.map((s) => s.stop()));
    throw err;
  }
  return async () => {
    await Promise.all(started.map((s) => s.stop()));
  };
}
