/**
 * The hash commands' write functions (HSET/HMSET/HSETNX, HDEL, HINCRBY,
 * HINCRBYFLOAT) and the member slots that HSCAN and SSCAN walk.
 *
 * Every write takes the key with `open_key` (its registry row locked) before
 * it reads a field, so concurrent HINCRBYs never lose an update; it ends with
 * `close_key`, which records the exact field count in `keys.size` (HLEN reads
 * it) and a new version, or deletes the hash when it is left empty.
 */
import { createAsLeft, distinctCount } from './core.js';

export const HASHES_DDL = /* sql */ `
-- HSCAN/SSCAN order: a 53-bit hash of a field or member, from 1 to 2^53 (0 is
-- the cursor that ends a scan), as SCAN's scan_slot does for keys. An element
-- keeps its slot while others come and go, so a cursor (the next slot to visit)
-- never skips an element present for the whole scan; elements sharing a slot
-- are returned together. Hex keeps NUL bytes out of the text hashed.
CREATE OR REPLACE FUNCTION @S.member_slot(member bytea) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (hashtextextended(encode(member, 'hex'), 0) >> 11) + 4503599627370497
$$;
CREATE INDEX IF NOT EXISTS hashes_scan_slot ON @S.hashes (key, @S.member_slot(field));

-- What HSCAN/SSCAN check once the key is found, in Redis' order: the type
-- first, then the options (p_error: COUNT's error, found by the translator).
-- A missing key answers an empty scan whatever the options say.
CREATE OR REPLACE FUNCTION @S.scan_check(actual text, expected text, p_error text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
  PERFORM @S.expect_type(actual, expected);
  IF actual IS NOT NULL AND p_error IS NOT NULL THEN
    PERFORM @S.raise(p_error);
  END IF;
  RETURN true;
END $$;

-- HSET / HMSET (p_nx false) and HSETNX (p_nx true): the number of fields added.
-- A field given twice takes its last value, as in Redis.
CREATE OR REPLACE FUNCTION @S.hset(p_key text, p_fields bytea[], p_values bytea[], p_nx boolean) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  added bigint;
  bumped boolean;
BEGIN
  -- HSET always counts as a write (WATCH), so a live hash is locked and takes
  -- its new version in one statement; HSETNX and other keys take the long way.
  IF NOT p_nx THEN
    UPDATE @S.keys SET version = nextval('@S.versions')
    WHERE key = p_key AND type = 'hash' AND @S.is_live(expires_at)
    RETURNING * INTO k;
  END IF;
  bumped := k.key IS NOT NULL;
  IF NOT bumped THEN
    -- An absent key (the other common case) is created as the command leaves it.
    ${createAsLeft({
      pad: '    ',
      type: 'hash',
      size: distinctCount('p_fields'),
      then: `
INSERT INTO @S.hashes (key, field, value)
SELECT DISTINCT ON (u.f) p_key, u.f, u.v
FROM unnest(p_fields, p_values) WITH ORDINALITY AS u(f, v, i)
ORDER BY u.f, u.i DESC;
GET DIAGNOSTICS added = ROW_COUNT;
RETURN added;`,
    })}
    k := @S.open_key(p_key, 'hash', true);
  END IF;
  IF p_nx THEN
    SELECT count(*) INTO added
    FROM (SELECT DISTINCT f FROM unnest(p_fields) AS f) AS given
    WHERE NOT EXISTS (SELECT FROM @S.hashes h WHERE h.key = p_key AND h.field = given.f);
    IF added = 0 THEN
      RETURN 0;
    END IF;
    INSERT INTO @S.hashes (key, field, value)
    SELECT p_key, u.f, u.v FROM unnest(p_fields, p_values) AS u(f, v)
    ON CONFLICT (key, field) DO NOTHING;
  ELSE
    -- The upsert itself tells added fields from replaced ones: a row it
    -- inserted has no xmax, a row it updated carries its lock. One statement
    -- instead of counting the missing fields first.
    WITH upsert AS (
      INSERT INTO @S.hashes AS h (key, field, value)
      SELECT DISTINCT ON (u.f) p_key, u.f, u.v
      FROM unnest(p_fields, p_values) WITH ORDINALITY AS u(f, v, i)
      ORDER BY u.f, u.i DESC
      ON CONFLICT (key, field) DO UPDATE SET value = excluded.value
      RETURNING h.xmax = 0 AS inserted)
    SELECT count(*) FILTER (WHERE inserted) INTO added FROM upsert;
  END IF;
  IF added > 0 OR NOT bumped THEN
    -- close_key's update, inline (a nested call costs more): the size only grows here.
    UPDATE @S.keys SET size = k.size + added, version = nextval('@S.versions') WHERE key = p_key;
  END IF;
  RETURN added;
END $$;

-- HDEL: the number of fields removed; the hash goes when its last field does.
CREATE OR REPLACE FUNCTION @S.hdel(p_key text, p_fields bytea[]) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  removed bigint;
BEGIN
  k := @S.open_key(p_key, 'hash', false);
  IF k.key IS NULL THEN
    RETURN 0;
  END IF;
  DELETE FROM @S.hashes WHERE key = p_key AND field = ANY (p_fields);
  GET DIAGNOSTICS removed = ROW_COUNT;
  IF removed > 0 THEN
    PERFORM @S.close_key(p_key, k.size - removed);
  END IF;
  RETURN removed;
END $$;

-- HINCRBY: the new value. The stored value must be a canonical int64
-- (string2ll, as INCR reads strings); the sum must stay within int64.
CREATE OR REPLACE FUNCTION @S.hincrby(p_key text, p_field bytea, p_delta bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  k_size bigint;
  v bytea;
  n numeric := 0;
BEGIN
  -- A live hash (the common case) is locked by this function's own statement, an absent key
  -- created with its one field's size: the nested open_key and close_key calls (and a second
  -- write of the registry row) cost more than the increment. Anything else takes open_key's way.
  SELECT size INTO k_size FROM @S.keys
  WHERE key = p_key AND type = 'hash' AND @S.is_live(expires_at) FOR UPDATE;
  IF NOT FOUND THEN
    ${createAsLeft({
      pad: '    ',
      type: 'hash',
      size: '1',
      then: `
INSERT INTO @S.hashes (key, field, value) VALUES (p_key, p_field, convert_to(p_delta::text, 'UTF8'));
RETURN p_delta;`,
    })}
    k_size := (@S.open_key(p_key, 'hash', true)).size;
  END IF;
  SELECT h.value INTO v FROM @S.hashes h WHERE h.key = p_key AND h.field = p_field;
  IF FOUND THEN
    n := @S.string_int64(v);
    IF n IS NULL THEN
      PERFORM @S.raise('ERR hash value is not an integer');
    END IF;
  END IF;
  n := n + p_delta;
  IF n NOT BETWEEN -9223372036854775808 AND 9223372036854775807 THEN
    PERFORM @S.raise('ERR increment or decrement would overflow');
  END IF;
  INSERT INTO @S.hashes (key, field, value) VALUES (p_key, p_field, convert_to(n::text, 'UTF8'))
  ON CONFLICT (key, field) DO UPDATE SET value = excluded.value;
  UPDATE @S.keys SET size = k_size + CASE WHEN v IS NULL THEN 1 ELSE 0 END, version = nextval('@S.versions')
  WHERE key = p_key;
  RETURN n;
END $$;

-- HINCRBYFLOAT: the new value as Redis prints it, with INCRBYFLOAT's long
-- double arithmetic (ld_parse/ld_add/ld_format of strings.ts). Redis reads the
-- increment before it looks at the key, so its errors come before WRONGTYPE.
CREATE OR REPLACE FUNCTION @S.hincrbyfloat(p_key text, p_field bytea, p_increment bytea) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  k_size bigint;
  v bytea;
  a record;
  b record;
  s record;
  t text;
BEGIN
  SELECT * INTO b FROM @S.ld_parse(p_increment);
  IF b.m IS NULL THEN
    PERFORM @S.raise('ERR value is not a valid float');
  ELSIF b.m IN ('Infinity', '-Infinity') THEN
    PERFORM @S.raise('ERR value is NaN or Infinity');
  END IF;
  -- As hincrby: a live hash is locked by this function's own statement, an absent key created
  -- with its one field as the increment alone leaves it; anything else takes open_key's way.
  SELECT size INTO k_size FROM @S.keys
  WHERE key = p_key AND type = 'hash' AND @S.is_live(expires_at) FOR UPDATE;
  IF NOT FOUND THEN
    SELECT * INTO s FROM @S.ld_add(0, 0, b.m, b.j);
    IF s.m NOT IN ('NaN', 'Infinity', '-Infinity') THEN
      t := @S.ld_format(s.m, s.j);
      ${createAsLeft({
        pad: '      ',
        type: 'hash',
        size: '1',
        then: `
INSERT INTO @S.hashes (key, field, value) VALUES (p_key, p_field, convert_to(t, 'UTF8'));
RETURN t;`,
      })}
    END IF;
    k_size := (@S.open_key(p_key, 'hash', true)).size;
  END IF;
  SELECT h.value INTO v FROM @S.hashes h WHERE h.key = p_key AND h.field = p_field;
  IF v IS NULL THEN
    SELECT 0::numeric AS m, 0 AS j INTO a;
  ELSE
    SELECT * INTO a FROM @S.ld_parse(v);
    IF a.m IS NULL THEN
      PERFORM @S.raise('ERR hash value is not a float');
    END IF;
  END IF;
  SELECT * INTO s FROM @S.ld_add(a.m, a.j, b.m, b.j);
  IF s.m IN ('NaN', 'Infinity', '-Infinity') THEN
    PERFORM @S.raise('ERR increment would produce NaN or Infinity');
  END IF;
  t := @S.ld_format(s.m, s.j);
  INSERT INTO @S.hashes (key, field, value) VALUES (p_key, p_field, convert_to(t, 'UTF8'))
  ON CONFLICT (key, field) DO UPDATE SET value = excluded.value;
  UPDATE @S.keys SET size = k_size + CASE WHEN v IS NULL THEN 1 ELSE 0 END, version = nextval('@S.versions')
  WHERE key = p_key;
  RETURN t;
END $$;
`;
