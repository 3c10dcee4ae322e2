import { describe, expect, it } from 'vitest';
import { argvTemplate, compileCall, type CallCache, type RuntimeExpr } from '../../src/codemod/compile-call.js';

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

  it("checks a run-time integer with Redis' own message for a non-integer there, where it is not the usual one", () => {
    const params = (c: ReturnType<typeof compile>) => ('params' in c ? c.params : c.message);
    // A scan step's cursor (one Redis gave, so never past every slot).
    const cursor: RuntimeExpr = { ...x, unread: true };
    expect(params(compile(['SCAN', '$'], [cursor]))).toContain(`r2s.integer(x, "ERR invalid cursor")`);
    expect(params(compile(['HSCAN', 'h', '$', 'COUNT', '10'], [cursor]))).toContain(`r2s.integer(x, "ERR invalid cursor")`);
    expect(params(compile(['EXPIRE', 'k', '$']))).toContain('r2s.integer(x)');
  });

  it('keeps a run-time TTL whose negative value the SQL refuses at run time too', () => {
    expect('sql' in compile(['SETEX', 'k', '$', 'v'])).toBe(true);
    expect('sql' in compile(['SET', 'k', 'v', 'EX', '$'])).toBe(true);
  });

  it('refuses a run-time count Redis refuses when negative, which SQL compiled from a positive stand-in would not', () => {
    expect(compile(['LPOP', 'k', '$'])).toMatchObject({ rule: 'test/runtime-arguments' });
    expect(compile(['SPOP', 'k', '$'])).toMatchObject({ rule: 'test/runtime-arguments' });
  });

  it('refuses a run-time number Redis refuses when 0 (LPOS RANK 0), which neither stand-in is; a 0 the SQL takes as Redis does converts', () => {
    expect(compile(['LPOS', 'k', 'e', 'RANK', '$'])).toMatchObject({ rule: 'test/runtime-arguments', message: expect.stringContaining("ERR RANK can't be zero") });
    for (const zero of [['EXPIRE', 'k', '$'], ['LRANGE', 'k', '0', '$'], ['INCRBY', 'k', '$'], ['LREM', 'k', '$', 'v'], ['SETEX', 'k', '$', 'v']]) expect('sql' in compile(zero), zero.join(' ')).toBe(true);
  });

  it('refuses a run-time value the SQL text depends on (SRANDMEMBER count sign)', () => {
    expect(compile(['SRANDMEMBER', 'k', '$'])).toMatchObject({ rule: 'test/runtime-arguments', message: 'the SQL depends on the value of an argument known only at run time' });
  });

  it('reports a call Redis refuses whatever the values as a command error', () => {
    expect(compile(['GET'], [])).toMatchObject({ rule: 'test/command-error' });
  });

  it('compiles a shape once per cache, and a different literal or expression as another shape', () => {
    const cache: CallCache = new Map();
    let built = 0;
    const cached = (argv: readonly string[], exprs: readonly RuntimeExpr[] = [x]) =>
      compileCall((standIn) => (built++, argv.map((a) => (a === '$' ? String(standIn(0)) : a))), exprs, 'test', cache);
    const first = cached(['LRANGE', 'k', '0', '$']);
    expect(cached(['LRANGE', 'k', '0', '$'])).toBe(first);
    expect(first).toEqual(compile(['LRANGE', 'k', '0', '$']));
    expect(cache.size).toBe(1);
    const other = cached(['LRANGE', 'other', '0', '$']);
    expect('params' in other ? other.params : '').toContain('"other"');
    expect(cached(['LRANGE', 'k', '0', '$'], [{ ...x, expr: 'y' }])).toMatchObject({ params: expect.stringContaining('r2s.integer(y)') });
    // A refusal is remembered too, and the argv is still built for each call (the key): under the three stand-ins and, for a number, as 0 and as a fraction.
    expect(cached(['LPOP', 'k', '$'])).toMatchObject({ rule: 'test/runtime-arguments' });
    expect(cached(['LPOP', 'k', '$'])).toMatchObject({ rule: 'test/runtime-arguments' });
    expect(cache.size).toBe(4);
    expect(built).toBe(6 * 5);
  });

  describe('an array known only at run time (ioredis sends its elements as separate arguments)', () => {
    const keys: RuntimeExpr = { expr: 'a[1]', numeric: false, plain: true, spread: true };
    // '@' is the array: its stand-in elements go where it is, one, two or three of them, or none.
    const spread = (argv: readonly string[]) => compileCall((standIn) => argv.flatMap((a) => (a === '@' ? [standIn(0)].flat().map(String) : [a])), [keys], 'test');

    it('becomes one list parameter when the SQL takes its elements as one, whatever their number; empty, Redis\' arity error', () => {
      expect(spread(['DEL', '@'])).toMatchObject({ sql: 'SELECT redis.del_keys($1::text[]) AS reply', params: `[r2s.items(a[1], 'text', "ERR wrong number of arguments for 'del' command")]` });
      expect(spread(['SADD', 's', '@'])).toMatchObject({ params: `["s", r2s.items(a[1], 'bytes', "ERR wrong number of arguments for 'sadd' command")]` });
    });

    it('is spread in place into a list it shares with other values, where an empty array would not make Redis refuse the call', () => {
      expect(spread(['EXISTS', '@', 'other'])).toMatchObject({ params: `[[...r2s.items(a[1], 'text'), "other"]]` });
      expect(spread(['DEL', 'first', '@'])).toMatchObject({ params: `[["first", ...r2s.items(a[1], 'text')]]` });
    });

    it('is refused where its elements are not one list: pairs, numbers', () => {
      expect(spread(['MSET', '@'])).toMatchObject({ rule: 'test/array-arg', message: expect.stringContaining('with some of its lengths Redis refuses the call') });
      expect(spread(['ZADD', 'z', '@'])).toMatchObject({ rule: 'test/array-arg' });
    });
  });

  describe("an object's entries known only at run time (ioredis' HSET/MSET transforms send them as field, value…)", () => {
    const object: RuntimeExpr = { expr: 'a[1]', numeric: false, plain: true, spread: 'pairs' };
    const pairs = (argv: readonly string[]) => compileCall((standIn) => argv.flatMap((a) => (a === '@' ? [standIn(0)].flat().map(String) : [a])), [object], 'test');

    it('becomes two list parameters, fields and values, when the SQL takes them so; empty, Redis\' arity error', () => {
      expect(pairs(['HSET', 'h', '@'])).toMatchObject({
        params: `["h", r2s.fields(a[1], 'bytes', "ERR wrong number of arguments for 'hset' command"), r2s.values(a[1], 'bytes', "ERR wrong number of arguments for 'hset' command")]`,
      });
      expect(pairs(['MSET', '@'])).toMatchObject({ params: expect.stringMatching(/^\[r2s\.fields\(a\[1\], 'text', [^)]*\), r2s\.values\(a\[1\], 'bytes', [^)]*\)\]$/) });
    });

    it('is refused where the command does not take them as two lists, or does not send them at all (an options object read by name)', () => {
      expect(pairs(['SADD', 's', '@'])).toMatchObject({ rule: 'test/array-arg' });
      expect(pairs(['ZADD', 'z', '@'])).toMatchObject({ rule: 'test/array-arg' });
      expect(compileCall(() => ['SET', 'k', 'v'], [object], 'test')).toMatchObject({ rule: 'test/object-arg', message: expect.stringContaining("'a[1]' is an object known only at run time") });
    });
  });

  it('refuses a call whose statement would not read one of its run-time arguments', () => {
    expect(compileCall(() => ['GET', 'k'], [{ expr: 'key', numeric: false, plain: true }], 'test')).toEqual({
      rule: 'test/runtime-arguments',
      message: "'key' is known only at run time and the compiled statement would not read it; not converted",
    });
  });

  it("refuses a run-time value the translator turns into another parameter than itself (SCAN's negative cursor is past every slot)", () => {
    expect(compile(['SCAN', '$'])).toEqual({
      rule: 'test/runtime-arguments',
      message: "a value known only at run time decides what the statement's parameters hold, not only which value they pass",
    });
    // XREAD's COUNT, XPENDING's count and XCLAIM's min-idle-time are passed as they are: the SQL reads 0 and less as Redis does.
    expect('sql' in compile(['XREAD', 'COUNT', '$', 'STREAMS', 's', '0'])).toBe(true);
    expect('sql' in compile(['XPENDING', 's', 'g', '-', '+', '$'])).toBe(true);
    expect('sql' in compile(['XCLAIM', 's', 'g', 'c', '$', '0-1'])).toBe(true);
  });

  it('reports a command whose translation warns it does not do what Redis does (BLOCK answered at once), and a blocking command whose options depend on run-time values', () => {
    expect(compile(['XREAD', 'BLOCK', '$', 'STREAMS', 's', '$'])).toMatchObject({ rule: 'test/blocking', message: expect.stringContaining('XREAD BLOCK does not wait here') });
    expect(compile(['XREAD', 'BLOCK', '10', 'STREAMS', 's', '0'], [])).toMatchObject({ rule: 'test/blocking' });
    const key: RuntimeExpr = { expr: 'opt', numeric: false, plain: true };
    expect(compile(['XREAD', '$', '10', 'STREAMS', 's', '0'], [key])).toEqual({
      rule: 'test/blocking',
      message: "XREAD's options depend on values known only at run time, and with BLOCK it would wait, which the statement does not; not converted",
    });
    expect('sql' in compile(['XREAD', 'COUNT', '10', 'STREAMS', 's', '0'], [])).toBe(true);
  });
});

describe('argvTemplate: the argv a call is translated from when it runs', () => {
  const id: RuntimeExpr = { expr: 'last', numeric: false, plain: true };
  const n: RuntimeExpr = { expr: 'n', numeric: true, plain: true };
  const effect: RuntimeExpr = { expr: 'next()', numeric: false, plain: false };

  it('keeps literals and passes each value as it is, a number through String()', () => {
    expect(argvTemplate((v) => ['XREAD', 'COUNT', String(v(1)), 'STREAMS', 's', String(v(0))], [id, n])).toBe('["XREAD", "COUNT", String(n), "STREAMS", "s", last]');
  });

  it("is none where the client's transform built an argument from a value, printed a number otherwise than String() (+inf), or left a 0 out", () => {
    expect(argvTemplate((v) => ['GET', `user:${String(v(0))}`], [id])).toBeUndefined();
    expect(argvTemplate((v) => ['ZADD', 'z', v(0) === Infinity ? '+inf' : String(v(0)), 'm'], [n])).toBeUndefined();
    expect(argvTemplate((v) => ['XREAD', ...(v(0) === 0 ? [] : ['COUNT', String(v(0))]), 'STREAMS', 's', '0'], [n])).toBeUndefined();
  });

  it('is none where a value is not sent, or one with side effects would run twice or out of order', () => {
    expect(argvTemplate(() => ['GET', 'k'], [id])).toBeUndefined();
    expect(argvTemplate((v) => ['MGET', String(v(0)), String(v(0))], [effect])).toBeUndefined();
    expect(argvTemplate((v) => ['MGET', String(v(1)), String(v(0))], [effect, { ...effect, expr: 'other()' }])).toBeUndefined();
    expect(argvTemplate((v) => ['MGET', String(v(0)), String(v(1))], [effect, { ...effect, expr: 'other()' }])).toBe('["MGET", next(), other()]');
  });
});
