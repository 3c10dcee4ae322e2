/**
 * Errors of converted code as the Redis client's own classes, so that the
 * application's `catch` blocks keep working: `err instanceof Redis.ReplyError`
 * (ioredis 4/5/6: redis-errors' ReplyError), `err instanceof ErrorReply`,
 * `MultiErrorReply`, `WatchError` (node-redis 4/5, from @redis/client), with
 * the message Redis replied.
 *
 * The classes are taken from the client package the application still has
 * installed, looked up from the working directory (the application's root)
 * and then from this module's own place, the way the application's own
 * `import … from 'ioredis'` finds it. When the client is no longer installed
 * nothing can test against its classes, and the runtime's own errors
 * (src/errors.ts: RedisError, MultiErrorReply, WatchError, same messages)
 * are thrown instead.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { MultiErrorReply, RedisError, WatchError } from '../errors.js';

/** Which client's classes: ioredis (4/5/6) or node-redis (4/5). */
export type ClientFamily = 'ioredis' | 'node-redis';

type ErrorClass = new (...args: never[]) => Error;

/**
 * A Redis error reply as the client would have rejected with it.
 *
 *   clientError('ioredis', new RedisError('WRONGTYPE …'))     → ReplyError('WRONGTYPE …')   (ioredis installed)
 *   clientError('node-redis', new RedisError('ERR syntax error'))  → ErrorReply('ERR syntax error')
 */
export function clientError(family: ClientFamily, error: RedisError): Error {
  if (family === 'ioredis') {
    const ReplyError = exported(['ioredis'], 'ReplyError');
    return ReplyError === undefined ? error : construct(ReplyError, error.message);
  }
  // node-redis 5 replies with SimpleError, a subclass of ErrorReply; node-redis 4 with ErrorReply itself.
  const ErrorReply = exported(NODE_REDIS, 'SimpleError') ?? exported(NODE_REDIS, 'ErrorReply');
  return ErrorReply === undefined ? error : construct(ErrorReply, error.message);
}

/**
 * A thrown value of converted code as the client's: our RedisError becomes
 * the client's reply error; anything else is returned as it is.
 *
 *   asClientError('ioredis', new RedisError('ERR syntax error'))  → ReplyError('ERR syntax error')
 *   asClientError('ioredis', new TypeError('x'))                  → the same TypeError
 */
export function asClientError(family: ClientFamily, error: unknown): unknown {
  return error instanceof RedisError && !(error instanceof MultiErrorReply) ? clientError(family, error) : error;
}

/**
 * node-redis' MultiErrorReply: some queued commands failed; `replies` holds
 * each command's value or its error (already the client's), `errorIndexes`
 * where the errors are.
 *
 *   nodeRedisMultiError(['OK', errorReply], [1])  → MultiErrorReply('1 commands failed, …')
 */
export function nodeRedisMultiError(replies: unknown[], errorIndexes: number[]): Error {
  const MultiError = exported(NODE_REDIS, 'MultiErrorReply');
  return MultiError === undefined ? new MultiErrorReply(replies, errorIndexes) : construct(MultiError, replies, errorIndexes);
}

/**
 * node-redis' WatchError: a watched key changed, the transaction ran nothing.
 *
 *   nodeRedisWatchError()  → WatchError('One (or more) of the watched keys has been changed')
 */
export function nodeRedisWatchError(): Error {
  const ClientWatchError = exported(NODE_REDIS, 'WatchError');
  return ClientWatchError === undefined ? new WatchError() : construct(ClientWatchError);
}

/** The command an ioredis call sent, as ioredis puts it on its ReplyError (`err.command`). */
export interface IoredisCommand {
  /** The method's command, lower case as ioredis names it (`incr`, `get` for `getBuffer`). */
  readonly name: string;
  /** Its arguments as ioredis sent them: flattened, Buffers kept, everything else `String(x)` (null and undefined as ''). */
  readonly args: readonly (string | Buffer)[];
}

/** Where the parameters of a converted ioredis call carry its command (a symbol: the array stays the parameter list). */
const COMMAND = Symbol('redis2sql.ioredisCommand');

/**
 * Parameters that carry `command` for the error they may end in.
 *
 *   withCommand(['k'], { name: 'incr', args: ['k'] })  → ['k'] (commandOf gives the command back)
 */
export function withCommand<T extends object>(params: T, command: IoredisCommand): T {
  Object.defineProperty(params, COMMAND, { value: command });
  return params;
}

/** On a call's parameters: the callback ioredis would have taken, and the command it would have sent, where they are not what the statement was compiled for. */
const CALLED_BACK = Symbol('redis2sql.calledBack');

export interface CalledBack {
  /** The function ioredis takes as the callback, if the last argument was one. */
  readonly callback?: (...args: unknown[]) => unknown;
  /** The command ioredis sends: the other arguments, as sent. */
  readonly argv: readonly (string | Buffer)[];
  /** Whether it is the command the statement was compiled for (else it is translated when the call runs). */
  readonly compiled?: boolean;
}

/**
 * What `params` carry of an untyped last argument (withCalledBack): the
 * callback it was, the command ioredis sent, and whether that is the one the
 * statement was compiled for; or undefined.
 *
 *   calledBack(command('del', ['k', cb], …))  → { callback: cb, argv: ['del', 'k'] }
 */
export function calledBack(params: object): CalledBack | undefined {
  return (params as { [CALLED_BACK]?: CalledBack })[CALLED_BACK];
}

/**
 * Parameters that carry `called` (command()): an untyped last argument was,
 * or was not, a function when the call ran, other than the statement was
 * compiled for, or its callback is to be called.
 */
export function withCalledBack<T extends object>(params: T, called: CalledBack): T {
  Object.defineProperty(params, CALLED_BACK, { value: called });
  return params;
}

/**
 * The command `params` carry (withCommand), or undefined.
 *
 *   commandOf(command('incr', ['k'], (a) => [text(a[0])]))  → { name: 'incr', args: ['k'] }
 *   commandOf(['k'])                                         → undefined
 */
export function commandOf(params: object): IoredisCommand | undefined {
  return (params as { [COMMAND]?: IoredisCommand })[COMMAND];
}

/**
 * A Redis error reply of a converted ioredis call with `err.command` as
 * ioredis sets it (`{ name, args }`), when its parameters carry the command.
 *
 *   ioredisReplyError(new RedisError('ERR …'), params)  → ReplyError('ERR …') with .command { name: 'incr', args: ['k'] }
 */
export function ioredisReplyError(error: RedisError, params: object): Error {
  const reply = clientError('ioredis', error);
  const command = commandOf(params);
  if (command !== undefined) Object.assign(reply, { command: { name: command.name, args: [...command.args] } });
  return reply;
}

/** node-redis' packages: `redis` re-exports @redis/client's errors. */
const NODE_REDIS = ['redis', '@redis/client'];

/** `name` exported by the first of `packages` found (from the working directory, then from here), if it is a class. */
function exported(packages: readonly string[], name: string): ErrorClass | undefined {
  for (const anchor of [join(process.cwd(), 'package.json'), import.meta.url]) {
    const load = createRequire(anchor);
    for (const pkg of packages) {
      let module: Record<string, unknown>;
      try {
        module = load(pkg) as Record<string, unknown>;
      } catch {
        continue;
      }
      const value = module[name] ?? (module['default'] as Record<string, unknown> | undefined)?.[name];
      return typeof value === 'function' ? (value as ErrorClass) : undefined;
    }
  }
  return undefined;
}

function construct(cls: ErrorClass, ...args: unknown[]): Error {
  return new (cls as new (...a: unknown[]) => Error)(...args);
}
