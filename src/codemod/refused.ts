/**
 * An argument of a converted call that Redis refuses when it reads it (no
 * integer where it wants one, NaN where it wants a double), known only at
 * run time. The client would have sent the command and the server answered
 * with an error reply: the call's promise rejects, a multi's or pipeline's
 * entry fails. So the checks must not throw while the call's arguments are
 * evaluated (a `.catch()` chained on the call would never see it): they give
 * a `Refused` in the argument's place, and whatever runs the statement
 * answers it as the command's error reply instead of running it.
 *
 *   [text(k), integer(1.5)]              → ['k', Refused(ERR value is not an integer or out of range)]
 *   refusal(['k', integer(1.5)])         → RedisError('ERR value is not an integer or out of range')
 *   sqlParams(['k', integer(1.5)])       → throws that RedisError
 */
import type { RedisError } from '../errors.js';
import type { SqlParam } from '../translators/sql.js';

export class Refused {
  constructor(readonly error: RedisError) {}
}

/** A converted call's parameter: a statement parameter, or one Redis refuses (alone or among ZADD's scores). */
export type RuntimeParam = SqlParam | Refused | readonly (number | Refused)[];

/** The error of the first refused argument (Redis reads them in order), or undefined. */
export function refusal(params: readonly RuntimeParam[]): RedisError | undefined {
  for (const p of params) {
    if (p instanceof Refused) return p.error;
    if (Array.isArray(p)) {
      for (const x of p as readonly unknown[]) if (x instanceof Refused) return x.error;
    }
  }
  return undefined;
}

/** The statement's parameters, or the refused argument's error thrown. */
export function sqlParams(params: readonly RuntimeParam[]): readonly SqlParam[] {
  const error = refusal(params);
  if (error !== undefined) throw error;
  return params as readonly SqlParam[];
}
