/**
 * Sorted-set writes. Members are ordered by (score, member bytes), which the
 * `zsets_by_score` index serves directly; the registry row's `size` is ZCARD.
 * Every function locks the key with `open_key` first (see core.ts).
 */
import { createAsLeft, distinctCount } from './core.js';

export const ZSETS_DDL = /* sql */ `
-- ZADD (without INCR): apply each score/member pair in order, as Redis does
-- (a member given twice keeps the last score). The count of added members, or
-- of added and changed ones with CH.
CREATE OR REPLACE FUNCTION @S.zadd(p_key text, p_scores float8[], p_members bytea[],
                                   p_nx boolean, p_xx boolean, p_gt boolean, p_lt boolean, p_ch boolean)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  k_size bigint;
  i integer;
  old float8;
  added bigint := 0;
  changed bigint := 0;
BEGIN
  -- A live sorted set (the common case) is locked and closed by this
  -- function's own statements: the nested open_key and close_key calls cost
  -- more than a one-member ZADD's own work. Any other key takes open_key's way.
  SELECT size INTO k_size FROM @S.keys
  WHERE key = p_key AND type = 'zset' AND @S.is_live(expires_at) FOR UPDATE;
  IF NOT FOUND THEN
    -- An absent key (the other common case) is created as the command leaves it, unless XX
    -- keeps it absent, or a member given twice under a flag needs Redis' pair-by-pair rules
    -- (NX keeps its first score, GT the highest, LT the lowest; CH counts the changes).
    IF NOT p_xx AND (cardinality(p_members) = 1 OR NOT (p_nx OR p_gt OR p_lt OR p_ch)) THEN
      ${createAsLeft({
        pad: '      ',
        type: 'zset',
        size: distinctCount('p_members'),
        then: `
-- Every member is added (NX, GT and LT hold back updates only); a member given twice keeps its last score.
INSERT INTO @S.zsets (key, member, score)
SELECT DISTINCT ON (u.m) p_key, u.m, u.s
FROM unnest(p_members, p_scores) WITH ORDINALITY AS u(m, s, i)
ORDER BY u.m, u.i DESC;
GET DIAGNOSTICS added = ROW_COUNT;
RETURN added;`,
      })}
    END IF;
    k_size := (@S.open_key(p_key, 'zset', NOT p_xx)).size;
    IF k_size IS NULL THEN
      RETURN 0;
    END IF;
  END IF;
  FOR i IN 1 .. cardinality(p_members) LOOP
    SELECT score INTO old FROM @S.zsets WHERE key = p_key AND member = p_members[i];
    IF NOT FOUND THEN
      CONTINUE WHEN p_xx;
      INSERT INTO @S.zsets (key, member, score) VALUES (p_key, p_members[i], p_scores[i]);
      added := added + 1;
    ELSE
      CONTINUE WHEN p_nx OR (p_gt AND p_scores[i] <= old) OR (p_lt AND p_scores[i] >= old);
      IF p_scores[i] <> old THEN
        UPDATE @S.zsets SET score = p_scores[i] WHERE key = p_key AND member = p_members[i];
        changed := changed + 1;
      END IF;
    END IF;
  END LOOP;
  IF added > 0 OR changed > 0 THEN
    -- close_key's update, inline: ZADD only grows a set.
    UPDATE @S.keys SET size = k_size + added, version = nextval('@S.versions') WHERE key = p_key;
  END IF;
  RETURN CASE WHEN p_ch THEN added + changed ELSE added END;
END $$;

-- ZADD … INCR and ZINCRBY: the new score, or NULL when a condition stopped it.
CREATE OR REPLACE FUNCTION @S.zincrby(p_key text, p_increment float8, p_member bytea,
                                      p_nx boolean, p_xx boolean, p_gt boolean, p_lt boolean)
RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
  k_size bigint;
  old float8;
  new float8;
BEGIN
  -- A live sorted set is locked and written by this function's own statements, as in zadd;
  -- an absent key is created as the command leaves it; anything else takes open_key's way.
  SELECT size INTO k_size FROM @S.keys
  WHERE key = p_key AND type = 'zset' AND @S.is_live(expires_at) FOR UPDATE;
  IF NOT FOUND THEN
    IF NOT p_xx AND p_increment <> 'NaN'::float8 THEN
      ${createAsLeft({
        pad: '      ',
        type: 'zset',
        size: '1',
        then: `
INSERT INTO @S.zsets (key, member, score) VALUES (p_key, p_member, p_increment);
RETURN p_increment;`,
      })}
    END IF;
    k_size := (@S.open_key(p_key, 'zset', NOT p_xx)).size;
    IF k_size IS NULL THEN
      RETURN NULL;
    END IF;
  END IF;
  SELECT score INTO old FROM @S.zsets WHERE key = p_key AND member = p_member;
  IF NOT FOUND THEN
    IF p_xx THEN
      RETURN NULL;
    END IF;
    IF p_increment = 'NaN'::float8 THEN
      PERFORM @S.raise('ERR resulting score is not a number (NaN)');
    END IF;
    INSERT INTO @S.zsets (key, member, score) VALUES (p_key, p_member, p_increment);
    UPDATE @S.keys SET size = k_size + 1, version = nextval('@S.versions') WHERE key = p_key;
    RETURN p_increment;
  END IF;
  IF p_nx THEN
    RETURN NULL;
  END IF;
  new := @S.double_add(old, p_increment);
  IF new = 'NaN'::float8 THEN
    PERFORM @S.raise('ERR resulting score is not a number (NaN)');
  END IF;
  IF (p_gt AND new <= old) OR (p_lt AND new >= old) THEN
    RETURN NULL;
  END IF;
  IF new <> old THEN
    UPDATE @S.zsets SET score = new WHERE key = p_key AND member = p_member;
    UPDATE @S.keys SET version = nextval('@S.versions') WHERE key = p_key;
  END IF;
  RETURN new;
END $$;

-- ZREM: the number of members removed.
CREATE OR REPLACE FUNCTION @S.zrem(p_key text, p_members bytea[]) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  removed bigint;
BEGIN
  k := @S.open_key(p_key, 'zset', false);
  IF k.key IS NULL THEN
    RETURN 0;
  END IF;
  DELETE FROM @S.zsets WHERE key = p_key AND member = ANY (p_members);
  GET DIAGNOSTICS removed = ROW_COUNT;
  IF removed > 0 THEN
    PERFORM @S.close_key(p_key, k.size - removed);
  END IF;
  RETURN removed;
END $$;

-- ZPOPMIN / ZPOPMAX (and ZMPOP, BZPOPMIN…): up to p_count members from one
-- end, in pop order; no row when the key does not exist.
CREATE OR REPLACE FUNCTION @S.zpop(p_key text, p_max boolean, p_count bigint)
RETURNS TABLE (member bytea, score float8)
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  n bigint;
BEGIN
  k := @S.open_key(p_key, 'zset', false);
  IF k.key IS NULL THEN
    RETURN;
  END IF;
  -- Two static queries, so that each walks the (key, score, member) index.
  IF p_max THEN
    RETURN QUERY
      WITH victims AS (
        SELECT z.member FROM @S.zsets z WHERE z.key = p_key ORDER BY z.score DESC, z.member DESC LIMIT p_count
      ), d AS (
        DELETE FROM @S.zsets z USING victims v WHERE z.key = p_key AND z.member = v.member
        RETURNING z.member, z.score
      )
      SELECT d.member, d.score FROM d ORDER BY d.score DESC, d.member DESC;
  ELSE
    RETURN QUERY
      WITH victims AS (
        SELECT z.member FROM @S.zsets z WHERE z.key = p_key ORDER BY z.score, z.member LIMIT p_count
      ), d AS (
        DELETE FROM @S.zsets z USING victims v WHERE z.key = p_key AND z.member = v.member
        RETURNING z.member, z.score
      )
      SELECT d.member, d.score FROM d ORDER BY d.score, d.member;
  END IF;
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM @S.close_key(p_key, k.size - n);
END $$;

-- ZMPOP / BZMPOP / BZPOPMIN / BZPOPMAX: pop from the first of p_keys holding a
-- sorted set; no row when none does.
CREATE OR REPLACE FUNCTION @S.zmpop(p_keys text[], p_max boolean, p_count bigint)
RETURNS TABLE (key text, member bytea, score float8)
LANGUAGE plpgsql AS $$
DECLARE
  candidate text;
BEGIN
  FOREACH candidate IN ARRAY p_keys LOOP
    RETURN QUERY SELECT candidate, p.member, p.score FROM @S.zpop(candidate, p_max, p_count) p;
    IF FOUND THEN
      RETURN;
    END IF;
  END LOOP;
END $$;

-- ZREMRANGEBYRANK / BYSCORE / BYLEX: remove what a range selects, read under
-- the key's lock. Each returns the number removed.
CREATE OR REPLACE FUNCTION @S.zrem_selected(p_key text, p_size bigint, p_members bytea[]) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  removed bigint;
BEGIN
  DELETE FROM @S.zsets WHERE key = p_key AND member = ANY (p_members);
  GET DIAGNOSTICS removed = ROW_COUNT;
  IF removed > 0 THEN
    PERFORM @S.close_key(p_key, p_size - removed);
  END IF;
  RETURN removed;
END $$;

CREATE OR REPLACE FUNCTION @S.zremrange_rank(p_key text, p_start bigint, p_stop bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  s bigint;
  e bigint;
BEGIN
  k := @S.open_key(p_key, 'zset', false);
  IF k.key IS NULL THEN
    RETURN 0;
  END IF;
  s := CASE WHEN p_start < 0 THEN greatest(k.size + p_start, 0) ELSE p_start END;
  e := CASE WHEN p_stop < 0 THEN k.size + p_stop ELSE least(p_stop, k.size - 1) END;
  IF s > e OR s >= k.size THEN
    RETURN 0;
  END IF;
  RETURN @S.zrem_selected(p_key, k.size, ARRAY(
    SELECT member FROM @S.zsets WHERE key = p_key ORDER BY score, member OFFSET s LIMIT e - s + 1));
END $$;

CREATE OR REPLACE FUNCTION @S.zremrange_score(p_key text, p_min float8, p_min_exclusive boolean,
                                              p_max float8, p_max_exclusive boolean) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  k_size bigint;
  removed bigint;
BEGIN
  -- A live sorted set (the common case) is locked, trimmed and closed by this function's own
  -- statements, without the nested open_key, zrem_selected and close_key calls.
  SELECT size INTO k_size FROM @S.keys
  WHERE key = p_key AND type = 'zset' AND @S.is_live(expires_at) FOR UPDATE;
  IF NOT FOUND THEN
    k_size := (@S.open_key(p_key, 'zset', false)).size;
    IF k_size IS NULL THEN
      RETURN 0;
    END IF;
  END IF;
  DELETE FROM @S.zsets
  WHERE key = p_key AND score >= p_min AND score <= p_max
    AND NOT (p_min_exclusive AND score = p_min) AND NOT (p_max_exclusive AND score = p_max);
  GET DIAGNOSTICS removed = ROW_COUNT;
  IF removed > 0 THEN
    IF k_size - removed <= 0 THEN
      DELETE FROM @S.keys WHERE key = p_key;
    ELSE
      UPDATE @S.keys SET size = k_size - removed, version = nextval('@S.versions') WHERE key = p_key;
    END IF;
  END IF;
  RETURN removed;
END $$;

-- Lex bounds: p_*_kind is '-', '+', '[' (inclusive) or '(' (exclusive).
CREATE OR REPLACE FUNCTION @S.zremrange_lex(p_key text, p_min bytea, p_min_kind text,
                                            p_max bytea, p_max_kind text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
BEGIN
  k := @S.open_key(p_key, 'zset', false);
  IF k.key IS NULL THEN
    RETURN 0;
  END IF;
  RETURN @S.zrem_selected(p_key, k.size, ARRAY(
    SELECT member FROM @S.zsets
    WHERE key = p_key
      AND CASE p_min_kind WHEN '-' THEN true WHEN '+' THEN false WHEN '[' THEN member >= p_min ELSE member > p_min END
      AND CASE p_max_kind WHEN '+' THEN true WHEN '-' THEN false WHEN '[' THEN member <= p_max ELSE member < p_max END));
END $$;

-- *STORE destinations: replace p_key, whatever it held, by these members; an
-- empty result deletes it. The number of members stored.
CREATE OR REPLACE FUNCTION @S.zstore(p_key text, p_members bytea[], p_scores float8[]) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  n bigint := coalesce(cardinality(p_members), 0);
BEGIN
  k := @S.open_key(p_key, NULL, false);
  IF k.key IS NOT NULL THEN
    PERFORM @S.drop_key(p_key, k.type);
  END IF;
  IF n = 0 THEN
    RETURN 0;
  END IF;
  PERFORM @S.open_key(p_key, 'zset', true);
  INSERT INTO @S.zsets (key, member, score)
  SELECT p_key, m, s FROM unnest(p_members, p_scores) AS u(m, s);
  PERFORM @S.close_key(p_key, n);
  RETURN n;
END $$;

-- ZUNION, ZINTER, ZDIFF… read plain sets too (every member scores 1).
CREATE OR REPLACE FUNCTION @S.expect_set_or_zset(actual text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF actual IS NOT NULL AND actual NOT IN ('set', 'zset') THEN
    RAISE EXCEPTION USING ERRCODE = 'RD000',
      MESSAGE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
  END IF;
  RETURN true;
END $$;

-- Doubles as C adds and multiplies them. PostgreSQL raises "value out of
-- range" for a sum or product of finite doubles past the largest double, or a
-- product of non-zero ones that rounds to 0, where C (so Redis) gives ±inf or
-- ±0. Operands that cannot go that far take the plain operator.
--
-- A sum of large operands is taken halved (a / 2 and b / 2 are exact there):
-- it overflows exactly when the halved sum reaches 2^1023, and is otherwise
-- that sum doubled, as C rounds it.
CREATE OR REPLACE FUNCTION @S.double_add(a float8, b float8) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN abs(a) < 8e307 AND abs(b) < 8e307 THEN a + b
    ELSE (SELECT CASE WHEN h = 'NaN'::float8 THEN h
                      WHEN abs(h) >= '8.98846567431158e307'::float8 THEN sign(h) * 'Infinity'::float8
                      ELSE h * 2 END
          FROM (SELECT a / 2 + b / 2 AS h) AS halved) END
$$;

-- A product past the double range has both factors above 1 in magnitude
-- (±inf), one that rounds to 0 both under 1 (±0). The EXCEPTION block makes
-- this PARALLEL UNSAFE; double_mul sends it only factors near either end.
CREATE OR REPLACE FUNCTION @S.double_mul_extreme(a float8, b float8) RETURNS float8
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN a * b;
EXCEPTION WHEN numeric_value_out_of_range THEN
  RETURN CASE WHEN (a < 0) <> (b < 0) THEN -1::float8 ELSE 1::float8 END
    * CASE WHEN abs(a) > 1 THEN 'Infinity'::float8 ELSE 0::float8 END;
END $$;

CREATE OR REPLACE FUNCTION @S.double_mul(a float8, b float8) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN abs(a) BETWEEN 1e-150 AND 1e150 AND abs(b) BETWEEN 1e-150 AND 1e150 THEN a * b
    ELSE @S.double_mul_extreme(a, b) END
$$;

-- Weighted score of ZUNION/ZINTER: Redis turns the NaN of inf * 0 into 0.
CREATE OR REPLACE FUNCTION @S.zweight(score float8, weight float8) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p = 'NaN'::float8 THEN 0 ELSE p END FROM (SELECT @S.double_mul(score, weight) AS p) AS product
$$;

-- SUM aggregate of ZUNION/ZINTER, folded in Redis' order: inf + -inf is 0.
CREATE OR REPLACE FUNCTION @S.zsum_step(acc float8, score float8) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN acc IS NULL THEN score
              WHEN @S.double_add(acc, score) = 'NaN'::float8 THEN 0
              ELSE @S.double_add(acc, score) END
$$;
CREATE OR REPLACE AGGREGATE @S.zsum(float8) (SFUNC = @S.zsum_step, STYPE = float8);
`;
