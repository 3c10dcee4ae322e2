/**
 * Record what the codemod's sample app returns with real ioredis 5 against a
 * real redis-server (the oracle), for test/codemod/app.test.ts to compare the
 * converted app's values with:
 *
 *   redis-server --port 7161 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes
 *   REDIS_PORT=7161 node --import tsx scripts/record-codemod-app.ts
 *
 * The server is flushed first: use a scratch server.
 */
import { writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { run } from '../fixtures/codemod/apps/ioredis5/app.input.js';

const port = Number(process.env['REDIS_PORT'] ?? '6379');
const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
await redis.connect();
await redis.flushall();
const values = await run(redis);
await redis.quit();
const out = new URL('../fixtures/codemod/apps/ioredis5/ioredis-values.json', import.meta.url);
writeFileSync(out, JSON.stringify(values, null, 2) + '\n');
process.stdout.write(`recorded ${values.length} values with ioredis against redis-server :${port}\n`);
