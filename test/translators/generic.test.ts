import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { embeddedDatabase, ensureSchema, type Database } from '../../src/db/index.js';
import { RedisError, UnsupportedError } from '../../src/errors.js';
import { runCommand } from '../../src/exec.js';
import { tokenize } from '../../src/grammar/tokenize.js';
import { translate } from '../../src/translate.js';
import { compareReplies, defaultRule, EXACT, replyFromJson } from '../support/oracle.js';
import type { RecordedCase } from './record-generic.js';

// Replies recorded from redis-server 7.0.15 by test/translators/record-generic.ts.
const RECORDED = JSON.parse(
  readFileSync(new URL('./generic.recorded.json', import.meta.url), 'utf8'),
) as readonly RecordedCase[];

let db: Database;

beforeAll(async () => {
  db = await embeddedDatabase();
  await ensureSchema(db);
});
afterAll(async () => {
  await db?.close();
});

async function flush(): Promise<void> {
  await db.exec('RESET redis2sql.now_ms');
  await db.query('SELECT redis.flush_keys()');
}

const text = (b: Buffer | undefined): string => {
  if (b === undefined) throw new Error('missing argument in a setup line');
  return b.toString('utf8');
};

/**
 * Seed with SQL what a setup line does in Redis, so these tests depend only
 * on the schema, not on the other groups' translators: SET k v [PX ms],
 * RPUSH k v…, HSET k f v…, SADD k m…, ZADD k score m….
 */
async function seed(line: string): Promise<void> {
  const [name, keyArg, ...rest] = tokenize(line);
  const key = text(keyArg);
  const command = text(name).toUpperCase();
  const type = { SET: 'string', RPUSH: 'list', HSET: 'hash', SADD: 'set', ZADD: 'zset' }[command];
  if (type === undefined) throw new Error(`cannot seed ${line}`);
  const px = command === 'SET' && rest[1] !== undefined && text(rest[1]).toUpperCase() === 'PX' ? text(rest[2]) : null;
  const size = command === 'SET' ? 0 : command === 'RPUSH' || command === 'SADD' ? rest.length : rest.length / 2;
  await db.query(
    `INSERT INTO redis.keys (key, type, expires_at, version, size, list_head)
     VALUES ($1, $2, redis.now_ms() + $3::bigint, nextval('redis.versions'), $4, $5)`,
    [key, type, px, size, command === 'RPUSH' ? 0 : null],
  );
  const pairs = (i: number): [Buffer, Buffer] => [rest[2 * i] as Buffer, rest[2 * i + 1] as Buffer];
  switch (command) {
    case 'SET':
      await db.query('INSERT INTO redis.strings VALUES ($1, $2)', [key, rest[0] as Buffer]);
      break;
    case 'RPUSH':
      for (const [pos, value] of rest.entries()) await db.query('INSERT INTO redis.lists VALUES ($1, $2, $3)', [key, pos, value]);
      break;
    case 'SADD':
      for (const member of rest) await db.query('INSERT INTO redis.sets VALUES ($1, $2)', [key, member]);
      break;
    case 'HSET':
      for (let i = 0; i < size; i++) await db.query('INSERT INTO redis.hashes VALUES ($1, $2, $3)', [key, ...pairs(i)]);
      break;
    case 'ZADD':
      for (let i = 0; i < size; i++) {
        const [score, member] = pairs(i);
        await db.query('INSERT INTO redis.zsets VALUES ($1, $2, $3)', [key, member, Number(text(score))]);
      }
      break;
  }
}

describe('generic and server commands against recorded Redis replies', () => {
  beforeEach(flush);

  it('has recordings', () => {
    expect(RECORDED.length).toBeGreaterThan(10);
  });

  it.each(RECORDED.map((c) => [c.name, c] as const))('%s', async (_name, recorded) => {
    const diffs: string[] = [];
    for (const [i, line] of recorded.lines.entries()) {
      const json = recorded.replies[i];
      if (line.startsWith('+')) {
        await seed(line.slice(1));
        continue;
      }
      if (json === undefined) throw new Error(`no recorded reply for ${line}`);
      const argv = tokenize(line);
      const got = await runCommand(db, argv);
      // RANDOMKEY runs here on at most one key, so its reply is exact.
      const rule = line.toUpperCase().startsWith('RANDOMKEY') ? EXACT : defaultRule(argv);
      const diff = compareReplies(replyFromJson(json), got, rule);
      if (diff !== undefined) diffs.push(`${line}: ${diff}`);
    }
    expect(diffs.join('\n')).toBe('');
  });
});

describe('glob_match (for any bytes: keys, hash fields, members)', () => {
  it('agrees with every recorded KEYS reply, byte for byte', async () => {
    const recorded = RECORDED.find((c) => c.name === 'KEYS glob');
    if (recorded === undefined) throw new Error('no KEYS glob case recorded');
    const subjects = recorded.lines.filter((l) => l.startsWith('+SET ')).map((l) => tokenize(l.slice(1))[1] as Buffer);
    const diffs: string[] = [];
    for (const [i, line] of recorded.lines.entries()) {
      const json = recorded.replies[i];
      if (!line.startsWith('KEYS ') || json === undefined || json === null) continue;
      const expected = replyFromJson(json);
      const pattern = tokenize(line)[1];
      if (expected.type !== 'array' || expected.value === null || pattern === undefined) continue;
      const rows = await db.query('SELECT s FROM unnest($2::bytea[]) AS s WHERE redis.glob_match($1, s)', [pattern, subjects]);
      const got = rows.map((r) => (r.s as Buffer).toString('hex')).sort();
      const want = expected.value.map((r) => (r.type === 'bulk' && r.value !== null ? r.value.toString('hex') : '?')).sort();
      if (JSON.stringify(got) !== JSON.stringify(want)) diffs.push(`${line}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
    }
    expect(diffs).toEqual([]);
  });
});

describe('copied and renamed values', () => {
  beforeEach(flush);

  const values = async (table: string, key: string): Promise<unknown[]> =>
    db.query(`SELECT * FROM redis.${table} WHERE key = $1 ORDER BY 2`, [key]).then((rows) =>
      rows.map(({ key: _key, ...rest }) => rest),
    );

  it('COPY duplicates the rows of every type, and the copy is independent', async () => {
    await seed('RPUSH l a b "\\x00\\xff"');
    await seed('HSET h f1 v1 f2 "x\\\\y"');
    await seed('SADD s m1 m2');
    await seed('ZADD z 1.5 m 2 n');
    await seed('SET str "bin\\x00\\xff"');
    for (const [src, table] of [['l', 'lists'], ['h', 'hashes'], ['s', 'sets'], ['z', 'zsets'], ['str', 'strings']]) {
      expect(await runCommand(db, ['COPY', src as string, `${src}2`])).toEqual({ type: 'integer', value: 1n });
      expect(await values(table as string, `${src}2`)).toEqual(await values(table as string, src as string));
    }
    const registry = await db.query(
      "SELECT key, type, size, list_head FROM redis.keys WHERE key IN ('l', 'l2') ORDER BY key",
    );
    expect(registry.map(({ key: _k, ...rest }) => rest)).toEqual([
      { type: 'list', size: 3n, list_head: 0n },
      { type: 'list', size: 3n, list_head: 0n },
    ]);
    await runCommand(db, 'DEL l');
    expect(await values('lists', 'l2')).toHaveLength(3);
  });

  it('RENAME moves the rows and leaves nothing behind; the replaced target loses its old values', async () => {
    await seed('HSET h f v');
    await seed('RPUSH target a b c');
    expect(await runCommand(db, 'RENAME h target')).toEqual({ type: 'status', value: 'OK' });
    expect(await values('hashes', 'target')).toEqual([{ field: Buffer.from('f'), value: Buffer.from('v') }]);
    expect(await values('lists', 'target')).toEqual([]);
    expect(await values('hashes', 'h')).toEqual([]);
    expect(await db.query("SELECT key, type FROM redis.keys")).toEqual([{ key: 'target', type: 'hash' }]);
  });

  it('FLUSHALL empties every table', async () => {
    await seed('RPUSH l a');
    await seed('HSET h f v');
    await seed('SADD s m');
    await seed('ZADD z 1 m');
    await seed('SET k v');
    await runCommand(db, 'FLUSHALL');
    const [counts] = await db.query(`SELECT (SELECT count(*) FROM redis.keys) + (SELECT count(*) FROM redis.strings)
      + (SELECT count(*) FROM redis.lists) + (SELECT count(*) FROM redis.hashes) + (SELECT count(*) FROM redis.sets)
      + (SELECT count(*) FROM redis.zsets) AS n`);
    expect(counts).toEqual({ n: 0n });
  });
});

describe('expiry on a pinned clock', () => {
  beforeEach(flush);
  const pin = (ms: number): Promise<void> => db.exec(`SET redis2sql.now_ms = '${ms}'`);

  it('a key lives until its expiry time, TTL and EXPIRETIME round to the nearest second, EXPIRE adds the clock', async () => {
    await pin(1_000_000);
    await seed('SET k v');
    expect(await runCommand(db, 'PEXPIRE k 1500')).toEqual({ type: 'integer', value: 1n });
    expect(await runCommand(db, 'PEXPIRETIME k')).toEqual({ type: 'integer', value: 1_001_500n });
    expect(await runCommand(db, 'EXPIRETIME k')).toEqual({ type: 'integer', value: 1002n });
    expect(await runCommand(db, 'TTL k')).toEqual({ type: 'integer', value: 2n });
    await pin(1_000_001);
    expect(await runCommand(db, 'PTTL k')).toEqual({ type: 'integer', value: 1499n });
    expect(await runCommand(db, 'TTL k')).toEqual({ type: 'integer', value: 1n });
    await pin(1_001_499);
    expect(await runCommand(db, 'TTL k')).toEqual({ type: 'integer', value: 0n });
    expect(await runCommand(db, 'EXISTS k')).toEqual({ type: 'integer', value: 1n });
    await pin(1_001_500);
    expect(await runCommand(db, 'EXISTS k')).toEqual({ type: 'integer', value: 0n });
    expect(await runCommand(db, 'TTL k')).toEqual({ type: 'integer', value: -2n });
    expect(await runCommand(db, 'DBSIZE')).toEqual({ type: 'integer', value: 0n });
  });

  it('relative expiry that would overflow with the clock is refused even for a missing key', async () => {
    await pin(1_000);
    expect(await runCommand(db, 'PEXPIRE nokey 9223372036854774807')).toEqual({ type: 'integer', value: 0n });
    expect(await runCommand(db, 'PEXPIRE nokey 9223372036854774808')).toEqual({
      type: 'error',
      message: "ERR invalid expire time in 'pexpire' command",
    });
  });

  it('TIME reads the same clock', async () => {
    await pin(1_700_000_000_123);
    expect(await runCommand(db, 'TIME')).toEqual({
      type: 'array',
      value: [
        { type: 'bulk', value: Buffer.from('1700000000') },
        { type: 'bulk', value: Buffer.from('123000') },
      ],
    });
  });

  it('TIME unpinned is the database time, to the microsecond', async () => {
    const before = Date.now();
    const reply = await runCommand(db, 'TIME');
    const after = Date.now();
    if (reply.type !== 'array' || reply.value === null) throw new Error(`TIME gave ${JSON.stringify(reply)}`);
    const [s, us] = reply.value.map((r) => (r.type === 'bulk' && r.value !== null ? r.value.toString() : ''));
    expect(us).toMatch(/^\d{1,6}$/);
    const ms = Number(s) * 1000 + Number(us) / 1000;
    expect(ms).toBeGreaterThanOrEqual(before - 1000);
    expect(ms).toBeLessThanOrEqual(after + 1000);
  });
});

describe('WATCH sees writes: every successful write bumps the version, a no-op does not', () => {
  beforeEach(flush);
  const version = async (key: string): Promise<unknown> =>
    (await db.query('SELECT version FROM redis.keys WHERE key = $1', [key]))[0]?.version;

  it.each([
    ['EXPIRE k 100', true],
    ['EXPIRE k 100 XX', false],
    ['PERSIST k', false],
    ['TOUCH k', false],
    ['EXISTS k', false],
    ['COPY k k2', false],
  ] as const)('%s → bumped: %s', async (line, bumped) => {
    await seed('SET k v');
    const v0 = await version('k');
    await runCommand(db, line);
    expect((await version('k')) !== v0).toBe(bumped);
  });
});

describe('SCAN', () => {
  beforeEach(flush);

  async function scanAll(count: number, between?: (round: number) => Promise<void>): Promise<string[]> {
    const seen: string[] = [];
    let cursor = '0';
    let round = 0;
    do {
      const reply = await runCommand(db, ['SCAN', cursor, 'COUNT', String(count)]);
      if (reply.type !== 'array' || reply.value === null) throw new Error(`SCAN gave ${JSON.stringify(reply)}`);
      const [c, keys] = reply.value;
      if (c?.type !== 'bulk' || c.value === null || keys?.type !== 'array' || keys.value === null) throw new Error('bad SCAN reply');
      cursor = c.value.toString();
      for (const k of keys.value) if (k.type === 'bulk' && k.value !== null) seen.push(k.value.toString());
      await between?.(round++);
      if (round > 10_000) throw new Error('SCAN does not end');
    } while (cursor !== '0');
    return seen;
  }

  const many = (prefix: string, n: number): Promise<unknown> =>
    db.query(
      `INSERT INTO redis.keys (key, type, version) SELECT $1 || g, 'string', nextval('redis.versions') FROM generate_series(1, $2::int) AS g`,
      [prefix, n],
    );

  it('returns every key exactly once in batches of about COUNT, with cursors a JavaScript number holds', async () => {
    await many('k', 500);
    const cursors: string[] = [];
    const first = await runCommand(db, 'SCAN 0 COUNT 7');
    if (first.type === 'array' && first.value?.[0]?.type === 'bulk') cursors.push(String(first.value[0].value));
    expect(Number(cursors[0])).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER + 1);
    const seen = await scanAll(7);
    expect(seen.length).toBe(500);
    expect(new Set(seen).size).toBe(500);
  });

  it('keys present for the whole scan are returned even as others come and go', async () => {
    await many('stay', 300);
    await many('gone', 100);
    const seen = await scanAll(10, async (round) => {
      await db.query('DELETE FROM redis.keys WHERE key = $1', [`gone${round + 1}`]);
      await many(`new${round}-`, 3);
    });
    const stayed = new Set(seen.filter((k) => k.startsWith('stay')));
    expect(stayed.size).toBe(300);
  });

  it('skips expired keys and filters by MATCH and TYPE after choosing the batch', async () => {
    await many('k', 50);
    await seed('RPUSH list a');
    await seed('SET old v');
    await runCommand(db, 'PEXPIREAT old 1');
    const reply = await runCommand(db, 'SCAN 0 COUNT 1000 MATCH *1* TYPE string');
    expect(reply.type === 'array' && reply.value?.[1]?.type === 'array' ? reply.value[1].value?.length : -1).toBe(14);
    const lists = await runCommand(db, 'SCAN 0 COUNT 1000 TYPE list');
    expect(lists).toEqual({
      type: 'array',
      value: [{ type: 'bulk', value: Buffer.from('0') }, { type: 'array', value: [{ type: 'bulk', value: Buffer.from('list') }] }],
    });
  });

  it('a negative or huge cursor ends the scan', async () => {
    await many('k', 5);
    for (const cursor of ['-1', '9223372036854775807']) {
      expect(await runCommand(db, ['SCAN', cursor])).toEqual({
        type: 'array',
        value: [{ type: 'bulk', value: Buffer.from('0') }, { type: 'array', value: [] }],
      });
    }
  });
});

describe('RANDOMKEY', () => {
  beforeEach(flush);

  it('returns live keys only, and reaches every key', async () => {
    await seed('SET a v');
    await seed('SET b v');
    await seed('SET c v');
    await seed('SET dead v');
    await runCommand(db, 'PEXPIREAT dead 1');
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const reply = await runCommand(db, 'RANDOMKEY');
      if (reply.type === 'bulk' && reply.value !== null) seen.add(reply.value.toString());
    }
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('translation', () => {
  it('keeps Redis data out of the SQL text: same text for different values', () => {
    for (const [a, b] of [
      ['KEYS user:*', "KEYS '*]'"],
      ['DEL a', 'DEL b c d'],
      ['EXPIRE k 10 NX', 'EXPIRE other 99999 NX'],
      ['SCAN 0 MATCH a* COUNT 5', 'SCAN 77 MATCH "\'" COUNT 9'],
      ['COPY a b REPLACE', 'COPY c d REPLACE'],
      ['PING x', "PING 'y'"],
    ] as const) {
      expect(translate(a).sql).toBe(translate(b).sql);
    }
    expect(translate("KEYS '*]'").sql).not.toContain('*]');
  });

  it('EXPIRE sends its amount as given; SQL makes it milliseconds and refuses an overflow before the key', async () => {
    expect(translate('EXPIRE k 10').params).toEqual(['k', '10', 'expire', 'expire']);
    expect(translate('PEXPIREAT k 10').params).toEqual(['k', '10', 'pexpireat']);
    await flush();
    await runCommand(db, tokenize('RPUSH l a'));
    // A list, not a string: Redis refuses the amount before it looks at the key.
    expect(await runCommand(db, tokenize('EXPIRE l 9223372036854776'))).toEqual({
      type: 'error',
      message: "ERR invalid expire time in 'expire' command",
    });
    expect(await runCommand(db, tokenize('EXPIREAT l -9223372036854776'))).toEqual({
      type: 'error',
      message: "ERR invalid expire time in 'expireat' command",
    });
    expect(await runCommand(db, tokenize('EXPIRE l 100'))).toEqual({ type: 'integer', value: 1n });
  });

  it.each([
    ['SELECT 1', 'only database 0 is modelled'],
    ['COPY a b DB 3', 'only database 0 is modelled'],
    ['MOVE k 1', 'only database 0 is modelled'],
    ['DUMP k', 'RDB serialization'],
    ['RESTORE k 0 x', 'RDB serialization'],
    ['MIGRATE host 6379 k 0 1000', 'another Redis server'],
    ['OBJECT ENCODING k', 'memory layouts'],
    ['OBJECT FREQ k', 'LFU'],
    ['OBJECT IDLETIME k', 'last-access'],
    ['OBJECT REFCOUNT k', 'reference counts'],
    ['OBJECT HELP', 'not translated'],
    ['WAIT 1 0', 'synchronous_commit'],
  ])('%s is refused: %s', (line, reason) => {
    expect(() => translate(line)).toThrow(UnsupportedError);
    expect(() => translate(line)).toThrow(reason);
  });
});
