import { describe, expect, it } from 'vitest';
import type { RedisReply } from '../../src/emit/reply.js';
import { specOf } from '../../src/grammar/table.js';
import { tokenize } from '../../src/grammar/tokenize.js';
import { readScript } from '../../scripts/record-fixtures.js';
import { cliLine, generateCommand, seededRng } from '../support/fuzz.js';
import {
  canonicalReply,
  compareReplies,
  defaultRule,
  EXACT,
  recordedReply,
  replyFromJson,
  replyToJson,
  type CompareRule,
} from '../support/oracle.js';
import { encodeCommand, parseReply } from '../support/resp.js';

const bulk = (s: string | null): RedisReply => ({ type: 'bulk', value: s === null ? null : Buffer.from(s, 'latin1') });
const int = (n: number): RedisReply => ({ type: 'integer', value: BigInt(n) });
const arr = (...items: RedisReply[]): RedisReply => ({ type: 'array', value: items });
const argv = (line: string): Buffer[] => tokenize(line);

describe('RESP client', () => {
  // Bytes a redis-server 7.0.15 sent for: RPUSH l "a\x00\xff" "" b / LRANGE l 0 -1 / GET nope /
  // INCR l / SCAN 0 / LPOP nokey 1 / SET s "\r\n" / GET s / PING (recorded on port 7106).
  const wire = Buffer.from(
    ':3\r\n*3\r\n$3\r\na\u0000\u00ff\r\n$0\r\n\r\n$1\r\nb\r\n$-1\r\n' +
      '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n' +
      '*2\r\n$1\r\n0\r\n*1\r\n$1\r\nl\r\n*-1\r\n+OK\r\n$2\r\n\r\n\r\n+PONG\r\n',
    'latin1',
  );
  const expected: RedisReply[] = [
    int(3),
    arr(bulk('a\u0000\u00ff'), bulk(''), bulk('b')),
    bulk(null),
    { type: 'error', message: 'WRONGTYPE Operation against a key holding the wrong kind of value' },
    arr(bulk('0'), arr(bulk('l'))),
    { type: 'array', value: null },
    { type: 'status', value: 'OK' },
    bulk('\r\n'),
    { type: 'status', value: 'PONG' },
  ];

  it('parses a stream of replies, binary-safe', () => {
    const got: RedisReply[] = [];
    let at = 0;
    while (at < wire.length) {
      const r = parseReply(wire, at);
      if (r === undefined) throw new Error(`incomplete at ${at}`);
      got.push(r.reply);
      at = r.end;
    }
    expect(got).toEqual(expected);
  });

  it('waits for the rest of a reply cut anywhere', () => {
    const whole = parseReply(wire, 4);
    for (let cut = 5; cut < (whole?.end ?? 0); cut++) expect(parseReply(wire.subarray(0, cut), 4)).toBeUndefined();
  });

  it('encodes argv as a RESP multi-bulk', () => {
    expect(encodeCommand(['SET', Buffer.from([0, 0xff])]).toString('latin1')).toBe(
      '*2\r\n$3\r\nSET\r\n$2\r\n\u0000\u00ff\r\n',
    );
  });
});

describe('reply JSON form', () => {
  it.each([
    [bulk('text'), 'text'],
    [bulk('\u00ff'), { hex: 'ff' }],
    [bulk(null), null],
    [int(-5), { int: '-5' }],
    [{ type: 'status', value: 'OK' } as RedisReply, { status: 'OK' }],
    [{ type: 'error', message: 'ERR x' } as RedisReply, { error: 'ERR x' }],
    [{ type: 'array', value: null } as RedisReply, { nil: 'array' }],
    [arr(bulk('a'), arr(int(1))), ['a', [{ int: '1' }]]],
  ])('row %#: reply ⇄ JSON', (reply, json) => {
    expect(replyToJson(reply)).toEqual(json);
    expect(replyFromJson(json as never)).toEqual(reply);
  });
});

describe('comparison rules', () => {
  const unordered: CompareRule = { kind: 'unordered', pairs: false };
  const pairs: CompareRule = { kind: 'unordered', pairs: true };
  it.each<[string, RedisReply, RedisReply, CompareRule, boolean]>([
    ['exact order matters', arr(bulk('a'), bulk('b')), arr(bulk('b'), bulk('a')), EXACT, false],
    ['multiset ignores order', arr(bulk('a'), bulk('b')), arr(bulk('b'), bulk('a')), unordered, true],
    ['multiset counts repeats', arr(bulk('a'), bulk('a')), arr(bulk('a'), bulk('b')), unordered, false],
    ['pairs move together', arr(bulk('f'), bulk('1'), bulk('g'), bulk('2')), arr(bulk('g'), bulk('2'), bulk('f'), bulk('1')), pairs, true],
    ['pairs do not swap values', arr(bulk('f'), bulk('1'), bulk('g'), bulk('2')), arr(bulk('f'), bulk('2'), bulk('g'), bulk('1')), pairs, false],
    ['errors stay exact', { type: 'error', message: 'ERR a' }, { type: 'error', message: 'ERR b' }, unordered, false],
    ['tolerance within', int(100000), int(99990), { kind: 'tolerance', within: 1000 }, true],
    ['tolerance beyond', int(100000), int(98000), { kind: 'tolerance', within: 1000 }, false],
    ['tolerance not for -1 vs -2', int(-1), int(-2), { kind: 'tolerance', within: 1000 }, false],
    ['scan cursor exact', arr(bulk('0'), arr(bulk('a'), bulk('b'))), arr(bulk('0'), arr(bulk('b'), bulk('a'))), { kind: 'scan', pairs: false }, true],
    ['scan cursor differs', arr(bulk('0'), arr()), arr(bulk('5'), arr()), { kind: 'scan', pairs: false }, false],
  ])('%s', (_name, expected, got, rule, same) => {
    expect(compareReplies(expected, got, rule) === undefined).toBe(same);
  });

  it('random replies: same type and length, drawn from the universe, distinct when promised', () => {
    const rule = defaultRule(argv('SRANDMEMBER s 2'));
    expect(rule).toEqual({ kind: 'random', pairs: false, distinct: true, universe: 'flat' });
    const universe = arr(bulk('a'), bulk('b'), bulk('c'));
    expect(compareReplies(arr(bulk('a'), bulk('b')), arr(bulk('c'), bulk('a')), rule, universe)).toBeUndefined();
    expect(compareReplies(arr(bulk('a'), bulk('b')), arr(bulk('a'), bulk('a')), rule, universe)).toMatch(/repeats/);
    expect(compareReplies(arr(bulk('a'), bulk('b')), arr(bulk('a'), bulk('z')), rule, universe)).toMatch(/member/);
    expect(compareReplies(arr(bulk('a'), bulk('b')), arr(bulk('a')), rule, universe)).toMatch(/length/);
    const negative = defaultRule(argv('SRANDMEMBER s -3'));
    expect(compareReplies(arr(bulk('a'), bulk('a'), bulk('b')), arr(bulk('c'), bulk('c'), bulk('c')), negative, universe)).toBeUndefined();
  });

  it('random pairs come from the universe pairs', () => {
    const rule = defaultRule(argv('HRANDFIELD h 1 WITHVALUES'));
    const universe = arr(bulk('f'), bulk('1'), bulk('g'), bulk('2'));
    expect(compareReplies(arr(bulk('f'), bulk('1')), arr(bulk('g'), bulk('2')), rule, universe)).toBeUndefined();
    expect(compareReplies(arr(bulk('f'), bulk('1')), arr(bulk('g'), bulk('1')), rule, universe)).toMatch(/member/);
    const fields = defaultRule(argv('HRANDFIELD h 1'));
    expect(compareReplies(arr(bulk('f')), arr(bulk('g')), fields, universe)).toBeUndefined();
    expect(compareReplies(arr(bulk('f')), arr(bulk('1')), fields, universe)).toMatch(/member/);
  });

  it('canonical recordings sort what is unordered and round what is tolerated', () => {
    expect(canonicalReply(arr(bulk('b'), bulk('a')), { kind: 'unordered', pairs: false })).toEqual(arr(bulk('a'), bulk('b')));
    expect(canonicalReply(arr(bulk('b'), bulk('a')), EXACT)).toEqual(arr(bulk('b'), bulk('a')));
    expect(canonicalReply(int(99998), { kind: 'tolerance', within: 1000 })).toEqual(int(100000));
    const random = defaultRule(argv('SRANDMEMBER s 2'));
    expect(recordedReply(arr(bulk('b'), bulk('a')), random)).toEqual({ random: 2 });
    expect(recordedReply(bulk('x'), random)).toEqual({ random: 'bulk' });
    expect(recordedReply(bulk(null), random)).toBeNull();
    expect(recordedReply(arr(), random)).toEqual([]);
    expect(recordedReply(arr(bulk('b'), bulk('a')), { kind: 'unordered', pairs: false })).toEqual(['a', 'b']);
    // The recorded shape still judges a live sample by the rule.
    const universe = arr(bulk('a'), bulk('b'), bulk('c'));
    const recorded = replyFromJson({ random: 2 });
    expect(compareReplies(recorded, arr(bulk('c'), bulk('a')), random, universe)).toBeUndefined();
    expect(compareReplies(recorded, arr(bulk('c')), random, universe)).toMatch(/length/);
    expect(compareReplies(replyFromJson({ random: 'bulk' }), bulk(null), random, universe)).toMatch(/nil/);
  });
});

describe('.redis scripts', () => {
  it('apply annotations to the next command and defaults otherwise', () => {
    const lines = readScript(Buffer.from('# plain\nSMEMBERS s\n\n# @exact\nSMEMBERS s\n# @tolerance 5\nPTTL k\nSET k "a b"\n'));
    expect(lines.map((l) => [l.line, cliLine(l.argv), l.rule])).toEqual([
      [2, 'SMEMBERS s', { kind: 'unordered', pairs: false }],
      [5, 'SMEMBERS s', EXACT],
      [7, 'PTTL k', { kind: 'tolerance', within: 5 }],
      [8, 'SET k "a b"', EXACT],
    ]);
  });

  it('refuse unknown annotations and dangling ones', () => {
    expect(() => readScript(Buffer.from('# @unorderd\nKEYS *\n'), 'x.redis')).toThrow(/x.redis:1: unknown annotation/);
    expect(() => readScript(Buffer.from('KEYS *\n# @exact\n'), 'x.redis')).toThrow(/x.redis:2: annotation not followed/);
  });
});

describe('fuzz generator', () => {
  it('is deterministic for a seed', () => {
    const spec = specOf('SET')!;
    const run = (seed: number): string[] => {
      const rng = seededRng(seed);
      return Array.from({ length: 50 }, () => cliLine(generateCommand(spec, { rng, nowMs: 1_700_000_000_000 })));
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('prints lines that tokenize back into the same argv', () => {
    const rng = seededRng(3);
    for (const name of ['SET', 'GETEX', 'SCAN', 'EXPIRE', 'COPY', 'SORT']) {
      const spec = specOf(name);
      if (spec === undefined) continue;
      for (let i = 0; i < 100; i++) {
        const a = generateCommand(spec, { rng, nowMs: 1_700_000_000_000 });
        expect(tokenize(cliLine(a))).toEqual(a);
      }
    }
  });

  it('uses the options of the spec', () => {
    const rng = seededRng(11);
    const words = new Set<string>();
    for (let i = 0; i < 300; i++) {
      for (const a of generateCommand(specOf('SET')!, { rng, nowMs: 0 })) words.add(a.toString('latin1').toUpperCase());
    }
    for (const w of ['NX', 'XX', 'GET', 'EX', 'PX', 'EXAT', 'PXAT', 'KEEPTTL']) expect(words).toContain(w);
  });
});
