/**
 * SORT and SORT_RO, as Redis 7.0's sortCommandGeneric does them: load the
 * elements of a list, set or sorted set, score them (the element itself or
 * what a BY pattern finds), sort, cut the LIMIT range, and replace each one by
 * what the GET patterns find. STORE writes the result as a list.
 *
 * Redis reads its patterns and elements as C strings in places (strchr,
 * strstr, strtod, strcoll), so the helpers below cut at the first NUL exactly
 * where Redis does and nowhere else. The server's locale is C.UTF-8, whose
 * strcoll is byte order: ALPHA compares bytes up to the first NUL (binary-safe
 * memcmp with STORE), and ties keep the collection's order, as glibc's stable
 * qsort does.
 */
export const SORT_DDL = /* sql */ `
-- The bytes a C string function sees: everything before the first NUL.
CREATE OR REPLACE FUNCTION @S.sort_cstr(p_bytes bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  nul integer := position('\\x00'::bytea IN p_bytes);
BEGIN
  RETURN CASE WHEN nul = 0 THEN p_bytes ELSE substring(p_bytes FOR nul - 1) END;
END $$;

-- Bytes as text, or NULL when PostgreSQL text cannot hold them. Plain ASCII
-- (no NUL, no byte above 0x7f: what encode(…, 'escape') leaves as it is)
-- skips the exception block of utf8_or_null, a subtransaction per call.
CREATE OR REPLACE FUNCTION @S.sort_text(p_bytes bytea) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF octet_length(p_bytes) = octet_length(encode(p_bytes, 'escape')) THEN
    RETURN convert_from(p_bytes, 'UTF8');
  END IF;
  RETURN @S.utf8_or_null(p_bytes);
END $$;

-- C's strtod as SORT uses it: the whole C string must be a number (leading
-- spaces allowed, "" is 0), neither NaN nor out of range. NULL when Redis would call it an error.
CREATE OR REPLACE FUNCTION @S.sort_strtod(p_bytes bytea) RETURNS float8
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  t text := @S.sort_text(@S.sort_cstr(p_bytes));
  m text[];
  mantissa float8 := 0;
  digit text;
  v float8;
BEGIN
  IF t IS NULL THEN
    RETURN NULL;   -- bytes above 0x7f: never part of a number
  ELSIF t ~ '^[+-]?[0-9]{1,20}(\\.[0-9]{0,20})?$' THEN
    RETURN t::float8;   -- the common case, never out of range: no exception block
  ELSIF t = '' THEN
    RETURN 0;      -- no conversion, yet the end pointer is at the NUL
  END IF;
  t := ltrim(t, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13));
  IF t ~* '^[+-]?inf(inity)?$' THEN
    RETURN CASE WHEN left(t, 1) = '-' THEN '-Infinity'::float8 ELSE 'Infinity'::float8 END;
  END IF;
  BEGIN
    IF t ~ '^[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?$' THEN
      v := t::float8;
    ELSE
      m := regexp_match(t, '^([+-]?)0[xX]([0-9a-fA-F]*)\\.?([0-9a-fA-F]*)(?:[pP]([+-]?[0-9]+))?$');
      IF m IS NULL OR m[2] || m[3] = '' THEN
        RETURN NULL;
      END IF;
      FOREACH digit IN ARRAY regexp_split_to_array(m[2] || m[3], '') LOOP
        mantissa := mantissa * 16 + position(lower(digit) IN '0123456789abcdef') - 1;
      END LOOP;
      v := mantissa * power(2::float8, coalesce(m[4]::integer, 0) - 4 * length(m[3]));
      IF m[1] = '-' THEN
        v := -v;
      END IF;
    END IF;
  EXCEPTION WHEN numeric_value_out_of_range OR invalid_text_representation THEN
    RETURN NULL;   -- overflow, or underflow to zero: ERANGE
  END;
  -- glibc reports an inexact subnormal as ERANGE: every decimal one in
  -- practice; a hexadecimal one is taken as exact (0x1p-1074 is).
  IF v <> 0 AND abs(v) < 2.2250738585072014e-308 AND m IS NULL THEN
    RETURN NULL;
  END IF;
  RETURN v;
END $$;

-- Redis' lookupKeyByPattern: "#" is the element itself; otherwise the first
-- "*" is replaced by the element, and a "->" after it (with something after
-- the arrow) names a hash field. Only a string (or that hash field) is found;
-- a missing key, another type or a pattern without "*" give NULL.
CREATE OR REPLACE FUNCTION @S.sort_lookup(p_pattern bytea, p_elem bytea) RETURNS bytea
LANGUAGE plpgsql STABLE AS $$
DECLARE
  c bytea := @S.sort_cstr(p_pattern);
  star integer := position('\\x2a'::bytea IN c);
  arrow integer;
  name text;
  v bytea;
BEGIN
  IF c = '\\x23'::bytea THEN
    RETURN p_elem;
  ELSIF star = 0 THEN
    RETURN NULL;
  END IF;
  arrow := position('\\x2d3e'::bytea IN substring(c FROM star + 1));
  IF arrow > 0 AND star + arrow + 2 <= length(c) THEN
    arrow := star + arrow;  -- the '-' of the first "->" after the '*'
    name := @S.sort_text(substring(p_pattern FOR star - 1) || p_elem
                            || substring(p_pattern FROM star + 1 FOR arrow - star - 1));
    SELECT h.value INTO v
    FROM @S.keys k JOIN @S.hashes h ON h.key = k.key
    WHERE k.key = name AND @S.is_live(k.expires_at) AND k.type = 'hash'
      AND h.field = substring(p_pattern FROM arrow + 2);
  ELSE
    name := @S.sort_text(substring(p_pattern FOR star - 1) || p_elem || substring(p_pattern FROM star + 1));
    SELECT s.value INTO v
    FROM @S.keys k JOIN @S.strings s ON s.key = k.key
    WHERE k.key = name AND @S.is_live(k.expires_at) AND k.type = 'string';
  END IF;
  RETURN v;
END $$;

-- The reply of SORT key [BY p_by] [LIMIT p_offset p_count] [GET p_gets…]
-- [DESC] [ALPHA] as one array (NULL for a GET that found nothing). p_store
-- changes what Redis changes for STORE: binary ALPHA comparison, and a set
-- under BY without "*" gets sorted (ALPHA) instead of left in set order.
CREATE OR REPLACE FUNCTION @S.sort_result(p_key text, p_by bytea, p_offset bigint, p_count bigint,
    p_gets bytea[], p_desc boolean, p_alpha boolean, p_store boolean) RETURNS bytea[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
  k @S.keys;
  n bigint := 0;
  dontsort boolean := p_by IS NOT NULL AND position('\\x2a'::bytea IN @S.sort_cstr(p_by)) = 0;
  alpha boolean := p_alpha;
  by_pattern bytea := p_by;
  first_i numeric;
  last_i numeric;
  elems bytea[];
  idxs bigint[];
  sort_keys bytea[];
  scores float8[];
  bad boolean;
BEGIN
  SELECT * INTO k FROM @S.keys WHERE key = p_key AND @S.is_live(expires_at);
  IF FOUND THEN
    IF k.type NOT IN ('list', 'set', 'zset') THEN
      PERFORM @S.raise('WRONGTYPE Operation against a key holding the wrong kind of value');
    END IF;
    n := k.size;
  END IF;
  IF dontsort AND k.type = 'set' AND p_store THEN
    dontsort := false;
    alpha := true;
    by_pattern := NULL;
  END IF;

  -- LIMIT as Redis clamps it (numeric: start + count cannot overflow here).
  first_i := greatest(p_offset, 0);
  last_i := CASE WHEN p_count < 0 THEN n - 1 ELSE first_i + p_count - 1 END;
  IF first_i >= n THEN
    first_i := n - 1;
    last_i := n - 2;
  END IF;
  last_i := least(last_i, n - 1);

  -- The collection's own order: list order, set by member bytes (Redis: its
  -- hash table's), sorted set by (score, member).
  SELECT array_agg(e.elem ORDER BY e.idx), array_agg(e.idx ORDER BY e.idx) INTO elems, idxs
  FROM (
    SELECT l.value AS elem, l.pos - k.list_head AS idx FROM @S.lists l WHERE k.type = 'list' AND l.key = p_key
    UNION ALL
    SELECT s.member, row_number() OVER (ORDER BY s.member) - 1 FROM @S.sets s WHERE k.type = 'set' AND s.key = p_key
    UNION ALL
    SELECT z.member, row_number() OVER (ORDER BY z.score, z.member) - 1 FROM @S.zsets z
    WHERE k.type = 'zset' AND z.key = p_key
  ) e;
  -- Redis scores every element even when LIMIT keeps none: a bad score still fails.
  IF elems IS NULL OR (dontsort AND last_i < first_i) THEN
    RETURN '{}';
  END IF;

  IF dontsort THEN
    -- Lists and sorted sets walk from the tail under DESC; a set ignores it.
    SELECT array_agg(e.elem ORDER BY CASE WHEN p_desc AND k.type <> 'set' THEN -e.i ELSE e.i END)
    INTO elems
    FROM unnest(elems) WITH ORDINALITY AS e(elem, i);
  ELSE
    SELECT array_agg(e.elem ORDER BY e.i), array_agg(b.v ORDER BY e.i) INTO elems, sort_keys
    FROM unnest(elems) WITH ORDINALITY AS e(elem, i),
      LATERAL (SELECT CASE WHEN by_pattern IS NULL THEN e.elem ELSE @S.sort_lookup(by_pattern, e.elem) END AS v) b;
    IF NOT alpha THEN
      -- A missing BY value scores 0; anything else must be a number.
      SELECT array_agg(s.score ORDER BY s.i), bool_or(s.v IS NOT NULL AND s.score IS NULL) INTO scores, bad
      -- Plain decimals (escape encoding leaves them as they are) skip the call.
      FROM (SELECT b.i, b.v,
                   CASE WHEN b.v IS NULL THEN 0
                        WHEN encode(b.v, 'escape') ~ '^[+-]?[0-9]{1,20}(\\.[0-9]{0,20})?$' THEN encode(b.v, 'escape')::float8
                        ELSE @S.sort_strtod(b.v) END AS score
            FROM unnest(sort_keys) WITH ORDINALITY AS b(v, i)
            OFFSET 0) s;  -- a fence: each score is computed once, not once per use
      IF bad THEN
        PERFORM @S.raise('ERR One or more scores can''t be converted into double');
      END IF;
      sort_keys := elems;        -- equal scores: the elements, compared as bytes
    ELSE
      scores := array_fill(0::float8, ARRAY[cardinality(elems)]);
      IF NOT p_store THEN
        sort_keys := ARRAY(
          SELECT CASE WHEN position('\\x00'::bytea IN x) = 0 THEN x ELSE @S.sort_cstr(x) END
          FROM unnest(sort_keys) WITH ORDINALITY AS u(x, i) ORDER BY i);
      END IF;
    END IF;
    -- DESC negates the comparison; ties (ALPHA only) keep the collection's order.
    SELECT array_agg(s.elem ORDER BY
        CASE WHEN p_desc THEN s.score END DESC, CASE WHEN NOT p_desc THEN s.score END ASC,
        CASE WHEN p_desc THEN s.sort_key END DESC NULLS LAST, CASE WHEN NOT p_desc THEN s.sort_key END ASC NULLS FIRST,
        s.i)
    INTO elems
    FROM unnest(elems, sort_keys, scores) WITH ORDINALITY AS s(elem, sort_key, score, i);
  END IF;
  IF last_i < first_i THEN
    RETURN '{}';
  END IF;

  RETURN ARRAY(
    SELECT CASE WHEN g.pattern IS NULL THEN e.elem ELSE @S.sort_lookup(g.pattern, e.elem) END
    FROM unnest(elems[(first_i + 1)::integer : (last_i + 1)::integer]) WITH ORDINALITY AS e(elem, i)
    LEFT JOIN LATERAL unnest(p_gets) WITH ORDINALITY AS g(pattern, gi) ON true
    ORDER BY e.i, g.gi);
END $$;

-- SORT … STORE p_dest: the destination, of whatever type, is replaced by the
-- result as a list (no TTL; a GET that found nothing stores ""), or deleted
-- when the result is empty. Returns the result's length.
CREATE OR REPLACE FUNCTION @S.sort_store(p_dest text, p_key text, p_by bytea, p_offset bigint, p_count bigint,
    p_gets bytea[], p_desc boolean, p_alpha boolean) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  d @S.keys;
  result bytea[];
BEGIN
  d := @S.open_key(p_dest, NULL, false);
  -- Computed before the destination goes: it may be the source.
  result := @S.sort_result(p_key, p_by, p_offset, p_count, p_gets, p_desc, p_alpha, true);
  IF d.key IS NOT NULL THEN
    PERFORM @S.drop_key(p_dest, d.type);
  END IF;
  IF cardinality(result) = 0 THEN
    RETURN 0;
  END IF;
  PERFORM @S.open_key(p_dest, 'list', true);
  INSERT INTO @S.lists (key, pos, value)
  SELECT p_dest, r.i - 1, coalesce(r.v, ''::bytea) FROM unnest(result) WITH ORDINALITY AS r(v, i);
  UPDATE @S.keys SET list_head = 0 WHERE key = p_dest;
  PERFORM @S.close_key(p_dest, cardinality(result));
  RETURN cardinality(result);
END $$;
`;
