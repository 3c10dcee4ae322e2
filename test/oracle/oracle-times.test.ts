import { describe, expect, it } from 'vitest';
import type { RedisReply } from '../../src/emit/reply.js';
import { canonicalReply, compareReplies, defaultRule, type CompareRule } from '../support/oracle.js';

/** The @times rule of the oracle (test/support/oracle.ts) on the stream replies that hold times. */
const bulk = (s: string): RedisReply => ({ type: 'bulk', value: Buffer.from(s) });
const int = (n: number | bigint): RedisReply => ({ type: 'integer', value: BigInt(n) });
const arr = (...value: RedisReply[]): RedisReply => ({ type: 'array', value });
const argv = (...words: string[]): Buffer[] => words.map((w) => Buffer.from(w));

const pending = (idle: number, count = 1): RedisReply => arr(arr(bulk('1-1'), bulk('c'), int(idle), int(count)));
const full = (seen: number | bigint, delivered: number | bigint): RedisReply =>
  arr(
    bulk('length'),
    int(1),
    bulk('groups'),
    arr(
      arr(
        bulk('name'),
        bulk('g'),
        bulk('pending'),
        arr(arr(bulk('1-1'), bulk('c'), int(delivered), int(1))),
        bulk('consumers'),
        arr(arr(bulk('name'), bulk('c'), bulk('seen-time'), int(seen), bulk('pending'), arr(arr(bulk('1-1'), int(delivered), int(1))))),
      ),
    ),
  );

describe('@times', () => {
  const xpending = defaultRule(argv('XPENDING', 's', 'g', '-', '+', '10'));
  const fullRule = defaultRule(argv('XINFO', 'STREAM', 's', 'FULL'));

  it('applies by default to the replies that hold times, and only to them', () => {
    expect(xpending).toEqual({ kind: 'times', within: 1000, form: 'xpending' });
    expect(defaultRule(argv('XINFO', 'CONSUMERS', 's', 'g'))).toMatchObject({ kind: 'times', form: 'xinfo-consumers' });
    expect(fullRule).toMatchObject({ kind: 'times', form: 'xinfo-full' });
    expect(defaultRule(argv('XPENDING', 's', 'g'))).toEqual({ kind: 'exact' });
    expect(defaultRule(argv('XINFO', 'STREAM', 's'))).toEqual({ kind: 'exact' });
  });

  it('idle times within the tolerance plus the replay so far; everything else exact', () => {
    const now = Date.now();
    expect(compareReplies(pending(0), pending(900), xpending, undefined, now)).toBeUndefined();
    expect(compareReplies(pending(0), pending(1200), xpending, undefined, now)).toMatch(/time 1200/);
    expect(compareReplies(pending(0), pending(2500), xpending, undefined, now - 2000)).toBeUndefined();
    expect(compareReplies(pending(0, 1), pending(0, 2), xpending, undefined, now)).toBeDefined();
  });

  it('records present times as 0, which must then fall within the replay; pinned times within the tolerance', () => {
    const now = Date.now();
    const recorded = canonicalReply(full(now, 1_000_000_000_000), fullRule);
    expect(recorded).toEqual(full(0, 1_000_000_000_000));
    const rule: CompareRule = fullRule;
    expect(compareReplies(recorded, full(now + 5, 1_000_000_000_000), rule, undefined, now)).toBeUndefined();
    expect(compareReplies(recorded, full(now - 60_000, 1_000_000_000_000), rule, undefined, now)).toMatch(/the present/);
    expect(compareReplies(recorded, full(now, 1_000_000_000_900), rule, undefined, now)).toBeUndefined();
    expect(compareReplies(recorded, full(now, 1_000_000_002_000), rule, undefined, now - 5000)).toBeDefined();
  });
});
