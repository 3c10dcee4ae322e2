/**
 * List writes. Positions are dense: element i (0-based) of a list is at
 * `keys.list_head + i`, and `keys.size` is its length. Pushes and pops at
 * either end touch one row each (O(log n) in the B-tree); LINSERT, LREM and
 * LTRIM shift rows, which is O(n) as in Redis — LINSERT shifts the shorter side.
 *
 * Every function takes the key with `open_key` first (see core.ts), so what it
 * reads afterwards is current even under concurrent writers.
 */
import { createAsLeft } from './core.js';

export const LISTS_DDL = /* sql */ `
-- Record a list's new head and length after a write, or delete it when empty.
CREATE OR REPLACE FUNCTION @S.list_close(p_key text, p_head bigint, p_size bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_size <= 0 THEN
    DELETE FROM @S.keys WHERE key = p_key;
  ELSE
    UPDATE @S.keys SET list_head = p_head, size = p_size, version = nextval('@S.versions')
    WHERE key = p_key;
  END IF;
END $$;

-- LPUSH / RPUSH / LPUSHX / RPUSHX: the new length (0 when an X variant finds no list).
-- LPUSH k a b c leaves c b a: each value goes in front of the previous one.
CREATE OR REPLACE FUNCTION @S.list_push(p_key text, p_values bytea[], p_left boolean, p_only_existing boolean)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  n bigint := cardinality(p_values);
  head bigint;
  recorded boolean;
BEGIN
  -- A live list (the common case): one statement locks it and records its new
  -- head, length and version; k then holds the list as it was before the push.
  UPDATE @S.keys
  SET list_head = coalesce(list_head, 0) - CASE WHEN p_left THEN n ELSE 0 END,
      size = size + n,
      version = nextval('@S.versions')
  WHERE key = p_key AND type = 'list' AND @S.is_live(expires_at)
  RETURNING * INTO k;
  recorded := FOUND;
  IF recorded THEN
    k.size := k.size - n;
    k.list_head := CASE WHEN p_left THEN k.list_head + n ELSE k.list_head END;
  ELSE
    -- An absent key (the other common case): its registry row is inserted as
    -- the push leaves it, instead of open_key's lookup, insert and list_close's
    -- update. An expired, other-typed or just-created key conflicts: open_key.
    IF NOT p_only_existing AND n > 0 THEN
      ${createAsLeft({
        pad: '      ',
        type: 'list',
        size: 'n',
        more: { list_head: 'CASE WHEN p_left THEN -n ELSE 0 END' },
        then: `
INSERT INTO @S.lists (key, pos, value)
SELECT p_key, CASE WHEN p_left THEN -i ELSE i - 1 END, p_values[i] FROM generate_subscripts(p_values, 1) AS i;
RETURN n;`,
      })}
    END IF;
    k := @S.open_key(p_key, 'list', NOT p_only_existing);
    IF k.key IS NULL THEN
      RETURN 0;
    END IF;
  END IF;
  head := coalesce(k.list_head, 0);
  IF p_left THEN
    INSERT INTO @S.lists (key, pos, value)
    SELECT p_key, head - i, p_values[i] FROM generate_subscripts(p_values, 1) AS i;
    head := head - n;
  ELSE
    INSERT INTO @S.lists (key, pos, value)
    SELECT p_key, head + k.size + i - 1, p_values[i] FROM generate_subscripts(p_values, 1) AS i;
  END IF;
  IF NOT recorded THEN
    PERFORM @S.list_close(p_key, head, k.size + n);
  END IF;
  RETURN k.size + n;
END $$;

-- LPOP / RPOP (and the pop half of LMOVE, LMPOP, BLPOP…): up to p_count
-- elements from one end, in pop order; NULL when the list does not exist.
CREATE OR REPLACE FUNCTION @S.list_pop(p_key text, p_left boolean, p_count bigint) RETURNS bytea[]
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  n bigint;
  popped bytea[];
BEGIN
  -- A live list that keeps elements (the common case): one statement locks it
  -- and records its new head, length and version; k then holds it as it was.
  UPDATE @S.keys
  SET list_head = list_head + CASE WHEN p_left THEN p_count ELSE 0 END,
      size = size - p_count,
      version = nextval('@S.versions')
  WHERE key = p_key AND type = 'list' AND @S.is_live(expires_at) AND size > p_count
  RETURNING * INTO k;
  IF FOUND THEN
    k.size := k.size + p_count;
    k.list_head := k.list_head - CASE WHEN p_left THEN p_count ELSE 0 END;
    IF p_count = 1 THEN
      -- One element (LPOP/RPOP without a count, LMOVE, RPOPLPUSH): its
      -- position is known, so an equality and no aggregate (a sort per call).
      DELETE FROM @S.lists
      WHERE key = p_key AND pos = CASE WHEN p_left THEN k.list_head ELSE k.list_head + k.size - 1 END
      RETURNING ARRAY[value] INTO popped;
      RETURN coalesce(popped, '{}');
    END IF;
    IF p_left THEN
      WITH d AS (
        DELETE FROM @S.lists WHERE key = p_key AND pos >= k.list_head AND pos < k.list_head + p_count
        RETURNING pos, value)
      SELECT coalesce(array_agg(value ORDER BY pos), '{}') INTO popped FROM d;
    ELSE
      WITH d AS (
        DELETE FROM @S.lists WHERE key = p_key AND pos >= k.list_head + k.size - p_count
        RETURNING pos, value)
      SELECT coalesce(array_agg(value ORDER BY pos DESC), '{}') INTO popped FROM d;
    END IF;
    RETURN popped;
  END IF;
  k := @S.open_key(p_key, 'list', false);
  IF k.key IS NULL THEN
    RETURN NULL;
  END IF;
  n := least(p_count, k.size);
  IF p_left THEN
    WITH d AS (
      DELETE FROM @S.lists WHERE key = p_key AND pos >= k.list_head AND pos < k.list_head + n
      RETURNING pos, value)
    SELECT coalesce(array_agg(value ORDER BY pos), '{}') INTO popped FROM d;
    PERFORM @S.list_close(p_key, k.list_head + n, k.size - n);
  ELSE
    WITH d AS (
      DELETE FROM @S.lists WHERE key = p_key AND pos >= k.list_head + k.size - n
      RETURNING pos, value)
    SELECT coalesce(array_agg(value ORDER BY pos DESC), '{}') INTO popped FROM d;
    PERFORM @S.list_close(p_key, k.list_head, k.size - n);
  END IF;
  RETURN popped;
END $$;

-- LMOVE / RPOPLPUSH / BLMOVE: pop one element from p_source, push it on p_destination.
-- The destination's type is checked before anything moves, as Redis does.
CREATE OR REPLACE FUNCTION @S.list_move(p_source text, p_destination text, p_from_left boolean, p_to_left boolean)
RETURNS bytea
LANGUAGE plpgsql AS $$
DECLARE
  src @S.keys;
  dst @S.keys;
  held boolean := false;
  moved bytea[];
BEGIN
  -- Lock both keys in byte order, like every multi-key write, so that no two
  -- writes wait for each other; an absent destination that sorts first is
  -- created empty right away, so that its place is held in that order too.
  IF p_destination COLLATE "C" < p_source COLLATE "C" THEN
    dst := @S.open_key(p_destination, NULL, false);
    IF dst.key IS NULL THEN
      dst := @S.open_key(p_destination, 'list', true);
      held := true;
    END IF;
    src := @S.open_key(p_source, NULL, false);
  ELSE
    src := @S.open_key(p_source, NULL, false);
    dst := @S.open_key(p_destination, NULL, false);
  END IF;
  -- Then Redis' order of checks: a missing source wins over a bad destination.
  IF src.key IS NULL THEN
    IF held THEN
      PERFORM @S.close_key(p_destination, 0);  -- the empty list held above
    END IF;
    RETURN NULL;
  END IF;
  PERFORM @S.expect_type(src.type, 'list');
  PERFORM @S.expect_type(dst.type, 'list');
  moved := @S.list_pop(p_source, p_from_left, 1);
  PERFORM @S.list_push(p_destination, moved, p_to_left, false);
  RETURN moved[1];
END $$;

-- LMPOP / BLMPOP / BLPOP / BRPOP: pop from the first of p_keys that holds a
-- list; NULL when none does. Redis checks types key by key as it goes.
CREATE OR REPLACE FUNCTION @S.list_mpop(p_keys text[], p_left boolean, p_count bigint, OUT key text, OUT elements bytea[])
LANGUAGE plpgsql AS $$
DECLARE
  candidate text;
BEGIN
  FOREACH candidate IN ARRAY p_keys LOOP
    elements := @S.list_pop(candidate, p_left, p_count);
    IF elements IS NOT NULL THEN
      key := candidate;
      RETURN;
    END IF;
  END LOOP;
END $$;

-- LSET: replace the element at an index (negative counts from the tail).
CREATE OR REPLACE FUNCTION @S.list_set(p_key text, p_index bigint, p_value bytea) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  i bigint;
BEGIN
  k := @S.open_key(p_key, 'list', false);
  IF k.key IS NULL THEN
    PERFORM @S.raise('ERR no such key');
  END IF;
  i := CASE WHEN p_index < 0 THEN k.size + p_index ELSE p_index END;
  IF i < 0 OR i >= k.size THEN
    PERFORM @S.raise('ERR index out of range');
  END IF;
  UPDATE @S.lists SET value = p_value WHERE key = p_key AND pos = k.list_head + i;
  PERFORM @S.touch_key(p_key);
  RETURN 'OK';
END $$;

-- LINSERT: the new length, -1 when the pivot is missing, 0 when the key is.
CREATE OR REPLACE FUNCTION @S.list_insert(p_key text, p_after boolean, p_pivot bytea, p_value bytea) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  pivot_pos bigint;
  at bigint;
BEGIN
  k := @S.open_key(p_key, 'list', false);
  IF k.key IS NULL THEN
    RETURN 0;
  END IF;
  SELECT pos INTO pivot_pos FROM @S.lists
  WHERE key = p_key AND md5(value) = md5(p_pivot) AND value = p_pivot
  ORDER BY pos LIMIT 1;
  IF NOT FOUND THEN
    RETURN -1;
  END IF;
  -- The new element takes position "at" once its side has moved out of the way.
  at := CASE WHEN p_after THEN pivot_pos + 1 ELSE pivot_pos END;
  IF at - k.list_head < k.size - (at - k.list_head) THEN
    -- Fewer elements in front: move them one step towards the head.
    UPDATE @S.lists SET pos = pos - 1 WHERE key = p_key AND pos < at;
    INSERT INTO @S.lists (key, pos, value) VALUES (p_key, at - 1, p_value);
    PERFORM @S.list_close(p_key, k.list_head - 1, k.size + 1);
  ELSE
    UPDATE @S.lists SET pos = pos + 1 WHERE key = p_key AND pos >= at;
    INSERT INTO @S.lists (key, pos, value) VALUES (p_key, at, p_value);
    PERFORM @S.list_close(p_key, k.list_head, k.size + 1);
  END IF;
  RETURN k.size + 1;
END $$;

-- Close the gaps left by deleted elements: renumber from the first gap on.
CREATE OR REPLACE FUNCTION @S.list_compact(p_key text, p_head bigint, p_from bigint) RETURNS void
LANGUAGE sql AS $$
  UPDATE @S.lists l SET pos = r.new_pos
  FROM (
    SELECT pos, p_from + row_number() OVER (ORDER BY pos) - 1 AS new_pos
    FROM @S.lists WHERE key = p_key AND pos >= p_from
  ) r
  WHERE l.key = p_key AND l.pos = r.pos AND l.pos <> r.new_pos
$$;

-- LREM: remove up to |count| occurrences (from the head if count > 0, from the
-- tail if < 0, all if 0); the number removed.
CREATE OR REPLACE FUNCTION @S.list_remove(p_key text, p_count bigint, p_value bytea) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  removed bigint;
  first_gap bigint;
BEGIN
  k := @S.open_key(p_key, 'list', false);
  IF k.key IS NULL THEN
    RETURN 0;
  END IF;
  WITH victims AS (
    SELECT pos FROM @S.lists
    WHERE key = p_key AND md5(value) = md5(p_value) AND value = p_value
    ORDER BY CASE WHEN p_count >= 0 THEN pos END, pos DESC
    LIMIT CASE WHEN p_count = 0 THEN NULL ELSE abs(p_count) END
  ), d AS (
    DELETE FROM @S.lists l USING victims v WHERE l.key = p_key AND l.pos = v.pos RETURNING l.pos
  )
  SELECT count(*), min(pos) INTO removed, first_gap FROM d;
  IF removed = 0 THEN
    RETURN 0;
  END IF;
  PERFORM @S.list_compact(p_key, k.list_head, first_gap);
  PERFORM @S.list_close(p_key, k.list_head, k.size - removed);
  RETURN removed;
END $$;

-- LTRIM: keep only the elements from start to stop (Redis' index rules).
CREATE OR REPLACE FUNCTION @S.list_trim(p_key text, p_start bigint, p_stop bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  s bigint;
  e bigint;
BEGIN
  k := @S.open_key(p_key, 'list', false);
  IF k.key IS NULL THEN
    RETURN 'OK';
  END IF;
  s := CASE WHEN p_start < 0 THEN greatest(k.size + p_start, 0) ELSE p_start END;
  e := CASE WHEN p_stop < 0 THEN k.size + p_stop ELSE least(p_stop, k.size - 1) END;
  IF s > e OR s >= k.size THEN
    PERFORM @S.drop_key(p_key, 'list');
    RETURN 'OK';
  END IF;
  DELETE FROM @S.lists WHERE key = p_key AND (pos < k.list_head + s OR pos > k.list_head + e);
  PERFORM @S.list_close(p_key, k.list_head + s, e - s + 1);
  RETURN 'OK';
END $$;
`;
