import { describe, expect, it } from 'vitest';
import { parserFor } from '../../src/grammar/parse.js';
import { block, command, int, key, keys, multiple, oneof, optional, rules, str, tok, token } from '../../src/grammar/spec.js';

/**
 * The parse rules Redis' hand-written stream parsers needed (spec.ts:
 * `check`, `absent`, `inPlace`, `verify`, `refused`, `maxWords`, `%c`, an
 * option's words as `moreargs` counts them), on tables of their own. fixtures/oracle/streams-errors.redis holds
 * the recorded replies of the real commands.
 */

const errorOf = (parse: (argv: string[]) => unknown, argv: string[]): string | undefined => {
  try {
    parse(argv);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
};

const digits = (word: Buffer): string | undefined => (/^\d+$/.test(word.toString()) ? undefined : 'ERR not digits');

describe('check: a string checked as the parser meets it', () => {
  const parse = parserFor([
    command('RANGE', 'stream', -3, [], keys(1, 1, 1), [
      key(),
      rules(str('low'), { check: digits }),
      rules(str('high'), {
        check: (word, read) => (Number(word.toString()) < Number((read.low as Buffer).toString()) ? 'ERR high below low' : undefined),
      }),
      optional(tok('COUNT', int('count'))),
    ]),
    command('TAKE', 'stream', -2, [], keys(1, 1, 1), [
      key(),
      rules(multiple(str('id')), { check: digits }),
      optional(token('force', 'FORCE')),
    ]),
  ]);

  it('before the words after it, and seeing the arguments read before it', () => {
    expect(errorOf(parse, ['RANGE', 'k', 'x', '5', 'COUNT', 'y'])).toBe('ERR not digits');
    expect(errorOf(parse, ['RANGE', 'k', '1', '5', 'COUNT', 'y'])).toBe('ERR value is not an integer or out of range');
    expect(errorOf(parse, ['RANGE', 'k', '9', '5', 'foo'])).toBe('ERR high below low');
    expect(errorOf(parse, ['RANGE', 'k', '1', '5', 'foo'])).toBe('ERR syntax error');
  });

  it('ends a repetition at the first word it refuses, which may leave it empty', () => {
    expect(parse(['TAKE', 'k', '1', '2', 'FORCE']).args).toEqual({ key: 'k', id: [Buffer.from('1'), Buffer.from('2')], force: true });
    expect(parse(['TAKE', 'k', 'FORCE']).args).toEqual({ key: 'k', id: [], force: true });
    expect(errorOf(parse, ['TAKE', 'k', '1', 'x', '2'])).toBe('ERR syntax error');
  });
});

describe('the words of an option, as Redis counts them (moreargs)', () => {
  const parse = parserFor([
    command('OPTS', 'stream', -2, [], keys(1, 1, 1), [
      key(),
      optional(tok('LIMIT', block('limit', int('offset'), int('count')))),
      optional(tok('LIST', block('list', rules(multiple(str('a')), { error: 'ERR unbalanced' }), multiple(str('b'))))),
    ]),
    command('SUB DO', 'stream', -3, [], keys(2, 2, 1), [
      key(),
      optional(rules(tok('WITH', int('n')), { unknownOption: "ERR no option '%s' for '%c'" })),
    ]),
  ]);

  it('a fixed-size option needs all its words; one that varies its word and one more', () => {
    expect(errorOf(parse, ['OPTS', 'k', 'LIMIT', 'x'])).toBe('ERR syntax error');
    expect(errorOf(parse, ['OPTS', 'k', 'LIST', 'x'])).toBe('ERR unbalanced');
    expect(parse(['OPTS', 'k', 'LIST', 'x', 'y']).args).toMatchObject({ list: { a: [Buffer.from('x')], b: [Buffer.from('y')] } });
  });

  it('an option word without its value is an unknown option, %c the subcommand as typed', () => {
    expect(errorOf(parse, ['sub', 'dO', 'k', 'WITH'])).toBe("ERR no option 'WITH' for 'dO'");
    expect(errorOf(parse, ['sub', 'Do', 'k', 'other'])).toBe("ERR no option 'other' for 'Do'");
    expect(errorOf(parse, ['sub', 'do', 'k', 'WITH', 'x'])).toBe('ERR value is not an integer or out of range');
  });
});

describe('inPlace and absent', () => {
  const parse = parserFor([
    command('TRIM', 'stream', -3, [], keys(1, 1, 1), [
      key(),
      block(
        'trim',
        oneof('strategy', token('maxlen', 'MAXLEN'), token('minid', 'MINID')),
        optional(rules(oneof('operator', token('equal', '='), token('approximately', '~')), { inPlace: true })),
        rules(str('threshold'), { check: digits }),
      ),
    ]),
    command('READ', 'stream', -3, [], keys(0, 0, 0), [
      rules(tok('GROUP', str('group')), { absent: 'ERR Missing GROUP' }),
      optional(tok('COUNT', int('count'))),
      tok('STREAMS', multiple(str('key'))),
    ]),
  ]);

  it('an inPlace option is read right there, and only when a word is left for what follows', () => {
    expect(parse(['TRIM', 'k', 'MAXLEN', '~', '5']).args).toMatchObject({ trim: { operator: { kind: 'approximately' } } });
    expect(errorOf(parse, ['TRIM', 'k', 'MAXLEN', '='])).toBe('ERR not digits');
    expect(errorOf(parse, ['TRIM', 'k', 'MAXLEN', '=', '='])).toBe('ERR not digits');
    expect(errorOf(parse, ['TRIM', 'k', 'MAXLEN', '5', '='])).toBe('ERR syntax error');
  });

  it('a required option left out is its own error, once nothing else is missing', () => {
    expect(errorOf(parse, ['READ', 'COUNT', '1', 'STREAMS', 'a'])).toBe('ERR Missing GROUP');
    expect(errorOf(parse, ['READ', 'COUNT', '1', 'foo'])).toBe('ERR syntax error');
    expect(parse(['READ', 'COUNT', '1', 'GROUP', 'g', 'STREAMS', 'a']).args).toMatchObject({ group: Buffer.from('g') });
  });
});

describe('verify, refused, maxWords: what Redis checks around its option loop', () => {
  // XADD's shape: options in any order, then an ID that ends the loop, then pairs.
  const both = (read: Readonly<Record<string, unknown>>): string | undefined =>
    read.count !== undefined && read.mode === undefined ? 'ERR COUNT needs a mode' : undefined;
  const parse = parserFor([
    command('ADD', 'stream', -4, [], keys(1, 1, 1), [
      key(),
      optional(tok('MODE', str('mode'))),
      optional(tok('COUNT', int('count'))),
      rules(str('id'), { check: digits, verify: both, absent: 'ERR too few words' }),
      multiple(block('pair', str('field'), str('value'))),
    ]),
    command('CUT', 'stream', -2, [], keys(1, 1, 1), [
      key(),
      optional(tok('MODE', str('mode'))),
      optional(rules(tok('COUNT', int('count')), { verify: both })),
    ]),
    command('GET', 'stream', -2, [], keys(1, 1, 1), [
      key(),
      optional(rules(token('other', 'OTHER'), { refused: 'ERR OTHER is not for GET' })),
      optional(tok('COUNT', int('count'))),
    ]),
    command('PEND', 'stream', -2, [], keys(1, 1, 1), [
      key(),
      rules(optional(block('range', optional(rules(tok('IDLE', int('idle')), { inPlace: true })), str('start'), str('end'))), {
        maxWords: 6,
      }),
    ]),
  ]);

  it('verify: after the argument it sits on (so after its check), or before that argument is found missing', () => {
    expect(errorOf(parse, ['ADD', 'k', 'COUNT', '1', 'x', 'f', 'v'])).toBe('ERR not digits');
    expect(errorOf(parse, ['ADD', 'k', 'COUNT', '1', '5', 'f'])).toBe('ERR COUNT needs a mode');
    expect(errorOf(parse, ['ADD', 'k', 'MODE', 'm', 'COUNT', '1'])).toBe('ERR too few words');
    expect(errorOf(parse, ['ADD', 'k', 'MODE', 'm', '5', 'f'])).toBe("ERR wrong number of arguments for 'add' command");
    expect(parse(['ADD', 'k', 'COUNT', '1', 'MODE', 'm', '5', 'f', 'v']).args).toMatchObject({ count: 1n, mode: Buffer.from('m') });
  });

  it('verify on a run option: once the run ends, given or not, after a stray word of the last run', () => {
    expect(errorOf(parse, ['CUT', 'k', 'COUNT', '1'])).toBe('ERR COUNT needs a mode');
    expect(errorOf(parse, ['CUT', 'k', 'COUNT', '1', 'foo'])).toBe('ERR syntax error');
    expect(parse(['CUT', 'k', 'COUNT', '1', 'MODE', 'm']).args).toMatchObject({ count: 1n });
  });

  it('an option word short of its words ends a run that arguments follow: the word is theirs', () => {
    expect(errorOf(parse, ['ADD', 'k', 'MODE', 'm', 'COUNT'])).toBe('ERR not digits');
    expect(errorOf(parse, ['CUT', 'k', 'MODE', 'm', 'COUNT'])).toBe('ERR syntax error');
  });

  it('refused: its error as met, with its words there', () => {
    expect(errorOf(parse, ['GET', 'k', 'OTHER', 'COUNT', 'x'])).toBe('ERR OTHER is not for GET');
    expect(errorOf(parse, ['GET', 'k', 'COUNT', 'x', 'OTHER'])).toBe('ERR value is not an integer or out of range');
  });

  it('maxWords: counted before any word is read; inPlace takes IDLE at its place only', () => {
    expect(errorOf(parse, ['PEND', 'k', 'IDLE', 'x', 'a', 'b', 'c'])).toBe('ERR syntax error');
    expect(errorOf(parse, ['PEND', 'k', 'IDLE', 'x', 'a', 'b'])).toBe('ERR value is not an integer or out of range');
    expect(parse(['PEND', 'k', 'IDLE', '1', 'IDLE', '2']).args).toMatchObject({
      range: { idle: 1n, start: Buffer.from('IDLE'), end: Buffer.from('2') },
    });
    expect(parse(['PEND', 'k', 'IDLE', '1']).args).toMatchObject({ range: { start: Buffer.from('IDLE'), end: Buffer.from('1') } });
  });
});
