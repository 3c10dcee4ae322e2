import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedDatabase, ensureSchema, type Database } from '../../src/db/index.js';
import type { RedisReply } from '../../src/emit/reply.js';
import { tokenize } from '../../src/grammar/tokenize.js';
import { globMatch, pubsubChannel, Session } from '../../src/session.js';
import { translate } from '../../src/translate.js';
import { replyFromJson, showReply } from '../support/oracle.js';
import type { RecordedStep } from './record-pubsub.js';

// Replies recorded from redis-server 7.0.15 by test/translators/record-pubsub.ts.
const RECORDED = JSON.parse(readFileSync(new URL('./pubsub.recorded.json', import.meta.url), 'utf8')) as Record<
  string,
  RecordedStep[]
>;

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

/** Pushed messages of one step may come in any order between patterns (Redis walks a dict). */
const pushOrder = (replies: readonly RedisReply[]): string[] => replies.map(showReply).sort();

describe('pub/sub on PGlite against recorded Redis replies (two sessions on one database)', () => {
  let db: Database;
  beforeAll(async () => {
    db = await embeddedDatabase();
    await ensureSchema(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  it.each(Object.entries(RECORDED))('%s', async (_name, steps) => {
    const inbox: Record<'A' | 'B', RedisReply[]> = { A: [], B: [] };
    const sessions = {
      A: new Session(db, { onMessage: (m) => inbox.A.push(m) }),
      B: new Session(db, { onMessage: (m) => inbox.B.push(m) }),
    };
    await sessions.A.run('FLUSHALL');
    try {
      for (const step of steps) {
        const who = step.line[0] as 'A' | 'B';
        const replies = await sessions[who].execute(tokenize(step.line.slice(2)));
        await settle();
        for (const c of ['A', 'B'] as const) {
          const got = [...(c === who ? replies : []), ...inbox[c].splice(0)];
          const want = step[c].map(replyFromJson);
          const where = `${step.line} (connection ${c})`;
          if (c === who) expect(got.map(showReply), where).toEqual(want.map(showReply));
          else expect(pushOrder(got), where).toEqual(pushOrder(want));
        }
      }
    } finally {
      await sessions.A.close();
      await sessions.B.close();
    }
    expect(await db.query('SELECT count(*) AS n FROM redis.subscriptions')).toEqual([{ n: 0n }]);
  });

  it('refuses a message NOTIFY cannot carry, with the reason, and delivers the largest that fits', async () => {
    const inbox: RedisReply[] = [];
    const sub = new Session(db, { onMessage: (m) => inbox.push(m) });
    const pub = new Session(db);
    try {
      await sub.run('SUBSCRIBE c');
      const big = await pub.run(['PUBLISH', 'c', Buffer.alloc(6000, 0xab)]);
      expect(big.type).toBe('error');
      expect(big.type === 'error' && big.message).toMatch(/^ERR redis2sql: PUBLISH: .*8000/);
      // base64 of 1 + 5990 bytes is 7988 characters: with the space, under 8000.
      const fits = Buffer.alloc(5990, 0xcd);
      expect(await pub.run(['PUBLISH', 'c', fits])).toEqual({ type: 'integer', value: 1n });
      await settle();
      expect(inbox).toEqual([
        { type: 'array', value: [{ type: 'bulk', value: Buffer.from('message') }, { type: 'bulk', value: Buffer.from('c') }, { type: 'bulk', value: fits }] },
      ]);
    } finally {
      await sub.close();
    }
  });

  it('SUBSCRIBE inside MULTI is refused as that entry of EXEC, not silently queued', async () => {
    const s = new Session(db);
    expect(await s.run('MULTI')).toEqual({ type: 'status', value: 'OK' });
    expect(await s.run('SUBSCRIBE c')).toEqual({ type: 'status', value: 'QUEUED' });
    const exec = await s.run('EXEC');
    expect(exec).toEqual({ type: 'array', value: [{ type: 'error', message: 'ERR redis2sql: SUBSCRIBE inside MULTI is not supported' }] });
    expect(s.subscribed).toBe(false);
  });

  it('counts only subscriptions of live backends: a crashed subscriber is not a receiver', async () => {
    await db.query(`INSERT INTO redis.subscriptions (pid, session, kind, name) VALUES (-42, 'gone', 'channel', '\\x6368'::bytea)`);
    const pub = new Session(db);
    expect(await pub.run('PUBLISH ch m')).toEqual({ type: 'integer', value: 0n });
    expect(await pub.run('PUBSUB CHANNELS')).toEqual({ type: 'array', value: [] });
    await db.query('DELETE FROM redis.subscriptions WHERE pid = -42');
  });
});

describe('translations', () => {
  it('PUBLISH is one parameterised statement; subscribing is refused as session state', () => {
    const c = translate(['PUBLISH', 'news', Buffer.from([0, 0xff])]);
    expect(c.sql).toBe('SELECT redis.publish($1::bytea, $2::bytea) AS reply');
    expect(c.params).toEqual([Buffer.from('news'), Buffer.from([0, 0xff])]);
    expect(() => translate('SUBSCRIBE a')).toThrow(/session/);
    expect(() => translate('SPUBLISH a b')).toThrow(/shard/);
  });

  it('PUBSUB CHANNELS uses its pattern parameter once; the SQL does not depend on the values', () => {
    const a = translate('PUBSUB CHANNELS n*');
    expect(a.params).toEqual([Buffer.from('n*')]);
    expect(translate('PUBSUB NUMSUB a b c').sql).toBe(translate('PUBSUB NUMSUB x').sql);
  });

  it('the channel is per schema', () => {
    expect(pubsubChannel()).toBe('redis2sql.redis');
    expect(pubsubChannel('My Cache')).toBe('redis2sql."My Cache"');
  });
});

describe('globMatch agrees with Redis on the recorded patterns', () => {
  it.each([
    ['n*', 'nx', true],
    ['h[ae]llo', 'hello', true],
    ['h[ae]llo', 'hullo', false],
    ['q\\*', 'q*', true],
    ['q\\*', 'qx', false],
    ['[^a-c]?', 'dz', true],
    ['[^a-c]?', 'az', false],
    ['*', 'a', true],
  ])('%s ~ %s → %s', (pattern, subject, expected) => {
    expect(globMatch(Buffer.from(pattern), Buffer.from(subject))).toBe(expected);
  });
});
