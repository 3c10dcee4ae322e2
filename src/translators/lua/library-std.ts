import type { LibraryCall, LibraryFunction } from './library.js';

/**
 * Lua 5.1's string, math and cjson libraries as Redis 7.0 gives them to
 * scripts, as descriptors of library.ts over the SQL helpers of
 * src/emit/schema/lua-library.ts.
 *
 *   STD_LIBRARY['string.find']?.sql({ S: 'redis', args: ['v1_s', "'\"2564\"'::jsonb"], … })
 *   → redis.lua_str_find(coalesce(v1_s, 'null'::jsonb), coalesce('"2564"'::jsonb, 'null'::jsonb), NULL, NULL, true)
 *
 * An argument given is passed as JSON null when its value is nil and an
 * argument not given as SQL NULL, so that the helpers say `got nil` or
 * `got no value` in their errors as Lua does.
 */
const given = (args: readonly string[], i: number): string => {
  const a = args[i];
  return a === undefined ? 'NULL::jsonb' : `coalesce(${a}, 'null'::jsonb)`;
};

/** The arguments from position `from` as a pack (a jsonb array, nil as JSON null). */
const pack = (args: readonly string[], from: number): string =>
  args.length > from ? `jsonb_build_array(${args.slice(from).map((a) => `coalesce(${a}, 'null'::jsonb)`).join(', ')})` : `'[]'::jsonb`;

const fixed = (n: number, results: LibraryFunction['results'], sql: (c: LibraryCall, g: (i: number) => string) => string): LibraryFunction => ({
  // Too few arguments is Lua's run-time error (`got no value`), not a refusal.
  minArgs: 0,
  maxArgs: n,
  results,
  sql: (c) => sql(c, (i) => given(c.args, i)),
});

const RANDOM = "math.random is not compiled: redis-server's generator is shared by all scripts and not reseeded per EVAL, so its numbers cannot be reproduced";

const math1 = (name: string): LibraryFunction => fixed(1, 1, ({ S }, g) => `${S}.lua_math1('${name}', ${g(0)})`);

export const STD_LIBRARY: Readonly<Record<string, LibraryFunction>> = {
  tonumber: {
    minArgs: 0,
    maxArgs: 2,
    results: 1,
    sql: ({ S, args }) => (args.length === 1 ? `${S}.lua_tonumber(${args[0]})` : `${S}.lua_tonumber_base(${given(args, 0)}, ${given(args, 1)})`),
  },
  'string.find': fixed(4, 'multi', ({ S }, g) => `${S}.lua_str_find(${g(0)}, ${g(1)}, ${g(2)}, ${g(3)}, true)`),
  'string.match': fixed(3, 'multi', ({ S }, g) => `${S}.lua_str_find(${g(0)}, ${g(1)}, ${g(2)}, NULL, false)`),
  'string.gmatch': fixed(2, 'iterator', ({ S }, g) => `${S}.lua_str_gmatch(${g(0)}, ${g(1)})`),
  'string.gsub': fixed(4, 'multi', ({ S }, g) => `${S}.lua_str_gsub(${g(0)}, ${g(1)}, ${g(2)}, ${g(3)})`),
  'string.format': { minArgs: 0, maxArgs: Infinity, results: 1, sql: ({ S, args }) => `${S}.lua_str_format(${given(args, 0)}, ${pack(args, 1)})` },
  'string.rep': fixed(2, 1, ({ S }, g) => `${S}.lua_str_rep(${g(0)}, ${g(1)})`),
  'string.byte': fixed(3, 'multi', ({ S }, g) => `${S}.lua_str_byte(${g(0)}, ${g(1)}, ${g(2)})`),
  'string.char': { minArgs: 0, maxArgs: Infinity, results: 1, sql: ({ S, args }) => `${S}.lua_str_char(${pack(args, 0)})` },
  'string.reverse': fixed(1, 1, ({ S }, g) => `${S}.lua_str_reverse(${g(0)})`),
  // C-locale case mapping of ASCII letters over any bytes: the escape form of bytea is ASCII with
  // every other byte as \ooo digits, which upper() and lower() leave alone.
  'string.upper': fixed(1, 1, ({ S }, g) => `${S}.lua_str(decode(upper(encode(${S}.lua_arg_string(${g(0)}, 1, 'upper'), 'escape') COLLATE "C"), 'escape'))`),
  'string.lower': fixed(1, 1, ({ S }, g) => `${S}.lua_str(decode(lower(encode(${S}.lua_arg_string(${g(0)}, 1, 'lower'), 'escape') COLLATE "C"), 'escape'))`),
  'math.floor': math1('floor'),
  'math.ceil': math1('ceil'),
  'math.abs': math1('abs'),
  'math.sqrt': math1('sqrt'),
  'math.max': { minArgs: 0, maxArgs: Infinity, results: 1, sql: ({ S, args }) => `${S}.lua_math_maxmin('max', ${pack(args, 0)})` },
  'math.min': { minArgs: 0, maxArgs: Infinity, results: 1, sql: ({ S, args }) => `${S}.lua_math_maxmin('min', ${pack(args, 0)})` },
  'math.fmod': fixed(2, 1, ({ S }, g) => `${S}.lua_math_fmod(${g(0)}, ${g(1)})`),
  'math.pow': fixed(2, 1, ({ S }, g) => `${S}.lua_math_pow(${g(0)}, ${g(1)})`),
  // Redis 7.0 draws from one generator for every script since the server started (EVAL does not
  // reseed it: the same script gives other numbers each run), so no value can be reproduced.
  'math.random': { minArgs: 0, maxArgs: Infinity, results: 1, sql: ({ refuse }) => refuse(RANDOM) },
  'math.randomseed': { minArgs: 0, maxArgs: Infinity, results: 1, sql: ({ refuse }) => refuse(RANDOM) },
  // cjson as Redis bundles it: exactly one argument, else Lua's `expected 1 argument`.
  'cjson.encode': { minArgs: 0, maxArgs: Infinity, results: 1, sql: ({ S, args }) => `${S}.lua_cjson_encode(${given(args, 0)}, ${args.length > 1 ? "'true'::jsonb" : 'NULL::jsonb'})` },
  'cjson.decode': { minArgs: 0, maxArgs: Infinity, results: 1, sql: ({ S, args }) => `${S}.lua_cjson_decode(${given(args, 0)}, ${args.length > 1 ? "'true'::jsonb" : 'NULL::jsonb'})` },
};

/** Library values read without a call. */
export const STD_VALUES: Readonly<Record<string, (S: string) => string>> = {
  'cjson.null': (S) => `${S}.lua_cjson_null()`,
  'math.pi': () => `'3.141592653589793'::jsonb`,
  // Lua numbers here are jsonb numerics, which have no infinity: using math.huge is a run-time error.
  'math.huge': (S) => `${S}.lua_num('Infinity'::float8)`,
};
