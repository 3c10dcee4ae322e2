/**
 * One error root for everything redis2sql refuses on purpose. A plain `Error`
 * escaping the library is a bug of ours; a `Redis2SqlError` is an answer.
 *
 * `RedisError` carries a message in Redis' own words (`ERR syntax error`,
 * `WRONGTYPE …`): it is what a real redis-server would have replied, so the CLI
 * prints it as `(error) …` and the decoders turn it into an error reply.
 */
export class Redis2SqlError extends Error {
  override readonly name: string = 'Redis2SqlError';
}

/** The command text could not be split into arguments (unbalanced quotes…). */
export class TokenizeError extends Redis2SqlError {
  override readonly name = 'TokenizeError';
  constructor(
    message: string,
    /** Offset in the input (UTF-16 code units for strings, bytes for Buffers). */
    readonly offset: number,
  ) {
    super(message);
  }
}

/**
 * An error Redis itself would reply with. `message` is Redis' exact text
 * (`ERR wrong number of arguments for 'get' command`).
 */
export class RedisError extends Redis2SqlError {
  override readonly name: string = 'RedisError';
  constructor(
    message: string,
    /** Index in argv of the argument at fault (0 is the command name), when known. */
    readonly argIndex?: number,
  ) {
    super(message);
  }
}

/** A command Redis would reject while parsing it (arity, syntax, types). */
export class RedisSyntaxError extends RedisError {
  override readonly name = 'RedisSyntaxError';
}

/**
 * node-redis' MultiErrorReply, as the code the codemod converted from a
 * node-redis `multi().exec()` throws it: some queued commands failed at run
 * time (the others ran); `replies` holds each command's value or its
 * `RedisError`, `errorIndexes` where the errors are. The message is node-redis' own.
 */
export class MultiErrorReply extends RedisError {
  override readonly name = 'MultiErrorReply';
  constructor(
    readonly replies: unknown[],
    readonly errorIndexes: number[],
  ) {
    super(`${errorIndexes.length} commands failed, see .replies and .errorIndexes for more information`);
  }

  /** The errors among the replies, in order (node-redis' `errors()`). */
  *errors(): Generator<unknown> {
    for (const i of this.errorIndexes) yield this.replies[i];
  }
}

/**
 * A watched key changed between WATCH and the transaction, which then ran
 * nothing: node-redis' WatchError, with its message, as converted node-redis code throws it.
 */
export class WatchError extends Redis2SqlError {
  override readonly name = 'WatchError';
  constructor() {
    super('One (or more) of the watched keys has been changed');
  }
}

/** Redis knows the command, redis2sql does not translate it (and says why). */
export class UnsupportedError extends Redis2SqlError {
  override readonly name = 'UnsupportedError';
  constructor(
    readonly command: string,
    readonly reason: string,
  ) {
    super(`${command}: ${reason}`);
  }
}

/** A value redis2sql cannot store faithfully (a key PostgreSQL text cannot hold). */
export class StorageError extends Redis2SqlError {
  override readonly name = 'StorageError';
  constructor(
    message: string,
    readonly argIndex?: number,
  ) {
    super(message);
  }
}

/**
 * A Lua construct that cannot be compiled, with its position in the script:
 * line and column both 1-based, as editors and problem matchers count them.
 */
export class LuaCompileError extends Redis2SqlError {
  override readonly name = 'LuaCompileError';
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${line}:${column}: ${reason}`);
  }
}

/**
 * The database refused a statement for a reason that is not a Redis error
 * (SQLSTATE other than RD000): a bug in our SQL, a missing schema, a lost
 * connection. `code` is the SQLSTATE when the server gave one.
 */
export class DatabaseError extends Redis2SqlError {
  override readonly name = 'DatabaseError';
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The user called the CLI or the API wrongly (exit code 2). */
export class UsageError extends Redis2SqlError {
  override readonly name = 'UsageError';
}
