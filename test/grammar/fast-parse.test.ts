import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { fastArgs, parseCommand, parserFor } from '../../src/grammar/parse.js';
import type { ArgSpec } from '../../src/grammar/spec.js';
import { COMMAND_SPECS, REFUSED_COMMANDS } from '../../src/grammar/table.js';
import { parseCorpus } from '../../bench/parse.js';
import { cliLine, generateCommand, seededRng, type Rng } from '../support/fuzz.js';

/*
 * The generated fast paths (src/grammar/fast-parse.ts) against the engine
 * alone (parserFor(…, { fast: false })), on valid commands of every shape in
 * the table, the same commands broken in small ways (words dropped, repeated,
 * swapped, replaced by option words in any case, bad numbers, non-ASCII
 * keys), and the bench corpus: the same Command (name, args with their keys
 * in the same order, argv, deferred error) or the same error (class, message,
 * argument index).
 */

const engine = parserFor(COMMAND_SPECS, REFUSED_COMMANDS, { fast: false });

/** Args in a form where key order counts and Buffers, bigints and undefined stay distinct. */
function canon(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return { buffer: v.toString('hex') };
  if (typeof v === 'bigint') return { bigint: String(v) };
  if (v === undefined) return { undefined: true };
  if (Array.isArray(v)) return v.map(canon);
  if (typeof v === 'object' && v !== null) {
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    return Object.entries(v).map(([k, x]) => [k, canon(x)]);
  }
  return v;
}

function outcome(parse: () => { name: string; args: unknown; argv: readonly Buffer[]; deferred?: unknown }): unknown {
  try {
    const c = parse();
    return { name: c.name, args: canon(c.args), argv: c.argv.map((a) => a.toString('hex')), deferred: c.deferred };
  } catch (e) {
    const err = e as Error & { argIndex?: number };
    return { error: err.constructor.name, message: err.message, argIndex: err.argIndex };
  }
}

function tokensOf(specs: readonly ArgSpec[], into: Set<string>): Set<string> {
  for (const s of specs) {
    if (s.token !== undefined) into.add(s.token);
    if (s.kind === 'oneof' || s.kind === 'block') tokensOf(s.args, into);
  }
  return into;
}

const TOKENS = [...COMMAND_SPECS.reduce((set, s) => tokensOf(s.args, set), new Set<string>())];
const ODD = ['0', '-1', '1.5', 'nan', '+inf', '9223372036854775808', '', 'é', 'caf\xc3\xa9', 'a\u0000b', '$', '*', '~'];

/** A valid command broken in one small way, or left as it is. */
function mutate(argv: Buffer[], rng: Rng): Buffer[] {
  const out = [...argv];
  const at = 1 + rng.int(Math.max(out.length - 1, 1));
  switch (rng.int(7)) {
    case 0:
      if (out.length > 1) out.splice(at, 1);
      break;
    case 1:
      out.splice(at, 0, out[Math.min(at, out.length - 1)]!);
      break;
    case 2: {
      const t = rng.pick(TOKENS);
      out.splice(at, 0, Buffer.from(rng.chance(0.5) ? t.toLowerCase() : t));
      break;
    }
    case 3:
      if (at < out.length) out[at] = Buffer.from(rng.pick(ODD), 'latin1');
      break;
    case 4: {
      // An option and its value given twice (SET … EX 1 EX 2, LIMIT 0 1 LIMIT 0 1).
      const from = 1 + rng.int(Math.max(out.length - 1, 1));
      out.push(...out.slice(from, from + 1 + rng.int(3)));
      break;
    }
    case 5:
      if (out.length > 2) {
        const j = 1 + rng.int(out.length - 1);
        [out[at], out[j]] = [out[j]!, out[at]!];
      }
      break;
    default:
      break;
  }
  return out;
}

describe('fast paths give the engine’s answer', () => {
  it('on valid and broken commands of every shape in the table', () => {
    const rng = seededRng(2026);
    let answered = 0;
    let total = 0;
    for (let round = 0; round < 60; round++) {
      for (const spec of COMMAND_SPECS) {
        const valid = generateCommand(spec, { rng, nowMs: 1_800_000_000_000 });
        const argv = round % 2 === 0 ? valid : mutate(valid, rng);
        if (argv.length === 0) continue;
        // As argv and as the line a user would type.
        for (const input of rng.chance(0.5) ? [argv] : [argv, cliLine(argv)]) {
          total++;
          if (fastArgs(input) !== undefined) answered++;
          const expected = outcome(() => engine(input));
          const actual = outcome(() => parseCommand(input));
          if (JSON.stringify(actual) !== JSON.stringify(expected)) {
            expect({ input: argv.map((a) => a.toString('latin1')), actual }).toEqual({ input: argv.map((a) => a.toString('latin1')), actual: expected });
          }
        }
      }
    }
    // The fast paths must be doing the work, not handing everything to the engine.
    expect(answered / total).toBeGreaterThan(0.3);
  });

  it('on the bench corpus, every line of which a fast path answers', () => {
    const lines = parseCorpus(3000, 5);
    let answered = 0;
    for (const line of lines) {
      const fast = fastArgs(line);
      if (fast !== undefined) answered++;
      expect(outcome(() => parseCommand(line))).toEqual(outcome(() => engine(line)));
      if (fast !== undefined) expect(canon(fast)).toEqual(canon(engine(line).args));
    }
    expect(answered).toBeGreaterThan(lines.length * 0.8);
  });

  it('gives up where the engine has more to say', () => {
    // A repeat, a late error, a key PostgreSQL cannot hold, a stray word: the engine's answers.
    expect(fastArgs('SET k v EX 1 EX 2')).toBeUndefined();
    expect(parseCommand('SET k v EX 1 EX 2').args).toMatchObject({ expiration: { kind: 'seconds', value: 2n } });
    expect(fastArgs('SET k v EX abc EX 100')).toBeUndefined();
    expect(parseCommand('SET k v EX abc EX 100').args).toMatchObject({ expiration: { kind: 'seconds', value: 100n } });
    expect(fastArgs('GET caf\xc3\xa9')).toBeUndefined();
    expect(parseCommand('GET "caf\\xc3\\xa9"').args).toEqual({ key: 'café' });
    expect(fastArgs('SET k v FOO')).toBeUndefined();
    expect(() => parseCommand('SET k v FOO')).toThrow('ERR syntax error');
    expect(fastArgs('SET k v NX')).toEqual({ key: 'k', value: Buffer.from('v'), condition: { kind: 'nx', value: true } });
  });
});
