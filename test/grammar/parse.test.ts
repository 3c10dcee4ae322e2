import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RedisError, RedisSyntaxError, StorageError, UnsupportedError, UsageError } from '../../src/errors.js';
import { parseCommand, parserFor } from '../../src/grammar/parse.js';
import { translate } from '../../src/translate.js';
import { NO_KEYS, block, command, dbl, int, key, keys, multiple, multipleToken, oneof, optional, rules, str, tok, token } from '../../src/grammar/spec.js';

interface RecordedCase {
  readonly topic: string;
  readonly argv: readonly string[];
  readonly expect: 'error' | 'accepted';
  readonly error: string | null;
}

// Recorded from redis-server 7.0 by scripts/record-parse-errors.ts.
const RECORDED = JSON.parse(readFileSync(new URL('../../fixtures/grammar/parse-errors.json', import.meta.url), 'utf8')) as {
  readonly redis: string;
  readonly cases: readonly RecordedCase[];
};

/**
 * Our answer to a line before data is looked at: the parser's, then (for a
 * recorded error) the translator's, which makes the checks Redis makes after
 * reading the options (EXPIRE's amount after its flags); a command not
 * translated yet counts as accepted. A recorded `accepted` line is one whose
 * parsing Redis accepts, whatever it answered afterwards (`SET k v EX 0`).
 */
function outcome(argv: readonly string[], expected: RecordedCase['expect'] = 'error'): string | null {
  let deferred;
  try {
    deferred = parseCommand(argv).deferred;
  } catch (e) {
    if (e instanceof RedisError) return e.message;
    throw e;
  }
  // An error Redis gives after the key lookup: the cases were recorded on an empty database.
  if (deferred !== undefined) {
    const { missing } = deferred.lookup;
    if (missing === 'skip') return deferred.message;
    return missing === 'nil' || missing === 'empty-scan' || 'integer' in missing ? null : missing.error;
  }
  if (expected === 'accepted') return null;
  try {
    translate(argv);
    return null;
  } catch (e) {
    if (e instanceof RedisError) return e.message;
    if (e instanceof UnsupportedError) return null;
    throw e;
  }
}

/**
 * Recorded cases where we do not give Redis' answer yet, because the command
 * table does not carry the parse rule (spec.ts `ParseRules`) or the rule is a
 * cross-argument one. Each row says what would fix it; the test fails once
 * the answer becomes right, so that the row gets removed.
 */
const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {};

describe(`parse errors recorded from redis ${RECORDED.redis}`, () => {
  const rows = RECORDED.cases.map((c) => [c.topic, JSON.stringify(c.argv), c] as const);
  const agreed = rows.filter(([, line]) => KNOWN_DIFFERENCES[line] === undefined);
  const differing = rows.filter(([, line]) => KNOWN_DIFFERENCES[line] !== undefined);

  it.each(agreed)('%s: %s', (_topic, _line, c) => {
    expect(outcome(c.argv, c.expect)).toBe(c.expect === 'error' ? c.error : null);
  });

  it.each(differing)('known difference, %s: %s', (_topic, line, c) => {
    // A failure here means we now answer as Redis does: delete the row above.
    expect(outcome(c.argv, c.expect), KNOWN_DIFFERENCES[line]).not.toBe(c.expect === 'error' ? c.error : null);
  });

  it('lists no known difference that is not a recorded case', () => {
    const lines = new Set(rows.map(([, line]) => line));
    expect(Object.keys(KNOWN_DIFFERENCES).filter((l) => !lines.has(l))).toEqual([]);
  });
});

const b = (s: string): Buffer => Buffer.from(s);

describe('parsed arguments, typed as ArgsOf says', () => {
  it('SET with options in any order and case', () => {
    const cmd = parseCommand('set k v px 100 GET nx');
    expect(cmd.name).toBe('SET');
    expect(cmd.argv).toEqual(['set', 'k', 'v', 'px', '100', 'GET', 'nx'].map(b));
    expect(cmd.args).toEqual({
      key: 'k',
      value: b('v'),
      condition: { kind: 'nx', value: true },
      get: true,
      expiration: { kind: 'milliseconds', value: 100n },
    });
  });

  it('absent optionals are undefined, absent optional multiples empty', () => {
    expect(parseCommand('SET k v').args).toEqual({
      key: 'k', value: b('v'), condition: undefined, get: undefined, expiration: undefined,
    });
    expect(parseCommand('EVAL s 0').args).toEqual({ script: b('s'), numkeys: 0n, key: [], arg: [] });
  });

  it('a later repeat of the same option replaces the earlier one', () => {
    const cmd = parseCommand('SET k v EX 10 EX 20');
    expect(cmd.name === 'SET' && cmd.args.expiration).toEqual({ kind: 'seconds', value: 20n });
  });

  it('integers are bigint over the whole int64 range, doubles numbers', () => {
    const lr = parseCommand(['LRANGE', 'l', '9223372036854775807', '-9223372036854775808']);
    expect(lr.args).toEqual({ key: 'l', start: 9223372036854775807n, stop: -9223372036854775808n });
    const increments = ['0x1p3', '-inf', '1.5E2'].map((d) => {
      const z = parseCommand(['ZINCRBY', 'z', d, 'm']);
      return z.name === 'ZINCRBY' && z.args.increment;
    });
    expect(increments).toEqual([8, -Infinity, 150]);
  });

  it('blocks, numkeys, shared multiples and token-led multiples', () => {
    expect(parseCommand('ZUNIONSTORE d 2 a b WEIGHTS 1 2.5 AGGREGATE max').args).toEqual({
      destination: 'd', numkeys: 2n, key: ['a', 'b'], weight: [1, 2.5], aggregate: { kind: 'max', value: true },
    });
    expect(parseCommand('EVAL s 1 k a b').args).toEqual({ script: b('s'), numkeys: 1n, key: ['k'], arg: [b('a'), b('b')] });
    expect(parseCommand('XREAD COUNT 2 STREAMS a b 0 $').args).toEqual({
      count: 2n, milliseconds: undefined, streams: { key: ['a', 'b'], id: [b('0'), b('$')] },
    });
    expect(parseCommand('BLPOP a b 0.5').args).toEqual({ key: ['a', 'b'], timeout: 0.5 });
  });

  it('oneof with a value branch (XADD *|id) and a token-led optional block', () => {
    const x = parseCommand('XADD s MAXLEN ~ 10 * f v');
    expect(x.args).toEqual({
      key: 's',
      nomkstream: undefined,
      trim: {
        strategy: { kind: 'maxlen', value: true },
        operator: { kind: 'approximately', value: true },
        threshold: b('10'),
        count: undefined,
      },
      id_or_auto: { kind: 'auto_id', value: true },
      field_value: [{ field: b('f'), value: b('v') }],
    });
    const y = parseCommand('XADD s 1-1 f v');
    expect(y.name === 'XADD' && y.args.id_or_auto).toEqual({ kind: 'id', value: b('1-1') });
  });

  it('subcommands are found by their second word, in any case', () => {
    const cmd = parseCommand('xgroup create s g $ mkstream');
    expect(cmd.name).toBe('XGROUP CREATE');
  });

  it('argv lists and Buffers are accepted as they are (binary values kept)', () => {
    const value = Buffer.from([0, 0xff, 0x0a]);
    const cmd = parseCommand(['SET', 'k', value]);
    expect(cmd.name === 'SET' && cmd.args.value).toEqual(value);
    const line = Buffer.concat([b('SET k "\\x00\\xff" GET')]);
    const fromLine = parseCommand(line);
    expect(fromLine.name === 'SET' && fromLine.args.value).toEqual(Buffer.from([0, 0xff]));
  });
});

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('errors carry what a caller needs', () => {
  it.each([
    ['GET', 0],
    ['FOO bar', 0],
    ['XGROUP nope', 1],
    ['SET k v NX XX', 4],
    ['SET k v EX', 3],
    ['SET k v EX 1 FOO', 5],
    ['LRANGE l 0 x', 3],
    ['ZINCRBY z x m', 2],
    ['HSET h f v f', 4],
  ])('%s → argIndex %i', (line, index) => {
    const e = thrown(() => parseCommand(line));
    expect(e).toBeInstanceOf(RedisSyntaxError);
    expect((e as RedisSyntaxError).argIndex).toBe(index);
  });

  it.each([
    [['GET', 'a\u0000b'], 1, 'key argument 1 contains a NUL byte: PostgreSQL text cannot hold it'],
    [['GET', Buffer.from([0x61, 0xff])], 1, 'key argument 1 is not valid UTF-8: PostgreSQL text cannot hold it'],
    [['SMOVE', 'a', Buffer.from([0xc3]), 'm'], 2, 'key argument 2 is not valid UTF-8: PostgreSQL text cannot hold it'],
  ] as const)('a key PostgreSQL text cannot hold: %j', (argv, index, message) => {
    const e = thrown(() => parseCommand(argv));
    expect(e).toBeInstanceOf(StorageError);
    expect((e as StorageError).message).toBe(message);
    expect((e as StorageError).argIndex).toBe(index);
  });

  it("a score the translator converts (ZADD reads scores after its checks) names its argument", () => {
    const e = thrown(() => translate('ZADD z NX 1 a x b'));
    expect(e).toBeInstanceOf(RedisError);
    expect((e as RedisError).message).toBe('ERR value is not a valid float');
    expect((e as RedisError).argIndex).toBe(5);
  });

  it("Redis' own errors win over the key check", () => {
    expect(thrown(() => parseCommand(['GET', 'a\u0000', 'b']))).toBeInstanceOf(RedisSyntaxError);
    expect(thrown(() => parseCommand(['LRANGE', 'a\u0000', 'x', '1']))).toBeInstanceOf(RedisSyntaxError);
  });

  it('non-ASCII UTF-8 keys are fine', () => {
    expect(parseCommand(['GET', 'clé:日本']).args).toEqual({ key: 'clé:日本' });
  });

  it('refused commands say why', () => {
    const e = thrown(() => parseCommand('CONFIG GET maxmemory'));
    expect(e).toBeInstanceOf(UnsupportedError);
    expect((e as UnsupportedError).command).toBe('CONFIG');
    expect((e as UnsupportedError).reason.length).toBeGreaterThan(10);
  });

  it('an empty line is a usage error, not a Redis error', () => {
    expect(thrown(() => parseCommand('   '))).toBeInstanceOf(UsageError);
    expect(thrown(() => parseCommand([]))).toBeInstanceOf(UsageError);
  });
});

describe('the engine’s rules on a table of its own (parserFor)', () => {
  const parse = parserFor(
    [
      command('OPTS', 'generic', -2, [], keys(1, 1, 1), [
        key(),
        optional(rules(oneof('order', token('asc', 'ASC'), token('desc', 'DESC')), { lastWins: true })),
        optional(rules(oneof('mode', token('a', 'A'), token('b', 'B')), { error: 'ERR A and B conflict' })),
        optional(rules(token('once', 'ONCE'), { once: true })),
        optional(tok('N', rules(int('n'), { late: true }))),
        optional(tok('F', rules(dbl('f'), { error: 'ERR f is not a float' }))),
        optional(multipleToken(tok('GET', str('get')))),
      ]),
      command('PAIRS', 'generic', -2, [], NO_KEYS, [multiple(block('pair', str('a'), str('b')))]),
      command('STRICT', 'generic', -2, [], NO_KEYS, [multiple(rules(block('pair', str('a'), str('b')), { error: 'ERR odd' }))]),
      command('TWO', 'generic', 3, [], NO_KEYS, [
        oneof('from', token('l', 'L'), token('r', 'R')),
        oneof('to', token('l', 'L'), token('r', 'R')),
      ]),
      command('BOX OPEN', 'generic', -3, [], NO_KEYS, [str('what')]),
      command('POP', 'generic', -4, [], NO_KEYS, [
        rules(int('numkeys'), { error: 'ERR bad count', countError: 'ERR at least 1' }),
        multiple(key()),
        oneof('where', token('l', 'L'), token('r', 'R')),
        optional(rules(tok('COUNT', rules(int('count'), { error: 'ERR count > 0' })), { once: 'ERR syntax error' })),
      ]),
      command('LAST', 'generic', -2, [], keys(1, 1, 1), [key(), optional(rules(int('n'), { final: true }))]),
      command('FLAGS', 'generic', -2, [], keys(1, 1, 1), [
        key(),
        optional(token('a', 'A')),
        optional(rules(token('b', 'B'), { unknownOption: 'ERR Unsupported option %s' })),
      ]),
    ],
    { NOPE: 'not here, on purpose' },
  );
  const message = (line: string): string | null => {
    try {
      parse(line);
      return null;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  };

  it.each([
    ['OPTS k ASC DESC', null],
    ['OPTS k A B', 'ERR A and B conflict'],
    ['OPTS k A A', null],
    ['OPTS k ONCE ONCE', 'ERR syntax error'],
    ['OPTS k N x FOO', 'ERR syntax error'],
    ['OPTS k N x', 'ERR value is not an integer or out of range'],
    ['OPTS k F x FOO', 'ERR f is not a float'],
    ['OPTS k F', 'ERR syntax error'],
    ['PAIRS a b c', "ERR wrong number of arguments for 'pairs' command"],
    ['STRICT a b c', 'ERR odd'],
    ['TWO L', "ERR wrong number of arguments for 'two' command"],
    ['TWO L X', 'ERR syntax error'],
    ['BOX', "ERR wrong number of arguments for 'box' command"],
    ['BOX shut x', "ERR unknown subcommand 'shut'. Try BOX HELP."],
    ['box open', "ERR wrong number of arguments for 'box|open' command"],
    ['POP 0 k L', 'ERR at least 1'],
    ['POP -1 k L', 'ERR at least 1'],
    ['POP x k L', 'ERR bad count'],
    ['POP 2 k L', 'ERR syntax error'],
    ['POP 1 k COUNT 1 L', 'ERR syntax error'],
    ['POP 1 k L COUNT 1 COUNT 2', 'ERR syntax error'],
    ['POP 1 k L COUNT x', 'ERR count > 0'],
    ['POP 1 k r count 2', null],
    ['LAST k x y', "ERR wrong number of arguments for 'last' command"],
    ['LAST k x', 'ERR value is not an integer or out of range'],
    ['LAST k 1', null],
    ['FLAGS k b A zz', 'ERR Unsupported option zz'],
    ['FLAGS k zz A', 'ERR Unsupported option zz'],
    ['FLAGS k a b', null],
  ] as const)('%s → %s', (line, expected) => {
    expect(message(line)).toBe(expected);
  });

  it('values: later order wins, late integers converted, repeated tokens accumulate', () => {
    expect(parse('opts k asc N 7 get x GET y desc').args).toEqual({
      key: 'k',
      order: { kind: 'desc', value: true },
      mode: undefined,
      once: undefined,
      n: 7n,
      f: undefined,
      get: [b('x'), b('y')],
    });
  });

  it('an option word that starts two arguments fills them in order', () => {
    expect(parse('TWO L L').args).toEqual({ from: { kind: 'l', value: true }, to: { kind: 'l', value: true } });
    expect(parse('two r l').args).toEqual({ from: { kind: 'r', value: true }, to: { kind: 'l', value: true } });
  });

  it('refusals and subcommands of its own table', () => {
    expect(() => parse('nope')).toThrow(UnsupportedError);
    expect(parse('box OPEN lid')).toMatchObject({ name: 'BOX OPEN', args: { what: b('lid') } });
  });
});

describe('rules Redis applies around its key lookup and in its option loops', () => {
  const lookup = { keys: ['key'], types: ['zset'], missing: 'skip' } as const;
  const parse = parserFor([
    command('UNITE', 'generic', -3, [], NO_KEYS, [
      int('numkeys'),
      rules(multiple(key()), { afterLookup: lookup }),
      optional(rules(multiple(tok('WEIGHTS', rules(dbl('weight'), { error: 'ERR bad weight' }))), { countedBy: 'numkeys' })),
      optional(tok('AGG', oneof('agg', token('sum', 'SUM'), token('max', 'MAX')))),
    ]),
    command('FIND', 'generic', -3, [], keys(1, 1, 1), [
      key(),
      optional(tok('RANK', rules(int('rank'), { range: { notZero: true, error: 'ERR rank 0' } }))),
      optional(tok('LEN', rules(int('len'), { error: 'ERR len < 0', range: { min: 0n, error: 'ERR len < 0' } }))),
    ]),
  ]);
  const outcome = (line: string): unknown => {
    try {
      const cmd = parse(line);
      return cmd.deferred === undefined ? cmd.args : { deferred: cmd.deferred.message, keys: cmd.args['key'] };
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  };

  it.each([
    // Errors before the lookup are thrown; after it, deferred with the keys read so far.
    ['UNITE x a', 'ERR value is not an integer or out of range'],
    ['UNITE 3 a b', 'ERR syntax error'],
    ['UNITE 2 a b WEIGHTS 1 x', { deferred: 'ERR bad weight', keys: ['a', 'b'] }],
    ['UNITE 2 a b FOO', { deferred: 'ERR syntax error', keys: ['a', 'b'] }],
    ['UNITE 2 a b AGG MIN', { deferred: 'ERR syntax error', keys: ['a', 'b'] }],
    // WEIGHTS takes exactly numkeys values: one too few leaves the token unread, one more is a stray word.
    ['UNITE 2 a b WEIGHTS 1', { deferred: 'ERR syntax error', keys: ['a', 'b'] }],
    ['UNITE 1 a WEIGHTS 1 2', { deferred: 'ERR syntax error', keys: ['a'] }],
    ['UNITE 1 a WEIGHTS 2 AGG MAX WEIGHTS 3', { key: ['a'], numkeys: 1n, weight: [3], agg: { kind: 'max', value: true } }],
    // Ranges are checked as each value converts, in the order given.
    ['FIND k LEN -1 RANK 0', 'ERR len < 0'],
    ['FIND k RANK 0 LEN -1', 'ERR rank 0'],
    ['FIND k LEN x RANK 0', 'ERR len < 0'],
    ['FIND k RANK -1 LEN 0', { key: 'k', rank: -1n, len: 0n }],
  ] as const)('%s', (line, expected) => {
    expect(outcome(line)).toEqual(expected);
  });

  it('a deferred error names the lookup and the argument at fault', () => {
    expect(parse('UNITE 1 a WEIGHTS x').deferred).toEqual({ message: 'ERR bad weight', argIndex: 4, lookup });
  });

  it('translate() looks the keys up, then raises the deferred error (keys only as parameters)', () => {
    const compiled = translate('ZUNIONSTORE d 2 a b WEIGHTS 1 x');
    expect(compiled.params).toEqual([['set', 'zset'], 'WRONGTYPE Operation against a key holding the wrong kind of value', 'ERR weight value is not a float', 'ERR weight value is not a float', ['a', 'b']]);
    expect(compiled.sql).toBe(translate('ZINTERSTORE x 1 c FOO').sql);
  });
});
