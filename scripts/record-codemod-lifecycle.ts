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
 * encode values). And node-redis' `isOpen` and `isReady` at each moment of a
 * client's life, shut down by each method (lifecycle-states.redis.json).
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
// node-redis' isOpen and isReady along a client's life, per shutdown method: created, connect() called, connected, shut down called, done.
const states: Record<string, Record<string, [string, boolean, boolean][]>> = {};
for (const [flavour, , methods] of clients) {
  if (!flavour.startsWith('node-redis')) continue;
  states[flavour] = {};
  for (const method of methods) {
    const create = flavour === 'node-redis4' ? (createClient4 as unknown as typeof createClient5) : createClient5;
    const client = create({ socket: { port, host: '127.0.0.1' } }) as unknown as Record<string, unknown> & { isOpen: boolean; isReady: boolean };
    const seen: [string, boolean, boolean][] = [];
    const look = (moment: string): void => void seen.push([moment, client.isOpen, client.isReady]);
    look('created');
    const connecting = (client['connect'] as () => Promise<unknown>).call(client);
    look('connect() called');
    await connecting;
    look('connected');
    const shutdown = (client[method] as () => unknown).call(client);
    look(`${method}() called`);
    await shutdown;
    look(`${method}() done`);
    states[flavour][method] = seen;
  }
}
writeFileSync(new URL('../fixtures/codemod/lifecycle.redis.json', import.meta.url), JSON.stringify(recorded, null, 2) + '\n');
writeFileSync(new URL('../fixtures/codemod/lifecycle-states.redis.json', import.meta.url), JSON.stringify(states, null, 2) + '\n');
process.stdout.write(`recorded the shutdown calls of ${clients.length} clients against redis-server :${port}\n`);
