/**
 * SORT and SORT_RO. Sorting reads other keys through the BY and GET patterns
 * (which are data: their `*` is found and replaced in SQL), so the whole
 * command is one call of the schema's `sort_result` (reads) or `sort_store`
 * (STORE, which locks the destination first); see emit/schema/sort.ts.
 *
 * The parser already gives Redis' leniency (options in any order, the last
 * BY / LIMIT / STORE / ASC|DESC wins, GETs accumulate); the SQL text depends
 * only on whether STORE is given.
 */
import { INTEGER, type ReplyShape } from '../emit/reply.js';
import { param, raw, sql, type Fragment, type Raw } from './sql.js';
import type { Translation, Translator } from './types.js';

const RESULT: ReplyShape = { kind: 'array-column', of: 'bulk', nil: 'empty' };

interface SortArgs {
  readonly key: string;
  readonly pattern?: Buffer;
  readonly offset_count?: { readonly offset: bigint; readonly count: bigint };
  readonly get?: readonly Buffer[];
  readonly order?: { readonly kind: 'asc' | 'desc' };
  readonly sorting?: true;
}

const bool = (value: boolean): Raw => raw(value ? 'true' : 'false');

/**
 * Redis sets its "don't sort" flag at any BY without a `*` (before a NUL) and
 * never clears it: `BY nosort BY w_*` leaves the order alone. The parser keeps
 * the last BY only, so the words are scanned again as sortCommandGeneric does.
 */
function starlessBy(argv: readonly Buffer[]): Buffer | undefined {
  for (let j = 2; j < argv.length; j++) {
    const word = argv[j]!.toString('latin1').toLowerCase();
    const next = argv[j + 1];
    if (word === 'limit') j += 2;
    else if ((word === 'store' || word === 'get') && next !== undefined) j++;
    else if (word === 'by' && next !== undefined) {
      const nul = next.indexOf(0);
      if (!(nul === -1 ? next : next.subarray(0, nul)).includes(0x2a)) return next;
      j++;
    }
  }
  return undefined;
}

/** The arguments both functions take after the key, in their order. */
function options(args: SortArgs, argv: readonly Buffer[]): Fragment {
  // No LIMIT is Redis' start 0, count -1.
  const offset = args.offset_count?.offset ?? 0n;
  const count = args.offset_count?.count ?? -1n;
  const by = starlessBy(argv) ?? args.pattern ?? null;
  return sql`${param(by)}::bytea, ${param(offset)}::bigint, ${param(count)}::bigint, ${param(
    args.get ?? [],
  )}::bytea[], ${bool(args.order?.kind === 'desc')}, ${bool(args.sorting === true)}`;
}

/**
 * SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern …] [ASC|DESC] [ALPHA]
 *   SELECT redis.sort_result($1::text, $2::bytea, $3::bigint, $4::bigint, $5::bytea[], false, true, false) AS reply
 */
export const SORT_RO: Translator<'SORT_RO'> = (cmd, { S }) => read(S, cmd.args, cmd.argv);

function read(S: Raw, args: SortArgs, argv: readonly Buffer[]): Translation {
  return {
    sql: sql`SELECT ${S}.sort_result(${args.key}::text, ${options(args, argv)}, false) AS reply`,
    reply: RESULT,
  };
}

/**
 * SORT key … [STORE destination]
 *   SELECT redis.sort_store($1::text, $2::text, $3::bytea, $4::bigint, $5::bigint, $6::bytea[], false, false) AS reply
 */
export const SORT: Translator<'SORT'> = (cmd, { S }) => {
  const { destination } = cmd.args;
  if (destination === undefined) return read(S, cmd.args, cmd.argv);
  return {
    sql: sql`SELECT ${S}.sort_store(${destination}::text, ${cmd.args.key}::text, ${options(cmd.args, cmd.argv)}) AS reply`,
    reply: INTEGER,
  };
};
