/**
 * The set commands' write functions (SADD, SREM, SPOP, SMOVE, the *STORE
 * family) and the set algebra that SINTER/SUNION/SDIFF/SINTERCARD and their
 * STORE forms share.
 *
 * Writes take the key with `open_key` (registry row locked) before reading it
 * and end with `close_key`, which keeps `keys.size` exact (SCARD reads it) and
 * deletes a set left empty. Member order, where a command returns several, is
 * bytewise (the translators sort); SPOP's picks use random().
 */
import { createAsLeft, distinctCount } from './core.js';

export const SETS_DDL = /* sql */ `
CREATE INDEX IF NOT EXISTS sets_scan_slot ON @S.sets (key, @S.member_slot(member));

-- SADD: the number of members added. A live set (the common case) is locked
-- and closed by this function's own statements: the nested open_key and
-- close_key calls cost more than everything else SADD does. Any other key
-- (absent, expired, another type) takes open_key's long way. A member given
-- twice meets its own first insert as the conflict.
CREATE OR REPLACE FUNCTION @S.sadd(p_key text, p_members bytea[]) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  k_size bigint;
  added bigint;
BEGIN
  SELECT size INTO k_size FROM @S.keys
  WHERE key = p_key AND type = 'set' AND @S.is_live(expires_at) FOR UPDATE;
  IF NOT FOUND THEN
    ${createAsLeft({
      pad: '    ',
      type: 'set',
      size: distinctCount('p_members'),
      then: `
INSERT INTO @S.sets (key, member)
SELECT p_key, m FROM unnest(p_members) AS m
ON CONFLICT (key, member) DO NOTHING;
GET DIAGNOSTICS added = ROW_COUNT;
RETURN added;`,
    })}
    k_size := (@S.open_key(p_key, 'set', true)).size;
  END IF;
  INSERT INTO @S.sets (key, member)
  SELECT p_key, m FROM unnest(p_members) AS m
  ON CONFLICT (key, member) DO NOTHING;
  GET DIAGNOSTICS added = ROW_COUNT;
  IF added > 0 THEN
    UPDATE @S.keys SET size = k_size + added, version = nextval('@S.versions') WHERE key = p_key;
  END IF;
  RETURN added;
END $$;

-- SREM: the number of members removed; the set goes with its last member.
CREATE OR REPLACE FUNCTION @S.srem(p_key text, p_members bytea[]) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  removed bigint;
BEGIN
  k := @S.open_key(p_key, 'set', false);
  IF k.key IS NULL THEN
    RETURN 0;
  END IF;
  DELETE FROM @S.sets WHERE key = p_key AND member = ANY (p_members);
  GET DIAGNOSTICS removed = ROW_COUNT;
  IF removed > 0 THEN
    PERFORM @S.close_key(p_key, k.size - removed);
  END IF;
  RETURN removed;
END $$;

-- SPOP: remove and return random members. p_count NULL: one member (a
-- uniformly random rank of the member index) or NULL when the key is absent;
-- otherwise up to p_count distinct members in random order ('{}' when absent).
CREATE OR REPLACE FUNCTION @S.spop(p_key text, p_count bigint) RETURNS bytea[]
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  picked bytea[];
BEGIN
  k := @S.open_key(p_key, 'set', false);
  IF k.key IS NULL THEN
    RETURN CASE WHEN p_count IS NULL THEN NULL ELSE '{}'::bytea[] END;
  END IF;
  IF p_count = 0 THEN
    RETURN '{}';
  ELSIF p_count IS NULL THEN
    picked := ARRAY(SELECT s.member FROM @S.sets s WHERE s.key = p_key
                    ORDER BY s.member OFFSET floor(random() * k.size)::bigint LIMIT 1);
  ELSIF p_count >= k.size THEN
    picked := ARRAY(SELECT s.member FROM @S.sets s WHERE s.key = p_key ORDER BY random());
  ELSE
    picked := ARRAY(SELECT s.member FROM @S.sets s WHERE s.key = p_key ORDER BY random() LIMIT p_count);
  END IF;
  DELETE FROM @S.sets WHERE key = p_key AND member = ANY (picked);
  PERFORM @S.close_key(p_key, k.size - cardinality(picked));
  RETURN picked;
END $$;

-- SMOVE: 1 when the member moved (or src = dst holds it), else 0. Redis'
-- order of checks: an absent source is 0 whatever the destination holds; then
-- WRONGTYPE for either key. Both registry rows are locked in key order, so
-- two SMOVEs in opposite directions cannot deadlock.
CREATE OR REPLACE FUNCTION @S.smove(p_src text, p_dst text, p_member bytea) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  s @S.keys;
  d @S.keys;
BEGIN
  IF p_src COLLATE "C" <= p_dst COLLATE "C" THEN
    s := @S.open_key(p_src, NULL, false);
    d := @S.open_key(p_dst, NULL, false);
  ELSE
    d := @S.open_key(p_dst, NULL, false);
    s := @S.open_key(p_src, NULL, false);
  END IF;
  IF s.key IS NULL THEN
    RETURN 0;
  END IF;
  IF s.type <> 'set' OR d.type <> 'set' THEN
    PERFORM @S.raise('WRONGTYPE Operation against a key holding the wrong kind of value');
  END IF;
  IF p_src = p_dst THEN
    RETURN CASE WHEN EXISTS (SELECT FROM @S.sets WHERE key = p_src AND member = p_member) THEN 1 ELSE 0 END;
  END IF;
  DELETE FROM @S.sets WHERE key = p_src AND member = p_member;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  PERFORM @S.close_key(p_src, s.size - 1);
  IF d.key IS NULL THEN
    -- An absent destination (both keys were taken above, in order) is created as SMOVE leaves
    -- it; one created meanwhile by another client takes open_key's way.
    ${createAsLeft({
      pad: '    ',
      key: 'p_dst',
      type: 'set',
      size: '1',
      then: `
INSERT INTO @S.sets (key, member) VALUES (p_dst, p_member);
RETURN 1;`,
    })}
    d := @S.open_key(p_dst, 'set', true);
  END IF;
  INSERT INTO @S.sets (key, member) VALUES (p_dst, p_member) ON CONFLICT (key, member) DO NOTHING;
  IF FOUND THEN
    PERFORM @S.close_key(p_dst, d.size + 1);
  END IF;
  RETURN 1;
END $$;

-- The live keys among p_keys (set algebra sources). Redis checks every key
-- before computing anything: one live key of another type is WRONGTYPE, even
-- when another key is missing.
CREATE OR REPLACE FUNCTION @S.set_sources(p_keys text[]) RETURNS text[]
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF EXISTS (SELECT FROM @S.keys k WHERE k.key = ANY (p_keys) AND k.type <> 'set' AND @S.is_live(k.expires_at)) THEN
    PERFORM @S.raise('WRONGTYPE Operation against a key holding the wrong kind of value');
  END IF;
  RETURN ARRAY(SELECT k.key FROM @S.keys k WHERE k.key = ANY (p_keys) AND @S.is_live(k.expires_at));
END $$;

-- SINTER: the members of every key (none if one is missing), walking the
-- smallest set and probing the others, O(N*M) as in Redis. p_limit > 0 stops
-- after that many (SINTERCARD LIMIT).
CREATE OR REPLACE FUNCTION @S.sinter_members(p_keys text[], p_limit bigint) RETURNS SETOF bytea
LANGUAGE plpgsql STABLE AS $$
DECLARE
  live text[] := @S.set_sources(p_keys);
  smallest text;
BEGIN
  IF cardinality(live) < (SELECT count(DISTINCT x COLLATE "C") FROM unnest(p_keys) AS x) THEN
    RETURN;
  END IF;
  SELECT k.key INTO smallest FROM @S.keys k WHERE k.key = ANY (live) ORDER BY k.size, k.key LIMIT 1;
  RETURN QUERY
    SELECT s.member FROM @S.sets s
    WHERE s.key = smallest
      AND NOT EXISTS (SELECT FROM unnest(live) AS o(key)
                      WHERE NOT EXISTS (SELECT FROM @S.sets t WHERE t.key = o.key AND t.member = s.member))
    LIMIT nullif(p_limit, 0);
END $$;

-- SUNION: the members of any key.
CREATE OR REPLACE FUNCTION @S.sunion_members(p_keys text[]) RETURNS SETOF bytea
LANGUAGE plpgsql STABLE AS $$
DECLARE
  live text[] := @S.set_sources(p_keys);
BEGIN
  RETURN QUERY SELECT DISTINCT s.member FROM @S.sets s WHERE s.key = ANY (live);
END $$;

-- SDIFF: the members of the first key that no other key holds.
CREATE OR REPLACE FUNCTION @S.sdiff_members(p_keys text[]) RETURNS SETOF bytea
LANGUAGE plpgsql STABLE AS $$
DECLARE
  live text[] := @S.set_sources(p_keys);
  others text[];
BEGIN
  IF NOT (p_keys[1] = ANY (live)) THEN
    RETURN;
  END IF;
  others := ARRAY(SELECT x FROM unnest(p_keys[2:]) AS x WHERE x = ANY (live));
  RETURN QUERY
    SELECT s.member FROM @S.sets s
    WHERE s.key = p_keys[1]
      AND NOT EXISTS (SELECT FROM @S.sets t WHERE t.key = ANY (others) AND t.member = s.member);
END $$;

-- SINTERSTORE / SUNIONSTORE / SDIFFSTORE (p_op 'inter', 'union', 'diff'):
-- the destination, of whatever type, is replaced by the result (no TTL), or
-- deleted when the result is empty. Returns the result's size.
CREATE OR REPLACE FUNCTION @S.sstore(p_op text, p_dest text, p_keys text[]) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  d @S.keys;
  result bytea[];
BEGIN
  d := @S.open_key(p_dest, NULL, false);
  -- Computed before the destination goes: it may be one of the sources.
  CASE p_op
    WHEN 'inter' THEN result := ARRAY(SELECT @S.sinter_members(p_keys, 0));
    WHEN 'union' THEN result := ARRAY(SELECT @S.sunion_members(p_keys));
    WHEN 'diff' THEN result := ARRAY(SELECT @S.sdiff_members(p_keys));
  END CASE;
  IF d.key IS NOT NULL THEN
    PERFORM @S.drop_key(p_dest, d.type);
  END IF;
  IF cardinality(result) = 0 THEN
    RETURN 0;
  END IF;
  PERFORM @S.open_key(p_dest, 'set', true);
  INSERT INTO @S.sets (key, member) SELECT p_dest, m FROM unnest(result) AS m;
  PERFORM @S.close_key(p_dest, cardinality(result));
  RETURN cardinality(result);
END $$;
`;
