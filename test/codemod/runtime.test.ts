import { describe, expect, it } from 'vitest';
import { RedisError, UnsupportedError } from '../../src/errors.js';
import { asClientError, calledBack, clientError, commandOf, ioredisReplyError, nodeRedisMultiError, nodeRedisWatchError } from '../../src/codemod/client-errors.js';
import { bytes, command, double, fields, integer, ioredis, ioredisPipeline, items, text, toIoredis, values } from '../../src/codemod/runtime.js';
import { Refused, refusal, sqlParams } from '../../src/codemod/refused.js';
import { unifiedDiff } from '../../src/codemod/diff.js';

describe('codemod runtime: arguments as ioredis sends them', () => {
  it('text and bytes: Buffers kept, null/undefined as "", the rest String(x)', () => {
    expect(text(undefined)).toBe('');
    expect(text(null)).toBe('');
    expect(text(12.5)).toBe('12.5');
    expect(text(Buffer.from('k'))).toBe('k');
    expect(bytes('a\\b')).toEqual(Buffer.from([0x61, 0x5c, 0x62]));
    expect(bytes(Buffer.from([0xff]))).toEqual(Buffer.from([0xff]));
    expect(bytes(7)).toEqual(Buffer.from('7'));
  });

  it('integer: what Redis reads as a 64-bit integer; anything else is refused with the server\'s error (see the errors value fixtures)', () => {
    expect(integer(60)).toBe('60');
    expect(integer(-2)).toBe('-2');
    expect(integer('9223372036854775807')).toBe('9223372036854775807');
    for (const bad of [1.5, Number.NaN, 2 ** 63, '007', '-0', '+1', '', 1e21]) {
      const refused = integer(bad);
      expect(refused, String(bad)).toBeInstanceOf(Refused);
      expect((refused as Refused).error, String(bad)).toEqual(new RedisError('ERR value is not an integer or out of range'));
    }
    // The command's own text, where its grammar has one (SCAN's cursor).
    expect((integer(1.5, 'ERR invalid cursor') as Refused).error).toEqual(new RedisError('ERR invalid cursor'));
    expect(integer(7, 'ERR invalid cursor')).toBe('7');
  });

  it('double: NaN is refused with Redis\' error, infinities pass', () => {
    expect(double(2.5)).toBe(2.5);
    expect(double(-Infinity)).toBe(-Infinity);
    expect((double(Number.NaN) as Refused).error).toEqual(new RedisError('ERR value is not a valid float'));
  });

  it('items: an array argument\'s elements as one parameter, each as text() or bytes() makes it; empty, the arity error given; the command keeps them flattened', () => {
    expect(items(['a', 1, Buffer.from('b')], 'text')).toEqual(['a', '1', 'b']);
    expect(items(['a', 1], 'bytes')).toEqual([Buffer.from('a'), Buffer.from('1')]);
    expect(items('a', 'text')).toEqual(['a']);
    expect(items([], 'text')).toEqual([]);
    const empty = items([], 'text', "ERR wrong number of arguments for 'del' command");
    expect(empty).toBeInstanceOf(Refused);
    expect(refusal([empty as Refused])?.message).toBe("ERR wrong number of arguments for 'del' command");
    const params = command('del', [['k1', 'k2'], 3], (a) => [items(a[0], 'text')]);
    expect(params).toEqual([['k1', 'k2']]);
    // As ioredis' err.command has them: the array's elements in the arguments.
    expect(commandOf(params)).toEqual({ name: 'del', args: ['k1', 'k2', '3'] });
  });

  it("fields and values: an object's (Object.keys order, integer-like keys first) or a Map's entries as two parameters; empty, the arity error given", () => {
    const record = { b: 1, 2: Buffer.from('x'), a: undefined };
    expect(fields(record, 'text')).toEqual(['2', 'b', 'a']);
    expect(values(record, 'bytes')).toEqual([Buffer.from('x'), Buffer.from('1'), Buffer.from('')]);
    const map = new Map<unknown, unknown>([['m', null], [3, 'v']]);
    expect(fields(map, 'bytes')).toEqual([Buffer.from('m'), Buffer.from('3')]);
    expect(values(map, 'text')).toEqual(['', 'v']);
    const empty = fields({}, 'text', "ERR wrong number of arguments for 'mset' command");
    expect(refusal([empty as Refused])?.message).toBe("ERR wrong number of arguments for 'mset' command");
    // err.command as ioredis' HSET/HMSET/MSET/MSETNX transforms make it (recorded: the errors value fixtures of ioredis 5 and 6).
    expect(commandOf(command('hset', ['h', record], () => []))).toEqual({ name: 'hset', args: ['h', '2', Buffer.from('x'), 'b', '1', 'a', ''] });
    expect(commandOf(command('mset', [map], () => []))).toEqual({ name: 'mset', args: ['m', '', '3', 'v'] });
    // Not the one object those commands take: as it is.
    expect(commandOf(command('hset', ['h', 'f', 'v'], () => []))).toEqual({ name: 'hset', args: ['h', 'f', 'v'] });
  });

  it('a refused argument is found where the call\'s parameters hold it, alone or among scores, first one first', () => {
    expect(refusal(['k', integer(60), [1, 2]])).toBeUndefined();
    expect(sqlParams(['k', integer(60), [1, 2]])).toEqual(['k', '60', [1, 2]]);
    expect(refusal(['k', [1, double(Number.NaN)]])).toEqual(new RedisError('ERR value is not a valid float'));
    expect(refusal(['k', integer(1.5), [double(Number.NaN)]])).toEqual(new RedisError('ERR value is not an integer or out of range'));
    expect(() => sqlParams(['k', integer('x')])).toThrow(new RedisError('ERR value is not an integer or out of range'));
  });

  it('building the parameters of a call with a refused argument does not throw: the call\'s promise rejects', async () => {
    const params = command('incrby', ['n', 1.5], (a) => ['n', integer(a[1])]);
    const rejected = ioredis({ kind: 'embedded', query: () => Promise.reject(new Error('must not run')) } as never, 'SELECT 1', params, { kind: 'scalar', of: 'integer' });
    await expect(rejected).rejects.toMatchObject({ message: 'ERR value is not an integer or out of range', command: { name: 'incrby', args: ['n', '1.5'] } });
  });
});

describe('codemod runtime: a function last, where an untyped value was compiled', () => {
  it('is the callback: the command is the other arguments, evaluated once (the values fixtures of ioredis4-untyped run it)', () => {
    const cb = (): void => undefined;
    let built = 0;
    const params = command('lpush', ['q', ['a', 1], cb], () => {
      built++;
      return [];
    });
    expect(calledBack(params)).toEqual({ callback: cb, argv: ['lpush', 'q', 'a', '1'] });
    expect(commandOf(params)).toEqual({ name: 'lpush', args: ['q', 'a', '1'] });
    // The statement compiled for a value is not used: its parameters are not built.
    expect(built).toBe(0);
    expect(calledBack(command('lpush', ['q', 'a'], () => []))).toBeUndefined();
  });

  it('compiled without an untyped last argument (as a callback): a function there runs the statement, anything else is sent as a value', () => {
    const cb = (): void => undefined;
    let built = 0;
    const params = (): string[] => {
      built++;
      return ['k'];
    };
    const withFunction = command('get', ['k', cb], params, 'callback');
    expect(calledBack(withFunction)).toEqual({ callback: cb, argv: ['get', 'k'], compiled: true });
    expect([...withFunction]).toEqual(['k']);
    expect(built).toBe(1);
    const withValue = command('get', ['k', 'extra'], params, 'callback');
    expect(calledBack(withValue)).toEqual({ argv: ['get', 'k', 'extra'] });
    expect(commandOf(withValue)).toEqual({ name: 'get', args: ['k', 'extra'] });
    expect(built).toBe(1);
  });

  it("a batch's command with one fails at once, loudly: converted batches call no callbacks", () => {
    const batch = ioredisPipeline({ kind: 'embedded', query: () => Promise.reject(new Error('not run')) } as never);
    expect(() => batch.add('SELECT 1 AS reply', command('get', ['k', () => undefined], () => ['k']), { kind: 'scalar', of: 'bulk' })).toThrow(
      "redis2sql: the last argument of a batch's get is a function, which ioredis takes as the command's callback: converted batches do not call one",
    );
  });
});

describe('codemod runtime: replies as ioredis 5 returns them', () => {
  it('bulk → string, integer → number, status → text, nil → null, arrays walked, errors thrown', () => {
    expect(toIoredis({ type: 'bulk', value: Buffer.from('caf\u00e9') })).toBe('caf\u00e9');
    expect(toIoredis({ type: 'bulk', value: null })).toBeNull();
    expect(toIoredis({ type: 'integer', value: 42n })).toBe(42);
    expect(toIoredis({ type: 'status', value: 'OK' })).toBe('OK');
    expect(toIoredis({ type: 'array', value: [{ type: 'bulk', value: Buffer.from('a') }, { type: 'integer', value: 1n }] })).toEqual(['a', 1]);
    expect(() => toIoredis({ type: 'error', message: 'WRONGTYPE x' })).toThrow(new RedisError('WRONGTYPE x'));
  });
});

describe('codemod unified diff', () => {
  it('hunks with context, removals before additions, nothing for equal texts', () => {
    expect(unifiedDiff('a.ts', 'x\ny\n', 'x\nz\n')).toBe('--- a/a.ts\n+++ b/a.ts\n@@ -1,2 +1,2 @@\n x\n-y\n+z\n');
    expect(unifiedDiff('a.ts', 'same\n', 'same\n')).toBe('');
    const before = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n') + '\n';
    const after = before.replace('l1\n', 'L1\n').replace('l18\n', 'L18\n');
    expect(unifiedDiff('/abs/f.ts', before, after)).toBe(
      '--- /abs/f.ts\n+++ /abs/f.ts\n' +
        '@@ -1,5 +1,5 @@\n l0\n-l1\n+L1\n l2\n l3\n l4\n' +
        '@@ -16,5 +16,5 @@\n l15\n l16\n l17\n-l18\n+L18\n l19\n',
    );
  });
});

describe('codemod runtime: errors as the client throws them', () => {
  it("a Redis error reply becomes the installed client's class, with Redis' message", async () => {
    const { ReplyError } = await import('ioredis');
    const { ErrorReply, MultiErrorReply, WatchError } = await import('@redis/client');
    const io = clientError('ioredis', new RedisError('WRONGTYPE Operation against a key holding the wrong kind of value'));
    expect(io).toBeInstanceOf(ReplyError);
    expect({ name: io.name, message: io.message }).toEqual({ name: 'ReplyError', message: 'WRONGTYPE Operation against a key holding the wrong kind of value' });
    const nr = clientError('node-redis', new RedisError('ERR syntax error'));
    expect(nr).toBeInstanceOf(ErrorReply);
    expect(nr.message).toBe('ERR syntax error');
    const multi = nodeRedisMultiError(['OK', nr], [1]);
    expect(multi).toBeInstanceOf(MultiErrorReply);
    expect(multi).toMatchObject({ replies: ['OK', nr], errorIndexes: [1] });
    expect(nodeRedisWatchError()).toBeInstanceOf(WatchError);
  });

  it("ioredis' err.command: the arguments evaluated once, as ioredis sent them, on a call's reply error", async () => {
    const { ReplyError } = await import('ioredis');
    const seen: unknown[] = [];
    const argv = ['k', Buffer.from([0xff]), 60, 1.5, null, undefined];
    const params = command('set', argv, (a) => {
      seen.push(a);
      return [text(a[0]), bytes(a[1])];
    });
    expect(params).toEqual(['k', Buffer.from([0xff])]);
    expect(seen).toEqual([argv]);
    const error = ioredisReplyError(new RedisError('ERR syntax error'), params);
    expect(error).toBeInstanceOf(ReplyError);
    expect((error as Error & { command?: unknown }).command).toEqual({ name: 'set', args: ['k', Buffer.from([0xff]), '60', '1.5', '', ''] });
    // Parameters built without a command (code converted before it existed) give the error without one.
    expect(ioredisReplyError(new RedisError('ERR syntax error'), ['k'])).not.toHaveProperty('command');
  });

  it('anything else passes through, and an array where one argument was compiled fails loudly', () => {
    const other = new TypeError('not a reply');
    expect(asClientError('ioredis', other)).toBe(other);
    expect(() => text(['a', 'b'])).toThrow(UnsupportedError);
    expect(() => bytes(['a'])).toThrow(UnsupportedError);
    expect(() => integer([1])).toThrow(UnsupportedError);
  });
});
