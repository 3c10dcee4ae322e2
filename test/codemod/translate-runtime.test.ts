import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ioredisPipeline, ioredisTranslated, nodeRedisMulti, nodeRedisTranslated } from '../../src/codemod/runtime.js';
import { embeddedDatabase, ensureSchema, type Database } from '../../src/db/index.js';

// Calls whose statement is translated when they run (their values decide
// it): what the translation does not reproduce is refused, never run, and
// node-redis' own argument and error behaviour holds.
let db: Database;
beforeAll(async () => {
  db = await embeddedDatabase();
  await ensureSchema(db);
  expect(await nodeRedisTranslated(db, 4, ['XADD', 's', '1-1', 'f', 'a'])).toBe('1-1');
}, 120_000);
afterAll(async () => {
  await db.close();
});

const BLOCKING = 'redis2sql: not converted: XREAD BLOCK does not wait here: like XREAD BLOCK inside MULTI, it answers at once (nil when there is nothing to read)';

describe('ioredis calls translated when they run', () => {
  it('reads with XREAD, and refuses XREAD with BLOCK (which would answer at once) without running it', async () => {
    expect(await ioredisTranslated(db, 'xread', ['COUNT', 1, 'STREAMS', 's', '0'])).toEqual([['s', [['1-1', ['f', 'a']]]]]);
    await expect(ioredisTranslated(db, 'xread', ['BLOCK', 0, 'STREAMS', 's', '$'])).rejects.toThrow(BLOCKING);
    expect(() => ioredisPipeline(db).addTranslated('xread', ['BLOCK', 0, 'STREAMS', 's', '$'])).toThrow(BLOCKING);
  });
});

describe('node-redis calls translated when they run', () => {
  it("gives the command module's transformed reply, from the argv as the client built it", async () => {
    expect(await nodeRedisTranslated(db, 4, ['XREAD', 'STREAMS', 's', '0'], 'streams-messages')).toEqual([{ name: 's', messages: [{ id: '1-1', message: Object.assign(Object.create(null), { f: 'a' }) }] }]);
    expect(await nodeRedisTranslated(db, 5, ['XREAD', 'STREAMS', 's', '1-1'], 'streams-messages')).toBeNull();
  });

  it("rejects with Redis' error for the values, as an error reply", async () => {
    await expect(nodeRedisTranslated(db, 4, ['XREAD', 'STREAMS', 's', 'x'])).rejects.toThrow('ERR Invalid stream ID specified as stream command argument');
    await expect(nodeRedisTranslated(db, 4, ['XREAD', 'BLOCK', '5', 'STREAMS', 's', '$'])).rejects.toThrow(BLOCKING);
  });

  it("refuses an argument that is not a string or a Buffer with the TypeError of node-redis' encoder", async () => {
    await expect(nodeRedisTranslated(db, 4, ['XREAD', 'STREAMS', 's', 0])).rejects.toThrow(new TypeError('Invalid argument type'));
    await expect(nodeRedisTranslated(db, 5, ['XREAD', 'STREAMS', 's', 0])).rejects.toThrow(new TypeError('"arguments[3]" must be of type "string | Buffer", got number instead.'));
  });

  it("queues in a multi(): Redis' error for the values is that command's, as node-redis' pipeline rejects with it", async () => {
    const replies = await nodeRedisMulti(db, 4).addTranslated(['XREAD', 'STREAMS', 's', '0'], 'streams-messages').exec();
    expect(replies).toEqual([[{ name: 's', messages: [{ id: '1-1', message: Object.assign(Object.create(null), { f: 'a' }) }] }]]);
    await expect(nodeRedisMulti(db, 4).addTranslated(['XREAD', 'STREAMS', 's', '0']).addTranslated(['XREAD', 'STREAMS', 's', 'x']).execAsPipeline()).rejects.toThrow(
      'ERR Invalid stream ID specified as stream command argument',
    );
  });
});
