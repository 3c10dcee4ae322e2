/** The clients' scan loops (node-redis' iterators, ioredis' streams) over converted SCAN calls. */
import { Readable } from 'node:stream';

/**
 * node-redis' scan iterators (`scanIterator`, `hScanIterator`,
 * `sScanIterator`, `zScanIterator`) on the pool that replaces the client, as
 * node-redis 4 and 5 run them: a SCAN (HSCAN, SSCAN, ZSCAN) from cursor 0,
 * then from the cursor each reply gives, until it gives 0 again. node-redis 4
 * yields each item of a step (`keys`, `tuples`, `members`), node-redis 5 each
 * step's array (`keys`, `entries`, `members`). `step` is the converted SCAN
 * call, given the cursor as the client sends it (4: a number, 5: a string).
 *
 *   for await (const key of nodeRedisScanIterator<string>(4, (cursor) => r2s.nodeRedis(pool, 4, SCAN_SQL, [String(cursor), 'user:*'], shape, 'scan'), 'keys')) …
 */
export async function* nodeRedisScanIterator<T>(
  major: 4 | 5,
  step: (cursor: number | string) => Promise<unknown>,
  items: 'keys' | 'tuples' | 'entries' | 'members',
): AsyncGenerator<T, void, undefined> {
  const start = major === 4 ? 0 : '0';
  let cursor: number | string = start;
  do {
    const reply = (await step(cursor)) as { readonly cursor: number | string } & Record<string, unknown>;
    cursor = reply.cursor;
    const got = reply[items] as readonly unknown[];
    if (major === 4) yield* got as readonly T[];
    else yield got as T;
  } while (cursor !== start);
}

/**
 * ioredis' scan streams (`scanStream`, `hscanStream`, `sscanStream`,
 * `zscanStream` and their `…BufferStream` twins) on the pool: an object-mode
 * Readable that, as ioredis' ScanStream, runs one SCAN (HSCAN, SSCAN, ZSCAN)
 * per read from cursor "0", pushes each reply's array (empty ones too) and
 * ends once a reply gives cursor "0"; a failed step emits 'error'; `close()`
 * ends it after the step under way. `step` is the converted call, given the
 * cursor as ioredis sends it (a string).
 *
 *   redis.scanStream({ match: 'user:*' }).on('data', (keys) => …)
 *   → r2s.ioredisScanStream((r2sCursor) => r2s.ioredis(pool, SCAN_SQL, r2s.command('scan', [r2sCursor, 'MATCH', 'user:*'], …), shape))
 */
export function ioredisScanStream(step: (cursor: string) => Promise<unknown>): Readable & { close(): void } {
  let cursor = '0';
  let drained = false;
  const stream = new Readable({
    objectMode: true,
    read() {
      if (drained) {
        this.push(null);
        return;
      }
      step(cursor).then(
        (reply) => {
          const [next, items] = reply as readonly [unknown, unknown];
          cursor = String(next);
          if (cursor === '0') drained = true;
          this.push(items);
        },
        (error: unknown) => this.emit('error', error),
      );
    },
  });
  return Object.assign(stream, {
    close(): void {
      drained = true;
    },
  });
}
