/**
 * Runtime of Lua scripts compiled to PL/pgSQL (src/translators/lua/).
 *
 * A Lua value is one jsonb: nil is SQL NULL, booleans and numbers are jsonb
 * booleans and numbers, a string is a jsonb string holding its bytes in
 * lower-case hex (binary-safe, and hex order is byte order, so `<` on strings
 * compares like Redis' C-locale Lua), a table is a jsonb array while its keys
 * are 1..n (nil elements as JSON null, no trailing nulls) and a jsonb object
 * once it has any other key. An object's keys are encoded by lua_key: `s` and
 * the string's hex (`{err=…}` is `{"s657272": …}`), `n` and the number
 * (integers as digits, others %.17g), `b` and true/false. Tables are values,
 * not references: the compiler assigns a changed table back to its variable.
 *
 * A script's function returns its Redis reply as a jsonb tree (the `lua`
 * reply shape of src/emit/reply.ts): {"i": "12"} integer, {"b": hex} bulk,
 * null nil bulk, {"a": […]} array, {"s": hex} status, {"e": hex} error.
 *
 * Lua runtime errors are raised with SQLSTATE RL000 and Lua's message; the
 * compiled function turns them into Redis' error reply.
 */
export const SCRIPTING_DDL = `
-- Not to_jsonb (STABLE): an IMMUTABLE SQL function whose body is not immutable is never inlined,
-- and a SQL function called rather than inlined costs tens of µs.
CREATE OR REPLACE FUNCTION @S.lua_str(b bytea) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ('"' || encode(b, 'hex') || '"')::jsonb $$;

-- redis.error_reply's text as Redis 7.0 builds it (luaPushErrorBuff): a
-- leading '-' is dropped; a text without a space has no error code and gets
-- 'ERR ' ('boom' → 'ERR boom', 'MY boom' stays). A {err=…} table is taken as it is.
CREATE OR REPLACE FUNCTION @S.lua_error_text(b bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN position(convert_to(' ', 'UTF8') IN r) = 0 THEN convert_to('ERR ', 'UTF8') || r ELSE r END
  FROM (SELECT CASE WHEN substring(b FROM 1 FOR 1) = convert_to('-', 'UTF8') THEN substring(b FROM 2) ELSE b END) AS t(r)
$$;

CREATE OR REPLACE FUNCTION @S.lua_typename(v jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN v IS NULL THEN 'nil' ELSE
    CASE jsonb_typeof(v) WHEN 'boolean' THEN 'boolean' WHEN 'number' THEN 'number'
      WHEN 'string' THEN 'string' ELSE CASE WHEN v = '{"u": "cjson.null"}'::jsonb THEN 'userdata' ELSE 'table' END END END
$$;

CREATE OR REPLACE FUNCTION @S.lua_error(message text) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'RL000', MESSAGE = message;
END $$;

-- Lua 5.1's words for a value in a type error: "local 'x' (a nil value)", or "a nil value" for an unnamed one.
CREATE OR REPLACE FUNCTION @S.lua_culprit(v jsonb, d text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN coalesce(d, '') = '' THEN 'a ' || @S.lua_typename(v) || ' value'
    ELSE d || ' (a ' || @S.lua_typename(v) || ' value)' END
$$;

-- printf's %.<p>g: %.14g is how Lua 5.1 prints numbers (LUAI_NUMFFORMAT), %.17g how Redis 7.0 replies doubles.
CREATE OR REPLACE FUNCTION @S.lua_fmt_number(x float8, p int DEFAULT 14) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  sci text;
  digits text;
  e int;
  sign text := CASE WHEN x < 0 THEN '-' ELSE '' END;
  t text;
BEGIN
  IF x = 0 THEN RETURN CASE WHEN text(x) LIKE '-%' THEN '-0' ELSE '0' END; END IF;
  IF x = 'Infinity'::float8 THEN RETURN 'inf'; END IF;
  IF x = '-Infinity'::float8 THEN RETURN '-inf'; END IF;
  IF x = 'NaN'::float8 THEN RETURN 'nan'; END IF;
  -- p significant digits rounded from the binary value, as printf's %.<p-1>e does (to_char's EEEE is that).
  sci := btrim(to_char(abs(x), '9.' || repeat('9', p - 1) || 'EEEE'));
  digits := replace(split_part(sci, 'e', 1), '.', '');
  e := split_part(sci, 'e', 2)::int;
  IF e < -4 OR e >= p THEN
    t := rtrim(substr(digits, 2), '0');
    RETURN sign || substr(digits, 1, 1) || CASE WHEN t = '' THEN '' ELSE '.' || t END
      || 'e' || CASE WHEN e < 0 THEN '-' ELSE '+' END || CASE WHEN abs(e) < 10 THEN '0' ELSE '' END || abs(e)::text;
  END IF;
  IF e >= 0 THEN
    t := rtrim(substr(digits, e + 2), '0');
    RETURN sign || substr(digits, 1, e + 1) || CASE WHEN t = '' THEN '' ELSE '.' || t END;
  END IF;
  RETURN sign || '0.' || repeat('0', -e - 1) || rtrim(digits, '0');
END $$;

-- Lua's tonumber on bytes: decimal or hex (0x), surrounding spaces allowed; NULL when not a number.
-- No exception block on the way (each is a subtransaction per call): bytes outside ASCII and NUL
-- are escapes in encode(…, 'escape') and match no pattern, and only a number long enough to
-- overflow float8 takes lua_float_or_null's guarded cast.
CREATE OR REPLACE FUNCTION @S.lua_parse_number(s bytea) RETURNS float8
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  t text := btrim(encode(s, 'escape'), E' \\t\\n\\r\\f\\v');
BEGIN
  IF t ~ '^[-+]?0[xX][0-9a-fA-F]+$' THEN
    RETURN (CASE WHEN t LIKE '-%' THEN -1 ELSE 1 END) * ('x' || lpad(substr(ltrim(t, '+-'), 3), 16, '0'))::bit(64)::bigint::float8;
  END IF;
  IF t ~ '^[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?$' THEN RETURN @S.lua_decimal(t); END IF;
  RETURN NULL;
END $$;

-- A decimal float8 whose text matched the number pattern, or NULL when it is out of float8's range.
CREATE OR REPLACE FUNCTION @S.lua_float_or_null(t text) RETURNS float8
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN t::float8;
EXCEPTION WHEN numeric_value_out_of_range THEN
  RETURN NULL;
END $$;

-- Short numbers (at most 40 characters, a 2-digit exponent: within 1e±140) cast straight away.
CREATE OR REPLACE FUNCTION @S.lua_decimal(t text) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN length(t) <= 40 AND t !~ '[eE][-+]?[0-9]{3}' THEN t::float8 ELSE @S.lua_float_or_null(t) END
$$;

-- The first value of a pack (a jsonb array of a call's results, nil as JSON null): Lua's truncation to one value.
CREATE OR REPLACE FUNCTION @S.lua_first(p jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT NULLIF(p -> 0, 'null'::jsonb) $$;

CREATE OR REPLACE FUNCTION @S.lua_bytes(v jsonb) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT decode(v #>> '{}', 'hex') $$;

-- PL/pgSQL, not SQL, in these helpers: an inlined SQL function's CASE branches are
-- constant-folded, and a branch cast that does not apply to a literal would fail.
CREATE OR REPLACE FUNCTION @S.lua_tonumber(v jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF jsonb_typeof(v) = 'number' THEN RETURN v; END IF;
  IF jsonb_typeof(v) = 'string' THEN RETURN to_jsonb(@S.lua_parse_number(@S.lua_bytes(v))); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION @S.lua_tostring(v jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF v IS NULL THEN RETURN @S.lua_str('nil'); END IF;
  -- cjson.null is a light userdata holding NULL.
  IF v = '{"u": "cjson.null"}'::jsonb THEN RETURN @S.lua_str(convert_to('userdata: (nil)', 'UTF8')); END IF;
  CASE jsonb_typeof(v)
    WHEN 'string' THEN RETURN v;
    WHEN 'number' THEN RETURN @S.lua_str(convert_to(@S.lua_fmt_number((v #>> '{}')::float8), 'UTF8'));
    WHEN 'boolean' THEN RETURN @S.lua_str(convert_to(v #>> '{}', 'UTF8'));
    ELSE RETURN @S.lua_error('tostring of a table is not supported by redis2sql');
  END CASE;
END $$;

-- A number for arithmetic: numbers, and strings that convert (Lua 5.1 coercion).
CREATE OR REPLACE FUNCTION @S.lua_arith_num(v jsonb, d text DEFAULT '') RETURNS float8
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  n float8;
BEGIN
  IF jsonb_typeof(v) = 'number' THEN RETURN (v #>> '{}')::float8; END IF;
  IF jsonb_typeof(v) = 'string' THEN n := @S.lua_parse_number(@S.lua_bytes(v)); END IF;
  IF n IS NULL THEN
    PERFORM @S.lua_error('attempt to perform arithmetic on ' || @S.lua_culprit(v, d));
  END IF;
  RETURN n;
END $$;

CREATE OR REPLACE FUNCTION @S.lua_num(x float8) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF x = 'Infinity'::float8 OR x = '-Infinity'::float8 OR x = 'NaN'::float8 THEN
    PERFORM @S.lua_error('inf and nan are not supported by redis2sql''s Lua numbers');
  END IF;
  RETURN to_jsonb(x);
END $$;

CREATE OR REPLACE FUNCTION @S.lua_add(a jsonb, b jsonb, da text DEFAULT '', db text DEFAULT '') RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$ SELECT @S.lua_num(@S.lua_arith_num(a, da) + @S.lua_arith_num(b, db)) $$;
CREATE OR REPLACE FUNCTION @S.lua_sub(a jsonb, b jsonb, da text DEFAULT '', db text DEFAULT '') RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$ SELECT @S.lua_num(@S.lua_arith_num(a, da) - @S.lua_arith_num(b, db)) $$;
CREATE OR REPLACE FUNCTION @S.lua_mul(a jsonb, b jsonb, da text DEFAULT '', db text DEFAULT '') RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$ SELECT @S.lua_num(@S.lua_arith_num(a, da) * @S.lua_arith_num(b, db)) $$;
CREATE OR REPLACE FUNCTION @S.lua_div(a jsonb, b jsonb, da text DEFAULT '', db text DEFAULT '') RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE x float8 := @S.lua_arith_num(a, da); y float8 := @S.lua_arith_num(b, db);
BEGIN
  IF y = 0 THEN PERFORM @S.lua_error('division by zero gives inf or nan, not supported by redis2sql''s Lua numbers'); END IF;
  RETURN @S.lua_num(x / y);
END $$;
-- Lua 5.1: a % b == a - floor(a/b)*b
CREATE OR REPLACE FUNCTION @S.lua_mod(a jsonb, b jsonb, da text DEFAULT '', db text DEFAULT '') RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE x float8 := @S.lua_arith_num(a, da); y float8 := @S.lua_arith_num(b, db);
BEGIN
  IF y = 0 THEN PERFORM @S.lua_error('modulo by zero gives nan, not supported by redis2sql''s Lua numbers'); END IF;
  RETURN @S.lua_num(x - floor(x / y) * y);
END $$;
CREATE OR REPLACE FUNCTION @S.lua_pow(a jsonb, b jsonb, da text DEFAULT '', db text DEFAULT '') RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$ SELECT @S.lua_num(power(@S.lua_arith_num(a, da), @S.lua_arith_num(b, db))) $$;
CREATE OR REPLACE FUNCTION @S.lua_unm(a jsonb, da text DEFAULT '') RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$ SELECT @S.lua_num(- @S.lua_arith_num(a, da)) $$;

CREATE OR REPLACE FUNCTION @S.lua_truthy(v jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT v IS NOT NULL AND v <> 'false'::jsonb $$;

CREATE OR REPLACE FUNCTION @S.lua_eq(a jsonb, b jsonb) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF a IS NULL OR b IS NULL THEN RETURN a IS NULL AND b IS NULL; END IF;
  IF jsonb_typeof(a) <> jsonb_typeof(b) THEN RETURN false; END IF;
  IF jsonb_typeof(a) = 'number' THEN RETURN (a #>> '{}')::float8 = (b #>> '{}')::float8; END IF;
  RETURN a = b;
END $$;

CREATE OR REPLACE FUNCTION @S.lua_lt(a jsonb, b jsonb, orequal boolean) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE ta text := @S.lua_typename(a); tb text := @S.lua_typename(b);
BEGIN
  IF ta = 'number' AND tb = 'number' THEN
    RETURN CASE WHEN orequal THEN (a #>> '{}')::float8 <= (b #>> '{}')::float8
      ELSE (a #>> '{}')::float8 < (b #>> '{}')::float8 END;
  END IF;
  IF ta = 'string' AND tb = 'string' THEN
    RETURN CASE WHEN orequal THEN @S.lua_bytes(a) <= @S.lua_bytes(b) ELSE @S.lua_bytes(a) < @S.lua_bytes(b) END;
  END IF;
  IF ta = tb THEN PERFORM @S.lua_error('attempt to compare two ' || ta || ' values'); END IF;
  PERFORM @S.lua_error('attempt to compare ' || ta || ' with ' || tb);
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION @S.lua_concat_part(v jsonb, d text DEFAULT '') RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF jsonb_typeof(v) IN ('string', 'number') THEN RETURN @S.lua_bytes(@S.lua_tostring(v)); END IF;
  PERFORM @S.lua_error('attempt to concatenate ' || @S.lua_culprit(v, d));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION @S.lua_concat(a jsonb, b jsonb, da text DEFAULT '', db text DEFAULT '') RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$ SELECT @S.lua_str(@S.lua_concat_part(a, da) || @S.lua_concat_part(b, db)) $$;

-- The object key of a Lua key (see the header); NULL for nil and NaN, which no table holds.
CREATE OR REPLACE FUNCTION @S.lua_key(k jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE x float8;
BEGIN
  CASE jsonb_typeof(k)
    WHEN 'string' THEN RETURN 's' || (k #>> '{}');
    WHEN 'boolean' THEN RETURN 'b' || (k #>> '{}');
    WHEN 'number' THEN
      x := (k #>> '{}')::float8;
      RETURN 'n' || CASE WHEN x = trunc(x) AND abs(x) < 1e15 THEN x::bigint::text ELSE @S.lua_fmt_number(x, 17) END;
    WHEN 'array', 'object' THEN
      PERFORM @S.lua_error('tables as table keys are not supported by redis2sql');
    ELSE RETURN NULL;
  END CASE;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION @S.lua_unkey(k text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE left(k, 1) WHEN 's' THEN to_jsonb(substr(k, 2)) WHEN 'b' THEN to_jsonb(substr(k, 2) = 'true')
    ELSE to_jsonb(substr(k, 2)::float8) END
$$;

-- The keys of a table in the order pairs() and next() give them: 1..n (the array part), then
-- the other keys, numbers by value first. Lua orders its hash part by hash; scripts that return
-- pairs() order unsorted differ from Redis there (a documented difference).
CREATE OR REPLACE FUNCTION @S.lua_keys(t jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF jsonb_typeof(t) = 'array' THEN
    RETURN coalesce((SELECT jsonb_agg('n' || n ORDER BY n) FROM jsonb_array_elements(t) WITH ORDINALITY AS u(v, n)
      WHERE v <> 'null'::jsonb), '[]'::jsonb);
  END IF;
  IF jsonb_typeof(t) = 'object' THEN
    RETURN coalesce((SELECT jsonb_agg(k ORDER BY left(k, 1) <> 'n', CASE WHEN left(k, 1) = 'n' THEN substr(k, 2)::float8 END, k COLLATE "C")
      FROM jsonb_object_keys(t) AS k), '[]'::jsonb);
  END IF;
  PERFORM @S.lua_error('bad argument #1 to ''pairs'' (table expected, got ' || @S.lua_typename(t) || ')');
  RETURN NULL;
END $$;

-- next(t, k) as a pack: [key, value], or [null] after the last key.
CREATE OR REPLACE FUNCTION @S.lua_next(t jsonb, k jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  keys jsonb;
  i int := 0;
  key text;
BEGIN
  IF jsonb_typeof(t) NOT IN ('array', 'object') THEN
    PERFORM @S.lua_error('bad argument #1 to ''next'' (table expected, got ' || @S.lua_typename(t) || ')');
  END IF;
  keys := @S.lua_keys(t);
  IF k IS NOT NULL THEN
    SELECT n INTO i FROM jsonb_array_elements_text(keys) WITH ORDINALITY AS u(x, n) WHERE x = @S.lua_key(k);
    IF i IS NULL THEN PERFORM @S.lua_error('invalid key to ''next'''); END IF;
  END IF;
  key := keys ->> i;
  IF key IS NULL THEN RETURN '[null]'::jsonb; END IF;
  RETURN jsonb_build_array(@S.lua_unkey(key), @S.lua_index(t, @S.lua_unkey(key)));
END $$;

CREATE OR REPLACE FUNCTION @S.lua_len(v jsonb, d text DEFAULT '') RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE n int := 0;
BEGIN
  IF jsonb_typeof(v) = 'string' THEN RETURN to_jsonb(length(v #>> '{}') / 2); END IF;
  IF jsonb_typeof(v) = 'array' THEN RETURN to_jsonb(jsonb_array_length(v)); END IF;
  IF jsonb_typeof(v) = 'object' THEN
    -- A border: t[n] is not nil and t[n+1] is (Lua may give another border of a table with holes).
    WHILE v ? ('n' || (n + 1)) LOOP n := n + 1; END LOOP;
    RETURN to_jsonb(n);
  END IF;
  PERFORM @S.lua_error('attempt to get length of ' || @S.lua_culprit(v, d));
  RETURN NULL;
END $$;

-- Arrays are kept without trailing nils, so # is jsonb_array_length (a border, as Lua's # is).
CREATE OR REPLACE FUNCTION @S.lua_trim(t jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  WHILE jsonb_array_length(t) > 0 AND t -> -1 = 'null'::jsonb LOOP t := t - (-1); END LOOP;
  RETURN t;
END $$;

CREATE OR REPLACE FUNCTION @S.lua_index(t jsonb, k jsonb, d text DEFAULT '') RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE i float8;
BEGIN
  IF jsonb_typeof(t) = 'array' THEN
    IF jsonb_typeof(k) <> 'number' THEN RETURN NULL; END IF;
    i := (k #>> '{}')::float8;
    IF i <> trunc(i) OR i < 1 OR i > jsonb_array_length(t) THEN RETURN NULL; END IF;
    RETURN NULLIF(t -> (i::int - 1), 'null'::jsonb);
  END IF;
  IF jsonb_typeof(t) = 'object' THEN
    IF jsonb_typeof(k) IN ('array', 'object') THEN RETURN NULL; END IF;
    RETURN t -> @S.lua_key(k);
  END IF;
  PERFORM @S.lua_error('attempt to index ' || @S.lua_culprit(t, d));
  RETURN NULL;
END $$;

-- An array table as an object (when it gets a key other than 1..#t+1).
CREATE OR REPLACE FUNCTION @S.lua_to_object(t jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_object_agg('n' || n, v), '{}'::jsonb)
  FROM jsonb_array_elements(t) WITH ORDINALITY AS u(v, n) WHERE v <> 'null'::jsonb
$$;

-- t[k] = v: the changed table (the compiler assigns it back to t's variable).
CREATE OR REPLACE FUNCTION @S.lua_setindex(t jsonb, k jsonb, v jsonb, d text DEFAULT '') RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE i float8; n int; key text;
BEGIN
  IF jsonb_typeof(t) NOT IN ('array', 'object') THEN
    PERFORM @S.lua_error('attempt to index ' || @S.lua_culprit(t, d));
  END IF;
  IF k IS NULL THEN PERFORM @S.lua_error('table index is nil'); END IF;
  IF jsonb_typeof(t) = 'array' THEN
    n := jsonb_array_length(t);
    IF jsonb_typeof(k) = 'number' THEN i := (k #>> '{}')::float8; END IF;
    IF i IS NOT NULL AND i = trunc(i) AND i >= 1 AND i <= n + 1 THEN
      IF i = n + 1 THEN
        RETURN CASE WHEN v IS NULL THEN t ELSE t || jsonb_build_array(v) END;
      END IF;
      RETURN @S.lua_trim(jsonb_set(t, ARRAY[(i::int - 1)::text], coalesce(v, 'null'::jsonb)));
    END IF;
    IF v IS NULL THEN RETURN t; END IF;
    t := @S.lua_to_object(t);
  END IF;
  key := @S.lua_key(k);
  IF v IS NULL THEN RETURN t - key; END IF;
  RETURN t || jsonb_build_object(key, v);
END $$;

-- t[k1][k2]…[kn] = v on a local t: each inner table changed and stored back into its parent.
CREATE OR REPLACE FUNCTION @S.lua_setpath(t jsonb, keys jsonb, v jsonb, d text DEFAULT '') RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE k jsonb := NULLIF(keys -> 0, 'null'::jsonb); inner_d text;
BEGIN
  IF jsonb_array_length(keys) = 1 THEN RETURN @S.lua_setindex(t, k, v, d); END IF;
  inner_d := CASE WHEN jsonb_typeof(k) = 'string' THEN 'field ''' || convert_from(@S.lua_bytes(k), 'UTF8') || '''' ELSE 'field ''?''' END;
  RETURN @S.lua_setindex(t, k, @S.lua_setpath(@S.lua_index(t, k, d), keys - 0, v, inner_d), d);
END $$;

-- The positional items of a table constructor with keyed fields: they win over [i]= fields, as in Lua.
CREATE OR REPLACE FUNCTION @S.lua_setlist(t jsonb, items jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE n int := 0; x jsonb;
BEGIN
  IF t = '[]'::jsonb THEN RETURN @S.lua_trim(items); END IF;
  FOR x IN SELECT e FROM jsonb_array_elements(items) AS e LOOP
    n := n + 1;
    IF x <> 'null'::jsonb THEN t := @S.lua_setindex(t, to_jsonb(n), x); END IF;
  END LOOP;
  RETURN t;
END $$;

CREATE OR REPLACE FUNCTION @S.lua_append(t jsonb, v jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF jsonb_typeof(t) NOT IN ('array', 'object') THEN
    PERFORM @S.lua_error('bad argument #1 to ''insert'' (table expected, got ' || @S.lua_typename(t) || ')');
  END IF;
  IF jsonb_typeof(t) = 'object' THEN
    RETURN @S.lua_setindex(t, to_jsonb((@S.lua_len(t) #>> '{}')::int + 1), v, '');
  END IF;
  RETURN CASE WHEN v IS NULL THEN t ELSE t || jsonb_build_array(v) END;
END $$;

-- table.insert(t, pos, v): t[pos..#t] move up one place (Lua 5.1 tinsert).
CREATE OR REPLACE FUNCTION @S.lua_insert(t jsonb, pos jsonb, v jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE e int; p int; i int;
BEGIN
  IF jsonb_typeof(t) NOT IN ('array', 'object') THEN
    PERFORM @S.lua_error('bad argument #1 to ''insert'' (table expected, got ' || @S.lua_typename(t) || ')');
  END IF;
  IF jsonb_typeof(@S.lua_tonumber(pos)) IS DISTINCT FROM 'number' THEN
    PERFORM @S.lua_error('bad argument #2 to ''insert'' (number expected, got ' || @S.lua_typename(pos) || ')');
  END IF;
  e := (@S.lua_len(t) #>> '{}')::int + 1;
  p := trunc((@S.lua_tonumber(pos) #>> '{}')::float8);
  IF p > e THEN e := p; END IF;
  IF jsonb_typeof(t) = 'array' AND p >= 1 AND p <= jsonb_array_length(t) + 1 AND v IS NOT NULL THEN
    RETURN jsonb_insert(t, ARRAY[(p - 1)::text], v);
  END IF;
  i := e;
  WHILE i > p LOOP
    t := @S.lua_setindex(t, to_jsonb(i), @S.lua_index(t, to_jsonb(i - 1)), '');
    i := i - 1;
  END LOOP;
  RETURN @S.lua_setindex(t, to_jsonb(p), v, '');
END $$;

-- table.remove(t [, pos]) as [the changed table, the removed value] (Lua 5.1.5 tremove).
CREATE OR REPLACE FUNCTION @S.lua_remove(t jsonb, pos jsonb, haspos boolean) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE e int; p int; r jsonb;
BEGIN
  IF jsonb_typeof(t) NOT IN ('array', 'object') THEN
    PERFORM @S.lua_error('bad argument #1 to ''remove'' (table expected, got ' || @S.lua_typename(t) || ')');
  END IF;
  e := (@S.lua_len(t) #>> '{}')::int;
  p := CASE WHEN haspos AND pos IS NOT NULL THEN trunc(@S.lua_arith_num(pos)) ELSE e END;
  IF NOT (1 <= p AND p <= e) THEN RETURN jsonb_build_array(t, NULL::jsonb); END IF;
  r := @S.lua_index(t, to_jsonb(p));
  IF jsonb_typeof(t) = 'array' AND e = jsonb_array_length(t) THEN
    RETURN jsonb_build_array(@S.lua_trim(t - (p - 1)), r);
  END IF;
  WHILE p < e LOOP
    t := @S.lua_setindex(t, to_jsonb(p), @S.lua_index(t, to_jsonb(p + 1)), '');
    p := p + 1;
  END LOOP;
  RETURN jsonb_build_array(@S.lua_setindex(t, to_jsonb(e), NULL, ''), r);
END $$;

-- table.concat(t [, sep [, i [, j]]]): strings and numbers only, as Lua 5.1.
CREATE OR REPLACE FUNCTION @S.lua_table_concat(t jsonb, sep jsonb, i jsonb, j jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE a int; b int; out bytea := ''::bytea; s bytea := ''::bytea; x jsonb;
BEGIN
  IF jsonb_typeof(t) NOT IN ('array', 'object') THEN
    PERFORM @S.lua_error('bad argument #1 to ''concat'' (table expected, got ' || @S.lua_typename(t) || ')');
  END IF;
  IF sep IS NOT NULL THEN s := @S.lua_concat_part(sep); END IF;
  a := CASE WHEN i IS NULL THEN 1 ELSE trunc(@S.lua_arith_num(i)) END;
  b := CASE WHEN j IS NULL THEN (@S.lua_len(t) #>> '{}')::int ELSE trunc(@S.lua_arith_num(j)) END;
  FOR n IN a .. b LOOP
    x := @S.lua_index(t, to_jsonb(n));
    IF jsonb_typeof(x) IS NULL OR jsonb_typeof(x) NOT IN ('string', 'number') THEN
      PERFORM @S.lua_error('invalid value (' || @S.lua_typename(x) || ') at index ' || n || ' in table for ''concat''');
    END IF;
    out := out || @S.lua_bytes(@S.lua_tostring(x)) || CASE WHEN n < b THEN s ELSE ''::bytea END;
  END LOOP;
  RETURN @S.lua_str(out);
END $$;

-- table.sort's elements 1..#t as a jsonb array (nil holes are an error, as Lua's comparisons of nil).
CREATE OR REPLACE FUNCTION @S.lua_sort_input(t jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE a jsonb;
BEGIN
  IF jsonb_typeof(t) NOT IN ('array', 'object') THEN
    PERFORM @S.lua_error('bad argument #1 to ''sort'' (table expected, got ' || @S.lua_typename(t) || ')');
  END IF;
  a := @S.lua_unpack(t, NULL, NULL);
  IF a @> '[null]'::jsonb THEN RAISE EXCEPTION USING ERRCODE = 'RL001', MESSAGE = 'attempt to compare nil with ' || CASE WHEN a @> '[""]' THEN 'string' ELSE 'number' END; END IF;
  RETURN a;
END $$;

-- table.sort(t) without a comparator: numbers by value, strings by bytes; a mix is Lua's compare error.
CREATE OR REPLACE FUNCTION @S.lua_sort(t jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE a jsonb := @S.lua_sort_input(t); types text[];
BEGIN
  SELECT array_agg(DISTINCT jsonb_typeof(x)) INTO types FROM jsonb_array_elements(a) AS x;
  IF types IS NULL THEN RETURN t; END IF;
  IF types = ARRAY['number'] THEN
    RETURN (SELECT jsonb_agg(x ORDER BY (x #>> '{}')::float8) FROM jsonb_array_elements(a) AS x);
  END IF;
  IF types = ARRAY['string'] THEN
    RETURN (SELECT jsonb_agg(x ORDER BY @S.lua_bytes(x)) FROM jsonb_array_elements(a) AS x);
  END IF;
  IF types = ARRAY['number', 'string'] THEN
    RAISE EXCEPTION USING ERRCODE = 'RL001', MESSAGE = 'attempt to compare string with number';
  END IF;
  RAISE EXCEPTION USING ERRCODE = 'RL001', MESSAGE = 'attempt to compare two ' || types[1] || ' values';
END $$;

-- unpack(t [, i [, j]]) as a pack.
CREATE OR REPLACE FUNCTION @S.lua_unpack(t jsonb, i jsonb, j jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE a int; b int;
BEGIN
  IF jsonb_typeof(t) NOT IN ('array', 'object') THEN
    PERFORM @S.lua_error('bad argument #1 to ''unpack'' (table expected, got ' || @S.lua_typename(t) || ')');
  END IF;
  a := CASE WHEN i IS NULL THEN 1 ELSE trunc(@S.lua_arith_num(i)) END;
  b := CASE WHEN j IS NULL THEN (@S.lua_len(t) #>> '{}')::int ELSE trunc(@S.lua_arith_num(j)) END;
  IF a = 1 AND jsonb_typeof(t) = 'array' AND b = jsonb_array_length(t) THEN RETURN t; END IF;
  RETURN coalesce((SELECT jsonb_agg(coalesce(@S.lua_index(t, to_jsonb(n)), 'null'::jsonb) ORDER BY n) FROM generate_series(a, b) AS n), '[]'::jsonb);
END $$;

-- select(n, …) / select('#', …) over a pack of the arguments after n.
CREATE OR REPLACE FUNCTION @S.lua_select(n jsonb, args jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE i int; c int := jsonb_array_length(args);
BEGIN
  IF n = @S.lua_str('#') THEN RETURN jsonb_build_array(c); END IF;
  i := trunc(@S.lua_arith_num(n));
  IF i < 0 THEN i := c + i + 1; END IF;
  IF i < 1 THEN PERFORM @S.lua_error('bad argument #1 to ''select'' (index out of range)'); END IF;
  RETURN coalesce((SELECT jsonb_agg(x ORDER BY k) FROM jsonb_array_elements(args) WITH ORDINALITY AS u(x, k) WHERE k >= i), '[]'::jsonb);
END $$;

-- error(m [, level]): a string gets Lua's position (RL000) unless level is 0 (RL001);
-- a table's err field is raised as Redis' error reply as it is (RL002).
CREATE OR REPLACE FUNCTION @S.lua_raise(m jsonb, level jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF jsonb_typeof(m) = 'object' AND jsonb_typeof(m -> 's657272') = 'string' THEN
    RAISE EXCEPTION USING ERRCODE = 'RL002', MESSAGE = convert_from(@S.lua_bytes(m -> 's657272'), 'UTF8');
  END IF;
  IF jsonb_typeof(m) IN ('string', 'number') THEN
    RAISE EXCEPTION USING ERRCODE = CASE WHEN level = '0'::jsonb THEN 'RL001' ELSE 'RL000' END,
      MESSAGE = convert_from(@S.lua_bytes(@S.lua_tostring(m)), 'UTF8');
  END IF;
  IF m IS NULL OR jsonb_typeof(m) = 'boolean' THEN
    RAISE EXCEPTION USING ERRCODE = 'RL001', MESSAGE = coalesce(m #>> '{}', 'nil');
  END IF;
  -- redis-server 7.0.15 itself crashes on error() with a table that has no err field.
  RAISE EXCEPTION USING ERRCODE = 'RL001', MESSAGE = 'redis2sql: error() with a table without an err field';
END $$;

CREATE OR REPLACE FUNCTION @S.lua_assert(args jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT @S.lua_truthy(NULLIF(args -> 0, 'null'::jsonb)) THEN
    IF jsonb_array_length(args) > 1 AND args -> 1 <> 'null'::jsonb THEN PERFORM @S.lua_raise(args -> 1, '0'::jsonb); END IF;
    PERFORM @S.lua_error('assertion failed!');
  END IF;
  RETURN args;
END $$;

-- Lua's "user_script:N: " before a runtime error's message (not for error(m, 0)).
CREATE OR REPLACE FUNCTION @S.lua_position(state text, line int) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN state = 'RL000' THEN 'user_script:' || line || ': ' ELSE '' END $$;

-- SHA-1 (redis.sha1hex): PostgreSQL has sha256() built in but not sha1 (pgcrypto is not assumed).
CREATE OR REPLACE FUNCTION @S.lua_sha1hex(msg bytea) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  h0 bigint := x'67452301'::bigint; h1 bigint := x'EFCDAB89'::bigint; h2 bigint := x'98BADCFE'::bigint;
  h3 bigint := x'10325476'::bigint; h4 bigint := x'C3D2E1F0'::bigint;
  m32 bigint := 4294967295;
  ml bigint := length(msg)::bigint * 8;
  padded bytea;
  w bigint[];
  a bigint; b bigint; c bigint; d bigint; e bigint; f bigint; k bigint; t bigint;
BEGIN
  padded := msg || '\\x80'::bytea || decode(repeat('00', ((55 - length(msg)) % 64 + 64) % 64), 'hex')
    || decode(lpad(to_hex(ml), 16, '0'), 'hex');
  FOR chunk IN 0 .. length(padded) / 64 - 1 LOOP
    w := ARRAY[]::bigint[];
    FOR i IN 0 .. 15 LOOP
      w := w || ((get_byte(padded, chunk * 64 + i * 4)::bigint << 24) | (get_byte(padded, chunk * 64 + i * 4 + 1)::bigint << 16)
        | (get_byte(padded, chunk * 64 + i * 4 + 2)::bigint << 8) | get_byte(padded, chunk * 64 + i * 4 + 3)::bigint);
    END LOOP;
    FOR i IN 16 .. 79 LOOP
      t := w[i - 2] # w[i - 7] # w[i - 13] # w[i - 15];
      w := w || (((t << 1) | (t >> 31)) & m32);
    END LOOP;
    a := h0; b := h1; c := h2; d := h3; e := h4;
    FOR i IN 0 .. 79 LOOP
      IF i < 20 THEN f := (b & c) | ((~b & m32) & d); k := x'5A827999'::bigint;
      ELSIF i < 40 THEN f := b # c # d; k := x'6ED9EBA1'::bigint;
      ELSIF i < 60 THEN f := (b & c) | (b & d) | (c & d); k := x'8F1BBCDC'::bigint;
      ELSE f := b # c # d; k := x'CA62C1D6'::bigint;
      END IF;
      t := ((((a << 5) | (a >> 27)) & m32) + f + e + k + w[i + 1]) & m32;
      e := d; d := c; c := ((b << 30) | (b >> 2)) & m32; b := a; a := t;
    END LOOP;
    h0 := (h0 + a) & m32; h1 := (h1 + b) & m32; h2 := (h2 + c) & m32; h3 := (h3 + d) & m32; h4 := (h4 + e) & m32;
  END LOOP;
  RETURN lpad(to_hex(h0), 8, '0') || lpad(to_hex(h1), 8, '0') || lpad(to_hex(h2), 8, '0') || lpad(to_hex(h3), 8, '0') || lpad(to_hex(h4), 8, '0');
END $$;

CREATE OR REPLACE FUNCTION @S.lua_sub_string(s bytea, i jsonb, j jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  l int := length(s);
  a bigint := trunc(@S.lua_arith_num(i));
  b bigint := trunc(@S.lua_arith_num(j));
BEGIN
  IF a < 0 THEN a := l + a + 1; END IF;
  IF a < 1 THEN a := 1; END IF;
  IF b < 0 THEN b := l + b + 1; END IF;
  IF b > l THEN b := l; END IF;
  IF a > b THEN RETURN @S.lua_str(''::bytea); END IF;
  RETURN @S.lua_str(substring(s FROM a::int FOR (b - a + 1)::int));
END $$;

-- string.format's %s: Lua 5.1 sprintf()s strings under 100 bytes, which ends them at a NUL byte.
CREATE OR REPLACE FUNCTION @S.lua_format_s(b bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN length(b) >= 100 OR position('\\x00'::bytea IN b) = 0 THEN b
    ELSE substring(b FROM 1 FOR position('\\x00'::bytea IN b) - 1) END
$$;

-- KEYS / ARGV as Lua tables of strings.
CREATE OR REPLACE FUNCTION @S.lua_strings(a bytea[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(jsonb_agg(to_jsonb(encode(x, 'hex')) ORDER BY n), '[]'::jsonb)
  FROM unnest(a) WITH ORDINALITY AS u(x, n)
$$;

-- lua_arg's error for a nil argument: coalesce(v, lua_arg_nil(v)). It takes v so that a generic plan,
-- where v is a parameter, never evaluates it while planning (as a call with constant arguments may be).
CREATE OR REPLACE FUNCTION @S.lua_arg_nil(v anyelement) RETURNS anyelement
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'RS000', MESSAGE = 'ERR Lua redis lib command arguments must be strings or integers';
END $$;

-- An argument of redis.call: strings as they are, numbers as Redis 7.0 prints them for a command
-- (%.17g, where Lua's tostring has 14 digits: redis.call('SET', k, 0.1 + 0.2) stores 0.30000000000000004).
CREATE OR REPLACE FUNCTION @S.lua_arg(v jsonb) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF jsonb_typeof(v) = 'number' THEN RETURN convert_to(@S.lua_fmt_number((v #>> '{}')::float8, 17), 'UTF8'); END IF;
  IF jsonb_typeof(v) = 'string' THEN RETURN @S.lua_bytes(v); END IF;
  RAISE EXCEPTION USING ERRCODE = 'RS000', MESSAGE = 'ERR Lua redis lib command arguments must be strings or integers';
END $$;

-- An argument the command reads as a double (strtod; Redis' words when it is not one).
CREATE OR REPLACE FUNCTION @S.lua_arg_float(v jsonb) RETURNS float8
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE t text := convert_from(@S.lua_arg(v), 'UTF8');
BEGIN
  IF lower(t) IN ('inf', '+inf', 'infinity', '+infinity') THEN RETURN 'Infinity'::float8; END IF;
  IF lower(t) IN ('-inf', '-infinity') THEN RETURN '-Infinity'::float8; END IF;
  IF t ~ '^[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?$' AND @S.lua_decimal(t) IS NOT NULL THEN RETURN @S.lua_decimal(t); END IF;
  RAISE EXCEPTION USING ERRCODE = 'RD000', MESSAGE = 'ERR value is not a valid float';
END $$;

-- STABLE as convert_from is: so it is inlined where it is called.
CREATE OR REPLACE FUNCTION @S.lua_arg_text(v jsonb) RETURNS text
LANGUAGE sql STABLE AS $$ SELECT convert_from(@S.lua_arg(v), 'UTF8') $$;

-- An argument the command reads as an integer (string2ll: no spaces, no '+', no leading zeros), of
-- a Lua string known to be one (the compiler's typed strings: bytea); lua_arg_int below for any value.
CREATE OR REPLACE FUNCTION @S.lua_arg_int_b(b bytea) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE t text := convert_from(b, 'UTF8');
BEGIN
  -- Up to 18 digits always fit a bigint; 19 are compared as numeric (no cast that could fail).
  IF t ~ '^(0|-?[1-9][0-9]{0,18})$' AND (length(t) < 19 OR t::numeric BETWEEN -9223372036854775808 AND 9223372036854775807) THEN
    RETURN t;
  END IF;
  RAISE EXCEPTION USING ERRCODE = 'RD000', MESSAGE = 'ERR value is not an integer or out of range';
END $$;

CREATE OR REPLACE FUNCTION @S.lua_arg_int(v jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT @S.lua_arg_int_b(@S.lua_arg(v)) $$;

-- Typed values of the compiler (compile.ts: strings as bytea, numbers as float8, booleans):
-- a number as the integer reply Redis makes of it, C's (long long) cast of the double: every float8
-- from 2^52 up is an integer, and float8 -> bigint is exact under 2^63 (2^63 itself is a float8, so the
-- bound is exact too); beyond, and for NaN, x86's cast gives LLONG_MIN, as redis-server 7.0 replies.
-- Not through float8's text: that is the shortest text that reads back, so 2^60 would print as
-- 1152921504606847000 where Redis gives 1152921504606846976.
CREATE OR REPLACE FUNCTION @S.lua_int_text(x float8) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN abs(x) < '9223372036854775808'::float8 THEN trunc(x)::bigint::text ELSE '-9223372036854775808' END
$$;

-- An integer reply's value (to_jsonb of its column) as a Lua number, NULL for nil (false to Lua), as lua_from_scalar.
CREATE OR REPLACE FUNCTION @S.lua_reply_num(v jsonb) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE jsonb_typeof(v) WHEN 'boolean' THEN CASE WHEN v = 'true'::jsonb THEN 1::float8 ELSE 0::float8 END
    ELSE (v #>> '{}')::numeric::float8 END
$$;

-- A bulk reply's value (to_jsonb of its column) as Lua string bytes, NULL for nil, as lua_from_scalar.
CREATE OR REPLACE FUNCTION @S.lua_reply_bytes(v jsonb) RETURNS bytea
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN (v #>> '{}') ~ '^\\\\x([0-9a-f]{2})*$' THEN decode(substr(v #>> '{}', 3), 'hex')
    ELSE convert_to(v #>> '{}', 'UTF8') END
$$;

-- The same of the reply column itself, by its type, so that the common ones skip the jsonb round trip
-- (three of them were 6% of the sliding-window limiter's instructions). PostgreSQL picks the overload
-- when it plans the call; a type without one of its own (an exact match is preferred to anyelement)
-- takes the jsonb path. smallint has its own so that it is not ambiguous between integer and bigint.
CREATE OR REPLACE FUNCTION @S.lua_reply_num(v bigint) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$ SELECT v::float8 $$;
CREATE OR REPLACE FUNCTION @S.lua_reply_num(v integer) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$ SELECT v::float8 $$;
CREATE OR REPLACE FUNCTION @S.lua_reply_num(v smallint) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$ SELECT v::float8 $$;
CREATE OR REPLACE FUNCTION @S.lua_reply_num(v numeric) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$ SELECT v::float8 $$;
CREATE OR REPLACE FUNCTION @S.lua_reply_num(v boolean) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN v THEN 1::float8 WHEN NOT v THEN 0::float8 END $$;
CREATE OR REPLACE FUNCTION @S.lua_reply_num(v anyelement) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$ SELECT @S.lua_reply_num(to_jsonb(v)) $$;
CREATE OR REPLACE FUNCTION @S.lua_reply_bytes(v bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$ SELECT v $$;
CREATE OR REPLACE FUNCTION @S.lua_reply_bytes(v text) RETURNS bytea
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN v ~ '^\\x([0-9a-f]{2})*$' THEN decode(substr(v, 3), 'hex') ELSE convert_to(v, 'UTF8') END
$$;
CREATE OR REPLACE FUNCTION @S.lua_reply_bytes(v anyelement) RETURNS bytea
LANGUAGE sql STABLE AS $$ SELECT @S.lua_reply_bytes(to_jsonb(v)) $$;

-- A Lua value as the Redis reply a script returning it gives (Redis' Lua → RESP2 conversion).
CREATE OR REPLACE FUNCTION @S.lua_reply(v jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  items jsonb := '[]'::jsonb;
  x jsonb;
BEGIN
  -- cjson.null (lua-library.ts) is a userdata: Redis replies nil for it.
  IF v IS NULL OR v = 'false'::jsonb OR v = '{"u": "cjson.null"}'::jsonb THEN RETURN 'null'::jsonb; END IF;
  CASE jsonb_typeof(v)
    WHEN 'boolean' THEN RETURN jsonb_build_object('i', '1');
    WHEN 'number' THEN
      -- A Lua number is a double (jsonb holds its shortest text, or cjson.decode's digits): read as one.
      RETURN jsonb_build_object('i', @S.lua_int_text((v #>> '{}')::float8));
    WHEN 'string' THEN RETURN jsonb_build_object('b', v);
    WHEN 'object' THEN
      -- t.err / t.ok (lua_key of 'err' and 'ok'), else t[1], t[2]… up to the first nil.
      IF jsonb_typeof(v -> 's657272') = 'string' THEN RETURN jsonb_build_object('e', v -> 's657272'); END IF;
      IF jsonb_typeof(v -> 's6f6b') = 'string' THEN RETURN jsonb_build_object('s', v -> 's6f6b'); END IF;
      WHILE v ? ('n' || (jsonb_array_length(items) + 1)) LOOP
        items := items || jsonb_build_array(@S.lua_reply(v -> ('n' || (jsonb_array_length(items) + 1))));
      END LOOP;
      RETURN jsonb_build_object('a', items);
    ELSE
      FOR x IN SELECT e FROM jsonb_array_elements(v) AS e LOOP
        EXIT WHEN x = 'null'::jsonb;
        items := items || jsonb_build_array(@S.lua_reply(x));
      END LOOP;
      RETURN jsonb_build_object('a', items);
  END CASE;
END $$;

-- One SQL value of a command's rows (to_jsonb of its row) as a Lua value, by the reply's scalar kind.
CREATE OR REPLACE FUNCTION @S.lua_from_scalar(kind text, v jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE t text;
BEGIN
  IF v IS NULL OR v = 'null'::jsonb THEN RETURN 'false'::jsonb; END IF;
  IF kind = 'integer' THEN
    RETURN CASE jsonb_typeof(v) WHEN 'boolean' THEN to_jsonb(CASE WHEN v = 'true'::jsonb THEN 1 ELSE 0 END)
      ELSE to_jsonb((v #>> '{}')::numeric::float8) END;
  END IF;
  t := v #>> '{}';
  -- to_jsonb writes bytea as '\\x' and hex; bulk text columns (key names) are their UTF-8 bytes.
  IF kind = 'bulk' AND t ~ '^\\\\x([0-9a-f]{2})*$' THEN RETURN to_jsonb(substr(t, 3)); END IF;
  IF kind = 'status' THEN RETURN jsonb_build_object('s6f6b', @S.lua_str(convert_to(t, 'UTF8'))); END IF;
  -- A double reply is the bulk string Redis 7.0 prints (%.17g, inf, -inf).
  IF kind = 'double' THEN RETURN @S.lua_str(convert_to(@S.lua_fmt_number(t::float8, 17), 'UTF8')); END IF;
  RETURN @S.lua_str(convert_to(t, 'UTF8'));
END $$;

-- A reply tree (the \`lua\` reply shape the stream functions build: {"i": digits}, {"b": hex}, {"s": hex},
-- {"e": hex}, {"a": […]}, {"a": null}, null) as the Lua value Redis makes of a RESP2 reply: an integer
-- becomes a number, a bulk string a string, a nil bulk or nil array false, a status {ok=…}, an error
-- {err=…} (only nested: a top-level error is raised by redis.call), an array a table of its items.
CREATE OR REPLACE FUNCTION @S.lua_from_tree(v jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  out jsonb := '[]'::jsonb;
  x jsonb;
BEGIN
  IF v IS NULL OR v = 'null'::jsonb OR v = '{"a": null}'::jsonb THEN RETURN 'false'::jsonb; END IF;
  IF v ? 'i' THEN RETURN to_jsonb((v ->> 'i')::numeric::float8); END IF;
  IF v ? 'b' THEN RETURN v -> 'b'; END IF;
  IF v ? 's' THEN RETURN jsonb_build_object('s6f6b', v -> 's'); END IF;
  IF v ? 'e' THEN RETURN jsonb_build_object('s657272', v -> 'e'); END IF;
  FOR x IN SELECT e FROM jsonb_array_elements(v -> 'a') AS e LOOP
    out := out || jsonb_build_array(@S.lua_from_tree(x));
  END LOOP;
  RETURN out;
END $$;

-- A command's rows (an array of to_jsonb(row)) as the Lua value of its reply, by its reply shape.
CREATE OR REPLACE FUNCTION @S.lua_from_rows(shape jsonb, rows jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  col text := coalesce(shape ->> 'column', 'reply');
  first jsonb := rows -> 0;
  out jsonb := '[]'::jsonb;
  x jsonb;
  item jsonb;
  n int := 0;
BEGIN
  CASE shape ->> 'kind'
    WHEN 'constant' THEN RETURN jsonb_build_object('s6f6b', @S.lua_str(convert_to(shape ->> 'status', 'UTF8')));
    WHEN 'scalar' THEN
      IF first IS NULL THEN RETURN 'false'::jsonb; END IF;
      RETURN @S.lua_from_scalar(shape ->> 'of', first -> col);
    WHEN 'array-column' THEN
      IF first IS NULL OR first -> col = 'null'::jsonb THEN
        RETURN CASE WHEN shape ->> 'nil' = 'array' THEN 'false'::jsonb ELSE '[]'::jsonb END;
      END IF;
      FOR x IN SELECT e FROM jsonb_array_elements(first -> col) AS e LOOP
        out := out || jsonb_build_array(@S.lua_from_scalar(shape ->> 'of', x));
      END LOOP;
      RETURN out;
    WHEN 'rows' THEN
      IF jsonb_array_length(rows) = 0 THEN
        RETURN CASE WHEN (shape ->> 'nilWhenEmpty')::boolean THEN 'false'::jsonb ELSE '[]'::jsonb END;
      END IF;
      FOR x IN SELECT e FROM jsonb_array_elements(rows) AS e LOOP
        item := @S.lua_from_rows(shape -> 'row', jsonb_build_array(x));
        IF (shape ->> 'flat')::boolean AND jsonb_typeof(item) = 'array' THEN out := out || item;
        ELSE out := out || jsonb_build_array(item); END IF;
      END LOOP;
      RETURN out;
    WHEN 'tuple' THEN
      IF jsonb_array_length(rows) = 0 AND (shape ->> 'nilWhenNoRow')::boolean THEN RETURN 'false'::jsonb; END IF;
      FOR x IN SELECT e FROM jsonb_array_elements(shape -> 'items') AS e LOOP
        out := out || jsonb_build_array(@S.lua_from_rows(x, jsonb_path_query_array(rows, '$[0]')));
      END LOOP;
      RETURN out;
    WHEN 'zip' THEN
      IF first IS NULL THEN RETURN '[]'::jsonb; END IF;
      SELECT coalesce(max(jsonb_array_length(coalesce(nullif(first -> (c ->> 'column'), 'null'::jsonb), '[]'::jsonb))), 0)
        INTO n FROM jsonb_array_elements(shape -> 'columns') AS c;
      FOR i IN 0 .. n - 1 LOOP
        item := '[]'::jsonb;
        FOR x IN SELECT c FROM jsonb_array_elements(shape -> 'columns') AS c LOOP
          item := item || jsonb_build_array(@S.lua_from_scalar(x ->> 'of', first -> (x ->> 'column') -> i));
        END LOOP;
        IF (shape ->> 'flat')::boolean OR jsonb_array_length(shape -> 'columns') = 1 THEN out := out || item;
        ELSE out := out || jsonb_build_array(item); END IF;
      END LOOP;
      RETURN out;
    WHEN 'lua' THEN
      IF jsonb_typeof(first -> col -> 'e') = 'string' THEN
        RAISE EXCEPTION USING ERRCODE = 'RD000', MESSAGE = convert_from(@S.lua_bytes(first -> col -> 'e'), 'UTF8');
      END IF;
      RETURN @S.lua_from_tree(first -> col);
    ELSE
      RAISE EXCEPTION 'redis2sql: reply shape % is not converted to Lua', shape ->> 'kind';
  END CASE;
END $$;

-- EVAL: create the script's function the first time its sha is seen, then call it.
CREATE OR REPLACE FUNCTION @S.lua_define(sha text, ddl text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  IF to_regprocedure('@S.lua_' || sha || '(text[],bytea[])') IS NULL THEN
    -- Two sessions creating one function at once would collide on pg_proc.
    PERFORM pg_advisory_xact_lock(hashtext('redis2sql.lua.' || sha));
    IF to_regprocedure('@S.lua_' || sha || '(text[],bytea[])') IS NULL THEN EXECUTE ddl; END IF;
  END IF;
  RETURN sha;
END $$;

-- The scripts of converted code (redis2sql codemod --schema-out writes their rows beside their
-- functions): a converted eval() or script call runs its script as EVAL does, so after SCRIPT FLUSH
-- dropped the function, lua_run creates it again from here, as Redis' EVAL loads a script again.
CREATE TABLE IF NOT EXISTS @S.lua_sources (
  sha text PRIMARY KEY,
  ddl text NOT NULL
);

CREATE OR REPLACE FUNCTION @S.lua_run(sha text, keys text[], argv bytea[]) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE src text;
BEGIN
  IF NOT @S.lua_exists(sha) THEN
    SELECT s.ddl INTO src FROM @S.lua_sources s WHERE s.sha = lua_run.sha;
    IF src IS NULL THEN
      RAISE EXCEPTION 'redis2sql: the function of script % is not installed: apply the DDL redis2sql codemod --schema-out wrote', sha;
    END IF;
    PERFORM @S.lua_define(sha, src);
  END IF;
  RETURN @S.lua_evalsha(sha, keys, argv);
END $$;

CREATE OR REPLACE FUNCTION @S.lua_exists(sha text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT sha ~ '^[0-9a-fA-F]{40}$' AND to_regprocedure('@S.lua_' || lower(sha) || '(text[],bytea[])') IS NOT NULL
$$;

-- SCRIPT FLUSH: drop every function EVAL or SCRIPT LOAD created (named functions of \`redis2sql lua --name\` stay).
CREATE OR REPLACE FUNCTION @S.lua_flush() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
    WHERE p.pronamespace = to_regnamespace('@S') AND p.proname ~ '^lua_[0-9a-f]{40}$'
  LOOP
    EXECUTE format('DROP FUNCTION IF EXISTS %s', f);
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION @S.lua_evalsha(sha text, keys text[], argv bytea[]) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE r jsonb;
BEGIN
  -- The sha is checked before it is spliced into the call below.
  IF NOT @S.lua_exists(sha) THEN
    RAISE EXCEPTION USING ERRCODE = 'RD000', MESSAGE = 'NOSCRIPT No matching script. Please use EVAL.';
  END IF;
  EXECUTE format('SELECT %s(\$1, \$2)', '@S.lua_' || lower(sha)) INTO r USING keys, argv;
  RETURN r;
END $$;

CREATE OR REPLACE FUNCTION @S.lua_eval(sha text, ddl text, keys text[], argv bytea[]) RETURNS jsonb
LANGUAGE sql AS $$ SELECT @S.lua_evalsha(@S.lua_define(sha, ddl), keys, argv) $$;

-- EVALSHA_RO: the script runs with redis2sql.lua_ro on (its write commands fail); an error escaping
-- ends the statement, and the setting with it (set_config's local value is the transaction's).
CREATE OR REPLACE FUNCTION @S.lua_evalsha_ro(sha text, keys text[], argv bytea[]) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE r jsonb;
BEGIN
  PERFORM set_config('redis2sql.lua_ro', 'on', true);
  r := @S.lua_evalsha(sha, keys, argv);
  PERFORM set_config('redis2sql.lua_ro', 'off', true);
  RETURN r;
END $$;

CREATE OR REPLACE FUNCTION @S.lua_eval_ro(sha text, ddl text, keys text[], argv bytea[]) RETURNS jsonb
LANGUAGE sql AS $$ SELECT @S.lua_evalsha_ro(@S.lua_define(sha, ddl), keys, argv) $$;
`;
