/**
 * The Lua standard library of Redis 7.0's Lua 5.1 as SQL helper functions:
 * Lua patterns (string.find / match / gmatch / gsub), string.format,
 * string.rep / byte / char / reverse, math.*, tonumber with a base and cjson.
 *
 * Values are the jsonb Lua values of src/emit/schema/scripting.ts (strings as
 * lower-case hex of their bytes). A function with several results returns them
 * as one jsonb array, nil as JSON null, its length the number of results.
 *
 *   SELECT redis.lua_str_find(redis.lua_str('key:42'), redis.lua_str('%d+'), NULL, NULL, true)
 *   → [5, 6]
 *
 * Lua patterns are not POSIX regular expressions: the matcher below is a
 * backtracking matcher over bytes written from the Lua 5.1 reference manual's
 * definition (§5.4.1) and checked against redis-server's EVAL. A pattern
 * ends at its first NUL byte, as in Lua 5.1 (C strings); `%z` matches NUL.
 * Character classes are the C locale's (ASCII).
 */
export const LUA_LIBRARY_DDL = `
-- A character class letter (%a, %D…) against byte c; a non-letter matches itself.
CREATE OR REPLACE FUNCTION @S.lua_pm_class(c int, cl int) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  lo int := CASE WHEN cl BETWEEN 65 AND 90 THEN cl + 32 ELSE cl END;
  r boolean;
BEGIN
  CASE lo
    WHEN 97 THEN r := c BETWEEN 65 AND 90 OR c BETWEEN 97 AND 122;                  -- %a
    WHEN 99 THEN r := c < 32 OR c = 127;                                              -- %c
    WHEN 100 THEN r := c BETWEEN 48 AND 57;                                           -- %d
    WHEN 108 THEN r := c BETWEEN 97 AND 122;                                          -- %l
    WHEN 112 THEN r := c BETWEEN 33 AND 47 OR c BETWEEN 58 AND 64 OR c BETWEEN 91 AND 96 OR c BETWEEN 123 AND 126; -- %p
    WHEN 115 THEN r := c = 32 OR c BETWEEN 9 AND 13;                                  -- %s
    WHEN 117 THEN r := c BETWEEN 65 AND 90;                                           -- %u
    WHEN 119 THEN r := c BETWEEN 48 AND 57 OR c BETWEEN 65 AND 90 OR c BETWEEN 97 AND 122; -- %w
    WHEN 120 THEN r := c BETWEEN 48 AND 57 OR c BETWEEN 65 AND 70 OR c BETWEEN 97 AND 102; -- %x
    WHEN 122 THEN r := c = 0;                                                         -- %z
    ELSE RETURN cl = c;
  END CASE;
  RETURN CASE WHEN cl BETWEEN 65 AND 90 THEN NOT r ELSE r END;
END $$;

-- Byte at position i of a pattern or subject, 0 past its end (Lua strings end with a NUL).
CREATE OR REPLACE FUNCTION @S.lua_pm_at(b bytea, i int) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE WHEN i < length(b) THEN get_byte(b, i) ELSE 0 END $$;

-- Does a pattern use any magic character (up to its first NUL, as strpbrk reads it)?
CREATE OR REPLACE FUNCTION @S.lua_pm_special(pat bytea) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  FOR i IN 0 .. length(pat) - 1 LOOP
    EXIT WHEN get_byte(pat, i) = 0;
    -- ^ $ * + ? . ( [ % -
    IF get_byte(pat, i) IN (94, 36, 42, 43, 63, 46, 40, 91, 37, 45) THEN RETURN true; END IF;
  END LOOP;
  RETURN false;
END $$;

-- [set] against byte c; p is at '[', ec at its closing ']'.
CREATE OR REPLACE FUNCTION @S.lua_pm_bracket(c int, pat bytea, p int, ec int) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  sig boolean := true;
BEGIN
  IF @S.lua_pm_at(pat, p + 1) = 94 THEN sig := false; p := p + 1; END IF;
  LOOP
    p := p + 1;
    EXIT WHEN p >= ec;
    IF get_byte(pat, p) = 37 THEN
      p := p + 1;
      IF @S.lua_pm_class(c, @S.lua_pm_at(pat, p)) THEN RETURN sig; END IF;
    ELSIF @S.lua_pm_at(pat, p + 1) = 45 AND p + 2 < ec THEN
      p := p + 2;
      IF get_byte(pat, p - 2) <= c AND c <= get_byte(pat, p) THEN RETURN sig; END IF;
    ELSIF get_byte(pat, p) = c THEN
      RETURN sig;
    END IF;
  END LOOP;
  RETURN NOT sig;
END $$;

-- Where the single-character class starting at p ends (one past it).
CREATE OR REPLACE FUNCTION @S.lua_pm_class_end(pat bytea, p int) RETURNS int
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  c int := get_byte(pat, p);
  n int := length(pat);
BEGIN
  p := p + 1;
  IF c = 37 THEN
    IF p >= n THEN PERFORM @S.lua_error('malformed pattern (ends with ''%'')'); END IF;
    RETURN p + 1;
  END IF;
  IF c = 91 THEN
    IF @S.lua_pm_at(pat, p) = 94 THEN p := p + 1; END IF;
    -- The first character of a set is never its end: '[]]' is the set of ']'.
    LOOP
      IF p >= n THEN PERFORM @S.lua_error('malformed pattern (missing '']'')'); END IF;
      c := get_byte(pat, p);
      p := p + 1;
      IF c = 37 AND p < n THEN p := p + 1; END IF;
      EXIT WHEN @S.lua_pm_at(pat, p) = 93;
    END LOOP;
    RETURN p + 1;
  END IF;
  RETURN p;
END $$;

CREATE OR REPLACE FUNCTION @S.lua_pm_single(c int, pat bytea, p int, ep int) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  CASE get_byte(pat, p)
    WHEN 46 THEN RETURN true;
    WHEN 37 THEN RETURN @S.lua_pm_class(c, get_byte(pat, p + 1));
    WHEN 91 THEN RETURN @S.lua_pm_bracket(c, pat, p, ep - 1);
    ELSE RETURN get_byte(pat, p) = c;
  END CASE;
END $$;

/*
 * The matcher: does pat from position p match src from position s? e is where
 * the match ends (-1: no match); captures are (start, length) pairs, length -1
 * while open and -2 for a position capture (). Recursion happens only for
 * quantifiers and captures, so its depth follows the pattern, not the subject.
 */
CREATE OR REPLACE FUNCTION @S.lua_pm_match(src bytea, pat bytea, s int, p int, cs int[], cl int[],
  OUT e int, OUT ocs int[], OUT ocl int[])
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  slen int := length(src);
  plen int := length(pat);
  c int;
  ep int;
  m boolean;
  i int;
  l int;
  r record;
  cont int;
  b int;
  en int;
  prev int;
BEGIN
  ocs := cs; ocl := cl;
  LOOP
    IF p >= plen THEN e := s; RETURN; END IF;
    c := get_byte(pat, p);
    IF c = 40 THEN                                                    -- (
      IF coalesce(array_length(ocs, 1), 0) >= 32 THEN PERFORM @S.lua_error('too many captures'); END IF;
      IF @S.lua_pm_at(pat, p + 1) = 41 THEN
        r := @S.lua_pm_match(src, pat, s, p + 2, ocs || s, ocl || -2);
      ELSE
        r := @S.lua_pm_match(src, pat, s, p + 1, ocs || s, ocl || -1);
      END IF;
      IF r.e >= 0 THEN e := r.e; ocs := r.ocs; ocl := r.ocl; ELSE e := -1; END IF;
      RETURN;
    END IF;
    IF c = 41 THEN                                                    -- )
      l := NULL;
      FOR i IN REVERSE coalesce(array_length(ocl, 1), 0) .. 1 LOOP
        IF ocl[i] = -1 THEN l := i; EXIT; END IF;
      END LOOP;
      IF l IS NULL THEN PERFORM @S.lua_error('invalid pattern capture'); END IF;
      ocl[l] := s - ocs[l];
      r := @S.lua_pm_match(src, pat, s, p + 1, ocs, ocl);
      IF r.e >= 0 THEN e := r.e; ocs := r.ocs; ocl := r.ocl; ELSE e := -1; ocs := cs; ocl := cl; END IF;
      RETURN;
    END IF;
    IF c = 36 AND p + 1 = plen THEN                                   -- $ at the end
      e := CASE WHEN s = slen THEN s ELSE -1 END;
      RETURN;
    END IF;
    IF c = 37 AND @S.lua_pm_at(pat, p + 1) = 98 THEN                 -- %bxy
      IF p + 3 >= plen THEN PERFORM @S.lua_error('unbalanced pattern'); END IF;
      IF s >= slen OR get_byte(src, s) <> get_byte(pat, p + 2) THEN e := -1; RETURN; END IF;
      b := get_byte(pat, p + 2); en := get_byte(pat, p + 3); cont := 1;
      i := s;
      LOOP
        i := i + 1;
        IF i >= slen THEN e := -1; RETURN; END IF;
        IF get_byte(src, i) = en THEN
          cont := cont - 1;
          EXIT WHEN cont = 0;
        ELSIF get_byte(src, i) = b THEN
          cont := cont + 1;
        END IF;
      END LOOP;
      s := i + 1; p := p + 4;
      CONTINUE;
    END IF;
    IF c = 37 AND @S.lua_pm_at(pat, p + 1) = 102 THEN                -- %f[set]
      p := p + 2;
      IF @S.lua_pm_at(pat, p) <> 91 THEN PERFORM @S.lua_error('missing ''['' after ''%f'' in pattern'); END IF;
      ep := @S.lua_pm_class_end(pat, p);
      prev := CASE WHEN s = 0 THEN 0 ELSE get_byte(src, s - 1) END;
      IF NOT @S.lua_pm_bracket(prev, pat, p, ep - 1) AND @S.lua_pm_bracket(@S.lua_pm_at(src, s), pat, p, ep - 1) THEN
        p := ep;
        CONTINUE;
      END IF;
      e := -1; RETURN;
    END IF;
    IF c = 37 AND @S.lua_pm_at(pat, p + 1) BETWEEN 48 AND 57 THEN     -- %1 back-reference
      l := @S.lua_pm_at(pat, p + 1) - 48;
      IF l < 1 OR l > coalesce(array_length(ocl, 1), 0) OR ocl[l] = -1 THEN
        PERFORM @S.lua_error('invalid capture index');
      END IF;
      -- A position capture has no text: it never matches (Lua 5.1 reads its length as huge).
      IF ocl[l] < 0 OR slen - s < ocl[l] OR substring(src FROM s + 1 FOR ocl[l]) <> substring(src FROM ocs[l] + 1 FOR ocl[l]) THEN
        e := -1; RETURN;
      END IF;
      s := s + ocl[l]; p := p + 2;
      CONTINUE;
    END IF;
    -- A single-character class and its quantifier.
    ep := @S.lua_pm_class_end(pat, p);
    m := s < slen AND @S.lua_pm_single(get_byte(src, s), pat, p, ep);
    CASE @S.lua_pm_at(pat, ep)
      WHEN 63 THEN                                                    -- ?
        IF m THEN
          r := @S.lua_pm_match(src, pat, s + 1, ep + 1, ocs, ocl);
          IF r.e >= 0 THEN e := r.e; ocs := r.ocs; ocl := r.ocl; RETURN; END IF;
        END IF;
        p := ep + 1;
        CONTINUE;
      WHEN 42, 43 THEN                                                -- * and +: longest first
        IF get_byte(pat, ep) = 43 AND NOT m THEN e := -1; RETURN; END IF;
        i := 0;
        WHILE s + i < slen AND @S.lua_pm_single(get_byte(src, s + i), pat, p, ep) LOOP i := i + 1; END LOOP;
        WHILE i >= (CASE WHEN get_byte(pat, ep) = 43 THEN 1 ELSE 0 END) LOOP
          r := @S.lua_pm_match(src, pat, s + i, ep + 1, ocs, ocl);
          IF r.e >= 0 THEN e := r.e; ocs := r.ocs; ocl := r.ocl; RETURN; END IF;
          i := i - 1;
        END LOOP;
        e := -1; RETURN;
      WHEN 45 THEN                                                    -- -: shortest first
        LOOP
          r := @S.lua_pm_match(src, pat, s, ep + 1, ocs, ocl);
          IF r.e >= 0 THEN e := r.e; ocs := r.ocs; ocl := r.ocl; RETURN; END IF;
          IF s < slen AND @S.lua_pm_single(get_byte(src, s), pat, p, ep) THEN s := s + 1;
          ELSE e := -1; RETURN;
          END IF;
        END LOOP;
      ELSE
        IF NOT m THEN e := -1; RETURN; END IF;
        s := s + 1; p := ep;
    END CASE;
  END LOOP;
END $$;

-- Capture i (1-based) of a match as a Lua value; with no captures, capture 1 is the whole match.
CREATE OR REPLACE FUNCTION @S.lua_pm_capture(src bytea, i int, s int, e int, cs int[], cl int[]) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF i > coalesce(array_length(cl, 1), 0) THEN
    IF i = 1 THEN RETURN @S.lua_str(substring(src FROM s + 1 FOR e - s)); END IF;
    PERFORM @S.lua_error('invalid capture index');
  END IF;
  IF cl[i] = -1 THEN PERFORM @S.lua_error('unfinished capture'); END IF;
  IF cl[i] = -2 THEN RETURN to_jsonb(cs[i] + 1); END IF;
  RETURN @S.lua_str(substring(src FROM cs[i] + 1 FOR cl[i]));
END $$;

CREATE OR REPLACE FUNCTION @S.lua_pm_captures(src bytea, s int, e int, cs int[], cl int[], whole boolean) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  n int := coalesce(array_length(cl, 1), 0);
  out jsonb := '[]'::jsonb;
BEGIN
  IF n = 0 AND NOT whole THEN RETURN out; END IF;
  FOR i IN 1 .. greatest(n, 1) LOOP
    out := out || jsonb_build_array(@S.lua_pm_capture(src, i, s, e, cs, cl));
  END LOOP;
  RETURN out;
END $$;

-- The type name in a bad-argument error: SQL NULL is an argument not given, JSON null a nil one.
CREATE OR REPLACE FUNCTION @S.lua_argtype(v jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN v IS NULL THEN 'no value' WHEN v = 'null'::jsonb THEN 'nil' ELSE @S.lua_typename(v) END
$$;

-- A string argument of a library function (luaL_checklstring): strings, and numbers as Lua prints them.
CREATE OR REPLACE FUNCTION @S.lua_arg_string(v jsonb, n int, fname text) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF jsonb_typeof(v) IN ('string', 'number') THEN RETURN @S.lua_bytes(@S.lua_tostring(v)); END IF;
  PERFORM @S.lua_error('bad argument #' || n || ' to ''' || fname || ''' (string expected, got ' || @S.lua_argtype(v) || ')');
  RETURN NULL;
END $$;

-- A number argument (luaL_checknumber): numbers, and strings that convert.
CREATE OR REPLACE FUNCTION @S.lua_arg_number(v jsonb, n int, fname text) RETURNS float8
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE x float8;
BEGIN
  IF jsonb_typeof(v) = 'number' THEN RETURN (v #>> '{}')::float8; END IF;
  IF jsonb_typeof(v) = 'string' THEN x := @S.lua_parse_number(@S.lua_bytes(v)); END IF;
  IF x IS NULL THEN
    PERFORM @S.lua_error('bad argument #' || n || ' to ''' || fname || ''' (number expected, got ' || @S.lua_argtype(v) || ')');
  END IF;
  RETURN x;
END $$;

-- luaL_optinteger: nil takes the default; numbers truncate toward zero as a C cast does.
CREATE OR REPLACE FUNCTION @S.lua_arg_opt_int(v jsonb, n int, fname text, dflt bigint) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE x float8;
BEGIN
  IF v IS NULL OR v = 'null'::jsonb THEN RETURN dflt; END IF;
  x := trunc(@S.lua_arg_number(v, n, fname));
  RETURN CASE WHEN x >= 9.2e18 OR x <= -9.2e18 THEN -9223372036854775808 ELSE x::bigint END;
END $$;

/*
 * string.find (find = true) and string.match (find = false): the results as a
 * jsonb array — [start, end, captures…] or [captures…], [null] when not found.
 * \`has\` tells which of init and plain were given (nil is given).
 */
CREATE OR REPLACE FUNCTION @S.lua_str_find(sv jsonb, pv jsonb, initv jsonb, plainv jsonb, find boolean) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  fname text := CASE WHEN find THEN 'find' ELSE 'match' END;
  src bytea := @S.lua_arg_string(sv, 1, fname);
  pat bytea := @S.lua_arg_string(pv, 2, fname);
  l1 int := length(src);
  init bigint := @S.lua_arg_opt_int(initv, 3, fname, 1);
  anchor boolean;
  s1 int;
  pos int;
  r record;
BEGIN
  IF init < 0 THEN init := init + l1 + 1; END IF;
  init := greatest(init, 0) - 1;
  IF init < 0 THEN init := 0; ELSIF init > l1 THEN init := l1; END IF;
  -- A pattern ends at its first NUL, as a C string does (the plain search reads it all).
  IF find AND (@S.lua_truthy(NULLIF(plainv, 'null'::jsonb)) OR NOT @S.lua_pm_special(pat)) THEN
    IF length(pat) = 0 THEN RETURN jsonb_build_array(init + 1, init); END IF;
    pos := position(pat IN substring(src FROM init::int + 1));
    IF pos = 0 THEN RETURN '[null]'::jsonb; END IF;
    RETURN jsonb_build_array(init + pos, init + pos + length(pat) - 1);
  END IF;
  IF position('\\x00'::bytea IN pat) > 0 THEN pat := substring(pat FROM 1 FOR position('\\x00'::bytea IN pat) - 1); END IF;
  anchor := length(pat) > 0 AND get_byte(pat, 0) = 94;
  IF anchor THEN pat := substring(pat FROM 2); END IF;
  s1 := init;
  LOOP
    r := @S.lua_pm_match(src, pat, s1, 0, '{}'::int[], '{}'::int[]);
    IF r.e >= 0 THEN
      IF find THEN RETURN jsonb_build_array(s1 + 1, r.e) || @S.lua_pm_captures(src, s1, r.e, r.ocs, r.ocl, false); END IF;
      RETURN @S.lua_pm_captures(src, s1, r.e, r.ocs, r.ocl, true);
    END IF;
    s1 := s1 + 1;
    EXIT WHEN s1 > l1 OR anchor;
  END LOOP;
  RETURN '[null]'::jsonb;
END $$;

/*
 * string.gmatch, run to the end at once: a jsonb array with one array of
 * captures per match, which a generic for walks. '^' is not an anchor here (Lua 5.1).
 */
CREATE OR REPLACE FUNCTION @S.lua_str_gmatch(sv jsonb, pv jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  src bytea := @S.lua_arg_string(sv, 1, 'gmatch');
  pat bytea := @S.lua_arg_string(pv, 2, 'gmatch');
  slen int := length(src);
  s int := 0;
  out jsonb := '[]'::jsonb;
  r record;
BEGIN
  IF position('\\x00'::bytea IN pat) > 0 THEN pat := substring(pat FROM 1 FOR position('\\x00'::bytea IN pat) - 1); END IF;
  WHILE s <= slen LOOP
    r := @S.lua_pm_match(src, pat, s, 0, '{}'::int[], '{}'::int[]);
    IF r.e >= 0 THEN
      out := out || jsonb_build_array(@S.lua_pm_captures(src, s, r.e, r.ocs, r.ocl, true));
      s := CASE WHEN r.e = s THEN r.e + 1 ELSE r.e END;
    ELSE
      s := s + 1;
    END IF;
  END LOOP;
  RETURN out;
END $$;

/*
 * string.gsub with a string or table replacement: [result, count]. A
 * replacement function is the compiler's business: it calls lua_str_gsub_matches
 * and lua_str_gsub_join.
 */
CREATE OR REPLACE FUNCTION @S.lua_str_gsub(sv jsonb, pv jsonb, repl jsonb, maxv jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  src bytea := @S.lua_arg_string(sv, 1, 'gsub');
  pat bytea := @S.lua_arg_string(pv, 2, 'gsub');
  slen int := length(src);
  maxn bigint;
  anchor boolean;
  s int := 0;
  n int := 0;
  out bytea := ''::bytea;
  rs bytea;
  r record;
  i int;
  c int;
  v jsonb;
BEGIN
  IF jsonb_typeof(repl) IS DISTINCT FROM 'string' AND jsonb_typeof(repl) IS DISTINCT FROM 'number'
    AND jsonb_typeof(repl) IS DISTINCT FROM 'array' AND jsonb_typeof(repl) IS DISTINCT FROM 'object' THEN
    PERFORM @S.lua_error('bad argument #3 to ''gsub'' (string/function/table expected)');
  END IF;
  maxn := @S.lua_arg_opt_int(maxv, 4, 'gsub', slen + 1);
  IF jsonb_typeof(repl) IN ('string', 'number') THEN rs := @S.lua_bytes(@S.lua_tostring(repl)); END IF;
  IF position('\\x00'::bytea IN pat) > 0 THEN pat := substring(pat FROM 1 FOR position('\\x00'::bytea IN pat) - 1); END IF;
  anchor := length(pat) > 0 AND get_byte(pat, 0) = 94;
  IF anchor THEN pat := substring(pat FROM 2); END IF;
  WHILE n < maxn LOOP
    r := @S.lua_pm_match(src, pat, s, 0, '{}'::int[], '{}'::int[]);
    IF r.e >= 0 THEN
      n := n + 1;
      IF rs IS NOT NULL THEN
        i := 0;
        WHILE i < length(rs) LOOP
          c := get_byte(rs, i);
          IF c <> 37 THEN
            out := out || substring(rs FROM i + 1 FOR 1);
          ELSE
            i := i + 1;
            c := @S.lua_pm_at(rs, i);
            IF c NOT BETWEEN 48 AND 57 THEN
              -- %x for a non-digit x is x itself; a lone % at the end adds the string's NUL, which ends nothing here.
              IF i < length(rs) THEN out := out || substring(rs FROM i + 1 FOR 1); ELSE out := out || '\\x00'::bytea; END IF;
            ELSIF c = 48 THEN
              out := out || substring(src FROM s + 1 FOR r.e - s);
            ELSE
              out := out || @S.lua_bytes(@S.lua_tostring(@S.lua_pm_capture(src, c - 48, s, r.e, r.ocs, r.ocl)));
            END IF;
          END IF;
          i := i + 1;
        END LOOP;
      ELSE
        v := @S.lua_index(repl, @S.lua_pm_capture(src, 1, s, r.e, r.ocs, r.ocl));
        out := out || @S.lua_gsub_value(v, substring(src FROM s + 1 FOR r.e - s));
      END IF;
    END IF;
    IF r.e >= 0 AND r.e > s THEN
      s := r.e;
    ELSIF s < slen THEN
      out := out || substring(src FROM s + 1 FOR 1);
      s := s + 1;
    ELSE
      EXIT;
    END IF;
    EXIT WHEN anchor;
  END LOOP;
  out := out || substring(src FROM s + 1);
  RETURN jsonb_build_array(@S.lua_str(out), n);
END $$;

-- What a table or function replacement's value adds: false or nil keep the match.
CREATE OR REPLACE FUNCTION @S.lua_gsub_value(v jsonb, whole bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF v IS NULL OR v = 'false'::jsonb THEN RETURN whole; END IF;
  IF jsonb_typeof(v) IN ('string', 'number') THEN RETURN @S.lua_bytes(@S.lua_tostring(v)); END IF;
  PERFORM @S.lua_error('invalid replacement value (a ' || @S.lua_typename(v) || ')');
  RETURN NULL;
END $$;

/*
 * For gsub with a function: the matches gsub would replace, as
 * [[start, end, [captures…]], …] (0-based start, end exclusive); the compiler
 * calls the function on each capture list and joins with lua_str_gsub_join.
 */
CREATE OR REPLACE FUNCTION @S.lua_str_gsub_matches(sv jsonb, pv jsonb, maxv jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  src bytea := @S.lua_arg_string(sv, 1, 'gsub');
  pat bytea := @S.lua_arg_string(pv, 2, 'gsub');
  slen int := length(src);
  maxn bigint := @S.lua_arg_opt_int(maxv, 4, 'gsub', length(@S.lua_arg_string(sv, 1, 'gsub')) + 1);
  anchor boolean;
  s int := 0;
  n int := 0;
  out jsonb := '[]'::jsonb;
  r record;
BEGIN
  IF position('\\x00'::bytea IN pat) > 0 THEN pat := substring(pat FROM 1 FOR position('\\x00'::bytea IN pat) - 1); END IF;
  anchor := length(pat) > 0 AND get_byte(pat, 0) = 94;
  IF anchor THEN pat := substring(pat FROM 2); END IF;
  WHILE n < maxn LOOP
    r := @S.lua_pm_match(src, pat, s, 0, '{}'::int[], '{}'::int[]);
    IF r.e >= 0 THEN
      n := n + 1;
      out := out || jsonb_build_array(jsonb_build_array(s, r.e, @S.lua_pm_captures(src, s, r.e, r.ocs, r.ocl, true)));
    END IF;
    IF r.e >= 0 AND r.e > s THEN s := r.e;
    ELSIF s < slen THEN s := s + 1;
    ELSE EXIT;
    END IF;
    EXIT WHEN anchor;
  END LOOP;
  RETURN out;
END $$;

-- The gsub result from its matches (lua_str_gsub_matches) and the function's value for each.
CREATE OR REPLACE FUNCTION @S.lua_str_gsub_join(sv jsonb, matches jsonb, vals jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  src bytea := @S.lua_bytes(@S.lua_tostring(sv));
  out bytea := ''::bytea;
  s int := 0;
  m jsonb;
  i int := 0;
  a int;
  b int;
BEGIN
  FOR m IN SELECT x FROM jsonb_array_elements(matches) AS x LOOP
    a := (m ->> 0)::int; b := (m ->> 1)::int;
    out := out || substring(src FROM s + 1 FOR a - s)
      || @S.lua_gsub_value(NULLIF(vals -> i, 'null'::jsonb), substring(src FROM a + 1 FOR b - a));
    s := b;
    i := i + 1;
  END LOOP;
  RETURN jsonb_build_array(@S.lua_str(out || substring(src FROM s + 1)), jsonb_array_length(matches));
END $$;

-- b^n for an integer n >= 0, exactly (numeric's ^ rounds to a scale of its own).
CREATE OR REPLACE FUNCTION @S.lua_ipow(b numeric, n int) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE r numeric := 1;
BEGIN
  WHILE n > 0 LOOP
    IF n % 2 = 1 THEN r := r * b; END IF;
    b := b * b;
    n := n / 2;
  END LOOP;
  RETURN r;
END $$;

-- The exact decimal value of a double (every double is a finite decimal fraction).
CREATE OR REPLACE FUNCTION @S.lua_exact(x float8) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  bits bigint := ('x' || encode(float8send(x), 'hex'))::bit(64)::bigint;
  ex int := ((bits >> 52) & 2047)::int;
  m numeric := (bits & 4503599627370495)::numeric;
  digits text;
  v numeric;
BEGIN
  IF ex = 0 THEN ex := -1074; ELSE m := m + 4503599627370496; ex := ex - 1075; END IF;
  IF ex >= 0 THEN
    v := m * @S.lua_ipow(2, ex);
  ELSE
    -- m / 2^k = m * 5^k / 10^k: the digits of m * 5^k with the point k places from the right.
    digits := (m * @S.lua_ipow(5, -ex))::text;
    -- lpad cuts what is longer than its width.
    digits := lpad(digits, greatest(length(digits), -ex + 1), '0');
    v := (substr(digits, 1, length(digits) + ex) || '.' || substr(digits, length(digits) + ex + 1))::numeric;
  END IF;
  RETURN CASE WHEN bits < 0 THEN -v ELSE v END;
END $$;

-- An exact non-negative decimal rounded to an integer as printf does (halves to even).
CREATE OR REPLACE FUNCTION @S.lua_round_even(v numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN v - trunc(v) > 0.5 OR (v - trunc(v) = 0.5 AND mod(trunc(v), 2) = 1) THEN trunc(v) + 1 ELSE trunc(v) END
$$;

-- The integer t with its last p digits after a point (t / 10^p printed with p decimals).
CREATE OR REPLACE FUNCTION @S.lua_point(t numeric, p int, alt boolean) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE d text := lpad(t::text, greatest(length(t::text), p + 1), '0');
BEGIN
  IF p = 0 THEN RETURN d || CASE WHEN alt THEN '.' ELSE '' END; END IF;
  RETURN substr(d, 1, length(d) - p) || '.' || substr(d, length(d) - p + 1);
END $$;

-- printf's %e of |v| with p digits after the point, as {digits, exponent}.
CREATE OR REPLACE FUNCTION @S.lua_fmt_e_parts(v numeric, p int) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  e int;
  t numeric;
BEGIN
  IF v = 0 THEN RETURN ARRAY[repeat('0', p + 1), '0']; END IF;
  IF v >= 1 THEN e := length(trunc(v)::text) - 1;
  ELSE e := -(length(substring(v::text FROM '^0\\.(0*)')) + 1);
  END IF;
  t := @S.lua_round_even(v * ('1e' || (p - e))::numeric);
  IF length(t::text) > p + 1 THEN t := div(t, 10); e := e + 1; END IF;
  RETURN ARRAY[t::text, e::text];
END $$;

CREATE OR REPLACE FUNCTION @S.lua_fmt_e(v numeric, p int, alt boolean, upper boolean) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  parts text[] := @S.lua_fmt_e_parts(v, p);
  e int := parts[2]::int;
BEGIN
  RETURN substr(parts[1], 1, 1) || CASE WHEN p > 0 OR alt THEN '.' ELSE '' END || substr(parts[1], 2)
    || CASE WHEN upper THEN 'E' ELSE 'e' END || CASE WHEN e < 0 THEN '-' ELSE '+' END || lpad(abs(e)::text, greatest(length(abs(e)::text), 2), '0');
END $$;

/*
 * One printf conversion of a number, as C's printf does it for Lua 5.1's
 * string.format (%d %i %o %u %x %X %c %e %E %f %g %G): flags "-+ #0", width,
 * precision (-1: none). Integer conversions take the C cast of the double.
 */
CREATE OR REPLACE FUNCTION @S.lua_printf_num(conv text, flags text, width int, prec int, x float8) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  neg boolean := false;
  body text;
  prefix text := '';
  n numeric;
  i numeric;
  v numeric;
  parts text[];
  e int;
  p int;
  alt boolean := position('#' IN flags) > 0;
  zero boolean := position('0' IN flags) > 0 AND position('-' IN flags) = 0;
  spaces text;
  pad int;
BEGIN
  IF conv = 'c' THEN
    i := mod(trunc(@S.lua_exact(x)), 256);
    IF i < 0 THEN i := i + 256; END IF;
    spaces := repeat(' ', greatest(width - 1, 0));
    -- Lua 5.1 keeps a formatted item up to its first NUL byte.
    IF i = 0 THEN RETURN convert_to(CASE WHEN position('-' IN flags) > 0 THEN '' ELSE spaces END, 'UTF8'); END IF;
    RETURN CASE WHEN position('-' IN flags) > 0 THEN set_byte(' '::bytea, 0, i::int) || convert_to(spaces, 'UTF8')
      ELSE convert_to(spaces, 'UTF8') || set_byte(' '::bytea, 0, i::int) END;
  END IF;
  IF conv IN ('d', 'i', 'o', 'u', 'x', 'X') THEN
    -- The (long) and (unsigned long) casts of x86-64: what does not fit reads as -2^63 (or 0 past 2^64 unsigned).
    IF x <> x OR x < -9223372036854775808 THEN n := -9223372036854775808;
    ELSIF x >= 9223372036854775808 THEN
      n := CASE WHEN conv IN ('d', 'i') THEN -9223372036854775808 WHEN x >= 18446744073709551616 THEN 0 ELSE trunc(@S.lua_exact(x)) END;
    ELSE n := trunc(@S.lua_exact(x));
    END IF;
    IF conv NOT IN ('d', 'i') AND n < 0 THEN n := n + 18446744073709551616; END IF;
    neg := n < 0;
    n := abs(n);
    IF conv IN ('d', 'i', 'u') THEN body := n::text;
    ELSIF conv = 'o' THEN
      body := '';
      WHILE n > 0 LOOP body := mod(n, 8)::text || body; n := div(n, 8); END LOOP;
      IF body = '' THEN body := '0'; END IF;
    ELSE
      body := '';
      WHILE n > 0 LOOP body := substr('0123456789abcdef', mod(n, 16)::int + 1, 1) || body; n := div(n, 16); END LOOP;
      IF body = '' THEN body := '0'; END IF;
      IF conv = 'X' THEN body := upper(body); END IF;
      IF alt AND body <> '0' THEN prefix := CASE WHEN conv = 'X' THEN '0X' ELSE '0x' END; END IF;
    END IF;
    IF prec >= 0 THEN
      zero := false;
      IF prec = 0 AND body = '0' THEN body := ''; END IF;
      body := lpad(body, greatest(prec, length(body)), '0');
    END IF;
    IF conv = 'o' AND alt AND left(body, 1) IS DISTINCT FROM '0' THEN body := '0' || body; END IF;
  ELSIF x = 'Infinity'::float8 OR x = '-Infinity'::float8 OR x <> x THEN
    neg := x < 0;
    body := CASE WHEN x <> x THEN 'nan' ELSE 'inf' END;
    IF conv IN ('E', 'G') THEN body := upper(body); END IF;
    zero := false;
  ELSE
    neg := float8send(x) >= '\\x80'::bytea;
    v := abs(@S.lua_exact(x));
    p := CASE WHEN prec < 0 THEN 6 ELSE prec END;
    IF conv = 'f' THEN
      body := @S.lua_point(@S.lua_round_even(v * ('1e' || p)::numeric), p, alt);
    ELSIF conv IN ('e', 'E') THEN
      body := @S.lua_fmt_e(v, p, alt, conv = 'E');
    ELSE
      IF p = 0 THEN p := 1; END IF;
      parts := @S.lua_fmt_e_parts(v, p - 1);
      e := parts[2]::int;
      IF e < -4 OR e >= p THEN
        body := @S.lua_fmt_e(v, p - 1, alt, conv = 'G');
        IF NOT alt THEN body := regexp_replace(body, '\\.?0*([eE])', '\\1'); END IF;
      ELSE
        body := @S.lua_point(@S.lua_round_even(v * ('1e' || (p - 1 - e))::numeric), p - 1 - e, alt);
        IF NOT alt AND position('.' IN body) > 0 THEN body := rtrim(rtrim(body, '0'), '.'); END IF;
      END IF;
    END IF;
  END IF;
  prefix := CASE WHEN neg THEN '-'
    WHEN position('+' IN flags) > 0 AND conv IN ('d', 'i', 'e', 'E', 'f', 'g', 'G') THEN '+'
    WHEN position(' ' IN flags) > 0 AND conv IN ('d', 'i', 'e', 'E', 'f', 'g', 'G') THEN ' ' ELSE '' END || prefix;
  pad := greatest(width - length(prefix) - length(body), 0);
  IF position('-' IN flags) > 0 THEN RETURN convert_to(prefix || body || repeat(' ', pad), 'UTF8'); END IF;
  IF zero THEN RETURN convert_to(prefix || repeat('0', pad) || body, 'UTF8'); END IF;
  RETURN convert_to(repeat(' ', pad) || prefix || body, 'UTF8');
END $$;

/*
 * string.format(fmt, ...) with the values after fmt as a pack: Lua 5.1's
 * scanner (flags, two-digit width and precision) and its errors, printf's
 * conversions.
 */
CREATE OR REPLACE FUNCTION @S.lua_str_format(fv jsonb, args jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  fmt bytea := @S.lua_arg_string(fv, 1, 'format');
  n int := length(fmt);
  top int := jsonb_array_length(args) + 1;
  arg int := 1;
  out bytea := ''::bytea;
  i int := 0;
  c int;
  st int;
  flags text;
  width int;
  prec int;
  conv text;
  a jsonb;
  s bytea;
BEGIN
  WHILE i < n LOOP
    c := get_byte(fmt, i);
    IF c <> 37 THEN
      out := out || substring(fmt FROM i + 1 FOR 1);
      i := i + 1;
      CONTINUE;
    END IF;
    i := i + 1;
    IF @S.lua_pm_at(fmt, i) = 37 THEN out := out || '\\x25'::bytea; i := i + 1; CONTINUE; END IF;
    arg := arg + 1;
    IF arg > top THEN PERFORM @S.lua_error('bad argument #' || arg || ' to ''format'' (no value)'); END IF;
    a := args -> (arg - 2);
    st := i;
    WHILE i < n AND get_byte(fmt, i) IN (45, 43, 32, 35, 48) LOOP i := i + 1; END LOOP;
    IF i - st >= 6 THEN PERFORM @S.lua_error('invalid format (repeated flags)'); END IF;
    flags := convert_from(substring(fmt FROM st + 1 FOR i - st), 'UTF8');
    width := 0;
    prec := -1;
    IF @S.lua_pm_at(fmt, i) BETWEEN 48 AND 57 THEN width := get_byte(fmt, i) - 48; i := i + 1; END IF;
    IF @S.lua_pm_at(fmt, i) BETWEEN 48 AND 57 THEN width := width * 10 + get_byte(fmt, i) - 48; i := i + 1; END IF;
    IF @S.lua_pm_at(fmt, i) = 46 THEN
      i := i + 1;
      prec := 0;
      IF @S.lua_pm_at(fmt, i) BETWEEN 48 AND 57 THEN prec := get_byte(fmt, i) - 48; i := i + 1; END IF;
      IF @S.lua_pm_at(fmt, i) BETWEEN 48 AND 57 THEN prec := prec * 10 + get_byte(fmt, i) - 48; i := i + 1; END IF;
    END IF;
    IF @S.lua_pm_at(fmt, i) BETWEEN 48 AND 57 THEN PERFORM @S.lua_error('invalid format (width or precision too long)'); END IF;
    c := @S.lua_pm_at(fmt, i);
    i := i + 1;
    conv := CASE WHEN c BETWEEN 32 AND 126 THEN chr(c) ELSE '' END;
    IF conv IN ('c', 'd', 'i', 'o', 'u', 'x', 'X', 'e', 'E', 'f', 'g', 'G') THEN
      out := out || @S.lua_printf_num(conv, flags, width, prec, @S.lua_arg_number(a, arg, 'format'));
    ELSIF conv = 'q' THEN
      s := @S.lua_arg_string(a, arg, 'format');
      out := out || '\\x22'::bytea;
      FOR j IN 0 .. length(s) - 1 LOOP
        c := get_byte(s, j);
        out := out || CASE c WHEN 34 THEN '\\x5c22'::bytea WHEN 92 THEN '\\x5c5c'::bytea WHEN 10 THEN '\\x5c0a'::bytea
          WHEN 13 THEN '\\x5c72'::bytea WHEN 0 THEN '\\x5c303030'::bytea ELSE substring(s FROM j + 1 FOR 1) END;
      END LOOP;
      out := out || '\\x22'::bytea;
    ELSIF conv = 's' THEN
      s := @S.lua_arg_string(a, arg, 'format');
      IF prec < 0 AND length(s) >= 100 THEN
        out := out || s;
      ELSE
        -- sprintf reads the string up to its first NUL.
        IF position('\\x00'::bytea IN s) > 0 THEN s := substring(s FROM 1 FOR position('\\x00'::bytea IN s) - 1); END IF;
        IF prec >= 0 THEN s := substring(s FROM 1 FOR prec); END IF;
        IF position('-' IN flags) > 0 THEN out := out || s || convert_to(repeat(' ', greatest(width - length(s), 0)), 'UTF8');
        ELSE out := out || convert_to(repeat(' ', greatest(width - length(s), 0)), 'UTF8') || s;
        END IF;
      END IF;
    ELSE
      -- Lua prints the option byte with %c: a NUL prints nothing.
      PERFORM @S.lua_error('invalid option ''%' || CASE WHEN c = 0 THEN '' ELSE convert_from(set_byte(' '::bytea, 0, c), 'SQL_ASCII') END || ''' to ''format''');
    END IF;
  END LOOP;
  RETURN @S.lua_str(out);
END $$;

CREATE OR REPLACE FUNCTION @S.lua_str_rep(sv jsonb, nv jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  s bytea := @S.lua_arg_string(sv, 1, 'rep');
  n float8 := trunc(@S.lua_arg_number(nv, 2, 'rep'));
  out bytea := ''::bytea;
BEGIN
  IF n <= 0 OR length(s) = 0 THEN RETURN @S.lua_str(''::bytea); END IF;
  IF n * length(s) > 536870912 THEN PERFORM @S.lua_error('not enough memory'); END IF;
  -- Doubling: log(n) concatenations.
  WHILE n > 0 LOOP
    IF mod(n::bigint, 2) = 1 THEN out := out || s; END IF;
    n := trunc(n / 2);
    IF n > 0 THEN s := s || s; END IF;
  END LOOP;
  RETURN @S.lua_str(out);
END $$;

-- string.byte(s [, i [, j]]): the bytes of s[i..j] as a pack of numbers.
CREATE OR REPLACE FUNCTION @S.lua_str_byte(sv jsonb, iv jsonb, jv jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  s bytea := @S.lua_arg_string(sv, 1, 'byte');
  l int := length(s);
  i bigint := @S.lua_arg_opt_int(iv, 2, 'byte', 1);
  j bigint;
  out jsonb := '[]'::jsonb;
BEGIN
  j := @S.lua_arg_opt_int(jv, 3, 'byte', i);
  IF i < 0 THEN i := i + l + 1; END IF;
  IF i < 0 THEN i := 0; END IF;
  IF j < 0 THEN j := j + l + 1; END IF;
  IF j < 0 THEN j := 0; END IF;
  IF i <= 0 THEN i := 1; END IF;
  IF j > l THEN j := l; END IF;
  FOR k IN i .. j LOOP out := out || to_jsonb(get_byte(s, k::int - 1)); END LOOP;
  RETURN out;
END $$;

-- string.char(...) of a pack of numbers.
CREATE OR REPLACE FUNCTION @S.lua_str_char(args jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  out bytea := ''::bytea;
  c float8;
BEGIN
  FOR k IN 0 .. jsonb_array_length(args) - 1 LOOP
    c := trunc(@S.lua_arg_number(args -> k, k + 1, 'char'));
    IF c < 0 OR c > 255 THEN PERFORM @S.lua_error('bad argument #' || (k + 1) || ' to ''char'' (invalid value)'); END IF;
    out := out || set_byte(' '::bytea, 0, c::int);
  END LOOP;
  RETURN @S.lua_str(out);
END $$;

CREATE OR REPLACE FUNCTION @S.lua_str_reverse(sv jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  s bytea := @S.lua_arg_string(sv, 1, 'reverse');
  out bytea := s;
  l int := length(s);
BEGIN
  FOR k IN 0 .. l - 1 LOOP out := set_byte(out, l - 1 - k, get_byte(s, k)); END LOOP;
  RETURN @S.lua_str(out);
END $$;

-- math.* with one number argument: floor, ceil, abs, sqrt.
CREATE OR REPLACE FUNCTION @S.lua_math1(fname text, v jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE x float8 := @S.lua_arg_number(v, 1, fname);
BEGIN
  CASE fname
    WHEN 'floor' THEN RETURN @S.lua_num(floor(x));
    WHEN 'ceil' THEN RETURN @S.lua_num(ceil(x));
    WHEN 'abs' THEN RETURN @S.lua_num(abs(x));
    WHEN 'sqrt' THEN
      IF x < 0 THEN RETURN @S.lua_num('NaN'::float8); END IF;
      RETURN @S.lua_num(sqrt(x));
  END CASE;
  RAISE EXCEPTION 'redis2sql: math.% is not a one-argument function', fname;
END $$;

-- math.max / math.min over a pack: at least one number; the first of equal ones wins.
CREATE OR REPLACE FUNCTION @S.lua_math_maxmin(fname text, args jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  best float8 := @S.lua_arg_number(args -> 0, 1, fname);
  x float8;
BEGIN
  FOR k IN 1 .. jsonb_array_length(args) - 1 LOOP
    x := @S.lua_arg_number(args -> k, k + 1, fname);
    IF (fname = 'max' AND x > best) OR (fname = 'min' AND x < best) THEN best := x; END IF;
  END LOOP;
  RETURN @S.lua_num(best);
END $$;

-- math.fmod: C's fmod, the remainder with the sign of the dividend.
CREATE OR REPLACE FUNCTION @S.lua_math_fmod(av jsonb, bv jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  a float8 := @S.lua_arg_number(av, 1, 'fmod');
  b float8 := @S.lua_arg_number(bv, 2, 'fmod');
BEGIN
  IF b = 0 THEN RETURN @S.lua_num('NaN'::float8); END IF;
  RETURN @S.lua_num(a - trunc(a / b) * b);
END $$;

CREATE OR REPLACE FUNCTION @S.lua_math_pow(av jsonb, bv jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT @S.lua_num(power(@S.lua_arg_number(av, 1, 'pow'), @S.lua_arg_number(bv, 2, 'pow')))
$$;

/*
 * tonumber(v [, base]): base 10 (or none) is Lua's number conversion; other
 * bases read the string as C's strtoul does (spaces, a sign, 0x for 16,
 * saturating at 2^64 - 1, a minus negating modulo 2^64).
 */
CREATE OR REPLACE FUNCTION @S.lua_tonumber_base(v jsonb, basev jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  base float8;
  s bytea;
  i int := 0;
  l int;
  neg boolean := false;
  d int;
  n numeric := 0;
  any_digit boolean := false;
BEGIN
  IF basev IS NULL OR basev = 'null'::jsonb THEN
    IF v IS NULL THEN PERFORM @S.lua_error('bad argument #1 to ''tonumber'' (value expected)'); END IF;
    RETURN @S.lua_tonumber(NULLIF(v, 'null'::jsonb));
  END IF;
  base := trunc(@S.lua_arg_number(basev, 2, 'tonumber'));
  IF base = 10 THEN
    IF v IS NULL THEN PERFORM @S.lua_error('bad argument #1 to ''tonumber'' (value expected)'); END IF;
    RETURN @S.lua_tonumber(NULLIF(v, 'null'::jsonb));
  END IF;
  s := @S.lua_arg_string(v, 1, 'tonumber');
  IF base < 2 OR base > 36 THEN PERFORM @S.lua_error('bad argument #2 to ''tonumber'' (base out of range)'); END IF;
  -- The string ends at a NUL for strtoul.
  IF position('\\x00'::bytea IN s) > 0 THEN s := substring(s FROM 1 FOR position('\\x00'::bytea IN s) - 1); END IF;
  l := length(s);
  WHILE i < l AND (get_byte(s, i) = 32 OR get_byte(s, i) BETWEEN 9 AND 13) LOOP i := i + 1; END LOOP;
  IF i < l AND get_byte(s, i) IN (43, 45) THEN neg := get_byte(s, i) = 45; i := i + 1; END IF;
  IF base = 16 AND i + 2 < l + 1 AND get_byte(s, i) = 48 AND @S.lua_pm_at(s, i + 1) IN (120, 88)
    AND @S.lua_pm_at(s, i + 2) IN (48,49,50,51,52,53,54,55,56,57,65,66,67,68,69,70,97,98,99,100,101,102) THEN
    i := i + 2;
  END IF;
  WHILE i < l LOOP
    d := get_byte(s, i);
    d := CASE WHEN d BETWEEN 48 AND 57 THEN d - 48 WHEN d BETWEEN 97 AND 122 THEN d - 87 WHEN d BETWEEN 65 AND 90 THEN d - 55 ELSE 99 END;
    EXIT WHEN d >= base;
    n := least(n * base + d, 18446744073709551616);
    any_digit := true;
    i := i + 1;
  END LOOP;
  IF NOT any_digit THEN RETURN NULL; END IF;
  WHILE i < l AND (get_byte(s, i) = 32 OR get_byte(s, i) BETWEEN 9 AND 13) LOOP i := i + 1; END LOOP;
  IF i < l THEN RETURN NULL; END IF;
  IF n >= 18446744073709551616 THEN n := 18446744073709551615;
  ELSIF neg AND n > 0 THEN n := 18446744073709551616 - n;
  END IF;
  RETURN @S.lua_num(n::float8);
END $$;

/*
 * cjson as Redis 7.0 bundles it (lua-cjson 2.1 with its defaults).
 * cjson.null is a value of its own: the jsonb {"u": "cjson.null"} (a table's
 * object keys always start with s, n or b, so no table is that value).
 */
CREATE OR REPLACE FUNCTION @S.lua_cjson_null() RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT '{"u": "cjson.null"}'::jsonb $$;

-- A string as a JSON string: lua-cjson escapes ", \\, / and control bytes; other bytes go as they are.
CREATE OR REPLACE FUNCTION @S.lua_cjson_quote(s bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  out bytea := '\\x22'::bytea;
  c int;
  st int := 0;
  esc text;
BEGIN
  FOR i IN 0 .. length(s) - 1 LOOP
    c := get_byte(s, i);
    IF c < 32 OR c IN (34, 92, 47, 127) THEN
      esc := CASE c WHEN 34 THEN '\\"' WHEN 92 THEN '\\\\' WHEN 47 THEN '\\/' WHEN 8 THEN '\\b' WHEN 9 THEN '\\t'
        WHEN 10 THEN '\\n' WHEN 12 THEN '\\f' WHEN 13 THEN '\\r' ELSE '\\u' || lpad(to_hex(c), 4, '0') END;
      out := out || substring(s FROM st + 1 FOR i - st) || convert_to(esc, 'UTF8');
      st := i + 1;
    END IF;
  END LOOP;
  RETURN out || substring(s FROM st + 1) || '\\x22'::bytea;
END $$;

CREATE OR REPLACE FUNCTION @S.lua_cjson_enc(v jsonb, depth int) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  out bytea;
  k text;
  maxk float8 := 0;
  items int := 0;
  arr boolean := true;
  x float8;
  first boolean := true;
BEGIN
  IF v IS NULL OR v = 'null'::jsonb OR v = @S.lua_cjson_null() THEN RETURN '\\x6e756c6c'::bytea; END IF;
  CASE jsonb_typeof(v)
    WHEN 'boolean' THEN RETURN convert_to(v #>> '{}', 'UTF8');
    WHEN 'number' THEN RETURN convert_to(@S.lua_fmt_number((v #>> '{}')::float8, 14), 'UTF8');
    WHEN 'string' THEN RETURN @S.lua_cjson_quote(@S.lua_bytes(v));
    ELSE NULL;
  END CASE;
  IF depth > 1000 THEN PERFORM @S.lua_error('Cannot serialise, excessive nesting (' || depth || ')'); END IF;
  IF jsonb_typeof(v) = 'array' THEN
    SELECT count(*), coalesce(max(n), 0) INTO items, maxk FROM jsonb_array_elements(v) WITH ORDINALITY AS u(e, n) WHERE e <> 'null'::jsonb;
  ELSE
    FOR k IN SELECT jsonb_object_keys(v) LOOP
      x := CASE WHEN left(k, 1) = 'n' THEN substr(k, 2)::float8 END;
      IF x IS NOT NULL AND x = trunc(x) AND x >= 1 THEN
        maxk := greatest(maxk, x);
        items := items + 1;
      ELSE
        arr := false;
        EXIT;
      END IF;
    END LOOP;
  END IF;
  -- An empty table is an object; an array may have holes (null) unless it is "excessively sparse".
  IF arr AND maxk > 0 THEN
    IF maxk > items * 2 AND maxk > 10 THEN PERFORM @S.lua_error('Cannot serialise table: excessively sparse array'); END IF;
    out := '\\x5b'::bytea;
    FOR i IN 1 .. maxk::int LOOP
      IF i > 1 THEN out := out || '\\x2c'::bytea; END IF;
      out := out || @S.lua_cjson_enc(@S.lua_index(v, to_jsonb(i)), depth + 1);
    END LOOP;
    RETURN out || '\\x5d'::bytea;
  END IF;
  out := '\\x7b'::bytea;
  FOR k IN SELECT ks.e ->> 0 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(v) = 'array' THEN '[]'::jsonb ELSE @S.lua_keys(v) END) AS ks(e) LOOP
    IF NOT first THEN out := out || '\\x2c'::bytea; END IF;
    first := false;
    IF left(k, 1) = 's' THEN out := out || @S.lua_cjson_quote(decode(substr(k, 2), 'hex'));
    ELSIF left(k, 1) = 'n' THEN out := out || @S.lua_cjson_quote(convert_to(@S.lua_fmt_number(substr(k, 2)::float8, 14), 'UTF8'));
    ELSE PERFORM @S.lua_error('Cannot serialise boolean: table key must be a number or string');
    END IF;
    out := out || '\\x3a'::bytea || @S.lua_cjson_enc(v -> k, depth + 1);
  END LOOP;
  RETURN out || '\\x7d'::bytea;
END $$;

CREATE OR REPLACE FUNCTION @S.lua_cjson_encode(v jsonb, extra jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF v IS NULL OR extra IS NOT NULL THEN PERFORM @S.lua_error('bad argument #1 to ''encode'' (expected 1 argument)'); END IF;
  RETURN @S.lua_str(@S.lua_cjson_enc(NULLIF(v, 'null'::jsonb), 1));
END $$;

/*
 * One JSON token from byte i (after whitespace): kind is lua-cjson's token
 * name (T_STRING, T_NUMBER…, or the error text for a bad token), val its
 * value, at where it starts (or where its error is), next where it ends.
 */
CREATE OR REPLACE FUNCTION @S.lua_cjson_token(src bytea, i int, OUT kind text, OUT val jsonb, OUT at int, OUT next int)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  n int := length(src);
  c int;
  out bytea;
  st int;
  cp int;
  lo int;
  rest text;
  num text;
BEGIN
  WHILE i < n AND get_byte(src, i) IN (32, 9, 10, 13) LOOP i := i + 1; END LOOP;
  at := i;
  IF i >= n THEN kind := 'T_END'; next := i; RETURN; END IF;
  c := get_byte(src, i);
  next := i + 1;
  CASE c
    WHEN 123 THEN kind := 'T_OBJ_BEGIN'; RETURN;
    WHEN 125 THEN kind := 'T_OBJ_END'; RETURN;
    WHEN 91 THEN kind := 'T_ARR_BEGIN'; RETURN;
    WHEN 93 THEN kind := 'T_ARR_END'; RETURN;
    WHEN 58 THEN kind := 'T_COLON'; RETURN;
    WHEN 44 THEN kind := 'T_COMMA'; RETURN;
    ELSE NULL;
  END CASE;
  IF c = 34 THEN
    out := ''::bytea;
    i := i + 1;
    st := i;
    LOOP
      IF i >= n THEN out := NULL; kind := 'unexpected end of string'; at := i; RETURN; END IF;
      c := get_byte(src, i);
      EXIT WHEN c = 34;
      IF c = 92 THEN
        out := out || substring(src FROM st + 1 FOR i - st);
        c := @S.lua_pm_at(src, i + 1);
        IF c = 117 THEN
          cp := @S.lua_cjson_hex4(src, i + 2);
          IF cp IS NULL OR (cp BETWEEN 56320 AND 57343) THEN kind := 'invalid unicode escape code'; at := i; RETURN; END IF;
          IF cp BETWEEN 55296 AND 56319 THEN
            lo := CASE WHEN @S.lua_pm_at(src, i + 6) = 92 AND @S.lua_pm_at(src, i + 7) = 117 THEN @S.lua_cjson_hex4(src, i + 8) END;
            IF lo IS NULL OR lo NOT BETWEEN 56320 AND 57343 THEN kind := 'invalid unicode escape code'; at := i; RETURN; END IF;
            cp := 65536 + ((cp - 55296) << 10) + (lo - 56320);
            i := i + 6;
          END IF;
          -- UTF-8 by hand: chr() refuses NUL and surrogate-free code points need no check here.
          out := out || CASE
            WHEN cp < 128 THEN set_byte('\\x00'::bytea, 0, cp)
            WHEN cp < 2048 THEN set_byte(set_byte('\\x0000'::bytea, 0, 192 | (cp >> 6)), 1, 128 | (cp & 63))
            WHEN cp < 65536 THEN set_byte(set_byte(set_byte('\\x000000'::bytea, 0, 224 | (cp >> 12)), 1, 128 | ((cp >> 6) & 63)), 2, 128 | (cp & 63))
            ELSE set_byte(set_byte(set_byte(set_byte('\\x00000000'::bytea, 0, 240 | (cp >> 18)), 1, 128 | ((cp >> 12) & 63)), 2, 128 | ((cp >> 6) & 63)), 3, 128 | (cp & 63))
          END;
          i := i + 6;
        ELSE
          IF c NOT IN (34, 92, 47, 98, 102, 110, 114, 116) THEN kind := 'invalid escape code'; at := i; RETURN; END IF;
          out := out || set_byte('\\x00'::bytea, 0, CASE c WHEN 98 THEN 8 WHEN 102 THEN 12 WHEN 110 THEN 10 WHEN 114 THEN 13 WHEN 116 THEN 9 ELSE c END);
          i := i + 2;
        END IF;
        st := i;
      ELSE
        i := i + 1;
      END IF;
    END LOOP;
    kind := 'T_STRING';
    val := @S.lua_str(out || substring(src FROM st + 1 FOR i - st));
    next := i + 1;
    RETURN;
  END IF;
  rest := convert_from(substring(src FROM i + 1 FOR 400), 'SQL_ASCII');
  IF c = 45 OR c BETWEEN 48 AND 57 OR lower(rest) ~ '^-?(inf|nan)' THEN
    -- strtod reads the number (decimal, hex, inf, nan); lua-cjson accepts what it accepts.
    num := substring(rest FROM '^[-+]?(?:0[xX](?:[0-9a-fA-F]+\\.?[0-9a-fA-F]*|\\.[0-9a-fA-F]+)(?:[pP][-+]?[0-9]+)?|(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN])');
    IF num IS NULL THEN kind := 'invalid number'; RETURN; END IF;
    kind := 'T_NUMBER';
    val := @S.lua_num(CASE WHEN num ~* '^[-+]?0x' THEN @S.lua_parse_number(convert_to(num, 'UTF8')) ELSE num::float8 END);
    next := i + length(num);
    RETURN;
  END IF;
  IF rest LIKE 'true%' THEN kind := 'T_BOOLEAN'; val := 'true'::jsonb; next := i + 4; RETURN; END IF;
  IF rest LIKE 'false%' THEN kind := 'T_BOOLEAN'; val := 'false'::jsonb; next := i + 5; RETURN; END IF;
  IF rest LIKE 'null%' THEN kind := 'T_NULL'; val := @S.lua_cjson_null(); next := i + 4; RETURN; END IF;
  kind := 'invalid token';
EXCEPTION WHEN character_not_in_repertoire OR untranslatable_character THEN
  kind := 'invalid token';
END $$;

CREATE OR REPLACE FUNCTION @S.lua_cjson_hex4(src bytea, i int) RETURNS int
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  t text;
BEGIN
  IF i + 4 > length(src) THEN RETURN NULL; END IF;
  t := convert_from(substring(src FROM i + 1 FOR 4), 'SQL_ASCII');
  IF t !~ '^[0-9a-fA-F]{4}$' THEN RETURN NULL; END IF;
  RETURN ('x' || lpad(t, 8, '0'))::bit(32)::int;
EXCEPTION WHEN character_not_in_repertoire OR untranslatable_character THEN
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION @S.lua_cjson_expected(what text, kind text, at int) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  PERFORM @S.lua_error('Expected ' || what || ' but found ' || kind || ' at character ' || (at + 1));
END $$;

-- One JSON value from the token t on; next is where what follows it starts.
CREATE OR REPLACE FUNCTION @S.lua_cjson_value(src bytea, t record, depth int, OUT val jsonb, OUT next int)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  r record;
  k record;
  v record;
  out jsonb;
BEGIN
  IF t.kind IN ('T_STRING', 'T_NUMBER', 'T_BOOLEAN', 'T_NULL') THEN val := t.val; next := t.next; RETURN; END IF;
  IF t.kind NOT IN ('T_OBJ_BEGIN', 'T_ARR_BEGIN') THEN PERFORM @S.lua_cjson_expected('value', t.kind, t.at); END IF;
  IF depth + 1 > 1000 THEN
    PERFORM @S.lua_error('Found too many nested data structures (' || (depth + 1) || ') at character ' || (t.at + 1));
  END IF;
  r := @S.lua_cjson_token(src, t.next);
  IF t.kind = 'T_ARR_BEGIN' THEN
    out := '[]'::jsonb;
    IF r.kind = 'T_ARR_END' THEN val := out; next := r.next; RETURN; END IF;
    LOOP
      v := @S.lua_cjson_value(src, r, depth + 1);
      out := out || jsonb_build_array(v.val);
      r := @S.lua_cjson_token(src, v.next);
      IF r.kind = 'T_ARR_END' THEN val := out; next := r.next; RETURN; END IF;
      IF r.kind <> 'T_COMMA' THEN PERFORM @S.lua_cjson_expected('comma or array end', r.kind, r.at); END IF;
      r := @S.lua_cjson_token(src, r.next);
    END LOOP;
  END IF;
  -- Objects: string keys (the last of equal keys wins); an empty one is the empty table.
  out := '{}'::jsonb;
  IF r.kind = 'T_OBJ_END' THEN val := '[]'::jsonb; next := r.next; RETURN; END IF;
  LOOP
    IF r.kind <> 'T_STRING' THEN PERFORM @S.lua_cjson_expected('object key string', r.kind, r.at); END IF;
    k := r;
    r := @S.lua_cjson_token(src, r.next);
    IF r.kind <> 'T_COLON' THEN PERFORM @S.lua_cjson_expected('colon', r.kind, r.at); END IF;
    r := @S.lua_cjson_token(src, r.next);
    v := @S.lua_cjson_value(src, r, depth + 1);
    out := out || jsonb_build_object(@S.lua_key(k.val), v.val);
    r := @S.lua_cjson_token(src, v.next);
    IF r.kind = 'T_OBJ_END' THEN val := out; next := r.next; RETURN; END IF;
    IF r.kind <> 'T_COMMA' THEN PERFORM @S.lua_cjson_expected('comma or object end', r.kind, r.at); END IF;
    r := @S.lua_cjson_token(src, r.next);
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION @S.lua_cjson_decode(sv jsonb, extra jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  src bytea;
  t record;
  v record;
BEGIN
  IF sv IS NULL OR extra IS NOT NULL THEN PERFORM @S.lua_error('bad argument #1 to ''decode'' (expected 1 argument)'); END IF;
  src := @S.lua_arg_string(sv, 1, 'decode');
  t := @S.lua_cjson_token(src, 0);
  v := @S.lua_cjson_value(src, t, 0);
  t := @S.lua_cjson_token(src, v.next);
  IF t.kind <> 'T_END' THEN PERFORM @S.lua_cjson_expected('the end', t.kind, t.at); END IF;
  RETURN v.val;
END $$;
`;
