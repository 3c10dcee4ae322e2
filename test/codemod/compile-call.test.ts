import { describe, expect, it } from 'vitest';
import { compileCall, type RuntimeExpr } from '../../src/codemod/compile-call.js';

// Run-time arguments are compiled with stand-ins; a call whose SQL, or whose
// acceptance by Redis, depends on their value is refused, never guessed.
const x: RuntimeExpr = { expr: 'x', numeric: true, plain: true };
const compile = (argv: readonly string[], exprs: readonly RuntimeExpr[] = [x]) =>
  compileCall((standIn) => argv.map((a) => (a === '$' ? String(standIn(0)) : a)), exprs, 'test');

describe('compileCall', () => {
  it('turns a run-time value back into its expression, checked as Redis reads it', () => {
    const c = compile(['LRANGE', 'k', '0', '$']);
    expect('params' in c ? c.params : c.message).toContain('r2s.integer(x)');
    expect('params' in c ? c.params : '').not.toMatch(/48271|69621|91331/);
  });

  it('keeps a run-time TTL whose negative value the SQL refuses at run time too', () => {
    expect('sql' in compile(['SETEX', 'k', '$', 'v'])).toBe(true);
    expect('sql' in compile(['SET', 'k', 'v', 'EX', '$'])).toBe(true);
  });

  it('refuses a run-time count Redis refuses when negative, which SQL compiled from a positive stand-in would not', () => {
    expect(compile(['LPOP', 'k', '$'])).toMatchObject({ rule: 'test/runtime-arguments' });
    expect(compile(['SPOP', 'k', '$'])).toMatchObject({ rule: 'test/runtime-arguments' });
  });

  it('refuses a run-time value the SQL text depends on (SRANDMEMBER count sign)', () => {
    expect(compile(['SRANDMEMBER', 'k', '$'])).toMatchObject({ rule: 'test/runtime-arguments', message: 'the SQL depends on the value of an argument known only at run time' });
  });

  it('reports a call Redis refuses whatever the values as a command error', () => {
    expect(compile(['GET'], [])).toMatchObject({ rule: 'test/command-error' });
  });
});
