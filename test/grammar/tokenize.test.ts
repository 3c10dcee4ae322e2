import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TokenizeError } from '../../src/errors.js';
import { toArgv, tokenize } from '../../src/grammar/tokenize.js';

interface RecordedLine {
  /** One char per byte (latin1). */
  readonly line: string;
  /** Hex of each argument, or null when Redis refused the line. */
  readonly tokens: readonly string[] | null;
  readonly error: string | null;
}

// How redis-server 7.0's inline protocol (sdssplitargs) split these lines, recorded by
// scripts/record-parse-errors.ts.
const RECORDED = JSON.parse(readFileSync(new URL('../../fixtures/grammar/tokenize.json', import.meta.url), 'utf8')) as {
  readonly redis: string;
  readonly cases: readonly RecordedLine[];
};

function split(line: string | Buffer): string[] | string {
  try {
    return tokenize(line).map((t) => t.toString('hex'));
  } catch (e) {
    if (e instanceof TokenizeError) return e.message;
    throw e;
  }
}

describe(`lines as redis-server ${RECORDED.redis} splits them`, () => {
  it.each(RECORDED.cases.map((c) => [JSON.stringify(c.line), c] as const))('%s', (_name, c) => {
    const ours = split(Buffer.from(c.line, 'latin1'));
    if (c.tokens !== null) expect(ours).toEqual(c.tokens);
    // Same words as Redis, then where and why.
    else expect(ours).toMatch(new RegExp(`^${c.error!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(.+offset \\d+.*\\)$`));
  });
});

const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');

describe('tokenize', () => {
  it.each([
    ['', []],
    ['   \t ', []],
    ['GET k', ['GET', 'k']],
    ['SET k "héllo wörld"', ['SET', 'k', 'héllo wörld']],
    ["SET k '日本 語'", ['SET', 'k', '日本 語']],
    ['SET k "\\😀"', ['SET', 'k', '😀']],
    ['a"b c"d e', null],
    ['a"b c" e', ['ab c', 'e']],
    ["'it\\'s'", ["it's"]],
    ['"tab\\there"', ['tab\there']],
  ] as const)('%j', (line, expected) => {
    const ours = split(line);
    if (expected === null) expect(typeof ours).toBe('string');
    else expect(ours).toEqual(expected.map(hex));
  });

  it('\\xHH in a string line adds the raw byte, next to UTF-8 text', () => {
    expect(tokenize('"é\\xff\\x00é"')).toEqual([Buffer.from([0xc3, 0xa9, 0xff, 0x00, 0xc3, 0xa9])]);
  });

  it('Buffers pass bytes through, invalid UTF-8 included', () => {
    const line = Buffer.from([0x53, 0x45, 0x54, 0x20, 0x6b, 0x20, 0xff, 0xfe, 0x20, 0x22, 0xc3, 0x28, 0x22]);
    expect(tokenize(line)).toEqual([Buffer.from('SET'), Buffer.from('k'), Buffer.from([0xff, 0xfe]), Buffer.from([0xc3, 0x28])]);
  });

  it('a NUL byte is an ordinary byte (sdssplitargs would stop the line there)', () => {
    expect(tokenize(Buffer.from('a\0b c'))).toEqual([Buffer.from('a\0b'), Buffer.from('c')]);
  });

  it.each([
    ['SET k "abc', 6, 'never closed'],
    ["SET k 'abc", 6, 'never closed'],
    ['SET "a"b c', 6, 'closing quote'],
    ["SET 'a'b c", 6, 'closing quote'],
    ['SET "a\\" c', 4, 'never closed'],
  ] as const)('%j → TokenizeError at %i', (line, offset, why) => {
    let error: unknown;
    try {
      tokenize(line);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TokenizeError);
    expect((error as TokenizeError).offset).toBe(offset);
    expect((error as TokenizeError).message).toContain(why);
    expect((error as TokenizeError).message).not.toContain('\n');
  });

  it('offsets are UTF-16 units for strings and bytes for Buffers', () => {
    const offsetOf = (line: string | Buffer): number => {
      try {
        tokenize(line);
      } catch (e) {
        if (e instanceof TokenizeError) return e.offset;
      }
      return -1;
    };
    expect(offsetOf('é "x')).toBe(2);
    expect(offsetOf(Buffer.from('é "x'))).toBe(3);
  });

  // Linear time is what lets these finish at all: a quadratic splitter would
  // run into the test timeout (its speed is measured by `npm run bench -- parse`).
  it('splits 10 MB lines: one long word, escapes, a million words', () => {
    const value = 'x'.repeat(10 * 1024 * 1024);
    const quoted = `SET k "${'ab\\n'.repeat(1024 * 1024)}"`;
    const [, , plain] = tokenize(`SET k ${value}`);
    const [, , escaped] = tokenize(quoted);
    const many = tokenize('a '.repeat(1024 * 1024));
    expect(plain?.length).toBe(value.length);
    expect(escaped?.length).toBe(3 * 1024 * 1024);
    expect(many.length).toBe(1024 * 1024);
  });

  it('decodes long quoted words (gathered in pieces beyond 4 KB) byte for byte', () => {
    const times = 5000;
    // Inside double quotes: \n, \x00, \xff, a character beyond ASCII, \" and \\.
    const doubleUnit = String.raw`ab\n\x00\xff é \"q\" \\`;
    const doubleBytes = Buffer.concat([Buffer.from([0x61, 0x62, 0x0a, 0x00, 0xff]), Buffer.from(' é "q" \\', 'utf8')]);
    const singleUnit = String.raw`it\'s é \n `;
    const singleBytes = Buffer.from("it's é \\n ", 'utf8');
    const line = `SET "${doubleUnit.repeat(times)}" '${singleUnit.repeat(times)}'`;
    const expected = [Buffer.from('SET'), Buffer.concat(Array(times).fill(doubleBytes)), Buffer.concat(Array(times).fill(singleBytes))];
    const hex = (words: readonly Buffer[]): string[] => words.map((w) => w.toString('hex'));
    expect(hex(tokenize(line))).toEqual(hex(expected));
    // The same line as bytes: UTF-8 passes through as it is.
    expect(hex(tokenize(Buffer.from(line, 'utf8')))).toEqual(hex(expected));
  });
});

describe('toArgv', () => {
  it('tokenizes lines and encodes list items as UTF-8', () => {
    expect(toArgv('GET "a b"')).toEqual([Buffer.from('GET'), Buffer.from('a b')]);
    expect(toArgv(['GET', 'a b'])).toEqual([Buffer.from('GET'), Buffer.from('a b')]);
    const raw = Buffer.from([0xff]);
    expect(toArgv(['SET', 'k', raw])[2]).toBe(raw);
  });
});
