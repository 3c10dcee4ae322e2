/**
 * Record what the codemod's sample apps return with the real Redis clients
 * against a real redis-server (the oracle), for test/codemod/app.test.ts to
 * compare the converted apps' values with:
 *
 *   redis-server --port 7161 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes
 *   REDIS_PORT=7161 node --import tsx scripts/record-codemod-app.ts [app…]
 *
 * Each app (fixtures/codemod/apps/<app>/app.input.ts) exports
 * `run(client, other)`; its values go to `redis-values.json` beside it. The
 * server is flushed before each app: use a scratch server.
 */
import { writeFileSync } from 'node:fs';
import { APPS, runWithRedis } from '../test/support/codemod-apps.js';

const port = Number(process.env['REDIS_PORT'] ?? '6379');
const wanted = process.argv.slice(2);
for (const app of APPS.filter((a) => wanted.length === 0 || wanted.includes(a.name))) {
  const values = await runWithRedis(app, port);
  writeFileSync(new URL(`../fixtures/codemod/apps/${app.name}/redis-values.json`, import.meta.url), JSON.stringify(values, null, 2) + '\n');
  process.stdout.write(`${app.name}: recorded ${values.length} values from ${app.client} against redis-server :${port}\n`);
}
