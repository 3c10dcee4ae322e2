/**
 * Readable views for SQL users: only live keys, values shown as text where
 * they are valid UTF-8 (NULL otherwise, the raw bytes beside them), TTLs in
 * milliseconds. They are for reading and reporting; writes go through the
 * translated commands.
 *
 *   SELECT key, value, ttl_ms FROM redis.string_values WHERE key LIKE 'session:%';
 *   SELECT key, member, score FROM redis.zset_values WHERE key = 'leaderboard' ORDER BY rank;
 */
export const VIEWS_DDL = /* sql */ `
-- The bytes as text when they are valid UTF-8 without NUL, else NULL.
CREATE OR REPLACE FUNCTION @S.utf8_or_null(p_bytes bytea) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN convert_from(p_bytes, 'UTF8');
EXCEPTION WHEN character_not_in_repertoire OR untranslatable_character THEN
  RETURN NULL;
END $$;

-- Every live key: its type, element count (collections), expiry and remaining TTL.
CREATE OR REPLACE VIEW @S.key_info AS
SELECT k.key, k.type,
       CASE WHEN k.type = 'string' THEN NULL ELSE k.size END AS size,
       k.expires_at,
       k.expires_at - @S.now_ms() AS ttl_ms
FROM @S.keys k
WHERE @S.is_live(k.expires_at);

CREATE OR REPLACE VIEW @S.string_values AS
SELECT k.key, @S.utf8_or_null(s.value) AS value, s.value AS bytes,
       octet_length(s.value) AS length,
       k.expires_at - @S.now_ms() AS ttl_ms
FROM @S.keys k JOIN @S.strings s ON s.key = k.key
WHERE @S.is_live(k.expires_at);

CREATE OR REPLACE VIEW @S.hash_values AS
SELECT k.key, @S.utf8_or_null(h.field) AS field, @S.utf8_or_null(h.value) AS value,
       h.field AS field_bytes, h.value AS value_bytes,
       k.expires_at - @S.now_ms() AS ttl_ms
FROM @S.keys k JOIN @S.hashes h ON h.key = k.key
WHERE @S.is_live(k.expires_at);

-- index: the element's LINDEX position (0 is the head).
CREATE OR REPLACE VIEW @S.list_values AS
SELECT k.key, l.pos - k.list_head AS index, @S.utf8_or_null(l.value) AS value, l.value AS bytes,
       k.expires_at - @S.now_ms() AS ttl_ms
FROM @S.keys k JOIN @S.lists l ON l.key = k.key
WHERE @S.is_live(k.expires_at);

CREATE OR REPLACE VIEW @S.set_values AS
SELECT k.key, @S.utf8_or_null(s.member) AS member, s.member AS bytes,
       k.expires_at - @S.now_ms() AS ttl_ms
FROM @S.keys k JOIN @S.sets s ON s.key = k.key
WHERE @S.is_live(k.expires_at);

-- rank: the member's ZRANK (0-based, by score then member bytes).
CREATE OR REPLACE VIEW @S.zset_values AS
SELECT k.key, @S.utf8_or_null(z.member) AS member, z.score,
       row_number() OVER (PARTITION BY k.key ORDER BY z.score, z.member) - 1 AS rank,
       z.member AS bytes,
       k.expires_at - @S.now_ms() AS ttl_ms
FROM @S.keys k JOIN @S.zsets z ON z.key = k.key
WHERE @S.is_live(k.expires_at);
`;
