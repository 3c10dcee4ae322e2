/**
 * The keyspace commands: deleting, expiring, renaming and copying keys of any
 * type, emptying the database, and the two read helpers KEYS/SCAN need (glob
 * patterns and a stable scan order).
 *
 * Multi-key writes (DEL, RENAME, COPY) lock registry rows in key order
 * (COLLATE "C", whatever the database's collation) and claim an absent
 * destination in that same order (claim_key), so two of them over the same
 * keys wait for each other instead of deadlocking; FLUSHDB takes the whole
 * registry at once. Any other multi-key write should lock in this order too.
 * Stream data lives in the streams part's own tables: like
 * core's `drop_key` → `drop_stream`, RENAME and COPY of a stream call
 * `@S.rename_stream(src, dst)` and `@S.copy_stream(src, dst)`, which that part
 * provides.
 */
export const GENERIC_DDL = /* sql */ `
-- DEL / UNLINK: delete the given keys, whatever their type; the number deleted.
-- DEL a a deletes one key, as in Redis.
-- Deleting the registry row is what locks it (an expired key is deleted too,
-- but not counted); its values go after that. The common cases cost less:
-- one key needs no sorting, and a string's value is deleted here rather
-- than through drop_values (each nested call is a statement of its own).
CREATE OR REPLACE FUNCTION @S.del_keys(p_keys text[]) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  names text[] := p_keys;
  name text;
  k @S.keys;
  n bigint := 0;
BEGIN
  IF cardinality(p_keys) > 1 THEN
    names := ARRAY(SELECT DISTINCT u COLLATE "C" FROM unnest(p_keys) AS u ORDER BY 1);
  END IF;
  FOREACH name IN ARRAY names LOOP
    DELETE FROM @S.keys WHERE key = name RETURNING * INTO k;
    IF FOUND THEN
      IF k.type = 'string' THEN
        DELETE FROM @S.strings WHERE key = name;
      ELSE
        PERFORM @S.drop_values(k.key, k.type);
      END IF;
      IF @S.is_live(k.expires_at) THEN
        n := n + 1;
      END IF;
    END IF;
  END LOOP;
  RETURN n;
END $$;

-- EXPIRE / PEXPIRE (p_relative: p_when is ms from now) and EXPIREAT /
-- PEXPIREAT (p_when is Unix time in ms), with Redis 7.0's NX/XX/GT/LT rules:
-- no TTL counts as an infinite one (GT never beats it, LT always does).
-- A time already past deletes the key. 1 when the TTL was set, else 0.
-- An EXPIRE amount in ms: Redis converts seconds to ms before it adds the
-- clock, and refuses what would overflow, before it looks at the key. In SQL
-- (not in the translator) so that an amount known only at run time (a Lua
-- argument, a codemod call's variable) is checked the same way.
CREATE OR REPLACE FUNCTION @S.expire_ms(p_amount bigint, p_unit bigint, p_command text) RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
  IF p_amount > 9223372036854775807 / p_unit OR p_amount < -9223372036854775807 / p_unit THEN
    PERFORM @S.raise(format('ERR invalid expire time in ''%s'' command', p_command));
  END IF;
  RETURN p_amount * p_unit;
END $$;

CREATE OR REPLACE FUNCTION @S.expire_key(p_key text, p_when bigint, p_relative boolean,
  p_nx boolean, p_xx boolean, p_gt boolean, p_lt boolean, p_command text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_now bigint := @S.now_ms();
  v_at bigint := p_when;
  k @S.keys;
BEGIN
  -- Redis checks this overflow before it looks at the key.
  IF p_relative THEN
    IF p_when > 9223372036854775807 - v_now THEN
      PERFORM @S.raise(format('ERR invalid expire time in ''%s'' command', p_command));
    END IF;
    v_at := p_when + v_now;
  END IF;
  -- A live key given a time to come whose conditions hold (the common case): one statement locks
  -- and writes it, without the nested open_key call. Anything else takes open_key's way.
  IF v_at > v_now THEN
    UPDATE @S.keys SET expires_at = v_at, version = nextval('@S.versions')
    WHERE key = p_key AND @S.is_live(expires_at)
      AND NOT ((p_nx AND expires_at IS NOT NULL)
            OR (p_xx AND expires_at IS NULL)
            OR (p_gt AND (expires_at IS NULL OR v_at <= expires_at))
            OR (p_lt AND expires_at IS NOT NULL AND v_at >= expires_at));
    IF FOUND THEN
      RETURN 1;
    END IF;
  END IF;
  k := @S.open_key(p_key, NULL, false);
  IF k.key IS NULL
     OR (p_nx AND k.expires_at IS NOT NULL)
     OR (p_xx AND k.expires_at IS NULL)
     OR (p_gt AND (k.expires_at IS NULL OR v_at <= k.expires_at))
     OR (p_lt AND k.expires_at IS NOT NULL AND v_at >= k.expires_at) THEN
    RETURN 0;
  END IF;
  IF v_at <= v_now THEN
    PERFORM @S.drop_key(k.key, k.type);
  ELSE
    UPDATE @S.keys SET expires_at = v_at, version = nextval('@S.versions') WHERE key = p_key;
  END IF;
  RETURN 1;
END $$;

-- PERSIST: 1 when a TTL was removed.
CREATE OR REPLACE FUNCTION @S.persist_key(p_key text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys := @S.open_key(p_key, NULL, false);
BEGIN
  IF k.key IS NULL OR k.expires_at IS NULL THEN
    RETURN 0;
  END IF;
  UPDATE @S.keys SET expires_at = NULL, version = nextval('@S.versions') WHERE key = p_key;
  RETURN 1;
END $$;

-- Take the destination of RENAME or COPY for writing: its registry row,
-- locked, or when it is absent a placeholder row (version 0) that holds its
-- place until the caller replaces it. Inserting the placeholder in key order,
-- like the locks, is what keeps two multi-key writes from deadlocking: an
-- insert waits for whoever else is creating or deleting the same key.
CREATE OR REPLACE FUNCTION @S.claim_key(p_key text) RETURNS @S.keys
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
BEGIN
  LOOP
    k := @S.open_key(p_key, NULL, false);
    IF k.key IS NOT NULL THEN
      RETURN k;
    END IF;
    INSERT INTO @S.keys (key, type, version) VALUES (p_key, 'string', 0)
    ON CONFLICT (key) DO NOTHING
    RETURNING * INTO k;
    IF FOUND THEN
      RETURN k;
    END IF;
  END LOOP;
END $$;

-- Lock source and destination in key order: the source's row (NULL when
-- absent) and the destination's row or placeholder (see claim_key). The
-- source is looked up first when it sorts first, so that a missing source
-- claims nothing.
CREATE OR REPLACE FUNCTION @S.open_source_and_destination(p_src text, p_dst text) RETURNS @S.keys[]
LANGUAGE plpgsql AS $$
DECLARE
  s @S.keys;
  d @S.keys;
BEGIN
  IF p_src COLLATE "C" < p_dst COLLATE "C" THEN
    s := @S.open_key(p_src, NULL, false);
    IF s.key IS NOT NULL THEN
      d := @S.claim_key(p_dst);
    END IF;
  ELSE
    d := @S.claim_key(p_dst);
    s := @S.open_key(p_src, NULL, false);
  END IF;
  RETURN ARRAY[s, d];
END $$;

-- Make p_dst the registry row s under another name (same type, TTL, size,
-- list head…, a new version), replacing whatever p_dst was: its values go,
-- whatever their type. d is p_dst's row or placeholder from claim_key.
CREATE OR REPLACE FUNCTION @S.replace_key(s @S.keys, d @S.keys) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF d.version = 0 THEN
    DELETE FROM @S.keys WHERE key = d.key;
  ELSE
    PERFORM @S.drop_key(d.key, d.type);
  END IF;
  s.key := d.key;
  s.version := nextval('@S.versions');
  INSERT INTO @S.keys SELECT (s).*;
END $$;

-- RENAME (p_nx false: always 1) and RENAMENX (0 when p_dst exists). The value
-- and its TTL move to p_dst, which is replaced whatever its type.
CREATE OR REPLACE FUNCTION @S.rename_key(p_src text, p_dst text, p_nx boolean) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  pair @S.keys[];
  s @S.keys;
  d @S.keys;
BEGIN
  IF p_src = p_dst THEN
    s := @S.open_key(p_src, NULL, false);
    IF s.key IS NULL THEN
      PERFORM @S.raise('ERR no such key');
    END IF;
    RETURN CASE WHEN p_nx THEN 0 ELSE 1 END;
  END IF;
  pair := @S.open_source_and_destination(p_src, p_dst);
  s := pair[1];
  d := pair[2];
  IF s.key IS NULL THEN
    PERFORM @S.raise('ERR no such key');
  END IF;
  IF p_nx AND d.version <> 0 THEN
    DELETE FROM @S.keys WHERE key = p_dst AND version = 0;
    RETURN 0;
  END IF;
  PERFORM @S.replace_key(s, d);
  CASE s.type
    WHEN 'string' THEN UPDATE @S.strings SET key = p_dst WHERE key = p_src;
    WHEN 'hash'   THEN UPDATE @S.hashes SET key = p_dst WHERE key = p_src;
    WHEN 'list'   THEN UPDATE @S.lists SET key = p_dst WHERE key = p_src;
    WHEN 'set'    THEN UPDATE @S.sets SET key = p_dst WHERE key = p_src;
    WHEN 'zset'   THEN UPDATE @S.zsets SET key = p_dst WHERE key = p_src;
    WHEN 'stream' THEN PERFORM @S.rename_stream(p_src, p_dst);
  END CASE;
  DELETE FROM @S.keys WHERE key = p_src;
  RETURN 1;
END $$;

-- COPY source destination [REPLACE]: 1 when copied (value and TTL), 0 when the
-- source is absent or the destination exists without REPLACE.
CREATE OR REPLACE FUNCTION @S.copy_key(p_src text, p_dst text, p_replace boolean) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  pair @S.keys[];
  s @S.keys;
  d @S.keys;
BEGIN
  -- Redis says this before it looks for the keys.
  IF p_src = p_dst THEN
    PERFORM @S.raise('ERR source and destination objects are the same');
  END IF;
  pair := @S.open_source_and_destination(p_src, p_dst);
  s := pair[1];
  d := pair[2];
  IF s.key IS NULL OR (d.version <> 0 AND NOT p_replace) THEN
    DELETE FROM @S.keys WHERE key = p_dst AND version = 0;
    RETURN 0;
  END IF;
  PERFORM @S.replace_key(s, d);
  CASE s.type
    WHEN 'string' THEN
      INSERT INTO @S.strings (key, value) SELECT p_dst, value FROM @S.strings WHERE key = p_src;
    WHEN 'hash' THEN
      INSERT INTO @S.hashes (key, field, value) SELECT p_dst, field, value FROM @S.hashes WHERE key = p_src;
    WHEN 'list' THEN
      INSERT INTO @S.lists (key, pos, value) SELECT p_dst, pos, value FROM @S.lists WHERE key = p_src;
    WHEN 'set' THEN
      INSERT INTO @S.sets (key, member) SELECT p_dst, member FROM @S.sets WHERE key = p_src;
    WHEN 'zset' THEN
      INSERT INTO @S.zsets (key, member, score) SELECT p_dst, member, score FROM @S.zsets WHERE key = p_src;
    WHEN 'stream' THEN
      PERFORM @S.copy_stream(p_src, p_dst);
  END CASE;
  RETURN 1;
END $$;

-- FLUSHDB / FLUSHALL: delete every key, atomically as in Redis. Every write
-- holds a row lock on the registry (open_key) until it commits, so once this
-- EXCLUSIVE lock is granted no write is in flight and none starts until we
-- commit; reads go on, seeing the keys until then. Cheaper than locking each
-- row, and it cannot deadlock with multi-key writes.
CREATE OR REPLACE FUNCTION @S.flush_keys() RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  name text;
BEGIN
  LOCK TABLE @S.keys IN EXCLUSIVE MODE;
  FOR name IN SELECT key FROM @S.keys WHERE type = 'stream' LOOP
    PERFORM @S.drop_stream(name);
  END LOOP;
  DELETE FROM @S.keys;
  DELETE FROM @S.strings;
  DELETE FROM @S.hashes;
  DELETE FROM @S.lists;
  DELETE FROM @S.sets;
  DELETE FROM @S.zsets;
  RETURN 'OK';
END $$;

-- TIME: the clock in microseconds; pinned like now_ms (redis2sql.now_ms).
CREATE OR REPLACE FUNCTION @S.now_us() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(
    nullif(current_setting('redis2sql.now_ms', true), '')::bigint * 1000,
    trunc(extract(epoch FROM statement_timestamp()) * 1000000)::bigint)
$$;

-- SCAN order: a 53-bit hash of the key, from 1 to 2^53 (0 is the cursor that
-- ends a scan; 53 bits so that clients reading it as a JavaScript number keep
-- it exact). A key keeps its slot while others come and go, so a cursor (the
-- next slot to visit) never skips a key that stays; keys sharing a slot are
-- returned together. RANDOMKEY uses it too.
CREATE OR REPLACE FUNCTION @S.scan_slot(key text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (hashtextextended(key, 0) >> 11) + 4503599627370497
$$;
CREATE INDEX IF NOT EXISTS keys_scan_slot ON @S.keys (@S.scan_slot(key));

-- Redis' glob (stringmatchlen: * ? [abc] [^a] [a-z] \\x) as a regular expression
-- over the subject's bytes in hex (encode(bytes, 'hex')), so that it is
-- binary-safe (NUL, invalid UTF-8) and ? matches one byte as in Redis. Made
-- once per statement: match with  encode(b, 'hex') ~ (SELECT @S.glob_regex($1)).
-- Quirks kept on purpose, because Redis has them: an unclosed [ ends at the
-- end of the pattern; [a-] is the range a..]; ranges compare bytes as signed
-- chars; a non-empty pattern never matches the empty string, except * alone
-- (KEYS and SCAN special-case it).
CREATE OR REPLACE FUNCTION @S.glob_regex(p bytea) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  -- The pattern's bytes; b[i] past the end is NULL, so no test below can fail.
  b int[] := ARRAY(SELECT get_byte(p, g) FROM generate_series(0, length(p) - 1) AS g);
  n int := length(p);
  i int := 1;
  re text := '';
  lo int;
  hi int;
  negate boolean;
  member boolean[];
BEGIN
  IF n = 0 THEN
    RETURN '^$';
  ELSIF p = '\\x2a'::bytea THEN
    RETURN '^(?:..)*$';
  END IF;
  WHILE i <= n LOOP
    IF b[i] = 42 THEN                                -- *
      WHILE b[i + 1] = 42 LOOP
        i := i + 1;
      END LOOP;
      re := re || '(?:..)*';
    ELSIF b[i] = 63 THEN                             -- ?
      re := re || '..';
    ELSIF b[i] = 91 THEN                             -- [
      i := i + 1;
      negate := coalesce(b[i] = 94, false);          -- ^
      IF negate THEN
        i := i + 1;
      END IF;
      member := array_fill(false, ARRAY[256], ARRAY[0]);
      LOOP
        IF b[i] = 92 AND i < n THEN                  -- \\x
          i := i + 1;
          member[b[i]] := true;
        ELSIF b[i] = 93 THEN                         -- ]
          EXIT;
        ELSIF i > n THEN                             -- unclosed: the class ends with the pattern
          i := i - 1;
          EXIT;
        ELSIF b[i + 1] = 45 AND i + 2 <= n THEN      -- a-z, bytes compared as signed chars
          lo := CASE WHEN b[i] > 127 THEN b[i] - 256 ELSE b[i] END;
          hi := CASE WHEN b[i + 2] > 127 THEN b[i + 2] - 256 ELSE b[i + 2] END;
          FOR c IN least(lo, hi) .. greatest(lo, hi) LOOP
            member[(c + 256) % 256] := true;
          END LOOP;
          i := i + 2;
        ELSE
          member[b[i]] := true;
        END IF;
        i := i + 1;
      END LOOP;
      re := re || @S.glob_byte_class(member, negate);
    ELSE
      IF b[i] = 92 AND i < n THEN                    -- \\x
        i := i + 1;
      END IF;
      re := re || lpad(to_hex(b[i]), 2, '0');
    END IF;
    i := i + 1;
  END LOOP;
  RETURN '^(?=.)' || re || '$';
END $$;

-- One byte of a glob class as a regex over hex digits: one branch per high
-- nibble (4[1-3a]). An empty class gives x, which no hex string contains.
CREATE OR REPLACE FUNCTION @S.glob_byte_class(member boolean[], negate boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN count(*) = 0 THEN 'x'
    WHEN count(*) = 16 AND bool_and(lows = '0123456789abcdef') THEN '..'
    ELSE '(?:' || string_agg(to_hex(high) || CASE WHEN length(lows) = 1 THEN lows
                                                  WHEN length(lows) = 16 THEN '.'
                                                  ELSE '[' || lows || ']' END, '|' ORDER BY high) || ')'
  END
  FROM (
    SELECT b / 16 AS high, string_agg(to_hex(b % 16), '' ORDER BY b) AS lows
    FROM generate_series(0, 255) AS b
    WHERE member[b] IS DISTINCT FROM negate
    GROUP BY b / 16
  ) AS nibbles
$$;

-- The literal start every match of a glob begins with ('user:' for
-- 'user:*'), cut to valid UTF-8 so that it is text: with the successor below
-- it bounds KEYS to a range of the registry's index (keys compare bytewise).
CREATE OR REPLACE FUNCTION @S.glob_prefix(p bytea) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  n int := length(p);
  i int := 0;
  c int;
  prefix bytea := '\\x'::bytea;
BEGIN
  WHILE i < n LOOP
    c := get_byte(p, i);
    EXIT WHEN c IN (42, 63, 91);                      -- * ? [
    IF c = 92 AND i < n - 1 THEN                      -- \\x
      i := i + 1;
      c := get_byte(p, i);
    END IF;
    EXIT WHEN c = 0;                                  -- text holds no NUL
    prefix := prefix || set_byte('\\x00'::bytea, 0, c);
    i := i + 1;
  END LOOP;
  LOOP
    BEGIN
      RETURN convert_from(prefix, 'UTF8');
    EXCEPTION WHEN character_not_in_repertoire OR untranslatable_character THEN
      prefix := substring(prefix FROM 1 FOR length(prefix) - 1);
    END;
  END LOOP;
END $$;

-- The least text greater than every text starting with t (in byte order),
-- or NULL when there is none ('' or only U+10FFFF).
CREATE OR REPLACE FUNCTION @S.text_successor(t text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  c int;
BEGIN
  WHILE t <> '' LOOP
    c := ascii(right(t, 1));
    t := left(t, -1);
    IF c < 1114111 THEN
      -- Surrogates are not characters: after U+D7FF comes U+E000.
      RETURN t || chr(CASE WHEN c + 1 = 55296 THEN 57344 ELSE c + 1 END);
    END IF;
  END LOOP;
  RETURN NULL;
END $$;

-- Whether bytes match a Redis glob pattern, for code that tests one value
-- (in a query over many rows, prefer the regex once: see glob_regex).
--   SELECT @S.glob_match('user:*', convert_to('user:1', 'UTF8'))  → true
CREATE OR REPLACE FUNCTION @S.glob_match(pattern bytea, subject bytea) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT encode(subject, 'hex') ~ @S.glob_regex(pattern)
$$;
`;
