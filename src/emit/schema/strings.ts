/**
 * The string commands' write functions (SET and its family, INCR*, APPEND,
 * SETRANGE, GETDEL, GETEX, MSET*) and the pure helpers their reads share
 * (GETRANGE's index rules, Redis' integer and long double conversions).
 *
 * Every write locks the key's registry row first (`open_key`, see core.ts) and
 * reads the value only after that, so concurrent INCRs and APPENDs never lose
 * an update. Every successful write takes a new `version` (WATCH).
 */
import { createAsLeft } from './core.js';

export const STRINGS_DDL = /* sql */ `
-- The absolute expiry (Unix ms) of an EX/PX/EXAT/PXAT option, as Redis 7.0's
-- getExpireMillisecondsOrReply computes it in int64: a non-positive amount, EX
-- seconds beyond LLONG_MAX/1000, or a sum past LLONG_MAX (it wraps negative in
-- Redis) is "invalid expire time". p_command is the name Redis puts in the text.
CREATE OR REPLACE FUNCTION @S.string_expire_at(p_command text, p_unit text, p_amount bigint) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
  at numeric := p_amount;
BEGIN
  IF p_amount <= 0 OR (p_unit IN ('EX', 'EXAT') AND p_amount > 9223372036854775) THEN
    PERFORM @S.raise('ERR invalid expire time in ''' || p_command || ''' command');
  END IF;
  IF p_unit IN ('EX', 'EXAT') THEN
    at := at * 1000;
  END IF;
  IF p_unit IN ('EX', 'PX') THEN
    at := at + @S.now_ms();
  END IF;
  IF at > 9223372036854775807 THEN
    PERFORM @S.raise('ERR invalid expire time in ''' || p_command || ''' command');
  END IF;
  RETURN at;
END $$;

-- Redis' string2ll on a stored value: the bytes are a canonical int64 (no '+',
-- spaces, leading zeros or "-0", at most 20 bytes). NULL when they are not.
-- 'escape' encoding keeps digits and '-' as they are and turns every other
-- non-printable or non-ASCII byte into a backslash sequence, which the pattern rejects.
CREATE OR REPLACE FUNCTION @S.string_int64(p_value bytea) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  n numeric;
BEGIN
  IF octet_length(p_value) NOT BETWEEN 1 AND 20 OR encode(p_value, 'escape') !~ '^(0|-?[1-9][0-9]*)$' THEN
    RETURN NULL;
  END IF;
  n := encode(p_value, 'escape')::numeric;
  RETURN CASE WHEN n BETWEEN -9223372036854775808 AND 9223372036854775807 THEN n END;
END $$;

-- GETRANGE / SUBSTR with Redis 7.0's index rules (getrangeCommand): both
-- negative and start > end is empty; negatives count from the end and clamp
-- to 0 (so "0 -100" is the first byte); end clamps to the last byte.
CREATE OR REPLACE FUNCTION @S.string_range(p_value bytea, p_start bigint, p_end bigint) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  len bigint := octet_length(p_value);
  s bigint := p_start;
  e bigint := p_end;
BEGIN
  IF p_value IS NULL OR (s < 0 AND e < 0 AND s > e) THEN
    RETURN '\\x'::bytea;
  END IF;
  IF s < 0 THEN s := len + s; END IF;
  IF e < 0 THEN e := len + e; END IF;
  IF s < 0 THEN s := 0; END IF;
  IF e < 0 THEN e := 0; END IF;
  IF e >= len THEN e := len - 1; END IF;
  IF s > e OR len = 0 THEN
    RETURN '\\x'::bytea;
  END IF;
  RETURN substring(p_value FROM (s + 1)::integer FOR (e - s + 1)::integer);
END $$;

-- n NUL bytes (SETRANGE's padding), by doubling: O(n) without a huge text.
CREATE OR REPLACE FUNCTION @S.string_zeros(n bigint) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  z bytea := '\\x00'::bytea;
BEGIN
  IF n <= 0 THEN
    RETURN '\\x'::bytea;
  END IF;
  WHILE octet_length(z) < n LOOP
    z := z || z;
  END LOOP;
  RETURN substring(z FROM 1 FOR n::integer);
END $$;

-- Redis refuses to build a string longer than proto-max-bulk-len (512 MB by default).
CREATE OR REPLACE FUNCTION @S.string_check_length(p_length numeric) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF p_length > 536870912 THEN
    PERFORM @S.raise('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
  END IF;
END $$;

-- SET and its family (SETNX, SETEX, PSETEX, GETSET, MSET): store a string,
-- replacing a value of any type.
--   p_nx / p_xx   only when the key is absent / present (whatever its type);
--   p_get         the caller wants the old value: WRONGTYPE if it is not a string;
--   p_expires_at  the new TTL (NULL: none), unless p_keep_ttl keeps the current one.
-- written: whether the value was stored; old_value: the previous string value (p_get only).
CREATE OR REPLACE FUNCTION @S.set_string(
  p_key text, p_value bytea, p_nx boolean, p_xx boolean, p_get boolean,
  p_expires_at bigint, p_keep_ttl boolean,
  OUT written boolean, OUT old_value bytea)
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
BEGIN
  written := false;
  -- The common case in one statement: a live string or no key at all. The
  -- upsert locks the registry row and takes the new version and TTL; the value
  -- is written after the lock. Anything else (NX, GET, another type, an expired
  -- key) leaves FOUND false, the row possibly locked, for the general path.
  IF NOT p_nx AND NOT p_get THEN
    IF p_xx THEN
      UPDATE @S.keys
      SET expires_at = CASE WHEN p_keep_ttl THEN expires_at ELSE p_expires_at END,
          version = nextval('@S.versions')
      WHERE key = p_key AND type = 'string' AND @S.is_live(expires_at);
    ELSE
      INSERT INTO @S.keys AS cur (key, type, expires_at, version)
      VALUES (p_key, 'string', p_expires_at, nextval('@S.versions'))
      ON CONFLICT (key) DO UPDATE
      SET expires_at = CASE WHEN p_keep_ttl THEN cur.expires_at ELSE excluded.expires_at END,
          version = excluded.version
      WHERE cur.type = 'string' AND @S.is_live(cur.expires_at);
    END IF;
    IF FOUND THEN
      INSERT INTO @S.strings (key, value) VALUES (p_key, p_value)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value;
      written := true;
      RETURN;
    END IF;
  END IF;

  LOOP
    k := @S.open_key(p_key, NULL, false);
    EXIT WHEN k.key IS NOT NULL;
    IF p_xx THEN
      RETURN;
    END IF;
    -- Absent: create it. If another client created it since, lock theirs and start over.
    INSERT INTO @S.keys (key, type, expires_at, version)
    VALUES (p_key, 'string', p_expires_at, nextval('@S.versions'))
    ON CONFLICT (key) DO NOTHING;
    IF FOUND THEN
      INSERT INTO @S.strings (key, value) VALUES (p_key, p_value);
      written := true;
      RETURN;
    END IF;
  END LOOP;

  IF p_get AND k.type = 'string' THEN
    SELECT s.value INTO old_value FROM @S.strings s WHERE s.key = p_key;
  ELSIF p_get THEN
    PERFORM @S.raise('WRONGTYPE Operation against a key holding the wrong kind of value');
  END IF;
  IF p_nx THEN
    RETURN;
  END IF;

  IF k.type = 'string' THEN
    UPDATE @S.strings SET value = p_value WHERE key = p_key;
    UPDATE @S.keys
    SET expires_at = CASE WHEN p_keep_ttl THEN expires_at ELSE p_expires_at END,
        version = nextval('@S.versions')
    WHERE key = p_key;
  ELSE
    PERFORM @S.drop_key(p_key, k.type);
    INSERT INTO @S.keys (key, type, expires_at, version)
    VALUES (p_key, 'string', CASE WHEN p_keep_ttl THEN k.expires_at ELSE p_expires_at END, nextval('@S.versions'));
    INSERT INTO @S.strings (key, value) VALUES (p_key, p_value);
  END IF;
  written := true;
END $$;

-- MSET: every pair set, the last value of a repeated key winning. Keys are
-- locked in one order (byte order) so that two MSETs cannot deadlock.
CREATE OR REPLACE FUNCTION @S.mset(p_keys text[], p_values bytea[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT DISTINCT ON (t.key COLLATE "C") t.key, t.value
    FROM unnest(p_keys, p_values) WITH ORDINALITY AS t(key, value, i)
    ORDER BY t.key COLLATE "C", t.i DESC
  LOOP
    PERFORM @S.set_string(r.key, r.value, false, false, false, NULL, false);
  END LOOP;
END $$;

-- MSETNX: all pairs or none. A key that exists (or is created concurrently)
-- undoes the pairs already set: they are written in a subtransaction that the
-- private SQLSTATE RD001 rolls back.
CREATE OR REPLACE FUNCTION @S.msetnx(p_keys text[], p_values bytea[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  BEGIN
    FOR r IN
      SELECT DISTINCT ON (t.key COLLATE "C") t.key, t.value
      FROM unnest(p_keys, p_values) WITH ORDINALITY AS t(key, value, i)
      ORDER BY t.key COLLATE "C", t.i DESC
    LOOP
      IF NOT (SELECT s.written FROM @S.set_string(r.key, r.value, true, false, false, NULL, false) s) THEN
        RAISE EXCEPTION USING ERRCODE = 'RD001', MESSAGE = 'msetnx: key exists';
      END IF;
    END LOOP;
  EXCEPTION WHEN SQLSTATE 'RD001' THEN
    RETURN 0;
  END;
  RETURN 1;
END $$;

-- GETDEL: the string value, and the key deleted (WRONGTYPE for other types).
CREATE OR REPLACE FUNCTION @S.getdel(p_key text) RETURNS bytea
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  v bytea;
BEGIN
  k := @S.open_key(p_key, 'string', false);
  IF k.key IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT s.value INTO v FROM @S.strings s WHERE s.key = p_key;
  PERFORM @S.drop_key(p_key, 'string');
  RETURN v;
END $$;

-- GETEX: the string value, and its TTL changed. Redis converts and checks the
-- amount (the bytes given) only once it has found a string, and deletes the
-- key when EXAT/PXAT is already past. p_unit NULL and p_persist false: a plain GET.
CREATE OR REPLACE FUNCTION @S.getex(p_key text, p_unit text, p_amount bytea, p_persist boolean) RETURNS bytea
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  v bytea;
  n numeric;
  at bigint;
BEGIN
  k := @S.open_key(p_key, 'string', false);
  IF k.key IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT s.value INTO v FROM @S.strings s WHERE s.key = p_key;
  IF p_unit IS NOT NULL THEN
    n := @S.string_int64(p_amount);
    IF n IS NULL THEN
      PERFORM @S.raise('ERR value is not an integer or out of range');
    END IF;
    at := @S.string_expire_at('getex', p_unit, n::bigint);
    IF p_unit IN ('EXAT', 'PXAT') AND at <= @S.now_ms() THEN
      PERFORM @S.drop_key(p_key, 'string');
    ELSE
      UPDATE @S.keys SET expires_at = at, version = nextval('@S.versions') WHERE key = p_key;
    END IF;
  ELSIF p_persist AND k.expires_at IS NOT NULL THEN
    UPDATE @S.keys SET expires_at = NULL, version = nextval('@S.versions') WHERE key = p_key;
  END IF;
  RETURN v;
END $$;

-- INCR, DECR, INCRBY, DECRBY: int64 arithmetic on the stored bytes; the TTL stays.
-- DECRBY's delta: the decrement negated, refused (before the key is looked
-- at, as Redis does) when its negation does not fit int64. In SQL so that a
-- decrement known only at run time is checked the same way.
CREATE OR REPLACE FUNCTION @S.decrement(p_decrement bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
  IF p_decrement = -9223372036854775808 THEN
    PERFORM @S.raise('ERR decrement would overflow');
  END IF;
  RETURN -p_decrement;
END $$;

-- The stored bytes plus p_delta, as INCRBY computes it: the bytes must be a
-- canonical int64 (string_int64's rule) and the sum must fit int64, else
-- Redis' error. One CASE, so that the planner inlines it into the statement
-- that updates the value (volatile: it may fail, see @S.fail).
CREATE OR REPLACE FUNCTION @S.string_incr(p_value bytea, p_delta bigint) RETURNS bigint
LANGUAGE sql AS $$
  SELECT CASE
    WHEN NOT (octet_length(p_value) BETWEEN 1 AND 20 AND encode(p_value, 'escape') ~ '^(0|-?[1-9][0-9]*)$')
      OR encode(p_value, 'escape')::numeric NOT BETWEEN -9223372036854775808 AND 9223372036854775807
      THEN @S.fail('ERR value is not an integer or out of range', NULL::bigint)
    WHEN encode(p_value, 'escape')::numeric + p_delta NOT BETWEEN -9223372036854775808 AND 9223372036854775807
      THEN @S.fail('ERR increment or decrement would overflow', NULL::bigint)
    ELSE (encode(p_value, 'escape')::numeric + p_delta)::bigint
  END
$$;

CREATE OR REPLACE FUNCTION @S.incrby(p_key text, p_delta bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  v bytea;
  n numeric;
  live boolean;
BEGIN
  -- A live string (the common case): one statement locks it and takes the new
  -- version (an error below undoes that). An absent key is created as INCR
  -- leaves it; anything else (expired, another type) takes open_key's way.
  UPDATE @S.keys SET version = nextval('@S.versions')
  WHERE key = p_key AND type = 'string' AND @S.is_live(expires_at);
  live := FOUND;
  IF NOT live THEN
    ${createAsLeft({
      pad: '    ',
      type: 'string',
      size: '0',
      then: `
INSERT INTO @S.strings (key, value) VALUES (p_key, convert_to(p_delta::text, 'UTF8'));
RETURN p_delta;`,
    })}
    PERFORM @S.open_key(p_key, 'string', true);
  END IF;
  SELECT s.value INTO v FROM @S.strings s WHERE s.key = p_key;
  n := CASE WHEN v IS NULL THEN 0 ELSE @S.string_int64(v) END;
  IF n IS NULL THEN
    PERFORM @S.raise('ERR value is not an integer or out of range');
  END IF;
  n := n + p_delta;
  IF n NOT BETWEEN -9223372036854775808 AND 9223372036854775807 THEN
    PERFORM @S.raise('ERR increment or decrement would overflow');
  END IF;
  IF live THEN
    UPDATE @S.strings SET value = convert_to(n::text, 'UTF8') WHERE key = p_key;
  ELSE
    INSERT INTO @S.strings (key, value) VALUES (p_key, convert_to(n::text, 'UTF8'))
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
    PERFORM @S.touch_key(p_key);
  END IF;
  RETURN n;
END $$;

-- APPEND: the new length; a missing key starts empty, the TTL stays.
CREATE OR REPLACE FUNCTION @S.append(p_key text, p_value bytea) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  len bigint;
  live boolean;
BEGIN
  -- A live string: one statement locks it and takes the new version (as incrby does). An
  -- absent key is created as APPEND leaves it; anything else takes open_key's way.
  UPDATE @S.keys SET version = nextval('@S.versions')
  WHERE key = p_key AND type = 'string' AND @S.is_live(expires_at);
  live := FOUND;
  IF NOT live THEN
    ${createAsLeft({
      pad: '    ',
      type: 'string',
      size: '0',
      then: `
INSERT INTO @S.strings (key, value) VALUES (p_key, p_value);
RETURN octet_length(p_value);`,
    })}
    PERFORM @S.open_key(p_key, 'string', true);
  END IF;
  SELECT octet_length(s.value) INTO len FROM @S.strings s WHERE s.key = p_key;
  IF len IS NULL THEN
    -- A new key takes the value as it is (Redis does not check its length here).
    INSERT INTO @S.strings (key, value) VALUES (p_key, p_value);
    len := octet_length(p_value);
  ELSE
    len := len + octet_length(p_value);
    PERFORM @S.string_check_length(len);
    UPDATE @S.strings SET value = value || p_value WHERE key = p_key;
  END IF;
  IF NOT live THEN
    PERFORM @S.touch_key(p_key);
  END IF;
  RETURN len;
END $$;

-- SETRANGE: overwrite from p_offset (padding with NUL bytes), the new length.
-- An empty value changes nothing and creates nothing (the length, or 0).
-- The offset's sign is checked by the translator (Redis does it before the lookup).
CREATE OR REPLACE FUNCTION @S.setrange(p_key text, p_offset bigint, p_value bytea) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  v bytea;
  live boolean := false;
BEGIN
  -- A value to write: a live string is locked by the statement that takes its new version
  -- (as incrby does; an error below undoes it), an absent key is created as SETRANGE leaves
  -- it when its length is allowed. Anything else (an empty value, which writes nothing; an
  -- expired key, another type, an error to raise) takes open_key's way.
  IF octet_length(p_value) > 0 THEN
    UPDATE @S.keys SET version = nextval('@S.versions')
    WHERE key = p_key AND type = 'string' AND @S.is_live(expires_at);
    live := FOUND;
    -- (536870912: string_check_length's limit, tested here without raising.)
    IF NOT live AND p_offset::numeric + octet_length(p_value) <= 536870912 THEN
      ${createAsLeft({
        pad: '      ',
        type: 'string',
        size: '0',
        then: `
INSERT INTO @S.strings (key, value)
VALUES (p_key, CASE WHEN p_offset = 0 THEN p_value ELSE @S.string_zeros(p_offset) || p_value END);
RETURN p_offset + octet_length(p_value);`,
      })}
    END IF;
  END IF;
  IF NOT live THEN
    k := @S.open_key(p_key, 'string', false);
  END IF;
  IF live OR k.key IS NOT NULL THEN
    SELECT s.value INTO v FROM @S.strings s WHERE s.key = p_key;
  END IF;
  IF octet_length(p_value) = 0 THEN
    RETURN coalesce(octet_length(v), 0);
  END IF;
  PERFORM @S.string_check_length(p_offset::numeric + octet_length(p_value));
  IF NOT live AND k.key IS NULL THEN
    PERFORM @S.open_key(p_key, 'string', true);
    v := '\\x'::bytea;
  END IF;
  IF octet_length(v) < p_offset THEN
    v := v || @S.string_zeros(p_offset - octet_length(v));
  END IF;
  v := overlay(v PLACING p_value FROM (p_offset + 1)::integer FOR octet_length(p_value));
  IF live THEN
    UPDATE @S.strings SET value = v WHERE key = p_key;
  ELSE
    INSERT INTO @S.strings (key, value) VALUES (p_key, v)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
    PERFORM @S.touch_key(p_key);
  END IF;
  RETURN octet_length(v);
END $$;

-- ---------------------------------------------------------------- INCRBYFLOAT
-- Redis 7.0 reads both numbers with strtold, adds them in x87 80-bit long
-- double (64-bit mantissa, 15-bit exponent) and prints "%.17Lf" with trailing
-- zeros trimmed. Here a long double is m * 2^-j (m a signed integer of at most
-- 64 bits, j an integer; m = ±Infinity when it overflowed), computed exactly
-- with numeric and rounded to nearest, ties to even, at each step as the FPU does.

-- Round p_num / p_den (p_den > 0) to the nearest long double.
CREATE OR REPLACE FUNCTION @S.ld_round(p_num numeric, p_den numeric, OUT m numeric, OUT j integer)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  a numeric := abs(p_num);
  e integer;
  num numeric;
  den numeric;
  q numeric;
  r numeric;
BEGIN
  IF a = 0 THEN
    m := 0;
    j := 0;
    RETURN;
  END IF;
  -- e = floor(log2(a / p_den)): estimate with logarithms, then make it exact.
  e := floor(log(2, a) - log(2, p_den))::integer;
  LOOP
    IF e >= 0 AND a < p_den * power(2::numeric, e) OR e < 0 AND a * power(2::numeric, -e) < p_den THEN
      e := e - 1;
    ELSIF e + 1 >= 0 AND a >= p_den * power(2::numeric, e + 1) OR e + 1 < 0 AND a * power(2::numeric, -(e + 1)) >= p_den THEN
      e := e + 1;
    ELSE
      EXIT;
    END IF;
  END LOOP;
  -- 64 significant bits; below the smallest normal (2^-16382) the grid is 2^-16445 (subnormals).
  j := least(63 - e, 16445);
  IF j >= 0 THEN
    num := a * power(2::numeric, j);
    den := p_den;
  ELSE
    num := a;
    den := p_den * power(2::numeric, -j);
  END IF;
  q := div(num, den);
  r := num - q * den;
  IF 2 * r > den OR (2 * r = den AND mod(q, 2) = 1) THEN
    q := q + 1;
  END IF;
  IF q = power(2::numeric, 64) THEN
    q := power(2::numeric, 63);
    j := j - 1;
  END IF;
  -- The leading bit is 2^(63 - j): from 2^16384 on, the value is out of range.
  IF 63 - j >= 16384 THEN
    m := CASE WHEN p_num < 0 THEN '-Infinity'::numeric ELSE 'Infinity'::numeric END;
    j := 0;
    RETURN;
  END IF;
  m := CASE WHEN p_num < 0 THEN -q ELSE q END;
END $$;
-- strtold as Redis' string2ld accepts it: the whole value (decimal, hexadecimal
-- with a binary exponent, inf/infinity in any case), no leading space, not NaN,
-- neither overflowing to ±inf nor underflowing to 0, shorter than 5120 bytes.
-- m is NULL when Redis would say "not a valid float". 'escape' encoding turns
-- every byte a number cannot contain into a backslash sequence the patterns reject.
CREATE OR REPLACE FUNCTION @S.ld_parse(p_value bytea, OUT m numeric, OUT j integer)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  t text;
  p text[];
  neg boolean;
  digits text;
  ex numeric;
  scale integer;
  n numeric := 0;
  lead numeric;
  r record;
BEGIN
  IF octet_length(p_value) NOT BETWEEN 1 AND 5119 THEN
    RETURN;
  END IF;
  t := encode(p_value, 'escape');
  IF t ~* '^[+-]?inf(inity)?$' THEN
    m := CASE WHEN left(t, 1) = '-' THEN '-Infinity' ELSE 'Infinity' END::numeric;
    j := 0;
    RETURN;
  END IF;
  p := regexp_match(t, '^([+-]?)0[xX]([0-9a-fA-F]*)(?:\\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$');
  IF p IS NOT NULL THEN
    -- value = hex digits * 2^(exponent - 4 * fraction digits)
    digits := ltrim(p[2] || coalesce(p[3], ''), '0');
    IF p[2] || coalesce(p[3], '') = '' THEN
      RETURN;
    END IF;
    ex := coalesce(p[4], '0')::numeric - 4 * length(coalesce(p[3], ''));
    lead := 4 * length(digits) + ex;
  ELSE
    p := regexp_match(t, '^([+-]?)([0-9]*)(?:\\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$');
    IF p IS NULL OR p[2] || coalesce(p[3], '') = '' THEN
      RETURN;
    END IF;
    -- value = decimal digits * 10^(exponent - fraction digits)
    digits := ltrim(p[2] || coalesce(p[3], ''), '0');
    ex := coalesce(p[4], '0')::numeric - length(coalesce(p[3], ''));
    lead := length(digits) + ex;
  END IF;
  neg := p[1] = '-';
  IF digits = '' THEN
    m := 0;
    j := 0;
    RETURN;
  END IF;
  -- Far outside the long double range (about 2^±16445, 10^±4951): ERANGE.
  IF (t ~* '^[+-]?0x' AND (lead > 16400 OR lead < -16500)) OR (t !~* '^[+-]?0x' AND (lead > 4940 OR lead < -4960)) THEN
    RETURN;
  END IF;
  IF t ~* '^[+-]?0x' THEN
    FOR i IN 1 .. length(digits) LOOP
      n := n * 16 + position(lower(substr(digits, i, 1)) IN '0123456789abcdef') - 1;
    END LOOP;
    scale := ex::integer;
    IF scale >= 0 THEN
      SELECT * INTO r FROM @S.ld_round(n * power(2::numeric, scale), 1);
    ELSE
      SELECT * INTO r FROM @S.ld_round(n, power(2::numeric, -scale));
    END IF;
  ELSE
    scale := ex::integer;
    IF scale >= 0 THEN
      SELECT * INTO r FROM @S.ld_round((digits || repeat('0', scale))::numeric, 1);
    ELSE
      SELECT * INTO r FROM @S.ld_round(digits::numeric, ('1' || repeat('0', -scale))::numeric);
    END IF;
  END IF;
  -- Overflow to infinity or underflow to zero: strtold's ERANGE, which Redis refuses.
  IF r.m = 0 OR r.m = 'Infinity'::numeric THEN
    RETURN;
  END IF;
  m := CASE WHEN neg THEN -r.m ELSE r.m END;
  j := r.j;
END $$;

-- The sum of two long doubles, rounded once (NaN or ±Infinity when not finite).
CREATE OR REPLACE FUNCTION @S.ld_add(m1 numeric, j1 integer, m2 numeric, j2 integer, OUT m numeric, OUT j integer)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  jj integer := greatest(j1, j2);
  s numeric;
  r record;
BEGIN
  IF m1 IN ('Infinity', '-Infinity') OR m2 IN ('Infinity', '-Infinity') THEN
    m := m1 + m2;
    j := 0;
    RETURN;
  END IF;
  s := m1 * power(2::numeric, jj - j1) + m2 * power(2::numeric, jj - j2);
  IF jj >= 0 THEN
    SELECT * INTO r FROM @S.ld_round(s, power(2::numeric, jj));
  ELSE
    SELECT * INTO r FROM @S.ld_round(s * power(2::numeric, -jj), 1);
  END IF;
  m := r.m;
  j := r.j;
END $$;

-- "%.17Lf" with the trailing zeros (and a bare '.') trimmed, "-0" printed "0":
-- the exact binary value rounded to 17 decimals, ties to even.
CREATE OR REPLACE FUNCTION @S.ld_format(p_m numeric, p_j integer) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  num numeric;
  den numeric;
  q numeric;
  r numeric;
  t text;
BEGIN
  IF p_j >= 0 THEN
    num := abs(p_m) * 100000000000000000;
    den := power(2::numeric, p_j);
  ELSE
    num := abs(p_m) * power(2::numeric, -p_j) * 100000000000000000;
    den := 1;
  END IF;
  q := div(num, den);
  r := num - q * den;
  IF 2 * r > den OR (2 * r = den AND mod(q, 2) = 1) THEN
    q := q + 1;
  END IF;
  IF q = 0 THEN
    RETURN '0';
  END IF;
  t := trunc(q)::text;
  t := lpad(t, greatest(length(t), 18), '0');
  t := rtrim(rtrim(left(t, length(t) - 17) || '.' || right(t, 17), '0'), '.');
  RETURN CASE WHEN p_m < 0 THEN '-' || t ELSE t END;
END $$;

-- INCRBYFLOAT: the new value as Redis prints it; the TTL stays.
CREATE OR REPLACE FUNCTION @S.incrbyfloat(p_key text, p_increment bytea) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v bytea;
  a record;
  b record;
  s record;
  t text;
  live boolean;
BEGIN
  -- A live string: one statement locks it and takes the new version (as incrby does). An
  -- absent key is created as INCRBYFLOAT leaves it when the increment alone is a valid
  -- result; anything else (expired, another type, an error to raise) takes open_key's way.
  UPDATE @S.keys SET version = nextval('@S.versions')
  WHERE key = p_key AND type = 'string' AND @S.is_live(expires_at);
  live := FOUND;
  IF NOT live THEN
    SELECT * INTO b FROM @S.ld_parse(p_increment);
    IF b.m IS NOT NULL THEN
      SELECT * INTO s FROM @S.ld_add(0, 0, b.m, b.j);
      IF s.m NOT IN ('NaN', 'Infinity', '-Infinity') THEN
        t := @S.ld_format(s.m, s.j);
        ${createAsLeft({
          pad: '        ',
          type: 'string',
          size: '0',
          then: `
INSERT INTO @S.strings (key, value) VALUES (p_key, convert_to(t, 'UTF8'));
RETURN t;`,
        })}
      END IF;
    END IF;
    PERFORM @S.open_key(p_key, 'string', true);
  END IF;
  SELECT st.value INTO v FROM @S.strings st WHERE st.key = p_key;
  IF v IS NULL THEN
    SELECT 0::numeric AS m, 0 AS j INTO a;
  ELSE
    SELECT * INTO a FROM @S.ld_parse(v);
  END IF;
  SELECT * INTO b FROM @S.ld_parse(p_increment);
  IF a.m IS NULL OR b.m IS NULL THEN
    PERFORM @S.raise('ERR value is not a valid float');
  END IF;
  SELECT * INTO s FROM @S.ld_add(a.m, a.j, b.m, b.j);
  IF s.m IN ('NaN', 'Infinity', '-Infinity') THEN
    PERFORM @S.raise('ERR increment would produce NaN or Infinity');
  END IF;
  t := @S.ld_format(s.m, s.j);
  IF live THEN
    UPDATE @S.strings SET value = convert_to(t, 'UTF8') WHERE key = p_key;
  ELSE
    INSERT INTO @S.strings (key, value) VALUES (p_key, convert_to(t, 'UTF8'))
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
    PERFORM @S.touch_key(p_key);
  END IF;
  RETURN t;
END $$;
-- ------------------------------------------------------------------------ LCS
-- LCS key1 key2: Redis 7.0's dynamic programme over the bytes (lcsCommand),
-- walked back from the end the same way (on a tie it moves along key2), so the
-- string and the match ranges are exactly Redis'. O(len1 * len2) time, like
-- Redis, and memory for the table (Redis refuses one over proto-max-bulk-len).
--   p_len / p_idx      the LEN / IDX options (both: Redis' error, after the type check);
--   p_min_match_len    IDX ranges shorter than this are left out (the bytes given:
--                      Redis converts them after the type check; negative is 0);
--   p_with_match_len   IDX ranges carry their length.
-- lcs: the common subsequence (not computed for LEN alone); len: its length;
-- idx: '["matches", [[[a0, a1], [b0, b1](, n)], …], "len", len]' as JSON text.
CREATE OR REPLACE FUNCTION @S.lcs(
  p_key1 text, p_key2 text, p_len boolean, p_idx boolean, p_min_match_len bytea, p_with_match_len boolean,
  OUT lcs bytea, OUT len bigint, OUT idx text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  a bytea;
  b bytea;
  type_a text;
  type_b text;
  alen integer;
  blen integer;
  w integer;
  t integer[];
  i integer;
  j integer;
  found_bytes integer[] := '{}';
  matches jsonb := '[]';
  a_start integer;
  a_end integer;
  b_start integer;
  b_end integer;
  emit boolean;
  min_len numeric := 0;
BEGIN
  SELECT k.type, s.value INTO type_a, a
  FROM @S.keys k LEFT JOIN @S.strings s ON s.key = k.key
  WHERE k.key = p_key1 AND @S.is_live(k.expires_at);
  SELECT k.type, s.value INTO type_b, b
  FROM @S.keys k LEFT JOIN @S.strings s ON s.key = k.key
  WHERE k.key = p_key2 AND @S.is_live(k.expires_at);
  IF type_a <> 'string' OR type_b <> 'string' THEN
    PERFORM @S.raise('ERR The specified keys must contain string values');
  END IF;
  IF p_min_match_len IS NOT NULL THEN
    min_len := @S.string_int64(p_min_match_len);
    IF min_len IS NULL THEN
      PERFORM @S.raise('ERR value is not an integer or out of range');
    END IF;
    min_len := greatest(min_len, 0);
  END IF;
  IF p_len AND p_idx THEN
    PERFORM @S.raise('ERR If you want both the length and indexes, please just use IDX.');
  END IF;
  a := coalesce(a, '\\x'::bytea);
  b := coalesce(b, '\\x'::bytea);
  alen := octet_length(a);
  blen := octet_length(b);
  IF (alen + 1)::bigint * (blen + 1) * 4 > 536870912 THEN
    PERFORM @S.raise('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  END IF;
  -- t holds LCS(i, j), the LCS length of a's first i bytes and b's first j, at t[i * w + j + 1].
  w := blen + 1;
  t := array_fill(0, ARRAY[(alen + 1) * w]);
  FOR i IN 1 .. alen LOOP
    FOR j IN 1 .. blen LOOP
      IF get_byte(a, i - 1) = get_byte(b, j - 1) THEN
        t[i * w + j + 1] := t[(i - 1) * w + j] + 1;
      ELSE
        t[i * w + j + 1] := greatest(t[(i - 1) * w + j + 1], t[i * w + j]);
      END IF;
    END LOOP;
  END LOOP;
  len := t[alen * w + blen + 1];

  IF p_idx OR NOT p_len THEN
    -- Walk back from (alen, blen); found_bytes collects the LCS from its end.
    -- a_start = alen: no range is open.
    i := alen;
    j := blen;
    a_start := alen;
    WHILE i > 0 AND j > 0 LOOP
      emit := false;
      IF get_byte(a, i - 1) = get_byte(b, j - 1) THEN
        found_bytes := found_bytes || get_byte(a, i - 1);
        IF a_start = alen THEN
          a_start := i - 1;
          a_end := i - 1;
          b_start := j - 1;
          b_end := j - 1;
        ELSIF a_start = i AND b_start = j THEN
          a_start := a_start - 1;
          b_start := b_start - 1;
        ELSE
          emit := true;
        END IF;
        IF a_start = 0 OR b_start = 0 THEN
          emit := true;
        END IF;
        i := i - 1;
        j := j - 1;
      ELSE
        IF t[(i - 1) * w + j + 1] > t[i * w + j] THEN
          i := i - 1;
        ELSE
          j := j - 1;
        END IF;
        IF a_start <> alen THEN
          emit := true;
        END IF;
      END IF;
      IF emit THEN
        IF min_len = 0 OR a_end - a_start + 1 >= min_len THEN
          matches := matches || jsonb_build_array(
            jsonb_build_array(jsonb_build_array(a_start, a_end), jsonb_build_array(b_start, b_end))
            || CASE WHEN p_with_match_len THEN jsonb_build_array(a_end - a_start + 1) ELSE '[]'::jsonb END);
        END IF;
        a_start := alen;
      END IF;
    END LOOP;
    SELECT coalesce(string_agg(set_byte('\\x00'::bytea, 0, x.byte), '\\x'::bytea ORDER BY x.n DESC), '\\x'::bytea)
    INTO lcs
    FROM unnest(found_bytes) WITH ORDINALITY AS x(byte, n);
  END IF;
  IF p_idx THEN
    idx := jsonb_build_array('matches', matches, 'len', len)::text;
  END IF;
END $$;
`;
