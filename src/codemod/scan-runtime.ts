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
