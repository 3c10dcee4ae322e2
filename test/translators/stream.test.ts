import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedDatabase, ensureSchema, type Database } from '../../src/db/index.js';
import { RedisError } from '../../src/errors.js';
import type { RedisReply } from '../../src/emit/reply.js';
import { runCommand } from '../../src/exec.js';
import { translate } from '../../src/translate.js';
import { parseStreamId } from '../../src/translators/stream.js';

/**
 * What the recorded oracle (fixtures/oracle/streams*.redis) cannot say:
 * IDs taken from the clock (`*`), binary fields exactly as given, ID parsing
 * at its edges, and SQL text that depends on the command's shape only.
 */
let db: Database;
beforeAll(async () => {
  db = await embeddedDatabase();
  await ensureSchema(db);
});
afterAll(async () => {
  await db.close();
});

const run = (...argv: (string | Buffer)[]): Promise<RedisReply> => runCommand(db, argv);
const bulk = (s: string | Buffer): RedisReply => ({ type: 'bulk', value: Buffer.isBuffer(s) ? s : Buffer.from(s) });
const int = (n: number): RedisReply => ({ type: 'integer', value: BigInt(n) });
const entry = (id: string, ...fv: (string | Buffer)[]): RedisReply => ({
  type: 'array',
  value: [bulk(id), { type: 'array', value: fv.map(bulk) }],
});
const U64_MAX = 2n ** 64n - 1n;

describe('XADD * takes the clock', () => {
  it('uses now_ms, then the next sequence while the clock stands still or goes back', async () => {
    await db.exec(`SET redis2sql.now_ms = '1700000000000'`);
    expect(await run('XADD', 'clock', '*', 'a', '1')).toEqual(bulk('1700000000000-0'));
    expect(await run('XADD', 'clock', '*', 'a', '2')).toEqual(bulk('1700000000000-1'));
    await db.exec(`SET redis2sql.now_ms = '1600000000000'`);
    expect(await run('XADD', 'clock', '*', 'a', '3')).toEqual(bulk('1700000000000-2'));
    await db.exec(`SET redis2sql.now_ms = '1700000000005'`);
    expect(await run('XADD', 'clock', '*', 'a', '4')).toEqual(bulk('1700000000005-0'));
    expect(await run('XADD', 'clock', '1700000000005-*', 'a', '5')).toEqual(bulk('1700000000005-1'));
    await db.exec(`RESET redis2sql.now_ms`);
    expect(await run('XLEN', 'clock')).toEqual(int(5));
  });

  it('moves to the next millisecond when the sequence is exhausted', async () => {
    await db.exec(`SET redis2sql.now_ms = '1000'`);
    expect(await run('XADD', 'full', `2000-${U64_MAX}`, 'a', '1')).toEqual(bulk(`2000-${U64_MAX}`));
    expect(await run('XADD', 'full', '*', 'a', '2')).toEqual(bulk('2001-0'));
    await db.exec(`RESET redis2sql.now_ms`);
  });

  it('without a pinned clock the ID is about now', async () => {
    const before = Date.now();
    const reply = await run('XADD', 'now', '*', 'a', '1');
    if (reply.type !== 'bulk' || reply.value === null) throw new Error(JSON.stringify(reply));
    const ms = Number(reply.value.toString().split('-')[0]);
    expect(ms).toBeGreaterThanOrEqual(before - 1000);
    expect(ms).toBeLessThanOrEqual(Date.now() + 1000);
  });
});

describe('binary fields and values', () => {
  it('returns the bytes given, a field repeated as often as given', async () => {
    const nul = Buffer.from([0x00, 0xff, 0x00]);
    const slash = Buffer.from('a\\b\\\\c');
    const invalid = Buffer.from([0xc3, 0x28]);
    expect(await run('XADD', 'bin', '1-1', nul, slash, invalid, '', nul, nul)).toEqual(bulk('1-1'));
    expect(await run('XRANGE', 'bin', '-', '+')).toEqual({
      type: 'array',
      value: [entry('1-1', nul, slash, invalid, Buffer.alloc(0), nul, nul)],
    });
  });
});

describe('parseStreamId reads IDs as Redis 7.0 does', () => {
  const id = (s: string, missing = 0n, options = {}) => parseStreamId(Buffer.from(s, 'latin1'), missing, options);
  it.each([
    ['5', { ms: 5n, seq: 0n }],
    ['5-3', { ms: 5n, seq: 3n }],
    ['+5-+3', { ms: 5n, seq: 3n }],
    ['  5-03', { ms: 5n, seq: 3n }],
    // string2ll refuses "-05", strtoull wraps it around.
    ['1--05', { ms: 1n, seq: U64_MAX - 4n }],
    [`${U64_MAX}-${U64_MAX}`, { ms: U64_MAX, seq: U64_MAX }],
    // A C string: the NUL byte ends it.
    ['7-1\x00junk', { ms: 7n, seq: 1n }],
  ])('%j', (text, expected) => {
    expect(id(text)).toEqual(expected);
  });

  it.each(['', '-5', '-0', '1--5', '5-', '5-x', '0x10', `${U64_MAX + 1n}`, ' ', '5-*', '$', '5'.repeat(128)])(
    'refuses %j',
    (text) => {
      expect(() => id(text)).toThrow(new RedisError('ERR Invalid stream ID specified as stream command argument'));
    },
  );

  it('"-" and "+" are the ends unless strict; "<ms>-*" only where XADD allows it', () => {
    expect(id('-')).toEqual({ ms: 0n, seq: 0n });
    expect(id('+')).toEqual({ ms: U64_MAX, seq: U64_MAX });
    expect(() => id('+', 0n, { strict: true })).toThrow(RedisError);
    expect(id('5', U64_MAX)).toEqual({ ms: 5n, seq: U64_MAX });
    expect(id('5-*', 0n, { seqStar: true })).toEqual({ ms: 5n, seq: undefined });
  });
});

describe('SQL text depends on the shape only', () => {
  it.each([
    [
      ['XADD', 'a', '1-1', 'f', 'v'],
      ['XADD', 'b', '2-7', 'g', 'w', 'h', 'x'],
    ],
    [
      ['XADD', 'a', 'MAXLEN', '~', '5', '*', 'f', 'v'],
      ['XADD', 'b', 'MAXLEN', '~', '9', '*', 'g', 'w'],
    ],
    [
      ['XRANGE', 'a', '-', '+'],
      ['XRANGE', 'b', '(5', '7-1'],
    ],
    [
      ['XREVRANGE', 'a', '+', '-', 'COUNT', '3'],
      ['XREVRANGE', 'b', '9', '(1', 'COUNT', '8'],
    ],
    [
      ['XDEL', 'a', '1-1'],
      ['XDEL', 'b', '1-1', '2-2', '3'],
    ],
    [
      ['XTRIM', 'a', 'MINID', '5'],
      ['XTRIM', 'b', 'MINID', '9-1'],
    ],
  ])('%j and %j', (a, b) => {
    const x = translate(a);
    const y = translate(b);
    expect(x.sql).toBe(y.sql);
    expect(x.params).not.toEqual(y.params);
  });

  it('keys and values are parameters, never text', () => {
    const c = translate(['XADD', "it's", '1-1', 'field', "va'lue"]);
    expect(c.sql).not.toContain("it's");
    expect(c.sql).not.toContain('field');
    expect(c.params).toContain("it's");
  });
});

describe('consumer groups keep time with the schema clock', () => {
  const at = (ms: number): Promise<unknown> => db.exec(`SET redis2sql.now_ms = '${ms}'`);
  const T = 1_700_000_000_000;

  it('idle times, delivery times and seen times are exact against a pinned clock', async () => {
    await at(T);
    await run('XADD', 'gt', '1-1', 'a', '1');
    await run('XADD', 'gt', '2-1', 'b', '2');
    await run('XGROUP', 'CREATE', 'gt', 'g', '0');
    await run('XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '1', 'STREAMS', 'gt', '>');
    await at(T + 500);
    expect(await run('XPENDING', 'gt', 'g', '-', '+', '10')).toEqual({
      type: 'array',
      value: [{ type: 'array', value: [bulk('1-1'), bulk('c1'), int(500), int(1)] }],
    });
    expect(await run('XINFO', 'CONSUMERS', 'gt', 'g')).toEqual({
      type: 'array',
      value: [{ type: 'array', value: [bulk('name'), bulk('c1'), bulk('pending'), int(1), bulk('idle'), int(500)] }],
    });
    // The history re-delivers: a second delivery, now.
    await run('XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 'gt', '0');
    await at(T + 700);
    expect(await run('XPENDING', 'gt', 'g', '-', '+', '10')).toEqual({
      type: 'array',
      value: [{ type: 'array', value: [bulk('1-1'), bulk('c1'), int(200), int(2)] }],
    });
    const full = await run('XINFO', 'STREAM', 'gt', 'FULL');
    const text = JSON.stringify(full, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    expect(text).toContain(JSON.stringify(int(T + 500), (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  });

  it('an entry is claimable once idle for min-idle-time, not a millisecond before', async () => {
    await at(T + 700);
    expect(await run('XCLAIM', 'gt', 'g', 'c2', '201', '1-1', 'JUSTID')).toEqual({ type: 'array', value: [] });
    expect(await run('XAUTOCLAIM', 'gt', 'g', 'c2', '201', '0', 'JUSTID')).toEqual({
      type: 'array',
      value: [bulk('0-0'), { type: 'array', value: [] }, { type: 'array', value: [] }],
    });
    expect(await run('XPENDING', 'gt', 'g', 'IDLE', '201', '-', '+', '10')).toEqual({ type: 'array', value: [] });
    await at(T + 701);
    expect(await run('XPENDING', 'gt', 'g', 'IDLE', '201', '-', '+', '10')).toEqual({
      type: 'array',
      value: [{ type: 'array', value: [bulk('1-1'), bulk('c1'), int(201), int(2)] }],
    });
    expect(await run('XAUTOCLAIM', 'gt', 'g', 'c2', '201', '0', 'JUSTID')).toEqual({
      type: 'array',
      value: [bulk('0-0'), { type: 'array', value: [bulk('1-1')] }, { type: 'array', value: [] }],
    });
    // Claimed: idle again from now, still delivered twice (JUSTID does not count).
    await at(T + 750);
    expect(await run('XPENDING', 'gt', 'g', '-', '+', '10', 'c2')).toEqual({
      type: 'array',
      value: [{ type: 'array', value: [bulk('1-1'), bulk('c2'), int(49), int(2)] }],
    });
    // IDLE sets the delivery time back; TIME sets it.
    await run('XCLAIM', 'gt', 'g', 'c3', '0', '1-1', 'IDLE', '5000', 'JUSTID');
    expect(await run('XPENDING', 'gt', 'g', '-', '+', '10')).toEqual({
      type: 'array',
      value: [{ type: 'array', value: [bulk('1-1'), bulk('c3'), int(5000), int(2)] }],
    });
    await run('XCLAIM', 'gt', 'g', 'c3', '0', '1-1', 'TIME', String(T), 'JUSTID');
    expect(await run('XPENDING', 'gt', 'g', '-', '+', '10')).toEqual({
      type: 'array',
      value: [{ type: 'array', value: [bulk('1-1'), bulk('c3'), int(750), int(2)] }],
    });
    await db.exec(`RESET redis2sql.now_ms`);
  });

  it('XREADGROUP BLOCK answers at once, with a warning', () => {
    expect(translate(['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 'a', '>']).warnings).toHaveLength(1);
    expect(translate(['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'a', '>']).warnings).toHaveLength(0);
  });
});

describe('the groups reply shape (XREAD)', () => {
  it('starts a group where the ordinal changes, so a stream named twice gives two groups', async () => {
    const { decodeReply } = await import('../../src/emit/decode.js');
    const shape = translate(['XREAD', 'STREAMS', 'a', 'a', '0', '0']).reply;
    const row = (stream: number, id: string) => ({ stream, key: 'a', id, field_values: [Buffer.from('f'), Buffer.from('v')] });
    const one = entry('1-1', 'f', 'v');
    expect(decodeReply(shape, [row(1, '1-1'), row(2, '1-1')])).toEqual({
      type: 'array',
      value: [
        { type: 'array', value: [bulk('a'), { type: 'array', value: [one] }] },
        { type: 'array', value: [bulk('a'), { type: 'array', value: [one] }] },
      ],
    });
    expect(decodeReply(shape, [])).toEqual({ type: 'array', value: null });
  });

  it('XREAD BLOCK answers at once, with a warning', () => {
    expect(translate(['XREAD', 'BLOCK', '0', 'STREAMS', 'a', '$']).warnings).toHaveLength(1);
    expect(translate(['XREAD', 'STREAMS', 'a', '$']).warnings).toHaveLength(0);
  });
});
