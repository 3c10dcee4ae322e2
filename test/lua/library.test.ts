import { describe, expect, it } from 'vitest';
import { LuaCompileError } from '../../src/errors.js';
import { compileLua } from '../../src/translators/lua/compile.js';

/*
 * What the Lua library refuses at compile time (its behaviour is checked
 * against redis-server through the recorded cases of library-cases.ts).
 */

const refusal = (source: string): LuaCompileError => {
  try {
    compileLua(source);
  } catch (e) {
    if (e instanceof LuaCompileError) return e;
    throw e;
  }
  throw new Error(`compiled: ${source}`);
};

describe('library refusals', () => {
  it.each([
    ['local n = 1\nreturn math.random(10)', 2, 8, 'not reseeded per EVAL'],
    ['math.randomseed(42)', 1, 1, 'not reseeded per EVAL'],
    // A library function as the replacement (a C function in Redis) is a value the compiler does not hold.
    ["return string.gsub('abc', '%w', string.upper)", 1, 33, "'string.upper' used as a value is not compiled"],
  ])('%s', (source, line, column, reason) => {
    const e = refusal(source);
    expect([e.line, e.column]).toEqual([line, column]);
    expect(e.reason).toContain(reason);
  });
});
