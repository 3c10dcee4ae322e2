/**
 * The key registry and the mechanics every command shares: the clock, expiry,
 * type checks, Redis errors, and taking a key for writing.
 *
 * Concurrency model (READ COMMITTED): every write starts by locking the key's
 * registry row (`open_key`). Inside a PL/pgSQL function each statement takes a
 * fresh snapshot, so everything a write reads after that lock is current; the
 * data rows of a key are only ever changed by whoever holds its registry row.
 * Reads are single statements and see the database as of their start.
 *
 * `@S` stands for the schema (quoted when it must be) and is replaced by
 * `schemaSql()`; no Redis data is ever part of this text.
 */
export const CORE_DDL = /* sql */ `
CREATE SCHEMA IF NOT EXISTS @S;

-- Versions are global and only grow: WATCH compares a key's version before and after.
CREATE SEQUENCE IF NOT EXISTS @S.versions;

-- A key's type. A domain rather than a CHECK on the column: PostgreSQL prepares a
-- table's CHECK constraints again in every statement that writes the table (~50k
-- instructions, 13-18% of a one-key write), while a domain's check is cached and
-- only runs when the type is assigned. (Schemas created before this keep their CHECK.)
DO $$
BEGIN
  CREATE DOMAIN @S.key_type AS text CHECK (VALUE IN ('string', 'hash', 'list', 'set', 'zset', 'stream'));
EXCEPTION WHEN duplicate_object THEN
  NULL;
END $$;

-- One row per key. The type tables below hold the values, keyed by the same key.
CREATE @UNLOGGED TABLE IF NOT EXISTS @S.keys (
  key        text COLLATE "C" PRIMARY KEY,
  type       @S.key_type NOT NULL,
  expires_at bigint,                      -- Unix time in ms; NULL: no TTL
  version    bigint NOT NULL,             -- last write (from @S.versions)
  size       bigint NOT NULL DEFAULT 0,   -- elements of a collection (0 for strings)
  list_head  bigint                       -- lists: position of the first element
);
CREATE INDEX IF NOT EXISTS keys_expires_at ON @S.keys (expires_at) WHERE expires_at IS NOT NULL;

-- The clock, read in one place. Tests (and users replaying a capture) may pin it:
--   SET redis2sql.now_ms = '1700000000000';
CREATE OR REPLACE FUNCTION @S.now_ms() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(
    nullif(current_setting('redis2sql.now_ms', true), '')::bigint,
    (extract(epoch FROM statement_timestamp()) * 1000)::bigint)
$$;

CREATE OR REPLACE FUNCTION @S.is_live(expires_at bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT expires_at IS NULL OR expires_at > @S.now_ms()
$$;

-- Raise an error whose message is Redis' reply text (SQLSTATE RD000).
CREATE OR REPLACE FUNCTION @S.raise(message text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'RD000', MESSAGE = message;
END $$;

-- Raise a Redis error where an expression is expected, typed as its second
-- argument: CASE WHEN bad THEN @S.fail('ERR …', NULL::bigint) ELSE … END.
-- Volatile on purpose: the planner never evaluates it ahead of its CASE branch.
CREATE OR REPLACE FUNCTION @S.fail(message text, result anyelement) RETURNS anyelement
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'RD000', MESSAGE = message;
END $$;

-- expect_type as an expression the planner inlines (a SQL function whose
-- body is one CASE): no PL/pgSQL call per row, fail only on a wrong type.
-- Declared volatile, as fail is: a SQL function is inlined only when it
-- claims no less than its body does.
CREATE OR REPLACE FUNCTION @S.check_type(actual text, expected text) RETURNS boolean
LANGUAGE sql AS $$
  SELECT CASE WHEN actual <> expected
    THEN @S.fail('WRONGTYPE Operation against a key holding the wrong kind of value', false)
    ELSE true END
$$;

-- For reads: true when the key holds the expected type, WRONGTYPE otherwise.
-- Call it in the select list (evaluated for result rows only), never in WHERE.
CREATE OR REPLACE FUNCTION @S.expect_type(actual text, expected text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF actual IS DISTINCT FROM expected AND actual IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'RD000',
      MESSAGE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
  END IF;
  RETURN true;
END $$;

-- Delete a key's values, whatever its type (not its registry row: see drop_key).
CREATE OR REPLACE FUNCTION @S.drop_values(p_key text, p_type text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  CASE p_type
    WHEN 'string' THEN DELETE FROM @S.strings WHERE key = p_key;
    WHEN 'hash'   THEN DELETE FROM @S.hashes WHERE key = p_key;
    WHEN 'list'   THEN DELETE FROM @S.lists WHERE key = p_key;
    WHEN 'set'    THEN DELETE FROM @S.sets WHERE key = p_key;
    WHEN 'zset'   THEN DELETE FROM @S.zsets WHERE key = p_key;
    WHEN 'stream' THEN PERFORM @S.drop_stream(p_key);
  END CASE;
END $$;

-- Delete a key and its values, whatever its type.
CREATE OR REPLACE FUNCTION @S.drop_key(p_key text, p_type text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM @S.drop_values(p_key, p_type);
  DELETE FROM @S.keys WHERE key = p_key;
END $$;

-- Take a key for writing: lock its registry row and return it.
--  * an expired key is deleted first (a write to it starts from nothing);
--  * p_type not NULL: WRONGTYPE unless the key is absent or of that type;
--  * p_create: an absent key is created empty (size 0) with that type;
--    otherwise an absent key returns NULL.
-- A write that leaves a collection empty must call close_key, which deletes it.
CREATE OR REPLACE FUNCTION @S.open_key(p_key text, p_type text, p_create boolean) RETURNS @S.keys
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
BEGIN
  LOOP
    SELECT * INTO k FROM @S.keys WHERE key = p_key FOR UPDATE;
    IF FOUND AND NOT @S.is_live(k.expires_at) THEN
      PERFORM @S.drop_key(p_key, k.type);
      k := NULL;
    END IF;
    IF k.key IS NOT NULL THEN
      IF p_type IS NOT NULL AND k.type <> p_type THEN
        RAISE EXCEPTION USING ERRCODE = 'RD000',
          MESSAGE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
      END IF;
      RETURN k;
    END IF;
    IF NOT p_create THEN
      RETURN NULL;
    END IF;
    INSERT INTO @S.keys (key, type, version, size)
    VALUES (p_key, p_type, nextval('@S.versions'), 0)
    ON CONFLICT (key) DO NOTHING
    RETURNING * INTO k;
    IF FOUND THEN
      RETURN k;
    END IF;
    -- Another client created it since our SELECT: lock theirs.
  END LOOP;
END $$;

-- Finish a write to a collection: record its new size and version, or delete
-- it when the write left it empty (Redis deletes emptied collections).
CREATE OR REPLACE FUNCTION @S.close_key(p_key text, p_size bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_size <= 0 THEN
    DELETE FROM @S.keys WHERE key = p_key;
  ELSE
    UPDATE @S.keys SET size = p_size, version = nextval('@S.versions') WHERE key = p_key;
  END IF;
END $$;

-- Mark a key as written (WATCH sees it) without changing anything else.
-- (PL/pgSQL, not SQL: a SQL function body is planned again at every call.)
CREATE OR REPLACE FUNCTION @S.touch_key(p_key text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE @S.keys SET version = nextval('@S.versions') WHERE key = p_key;
END $$;

-- Delete every expired key and its values, in bulk. Reads never see expired
-- keys anyway; this only reclaims space. Schedule it (pg_cron, or the app):
--   SELECT @S.sweep();            -- returns the number of keys deleted
CREATE OR REPLACE FUNCTION @S.sweep(max_keys integer DEFAULT 10000) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  k record;
  n integer := 0;
BEGIN
  FOR k IN
    SELECT key, type FROM @S.keys
    WHERE expires_at <= @S.now_ms()
    ORDER BY expires_at
    LIMIT max_keys
    FOR UPDATE SKIP LOCKED
  LOOP
    PERFORM @S.drop_key(k.key, k.type);
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;
`;

/**
 * PL/pgSQL for a write that finds its key absent (the caller looked for a live key of its type
 * and found none): the key's registry row is inserted as the command leaves it, with its final
 * size (and list head), then `then` writes the values and returns. One registry write where
 * open_key's insert of an empty key and close_key's update were two. The insert is also the
 * lock: a client creating the same key meanwhile waits on it, as on open_key's. A key that is
 * there after all (expired, of another type, or created since the caller looked) conflicts,
 * nothing is written, and the code after the fragment goes on (open_key's way: an expired key
 * reset, WRONGTYPE, or the other client's key locked). The function's key is `p_key` (or `key`); `pad` is
 * the indentation where the fragment goes.
 *
 *   createAsLeft({ pad: '    ', type: 'set', size: distinctCount('p_members'), then: 'INSERT …; RETURN …;' })
 */
export function createAsLeft(o: {
  readonly pad: string;
  readonly type: string;
  readonly size: string;
  readonly then: string;
  readonly more?: Readonly<Record<string, string>>;
  /** The variable holding the key, when it is not `p_key` (a two-key command's destination). */
  readonly key?: string;
}): string {
  const columns = ['key', 'type', 'version', 'size', ...Object.keys(o.more ?? {})].join(', ');
  const values = [o.key ?? 'p_key', `'${o.type}'`, "nextval('@S.versions')", o.size, ...Object.values(o.more ?? {})].join(', ');
  const lines = [
    `INSERT INTO @S.keys (${columns})`,
    `VALUES (${values})`,
    'ON CONFLICT (key) DO NOTHING;',
    'IF FOUND THEN',
    ...o.then.trim().split('\n').map((line) => `  ${line}`),
    'END IF;',
  ];
  return lines.join(`\n${o.pad}`);
}

/** The number of distinct elements of a PL/pgSQL array, as a new key's size (a repeated element counts once). */
export const distinctCount = (array: string): string =>
  `CASE WHEN cardinality(${array}) = 1 THEN 1 ELSE (SELECT count(DISTINCT e) FROM unnest(${array}) AS e) END`;

/** The value tables, one per Redis type, keyed by the Redis key first. */
export const VALUE_TABLES_DDL = /* sql */ `
CREATE @UNLOGGED TABLE IF NOT EXISTS @S.strings (
  key   text COLLATE "C" PRIMARY KEY,
  value bytea NOT NULL
);

CREATE @UNLOGGED TABLE IF NOT EXISTS @S.hashes (
  key   text COLLATE "C" NOT NULL,
  field bytea NOT NULL,
  value bytea NOT NULL,
  PRIMARY KEY (key, field)
);

-- Positions are dense: the i-th element (0-based) is at keys.list_head + i, so
-- LINDEX/LSET/LRANGE are index lookups and pushes at either end touch one row.
-- The key is checked at the end of each statement, so a shift (pos + 1) can run
-- in any row order.
CREATE @UNLOGGED TABLE IF NOT EXISTS @S.lists (
  key   text COLLATE "C" NOT NULL,
  pos   bigint NOT NULL,
  value bytea NOT NULL,
  CONSTRAINT lists_pkey PRIMARY KEY (key, pos) DEFERRABLE INITIALLY IMMEDIATE
);
-- Finding an element by value (LINSERT's pivot, LREM, LPOS) by its digest, not
-- a scan: values may be far larger than a B-tree entry can hold.
CREATE INDEX IF NOT EXISTS lists_by_value ON @S.lists (key, md5(value), pos);

CREATE @UNLOGGED TABLE IF NOT EXISTS @S.sets (
  key    text COLLATE "C" NOT NULL,
  member bytea NOT NULL,
  PRIMARY KEY (key, member)
);

-- Sorted by (score, member bytes), exactly Redis' order; bytea compares bytewise.
CREATE @UNLOGGED TABLE IF NOT EXISTS @S.zsets (
  key    text COLLATE "C" NOT NULL,
  member bytea NOT NULL,
  score  float8 NOT NULL,
  PRIMARY KEY (key, member)
);
CREATE INDEX IF NOT EXISTS zsets_by_score ON @S.zsets (key, score, member);
`;
