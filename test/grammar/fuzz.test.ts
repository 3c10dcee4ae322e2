import { describe, expect, it } from 'vitest';
import { Redis2SqlError } from '../../src/errors.js';
import { parseCommand } from '../../src/grammar/parse.js';
import type { ArgSpec } from '../../src/grammar/spec.js';
import { COMMAND_SPECS } from '../../src/grammar/table.js';
import { tokenize } from '../../src/grammar/tokenize.js';
import { cliLine, generateCommand, seededRng, type Rng } from '../support/fuzz.js';

/*
 * Seeded fuzzing of the tokenizer and the parser: whatever the input, the
 * only errors that may escape are Redis2SqlError subclasses (a plain Error or
 * a TypeError is a bug of ours). Each block is bounded by a count and by a
 * time budget so that the suite stays quick on a busy machine.
 */

const BUDGET_MS = 1500;

function run(label: string, seed: number, count: number, body: (rng: Rng) => void): void {
  it(`${label} (seed ${seed})`, () => {
    const rng = seededRng(seed);
    const deadline = performance.now() + BUDGET_MS;
    let done = 0;
    for (; done < count && performance.now() < deadline; done++) body(rng);
    expect(done).toBeGreaterThan(0);
  });
}

/** Runs `f`; a Redis2SqlError is an answer, anything else is rethrown with the input. */
function answer<T>(input: unknown, f: () => T): T | Redis2SqlError {
  try {
    return f();
  } catch (e) {
    if (e instanceof Redis2SqlError) return e;
    throw new Error(`${String(e)} for input ${JSON.stringify(input)}`, { cause: e });
  }
}

const ALPHABET = ' \t\r\n"\'\\xX0aA1fFgG-+.e';

function randomLine(rng: Rng): Buffer {
  const n = rng.int(40);
  const bytes = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    bytes[i] = rng.chance(0.7) ? ALPHABET.charCodeAt(rng.int(ALPHABET.length)) : rng.int(256);
  }
  return bytes;
}

function tokensOf(specs: readonly ArgSpec[], into: Set<string>): Set<string> {
  for (const s of specs) {
    if (s.token !== undefined) into.add(s.token);
    if (s.kind === 'oneof' || s.kind === 'block') tokensOf(s.args, into);
  }
  return into;
}

const NAMES = COMMAND_SPECS.flatMap((s) => s.name.split(' '));
const TOKENS = [...COMMAND_SPECS.reduce((set, s) => tokensOf(s.args, set), new Set<string>())];
const VALUES = [
  '0', '1', '-1', '2', '10', '1.5', '-inf', 'nan', '0x10', '9223372036854775808', '', ' ', 'a', 'k', '$', '*',
  '~', '=', '>', '(1', '[a', '-', '+', 'é', '\u0000', 'a\u0000b',
];

function randomWord(rng: Rng): Buffer {
  const r = rng.int(10);
  if (r < 3) return Buffer.from(caseMix(rng.pick(TOKENS), rng));
  if (r < 7) return Buffer.from(rng.pick(VALUES));
  if (r < 8) return Buffer.from(caseMix(rng.pick(NAMES), rng));
  const bytes = Buffer.alloc(rng.int(6));
  for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
  return bytes;
}

function caseMix(word: string, rng: Rng): string {
  return rng.chance(0.5) ? word : word.toLowerCase();
}

describe('fuzz: only Redis2SqlError escapes', () => {
  run('random bytes through tokenize and parse', 1, 20_000, (rng) => {
    const line = randomLine(rng);
    answer(line, () => parseCommand(line));
    const words = answer(line, () => tokenize(line));
    if (Array.isArray(words)) expect(words.every((w) => Buffer.isBuffer(w))).toBe(true);
  });

  run('random argv of real names, options and odd values', 2, 20_000, (rng) => {
    const argv: Buffer[] = [Buffer.from(caseMix(rng.pick(NAMES), rng))];
    if (rng.chance(0.4)) argv.push(Buffer.from(caseMix(rng.pick(NAMES), rng)));
    const n = rng.int(9);
    for (let i = 0; i < n; i++) argv.push(randomWord(rng));
    const parsed = answer(argv, () => parseCommand(argv));
    if (!(parsed instanceof Redis2SqlError)) expect(parsed.argv).toEqual(argv);
  });

  run('commands generated from the table, quoted as redis-cli lines and split back', 3, 5_000, (rng) => {
    const spec = rng.pick(COMMAND_SPECS);
    const argv = generateCommand(spec, { rng, nowMs: 1_800_000_000_000 });
    if (argv.length === 0) return;
    const line = cliLine(argv);
    // The splitter must give back exactly the argv that was quoted.
    expect(tokenize(line)).toEqual(argv);
    const fromLine = answer(line, () => parseCommand(line));
    const fromArgv = answer(argv, () => parseCommand(argv));
    // The same command whichever way it comes in: same name and args, or the same error.
    if (fromArgv instanceof Redis2SqlError) expect(fromLine).toEqual(fromArgv);
    else expect(fromLine).toEqual(fromArgv);
  });
});
