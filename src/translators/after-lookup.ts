import type { DeferredError } from '../grammar/command.js';
import { BULK, INTEGER, type ReplyShape } from '../emit/reply.js';
import { param, sql, type Fragment, type Raw } from './sql.js';
import { bigintParam } from './shared.js';
import type { Translation } from './types.js';

/**
 * The translation of a command whose parse error Redis only gives after it
 * has looked the keys up (the `afterLookup` rule of spec.ts): the keys' types
 * are checked first (WRONGTYPE), a missing key may answer first (LINDEX's nil,
 * HSCAN's empty scan, LSET's `ERR no such key`), and only then is the error
 * raised. The keys are the ones the parser read before the error. With a
 * `group`, the consumer group must exist on the stream too (XCLAIM's NOGROUP).
 *
 *   LINDEX l x →
 *   SELECT CASE WHEN l.message IS NOT NULL THEN redis.raise(l.message) END AS checked, NULL::bytea AS reply
 *   FROM (SELECT CASE WHEN bool_and(k.type = ANY($1::text[])) IS FALSE THEN $2::text
 *                     WHEN count(*) = 0 THEN $3::text ELSE $4::text END AS message
 *         FROM redis.keys k WHERE k.key = ANY($5::text[]) AND redis.is_live(k.expires_at)) l
 *   -- $1 {list}, $2 WRONGTYPE…, $3 NULL (nil for a missing key), $4 ERR value is not an integer…, $5 {l}
 */
export function afterLookup(
  deferred: DeferredError,
  args: Readonly<Record<string, unknown>>,
  S: Raw,
): Translation {
  const { lookup, message } = deferred;
  const keys = lookup.keys.flatMap((name) => {
    const value = args[name];
    return typeof value === 'string' ? [value] : Array.isArray(value) ? (value as string[]) : [];
  });
  const missing = lookup.missing;
  const group = lookup.group === undefined ? undefined : args[lookup.group.name];
  // `%k` and `%g`: the key and the group, printed as C strings.
  const named = (text: string): string =>
    text.replace(/%[kg]/g, (p) => cString(p === '%k' ? (keys[0] ?? '') : Buffer.isBuffer(group) ? group : ''));
  // What no key at all gives: the error anyway, Redis' own reply (NULL: no error), or its own error.
  const whenMissing =
    missing === 'skip'
      ? message
      : missing === 'nil' || missing === 'empty-scan' || 'integer' in missing
        ? null
        : named(missing.error);
  const { columns, reply } = missingReply(missing, args);
  const groupCheck =
    lookup.group === undefined
      ? sql``
      : sql`
                  WHEN NOT EXISTS (SELECT FROM ${S}.stream_groups g WHERE g.key = ANY(${keys}::text[]) AND g.name = ${param(
                    Buffer.isBuffer(group) ? group : Buffer.alloc(0),
                  )}::bytea) THEN ${param(named(lookup.group.error))}::text`;
  return {
    sql: sql`SELECT CASE WHEN l.message IS NOT NULL THEN ${S}.raise(l.message) END AS checked, ${columns}
FROM (SELECT CASE WHEN bool_and(k.type = ANY(${[...lookup.types]}::text[])) IS FALSE THEN ${param(
      lookup.wrongType ?? 'WRONGTYPE Operation against a key holding the wrong kind of value',
    )}::text
                  WHEN count(*) = 0 THEN ${param(whenMissing)}::text${groupCheck}
                  ELSE ${param(message)}::text END AS message
      FROM ${S}.keys k WHERE k.key = ANY(${keys}::text[]) AND ${S}.is_live(k.expires_at)) l`,
    reply,
  };
}

/** A name as Redis prints it with `%s`: up to its first NUL byte. */
function cString(name: string | Buffer): string {
  const bytes = Buffer.isBuffer(name) ? name : Buffer.from(name);
  const nul = bytes.indexOf(0);
  return (nul < 0 ? bytes : bytes.subarray(0, nul)).toString();
}

/** The columns and shape of the reply Redis gives when the keys are missing (or a nil never read). */
function missingReply(
  missing: DeferredError['lookup']['missing'],
  args: Readonly<Record<string, unknown>>,
): { columns: Fragment; reply: ReplyShape } {
  if (typeof missing === 'object' && 'integer' in missing) {
    return { columns: sql`${bigintParam(missing.integer(args))} AS reply`, reply: INTEGER };
  }
  if (missing === 'empty-scan') {
    return {
      columns: sql`'0' AS cursor, '{}'::bytea[] AS reply`,
      reply: {
        kind: 'tuple',
        items: [
          { kind: 'scalar', of: 'bulk', column: 'cursor' },
          { kind: 'array-column', of: 'bulk' },
        ],
      },
    };
  }
  return { columns: sql`NULL::bytea AS reply`, reply: BULK };
}
