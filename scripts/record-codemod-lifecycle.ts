/**
 * Record what the real clients' shutdown calls give (ioredis 4, 5, 6's quit()
 * and disconnect(); node-redis 4 and 5's quit(), disconnect(), close(),
 * destroy()) from a real redis-server, for test/codemod/lifecycle.test.ts to
 * compare the converted calls with:
 *
 *   redis-server --port 7164 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes
 *   REDIS_PORT=7164 node --import tsx scripts/record-codemod-lifecycle.ts
 *
 * Each call is made on a fresh connected client: whether it returned a
 * promise, what it resolved or returned to (encoded as the value fixtures
 * encode values).
 */
import { writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import Redis4 from 'ioredis4';
import { Redis as Redis6 } from 'ioredis6';
import { createClient as createClient4 } from 'redis4';
import { createClient as createClient5 } from 'redis5';
import { encodeValue } from '../test/support/codemod-values.js';

const port = Number(process.env['REDIS_PORT'] ?? '6379');
type Connect = () => Promise<Record<string, unknown>>;
const ioredis = (C: typeof Redis): Connect => async () => {
  const c = new C({ port, host: '127.0.0.1', lazyConnect: true });
  await c.connect();
  return c as unknown as Record<string, unknown>;
};
const nodeRedis = (create: typeof createClient5): Connect => async () => {
  const c = create({ socket: { port, host: '127.0.0.1' } });
  await c.connect();
  return c as unknown as Record<string, unknown>;
};
const clients: readonly [string, Connect, readonly string[]][] = [
  ['ioredis4', ioredis(Redis4 as unknown as typeof Redis), ['quit', 'disconnect']],
  ['ioredis5', ioredis(Redis), ['quit', 'disconnect']],
  ['ioredis6', ioredis(Redis6 as unknown as typeof Redis), ['quit', 'disconnect']],
  ['node-redis4', nodeRedis(createClient4 as unknown as typeof createClient5), ['quit', 'disconnect']],
  ['node-redis5', nodeRedis(createClient5), ['quit', 'disconnect', 'close', 'destroy']],
];
const recorded: Record<string, Record<string, { readonly promise: boolean; readonly value: unknown }>> = {};
for (const [flavour, connect, methods] of clients) {
  recorded[flavour] = {};
  for (const method of methods) {
    const client = await connect();
    const returned = (client[method] as () => unknown).call(client);
    const promise = returned instanceof Promise;
    recorded[flavour][method] = { promise, value: encodeValue(promise ? await returned : returned) };
    // ioredis' disconnect() and node-redis 5's destroy() close at once; the others have closed by now.
  }
}
writeFileSync(new URL('../fixtures/codemod/lifecycle.redis.json', import.meta.url), JSON.stringify(recorded, null, 2) + '\n');
process.stdout.write(`recorded the shutdown calls of ${clients.length} clients against redis-server :${port}\n`);
