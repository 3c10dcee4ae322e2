/**
 * Runtime of Lua scripts compiled to PL/pgSQL (src/translators/lua/).
 *
 * A Lua value is one jsonb: nil is SQL NULL, booleans and numbers are jsonb
 * booleans and numbers, a string is a jsonb string holding its bytes in
 * lower-case hex (binary-safe, and hex order is byte order, so `<` on strings
 * compares like Redis' C-locale Lua), a table is a jsonb array (nil elements
 * as JSON null) or, for `{err=…}` / `{ok=…}`, a jsonb object.
 *
 * A script's function returns its Redis reply as a jsonb tree (the `lua`
 * reply shape of src/emit/reply.ts): {"i": "12"} integer, {"b": hex} bulk,
 * null nil bulk, {"a": […]} array, {"s": hex} status, {"e": hex} error.
 *
 * Lua runtime errors are raised with SQLSTATE RL000 and Lua's message; the
 * compiled function turns them into Redis' error reply.
 */
export const SCRIPTING_DDL = `
CREATE OR REPLACE FUNCTION @S.lua_str(b bytea) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT to_jsonb(encode(b, 'hex')) $$;

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
CREATE OR REPLACE FUNCTION @S.lua_parse_number(s bytea) RETURNS float8
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  t text;
BEGIN
  IF position('\\x00'::bytea in s) > 0 THEN RETURN NULL; END IF;
  BEGIN
    t := btrim(convert_from(s, 'SQL_ASCII'), E' \\t\\n\\r\\f\\v');
  EXCEPTION WHEN others THEN RETURN NULL;
  END;
  IF t ~ '^[-+]?0[xX][0-9a-fA-F]+$' THEN
    RETURN (CASE WHEN t LIKE '-%' THEN -1 ELSE 1 END) * ('x' || lpad(substr(ltrim(t, '+-'), 3), 16, '0'))::bit(64)::bigint::float8;
  END IF;
  IF t ~ '^[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?$' THEN RETURN t::float8; END IF;
  IF lower(t) ~ '^[-+]?(inf|infinity|nan)$' THEN RETURN NULL; END IF;
  RETURN NULL;
EXCEPTION WHEN numeric_value_out_of_range THEN
  RETURN NULL;
END $$;

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

CREATE OR REPLACE FUNCTION @S.lua_len(v jsonb, d text DEFAULT '') RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF jsonb_typeof(v) = 'string' THEN RETURN to_jsonb(length(v #>> '{}') / 2); END IF;
  IF jsonb_typeof(v) = 'array' THEN RETURN to_jsonb(jsonb_array_length(v)); END IF;
  IF jsonb_typeof(v) = 'object' THEN RETURN to_jsonb(0); END IF;
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
    IF jsonb_typeof(k) <> 'string' THEN RETURN NULL; END IF;
    RETURN t -> convert_from(@S.lua_bytes(k), 'UTF8');
  END IF;
  PERFORM @S.lua_error('attempt to index ' || @S.lua_culprit(t, d));
  RETURN NULL;
END $$;

-- t[k] = v on an array: positions 1..#t+1 only (other keys would need a hash part).
CREATE OR REPLACE FUNCTION @S.lua_setindex(t jsonb, k jsonb, v jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE i float8; n int;
BEGIN
  IF jsonb_typeof(t) <> 'array' THEN
    PERFORM @S.lua_error('attempt to index a ' || @S.lua_typename(t) || ' value');
  END IF;
  n := jsonb_array_length(t);
  IF jsonb_typeof(k) = 'number' THEN i := (k #>> '{}')::float8; END IF;
  IF i IS NULL OR i <> trunc(i) OR i < 1 OR i > n + 1 THEN
    PERFORM @S.lua_error('redis2sql''s Lua tables are arrays: only t[1..#t+1] can be assigned');
  END IF;
  IF i = n + 1 THEN
    RETURN CASE WHEN v IS NULL THEN t ELSE t || jsonb_build_array(v) END;
  END IF;
  RETURN @S.lua_trim(jsonb_set(t, ARRAY[(i::int - 1)::text], coalesce(v, 'null'::jsonb)));
END $$;

CREATE OR REPLACE FUNCTION @S.lua_append(t jsonb, v jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF jsonb_typeof(t) <> 'array' THEN
    PERFORM @S.lua_error('bad argument #1 to ''insert'' (table expected, got ' || @S.lua_typename(t) || ')');
  END IF;
  RETURN CASE WHEN v IS NULL THEN t ELSE t || jsonb_build_array(v) END;
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

-- An argument of redis.call: strings as they are, numbers as Lua prints them.
CREATE OR REPLACE FUNCTION @S.lua_arg(v jsonb) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF jsonb_typeof(v) IN ('string', 'number') THEN RETURN @S.lua_bytes(@S.lua_tostring(v)); END IF;
  RAISE EXCEPTION USING ERRCODE = 'RS000', MESSAGE = 'ERR Lua redis lib command arguments must be strings or integers';
END $$;

-- An argument the command reads as a double (strtod; Redis' words when it is not one).
CREATE OR REPLACE FUNCTION @S.lua_arg_float(v jsonb) RETURNS float8
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE t text := convert_from(@S.lua_arg(v), 'UTF8');
BEGIN
  IF lower(t) IN ('inf', '+inf', 'infinity', '+infinity') THEN RETURN 'Infinity'::float8; END IF;
  IF lower(t) IN ('-inf', '-infinity') THEN RETURN '-Infinity'::float8; END IF;
  IF t ~ '^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$' THEN RETURN t::float8; END IF;
  RAISE EXCEPTION USING ERRCODE = 'RD000', MESSAGE = 'ERR value is not a valid float';
EXCEPTION WHEN numeric_value_out_of_range THEN
  RAISE EXCEPTION USING ERRCODE = 'RD000', MESSAGE = 'ERR value is not a valid float';
END $$;

CREATE OR REPLACE FUNCTION @S.lua_arg_text(v jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT convert_from(@S.lua_arg(v), 'UTF8') $$;

-- An argument the command reads as an integer (string2ll: no spaces, no '+', no leading zeros).
CREATE OR REPLACE FUNCTION @S.lua_arg_int(v jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE t text := convert_from(@S.lua_arg(v), 'UTF8');
BEGIN
  IF t ~ '^(0|-?[1-9][0-9]{0,18})$' THEN
    BEGIN
      RETURN t::bigint::text;
    EXCEPTION WHEN numeric_value_out_of_range THEN NULL;
    END;
  END IF;
  RAISE EXCEPTION USING ERRCODE = 'RD000', MESSAGE = 'ERR value is not an integer or out of range';
END $$;

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
      RETURN jsonb_build_object('i', CASE WHEN abs((v #>> '{}')::numeric) < 9223372036854775808
        THEN trunc((v #>> '{}')::numeric)::text ELSE '-9223372036854775808' END);
    WHEN 'string' THEN RETURN jsonb_build_object('b', v);
    WHEN 'object' THEN
      IF jsonb_typeof(v -> 'err') = 'string' THEN RETURN jsonb_build_object('e', v -> 'err'); END IF;
      IF jsonb_typeof(v -> 'ok') = 'string' THEN RETURN jsonb_build_object('s', v -> 'ok'); END IF;
      RETURN jsonb_build_object('a', '[]'::jsonb);
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
  IF kind = 'status' THEN RETURN jsonb_build_object('ok', @S.lua_str(convert_to(t, 'UTF8'))); END IF;
  -- A double reply is the bulk string Redis 7.0 prints (%.17g, inf, -inf).
  IF kind = 'double' THEN RETURN @S.lua_str(convert_to(@S.lua_fmt_number(t::float8, 17), 'UTF8')); END IF;
  RETURN @S.lua_str(convert_to(t, 'UTF8'));
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
    WHEN 'constant' THEN RETURN jsonb_build_object('ok', @S.lua_str(convert_to(shape ->> 'status', 'UTF8')));
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
`;
