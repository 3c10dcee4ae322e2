import { Redis } from 'ioredis';
import Redis4 from 'ioredis4';
import { Redis as Redis6 } from 'ioredis6';
import { createClient as createClient4 } from 'redis4';
import { createClient as createClient5 } from 'redis5';
import type { FlavourDir } from './codemod-values.js';

/**
 * Run `f` with a real client of `flavour` connected to redis-server on
 * `port`, after FLUSHALL; the client is closed afterwards.
 *
 *   await withRealClient('node-redis4', 6414, (c) => run(c))  → [ 'OK', … ]
 */
export async function withRealClient<T>(flavour: FlavourDir, port: number, f: (client: unknown) => Promise<T>): Promise<T> {
  if (flavour === 'ioredis4' || flavour === 'ioredis4-untyped' || flavour === 'ioredis5' || flavour === 'ioredis6') {
    // Each with its default options, as an application constructs it (ioredis 6: RESP3 with the "legacy" reply mapping).
    const options = { port, host: '127.0.0.1', lazyConnect: true };
    const client = flavour === 'ioredis4' || flavour === 'ioredis4-untyped' ? new Redis4(options) : flavour === 'ioredis6' ? new Redis6(options) : new Redis(options);
    await client.connect();
    try {
      await client.flushall();
      return await f(client);
    } finally {
      await client.quit();
    }
  }
  const client = flavour === 'node-redis4' ? createClient4({ socket: { port, host: '127.0.0.1' } }) : createClient5({ socket: { port, host: '127.0.0.1' } });
  await client.connect();
  try {
    await client.flushAll();
    return await f(client);
  } finally {
    await client.quit();
  }
}
