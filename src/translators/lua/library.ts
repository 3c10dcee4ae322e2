import { STD_LIBRARY, STD_VALUES } from './library-std.js';

/**
 * The Lua standard library as compiled scripts see it: each builtin function
 * (`string.len`, `math.floor`, `cjson.encode`, `tonumber`…) is a descriptor
 * the compiler (compile.ts) turns a call into. The language itself (operators,
 * tables, `table.insert/remove`, `unpack`, `select`, `pairs`, `redis.*`) stays
 * in the compiler; the library is data here and SQL helpers in
 * src/emit/schema/scripting.ts and src/emit/schema/lua-library.ts.
 *
 *   LIBRARY['string.len']?.sql({ S: 'redis', args: ['v3_s'], literal: () => undefined, refuse })
 *   → to_jsonb(length(redis.lua_bytes(redis.lua_tostring(v3_s))))
 *
 * Values. Every Lua value is one jsonb (see scripting.ts): nil is SQL NULL, a
 * string a jsonb string of its bytes in hex, a number a jsonb number, a table a
 * jsonb array (array part only) or object.
 *
 * Results. `results: 1` — `sql` is one jsonb value (SQL NULL for nil).
 * `results: 'multi'` — `sql` is a *pack*: a jsonb array holding exactly the
 * values returned, nil as JSON null (`string.find('abc', 'b')` → `[2, 2]`, no
 * match → `[null]`). The compiler takes the first value where Lua truncates
 * (`local x = f()`, `(f())`, an operand) and spreads the pack where Lua does
 * (last expression of a list, of a call's arguments, of a return).
 * `results: 'iterator'` — for a generic `for` (`string.gmatch`): `sql` is a
 * jsonb array of packs, one per iteration, computed before the loop runs (the
 * library's iterators have no side effects, so this is what Lua would see).
 *
 * Errors. A helper raises Lua's own message through `S.lua_error(text)`
 * (`bad argument #1 to 'len' (string expected, got nil)`); the compiled script
 * turns it into Redis' error reply with the script's sha and line.
 */
export interface LibraryFunction {
  readonly minArgs: number;
  /** `Infinity` for functions taking any number of arguments. */
  readonly maxArgs: number;
  readonly results: 1 | 'multi' | 'iterator';
  /** The SQL of one call; missing optional arguments are `NULL::jsonb` in `args`. */
  readonly sql: (call: LibraryCall) => string;
}

export interface LibraryCall {
  /** The quoted schema of the runtime helpers. */
  readonly S: string;
  /** Each argument as a jsonb SQL expression. */
  readonly args: readonly string[];
  /** The value of argument i when it is a literal in the script (a format string), else undefined. */
  readonly literal: (i: number) => Buffer | number | undefined;
  /** Refuse the call at compile time (the compiler adds line:column). */
  readonly refuse: (reason: string) => never;
}

const tostr = (S: string, x: string | undefined): string => `${S}.lua_bytes(${S}.lua_tostring(${x ?? 'NULL::jsonb'}))`;

/** string.format with a literal format: %d, %s and %% (the rest is refused until the library helper lands). */
function format({ S, args, literal, refuse }: LibraryCall): string {
  const fmt = literal(0);
  if (!Buffer.isBuffer(fmt)) return refuse('string.format needs a literal format');
  const pieces = fmt.toString('latin1').split(/(%[%ds])/);
  const parts: string[] = [];
  let i = 1;
  for (const piece of pieces) {
    if (piece === '') continue;
    if (piece === '%%') parts.push(`'\\x25'::bytea`);
    else if (piece === '%d' || piece === '%s') {
      const a = args[i++];
      if (a === undefined) refuse('string.format: missing argument');
      parts.push(piece === '%s' ? `${S}.lua_format_s(${tostr(S, a)})` : `convert_to(trunc(${S}.lua_arith_num(${a}))::numeric::text, 'UTF8')`);
    } else {
      if (piece.includes('%')) refuse('string.format: only %d, %s and %% are compiled');
      parts.push(`'\\x${Buffer.from(piece, 'latin1').toString('hex')}'::bytea`);
    }
  }
  return `${S}.lua_str(${parts.length ? parts.join(' || ') : "''::bytea"})`;
}

export const LIBRARY: Readonly<Record<string, LibraryFunction>> = {
  tonumber: { minArgs: 1, maxArgs: 1, results: 1, sql: ({ S, args }) => `${S}.lua_tonumber(${args[0]})` },
  tostring: { minArgs: 1, maxArgs: 1, results: 1, sql: ({ S, args }) => `${S}.lua_tostring(${args[0]})` },
  type: { minArgs: 1, maxArgs: 1, results: 1, sql: ({ S, args }) => `${S}.lua_str(convert_to(${S}.lua_typename(${args[0]}), 'UTF8'))` },
  'string.len': { minArgs: 1, maxArgs: 1, results: 1, sql: ({ S, args }) => `to_jsonb(length(${tostr(S, args[0])}))` },
  'string.upper': {
    minArgs: 1,
    maxArgs: 1,
    results: 1,
    sql: ({ S, args }) => `${S}.lua_str(convert_to(upper(convert_from(${tostr(S, args[0])}, 'SQL_ASCII') COLLATE "C"), 'SQL_ASCII'))`,
  },
  'string.lower': {
    minArgs: 1,
    maxArgs: 1,
    results: 1,
    sql: ({ S, args }) => `${S}.lua_str(convert_to(lower(convert_from(${tostr(S, args[0])}, 'SQL_ASCII') COLLATE "C"), 'SQL_ASCII'))`,
  },
  'string.sub': {
    minArgs: 1,
    maxArgs: 3,
    results: 1,
    sql: ({ S, args }) =>
      `${S}.lua_sub_string(${tostr(S, args[0])}, ${args[1] === undefined || args[1] === 'NULL::jsonb' ? "'1'::jsonb" : args[1]}, ${args[2] === undefined || args[2] === 'NULL::jsonb' ? "'-1'::jsonb" : args[2]})`,
  },
  'string.format': { minArgs: 1, maxArgs: Infinity, results: 1, sql: format },
  // The string, math and cjson libraries (their string.format and tonumber replace the ones above).
  ...STD_LIBRARY,
};

/** Library values read without a call (`redis.LOG_WARNING`, `math.pi`): their jsonb SQL. */
export const LIBRARY_VALUES: Readonly<Record<string, (S: string) => string>> = {
  'redis.LOG_DEBUG': () => `'0'::jsonb`,
  'redis.LOG_VERBOSE': () => `'1'::jsonb`,
  'redis.LOG_NOTICE': () => `'2'::jsonb`,
  'redis.LOG_WARNING': () => `'3'::jsonb`,
  // cjson.null, math.pi, math.huge
  ...STD_VALUES,
};
