/**
 * ioredis' callback style (`redis.get(key, (err, value) => …)`) for converted
 * calls: every ioredis command takes a function as its last argument and
 * calls it when the reply comes, besides returning the promise. The runtime
 * does what ioredis does with it (its `standard-as-callback` dependency):
 *
 * - on a value, `callback(null, value)` (`callback(null)` when the value is
 *   undefined); on an error, `callback(error)` (a falsy reason becomes an
 *   Error whose `cause` is that reason);
 * - an exception the callback throws is thrown again from a timer, where no
 *   promise swallows it: it reaches `uncaughtException`, as it did;
 * - the call still returns its promise, and the callback handles its
 *   rejection (no unhandled rejection when only the callback is used).
 *
 * The two exports differ only in the callback's declared type, so that the
 * code around a converted call type-checks as it did: ioredis 5 and 6 declare
 * `(err?: Error | null, result?: T) => void`, @types/ioredis (ioredis 4)
 * `(err: Error | null, res: T) => void`.
 *
 *   ioredisCallback(r2s.ioredis(pool, …), (err, v) => console.log(err, v))  // logs null 'v'; returns the promise
 */

/** ioredis 5 and 6 (`Callback<T>` of ioredis/built/types). */
export function ioredisCallback<T>(promise: Promise<T>, callback: (err?: Error | null, result?: T) => void): Promise<T> {
  return withCallback(promise, callback as (err: Error | null, result?: T) => void);
}

/** ioredis 4 (`Callback<T>` of @types/ioredis). */
export function ioredis4Callback<T>(promise: Promise<T>, callback: (err: Error | null, res: T) => void): Promise<T> {
  return withCallback(promise, callback as (err: Error | null, result?: T) => void);
}

function withCallback<T>(promise: Promise<T>, callback: (err: Error | null, result?: T) => void): Promise<T> {
  promise.then(
    (value) => settle(() => (value === undefined ? callback(null) : callback(null, value))),
    (reason: unknown) => settle(() => callback(reason ? (reason as Error) : Object.assign(new Error(String(reason)), { cause: reason }))),
  );
  return promise;
}

/** Run the callback; what it throws is thrown outside any promise, as ioredis does. */
function settle(run: () => void): void {
  try {
    run();
  } catch (error) {
    setTimeout(() => {
      throw error;
    }, 0);
  }
}
