/**
 * Streams: entries, the stream's own metadata, and the write functions of
 * XADD, XDEL, XTRIM and XSETID (plus drop/rename/copy for core and generic).
 *
 * Stream IDs are two unsigned 64-bit integers; PostgreSQL has no unsigned
 * bigint, so they are `numeric(20, 0)`, which orders them as Redis does and
 * holds 18446744073709551615. A stream's length is `keys.size`. Unlike the
 * other collections, a stream emptied by XDEL or XTRIM still exists (Redis
 * keeps it, with its last ID), so these functions never call `close_key`.
 *
 * Every write locks the key's registry row first (`open_key`): the next ID is
 * computed from the metadata row read after that lock, so concurrent XADDs
 * get strictly increasing IDs.
 */
const STREAM_DATA_DDL = /* sql */ `
CREATE @UNLOGGED TABLE IF NOT EXISTS @S.streams (
  key              text COLLATE "C" PRIMARY KEY,
  last_ms          numeric(20, 0) NOT NULL DEFAULT 0,  -- last ID ever added (or XSETID)
  last_seq         numeric(20, 0) NOT NULL DEFAULT 0,
  entries_added    bigint NOT NULL DEFAULT 0,          -- XINFO's entries-added
  max_deleted_ms   numeric(20, 0) NOT NULL DEFAULT 0,  -- XINFO's max-deleted-entry-id
  max_deleted_seq  numeric(20, 0) NOT NULL DEFAULT 0,
  last_node        bigint NOT NULL DEFAULT 0           -- the number of the newest node ever started
);

-- field_values interleaves fields and values (f1, v1, f2, v2…), the order
-- XRANGE replies with them.
CREATE @UNLOGGED TABLE IF NOT EXISTS @S.stream_entries (
  key          text COLLATE "C" NOT NULL,
  ms           numeric(20, 0) NOT NULL,
  seq          numeric(20, 0) NOT NULL,
  field_values bytea[] NOT NULL,
  node         bigint NOT NULL,
  PRIMARY KEY (key, ms, seq)
);
CREATE INDEX IF NOT EXISTS stream_entries_by_node ON @S.stream_entries (key, node);

-- Redis' nodes (a radix-tree key and its listpack), kept while they hold
-- entries: the ID each node was started with (its master entry ID, the key
-- of its radix-tree node: XINFO's radix-tree-keys and radix-tree-nodes are
-- computed from them), and what XADD needs to know whether the next entry
-- still goes into it: the entries ever appended (deleted ones too), the
-- listpack's byte size and the master entry's field names.
CREATE @UNLOGGED TABLE IF NOT EXISTS @S.stream_nodes (
  key     text COLLATE "C" NOT NULL,
  node    bigint NOT NULL,
  ms      numeric(20, 0) NOT NULL,
  seq     numeric(20, 0) NOT NULL,
  fill    integer,
  bytes   integer,
  fields  bytea[],
  PRIMARY KEY (key, node)
);
-- Databases made before fill/bytes/fields existed get them as NULL: XADD
-- takes such a node for full and starts a new one.
ALTER TABLE @S.stream_nodes ADD COLUMN IF NOT EXISTS fill integer,
  ADD COLUMN IF NOT EXISTS bytes integer, ADD COLUMN IF NOT EXISTS fields bytea[];

-- The bytes a listpack element holding this integer takes (encoding and
-- back-length): 7-bit unsigned, then 13-, 16-, 24-, 32- and 64-bit signed.
-- lp_int_size(100) = 2, lp_int_size(-5) = 3, lp_int_size(2^40) = 10.
CREATE OR REPLACE FUNCTION @S.lp_int_size(v numeric) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
  SELECT 1 + CASE WHEN v BETWEEN 0 AND 127 THEN 1
    WHEN v BETWEEN -4096 AND 4095 THEN 2
    WHEN v BETWEEN -32768 AND 32767 THEN 3
    WHEN v BETWEEN -8388608 AND 8388607 THEN 4
    WHEN v BETWEEN -2147483648 AND 2147483647 THEN 5
    ELSE 9 END
$$;

-- The bytes a listpack element holding this string takes. A string that
-- reads back as itself as an int64 ("0", "-5", "123"; not "007", "-0", "+1")
-- is stored as that integer; others as 6-, 12- or 32-bit length and bytes,
-- followed by a back-length of 1 to 5 bytes.
-- lp_size('abc') = 5, lp_size('123') = 3.
CREATE OR REPLACE FUNCTION @S.lp_size(v bytea) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
  -- one expression (no FROM), so that PostgreSQL inlines it
  SELECT CASE
    -- nested, so that only digits are cast
    WHEN CASE WHEN length(v) <= 20 AND encode(v, 'escape') ~ '^(0|-?[1-9][0-9]*)$'
      THEN encode(v, 'escape')::numeric BETWEEN -9223372036854775808 AND 9223372036854775807 ELSE false END
      THEN @S.lp_int_size(encode(v, 'escape')::numeric)
    -- header length + bytes (l), then l's back-length
    WHEN length(v) < 64 THEN length(v) + 1 + 1
    WHEN length(v) + 2 <= 127 THEN length(v) + 2 + 1
    WHEN length(v) < 4096 THEN length(v) + 2 + 2
    WHEN length(v) + 5 < 16383 THEN length(v) + 5 + 2
    WHEN length(v) + 5 < 2097151 THEN length(v) + 5 + 3
    WHEN length(v) + 5 < 268435455 THEN length(v) + 5 + 4
    ELSE length(v) + 5 + 5
  END
$$;

-- An ID difference as a listpack stores it: the unsigned 64-bit difference
-- read as a signed int64 (2^64 - 1 is -1).
CREATE OR REPLACE FUNCTION @S.lp_id_delta(a numeric, b numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN a - b >= 9223372036854775808 THEN a - b - 18446744073709551616
    WHEN a - b < -9223372036854775808 THEN a - b + 18446744073709551616 ELSE a - b END
$$;

CREATE OR REPLACE FUNCTION @S.drop_stream(p_key text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM @S.stream_entries WHERE key = p_key;
  DELETE FROM @S.stream_nodes WHERE key = p_key;
  DELETE FROM @S.streams WHERE key = p_key;
  PERFORM @S.drop_stream_groups(p_key);
END $$;

CREATE OR REPLACE FUNCTION @S.rename_stream(p_src text, p_dst text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE @S.stream_entries SET key = p_dst WHERE key = p_src;
  UPDATE @S.stream_nodes SET key = p_dst WHERE key = p_src;
  UPDATE @S.streams SET key = p_dst WHERE key = p_src;
  UPDATE @S.stream_groups SET key = p_dst WHERE key = p_src;
  UPDATE @S.stream_consumers SET key = p_dst WHERE key = p_src;
  UPDATE @S.stream_pending SET key = p_dst WHERE key = p_src;
END $$;

CREATE OR REPLACE FUNCTION @S.copy_stream(p_src text, p_dst text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO @S.stream_entries (key, ms, seq, field_values, node)
  SELECT p_dst, ms, seq, field_values, node FROM @S.stream_entries WHERE key = p_src;
  INSERT INTO @S.stream_nodes (key, node, ms, seq, fill, bytes, fields)
  SELECT p_dst, node, ms, seq, fill, bytes, fields FROM @S.stream_nodes WHERE key = p_src;
  INSERT INTO @S.streams (key, last_ms, last_seq, entries_added, max_deleted_ms, max_deleted_seq, last_node)
  SELECT p_dst, last_ms, last_seq, entries_added, max_deleted_ms, max_deleted_seq, last_node
  FROM @S.streams WHERE key = p_src;
  INSERT INTO @S.stream_groups (key, name, last_ms, last_seq, entries_read)
  SELECT p_dst, name, last_ms, last_seq, entries_read FROM @S.stream_groups WHERE key = p_src;
  INSERT INTO @S.stream_consumers (key, grp, name, seen_time)
  SELECT p_dst, grp, name, seen_time FROM @S.stream_consumers WHERE key = p_src;
  INSERT INTO @S.stream_pending (key, grp, ms, seq, consumer, delivery_time, delivery_count)
  SELECT p_dst, grp, ms, seq, consumer, delivery_time, delivery_count FROM @S.stream_pending WHERE key = p_src;
END $$;

-- Record a stream's new length and version; an empty stream stays.
CREATE OR REPLACE FUNCTION @S.stream_written(p_key text, p_size bigint) RETURNS void
LANGUAGE sql AS $$
  UPDATE @S.keys SET size = p_size, version = nextval('@S.versions') WHERE key = p_key
$$;

-- Remove the oldest entries as Redis 7.0's streamTrim does: MAXLEN keeps at
-- least p_maxlen entries, MINID removes those below p_min. Redis stores a
-- stream as nodes (see xadd) and walks them from the oldest: a node whose entries all go is removed whole; the
-- first one that cannot go whole stops "~" (so "~" trims nothing from a
-- small stream unless all of it goes) and is trimmed entry by entry
-- otherwise. p_limit (0: none) stops before a node that would take the count
-- removed past it. Entries remember their node (their node column).
-- Returns the number removed; the caller records the new length.
CREATE OR REPLACE FUNCTION @S.stream_trim(p_key text, p_size bigint, p_strategy text, p_approx boolean,
    p_maxlen bigint, p_min_ms numeric, p_min_seq numeric, p_limit bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  size bigint := p_size;
  removed bigint := 0;
  n bigint;
  first_node bigint;
  entries bigint;
  whole boolean;
  last record;
BEGIN
  LOOP
    EXIT WHEN p_strategy = 'maxlen' AND size <= p_maxlen;
    SELECT e.node INTO first_node FROM @S.stream_entries e WHERE e.key = p_key ORDER BY e.ms, e.seq LIMIT 1;
    EXIT WHEN NOT FOUND;
    SELECT count(*) INTO entries FROM @S.stream_entries e WHERE e.key = p_key AND e.node = first_node;
    EXIT WHEN p_limit > 0 AND removed + entries > p_limit;
    IF p_strategy = 'maxlen' THEN
      whole := size - entries >= p_maxlen;
    ELSE
      SELECT e.ms, e.seq INTO last FROM @S.stream_entries e
      WHERE e.key = p_key AND e.node = first_node ORDER BY e.ms DESC, e.seq DESC LIMIT 1;
      whole := (last.ms, last.seq) < (p_min_ms, p_min_seq);
    END IF;
    IF whole THEN
      DELETE FROM @S.stream_entries WHERE key = p_key AND node = first_node;
      DELETE FROM @S.stream_nodes WHERE key = p_key AND node = first_node;
      size := size - entries;
      removed := removed + entries;
      CONTINUE;
    END IF;
    EXIT WHEN p_approx;
    IF p_strategy = 'maxlen' THEN
      DELETE FROM @S.stream_entries d
      USING (SELECT e.ms, e.seq FROM @S.stream_entries e WHERE e.key = p_key AND e.node = first_node
             ORDER BY e.ms, e.seq LIMIT size - p_maxlen) AS old
      WHERE d.key = p_key AND d.ms = old.ms AND d.seq = old.seq;
    ELSE
      DELETE FROM @S.stream_entries
      WHERE key = p_key AND node = first_node AND (ms, seq) < (p_min_ms, p_min_seq);
    END IF;
    GET DIAGNOSTICS n = ROW_COUNT;
    removed := removed + n;
    EXIT;
  END LOOP;
  RETURN removed;
END $$;

-- XADD. p_ms NULL: "*" (the clock); p_seq NULL: "<ms>-*". Returns the new
-- ID as text, or NULL (NOMKSTREAM on a missing key). The trim arguments
-- are those of stream_trim; p_strategy NULL: no trimming.
CREATE OR REPLACE FUNCTION @S.xadd(p_key text, p_nomkstream boolean, p_ms numeric, p_seq numeric,
    p_field_values bytea[], p_strategy text, p_approx boolean, p_maxlen bigint,
    p_min_ms numeric, p_min_seq numeric, p_limit bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  s @S.streams;
  ms numeric;
  seq numeric;
  max_id CONSTANT numeric := 18446744073709551615;
  size bigint;
  tail @S.stream_nodes;
  fields bytea[];
  sizes record;
  same boolean;
BEGIN
  -- Redis refuses 0-0 before it looks at the key.
  IF p_ms = 0 AND p_seq = 0 THEN
    PERFORM @S.raise('ERR The ID specified in XADD must be greater than 0-0');
  END IF;
  k := @S.open_key(p_key, 'stream', NOT p_nomkstream);
  IF k.key IS NULL THEN
    RETURN NULL;
  END IF;
  INSERT INTO @S.streams (key) VALUES (p_key) ON CONFLICT (key) DO NOTHING;
  SELECT * INTO s FROM @S.streams WHERE key = p_key;
  IF s.last_ms = max_id AND s.last_seq = max_id THEN
    PERFORM @S.raise('ERR The stream has exhausted the last possible ID, unable to add more items');
  END IF;
  IF p_ms IS NULL THEN
    ms := greatest(@S.now_ms(), s.last_ms);
    IF ms > s.last_ms THEN
      seq := 0;
    ELSIF s.last_seq < max_id THEN
      seq := s.last_seq + 1;
    ELSE
      ms := ms + 1;
      seq := 0;
    END IF;
  ELSIF p_seq IS NULL THEN
    ms := p_ms;
    IF p_ms = s.last_ms THEN
      IF s.last_seq = max_id THEN
        PERFORM @S.raise('ERR The ID specified in XADD is equal or smaller than the target stream top item');
      END IF;
      seq := s.last_seq + 1;
    ELSE
      seq := 0;
    END IF;
  ELSE
    ms := p_ms;
    seq := p_seq;
  END IF;
  IF (ms, seq) <= (s.last_ms, s.last_seq) THEN
    PERFORM @S.raise('ERR The ID specified in XADD is equal or smaller than the target stream top item');
  END IF;
  -- Redis 7.0 (streamAppendItem) appends to the newest node still there
  -- unless it has had 100 entries (stream-node-max-entries, deleted ones
  -- count) or its listpack's bytes plus the new fields' and values' raw
  -- lengths reach 4096 (stream-node-max-bytes); a new node's listpack starts
  -- with a master entry (count, deleted, the field names, 0) and its entries
  -- leave out their field names while they equal the master's. Deleting
  -- only rewrites counters and flags below 128, which keep their size.
  SELECT array_agg(x.v ORDER BY x.i) FILTER (WHERE x.i % 2 = 1) AS fields,
         sum(length(x.v)) AS raw,
         sum(@S.lp_size(x.v)) FILTER (WHERE x.i % 2 = 1) AS field_bytes,
         sum(@S.lp_size(x.v)) FILTER (WHERE x.i % 2 = 0) AS value_bytes
    INTO sizes FROM unnest(p_field_values) WITH ORDINALITY AS x(v, i);
  fields := sizes.fields;
  SELECT * INTO tail FROM @S.stream_nodes n WHERE n.key = p_key ORDER BY n.node DESC LIMIT 1;
  IF tail.key IS NULL OR tail.bytes IS NULL OR tail.fill >= 100 OR tail.bytes + sizes.raw >= 4096 THEN
    s.last_node := s.last_node + 1;
    tail := ROW(p_key, s.last_node, ms, seq, 0,
      -- header and end byte, count 1, deleted 0, the field count, the names, 0
      7 + 2 + 2 + @S.lp_int_size(cardinality(fields)) + sizes.field_bytes + 2, fields);
    INSERT INTO @S.stream_nodes (key, node, ms, seq, fill, bytes, fields)
    VALUES (tail.key, tail.node, tail.ms, tail.seq, tail.fill, tail.bytes, tail.fields);
  END IF;
  same := tail.fields = fields;
  INSERT INTO @S.stream_entries (key, ms, seq, field_values, node) VALUES (p_key, ms, seq, p_field_values, tail.node);
  -- flags, the ID's differences from the master ID, the field count and names
  -- unless the master's, the values, and the entry's element count
  tail.bytes := tail.bytes + 2 + @S.lp_int_size(@S.lp_id_delta(ms, tail.ms)) + @S.lp_int_size(@S.lp_id_delta(seq, tail.seq))
    + CASE WHEN same THEN 0 ELSE @S.lp_int_size(cardinality(fields)) + sizes.field_bytes END
    + sizes.value_bytes
    + @S.lp_int_size(cardinality(fields) + 3 + CASE WHEN same THEN 0 ELSE cardinality(fields) + 1 END);
  UPDATE @S.stream_nodes n SET fill = tail.fill + 1, bytes = tail.bytes WHERE n.key = p_key AND n.node = tail.node;
  UPDATE @S.streams SET last_ms = ms, last_seq = seq, entries_added = entries_added + 1,
    last_node = s.last_node
  WHERE key = p_key;
  size := k.size + 1;
  IF p_strategy IS NOT NULL THEN
    size := size - @S.stream_trim(p_key, size, p_strategy, p_approx, p_maxlen, p_min_ms, p_min_seq, p_limit);
  END IF;
  PERFORM @S.stream_written(p_key, size);
  RETURN ms::text || '-' || seq::text;
END $$;

-- XTRIM: the number of entries removed.
CREATE OR REPLACE FUNCTION @S.xtrim(p_key text, p_strategy text, p_approx boolean, p_maxlen bigint,
    p_min_ms numeric, p_min_seq numeric, p_limit bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  removed bigint;
BEGIN
  k := @S.open_key(p_key, 'stream', false);
  IF k.key IS NULL THEN
    RETURN 0;
  END IF;
  removed := @S.stream_trim(p_key, k.size, p_strategy, p_approx, p_maxlen, p_min_ms, p_min_seq, p_limit);
  IF removed > 0 THEN
    PERFORM @S.stream_written(p_key, k.size - removed);
  END IF;
  RETURN removed;
END $$;

-- XDEL: the number of entries deleted (an ID given twice counts once).
-- The greatest deleted ID is kept for XINFO. p_id_error: an ID the
-- translator could not read, which Redis reports only for an existing stream.
CREATE OR REPLACE FUNCTION @S.xdel(p_key text, p_ms numeric[], p_seq numeric[], p_id_error text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  removed bigint;
  top record;
BEGIN
  k := @S.open_key(p_key, 'stream', false);
  IF k.key IS NULL THEN
    RETURN 0;
  END IF;
  IF p_id_error IS NOT NULL THEN
    PERFORM @S.raise(p_id_error);
  END IF;
  WITH gone AS (
    DELETE FROM @S.stream_entries e
    USING unnest(p_ms, p_seq) AS given(ms, seq)
    WHERE e.key = p_key AND e.ms = given.ms AND e.seq = given.seq
    RETURNING e.ms, e.seq, e.node
  )
  SELECT count(*) AS n,
         (array_agg(gone.ms ORDER BY gone.ms DESC, gone.seq DESC))[1] AS ms,
         (array_agg(gone.seq ORDER BY gone.ms DESC, gone.seq DESC))[1] AS seq,
         array_agg(DISTINCT gone.node) AS nodes
  INTO top FROM gone;
  removed := top.n;
  IF removed > 0 THEN
    -- Redis frees a node once its last entry is deleted.
    DELETE FROM @S.stream_nodes n WHERE n.key = p_key AND n.node = ANY (top.nodes)
      AND NOT EXISTS (SELECT FROM @S.stream_entries e WHERE e.key = p_key AND e.node = n.node);
    UPDATE @S.streams SET max_deleted_ms = top.ms, max_deleted_seq = top.seq
    WHERE key = p_key AND (max_deleted_ms, max_deleted_seq) < (top.ms, top.seq);
    PERFORM @S.stream_written(p_key, k.size - removed);
  END IF;
  RETURN removed;
END $$;
-- XSETID: 'OK', or Redis' error when the ID would go below what the stream holds.
-- Like XGROUP, XREADGROUP, XACK and XCLAIM, it leaves the key's version alone:
-- Redis 7.0 does not count them as changes of the key for WATCH.
CREATE OR REPLACE FUNCTION @S.xsetid(p_key text, p_ms numeric, p_seq numeric, p_added bigint,
    p_deleted_ms numeric, p_deleted_seq numeric) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  top record;
BEGIN
  k := @S.open_key(p_key, 'stream', false);
  IF k.key IS NULL THEN
    PERFORM @S.raise('ERR no such key');
  END IF;
  -- Redis 7.0 compares the ID with the top entry only, not with the recorded
  -- max-deleted-entry-id (an emptied stream accepts any ID).
  IF k.size > 0 THEN
    SELECT e.ms, e.seq INTO top FROM @S.stream_entries e WHERE e.key = p_key ORDER BY e.ms DESC, e.seq DESC LIMIT 1;
    IF (p_ms, p_seq) < (top.ms, top.seq) THEN
      PERFORM @S.raise('ERR The ID specified in XSETID is smaller than the target stream top item');
    END IF;
    IF p_added < k.size THEN
      PERFORM @S.raise('ERR The entries_added specified in XSETID is smaller than the target stream length');
    END IF;
  END IF;
  -- A MAXDELETEDID of 0-0 leaves the recorded one, as in Redis.
  UPDATE @S.streams SET last_ms = p_ms, last_seq = p_seq,
    entries_added = coalesce(p_added, entries_added),
    max_deleted_ms = CASE WHEN p_deleted_ms > 0 OR p_deleted_seq > 0 THEN p_deleted_ms ELSE max_deleted_ms END,
    max_deleted_seq = CASE WHEN p_deleted_ms > 0 OR p_deleted_seq > 0 THEN p_deleted_seq ELSE max_deleted_seq END
  WHERE key = p_key;
  RETURN 'OK';
END $$;

-- XREAD's checks, in Redis' order: for each stream in turn its type, then its
-- ID (p_bad: the 1-based position of the first ID the translator could not
-- read, with p_error its error). True, or an error.
CREATE OR REPLACE FUNCTION @S.xread_check(p_keys text[], p_bad integer, p_error text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
  t text;
BEGIN
  FOR i IN 1 .. coalesce(array_length(p_keys, 1), 0) LOOP
    SELECT k.type INTO t FROM @S.keys k WHERE k.key = p_keys[i] AND @S.is_live(k.expires_at);
    PERFORM @S.expect_type(t, 'stream');
    IF i = p_bad THEN
      PERFORM @S.raise(p_error);
    END IF;
  END LOOP;
  RETURN true;
END $$;

-- Consumer groups. Group and consumer names are bytes, as in Redis; their
-- order (XINFO, XPENDING) is bytewise, as in Redis' radix trees.
-- entries_read -1: unknown (Redis' SCG_INVALID_ENTRIES_READ).
CREATE @UNLOGGED TABLE IF NOT EXISTS @S.stream_groups (
  key           text COLLATE "C" NOT NULL,
  name          bytea NOT NULL,
  last_ms       numeric(20, 0) NOT NULL,
  last_seq      numeric(20, 0) NOT NULL,
  entries_read  bigint NOT NULL DEFAULT -1,
  PRIMARY KEY (key, name)
);

CREATE @UNLOGGED TABLE IF NOT EXISTS @S.stream_consumers (
  key        text COLLATE "C" NOT NULL,
  grp        bytea NOT NULL,
  name       bytea NOT NULL,
  seen_time  bigint NOT NULL,            -- ms, last time it read or claimed
  PRIMARY KEY (key, grp, name)
);

-- The pending entries list: delivered to a consumer of a group, not acknowledged.
CREATE @UNLOGGED TABLE IF NOT EXISTS @S.stream_pending (
  key             text COLLATE "C" NOT NULL,
  grp             bytea NOT NULL,
  ms              numeric(20, 0) NOT NULL,
  seq             numeric(20, 0) NOT NULL,
  consumer        bytea NOT NULL,
  delivery_time   bigint NOT NULL,
  delivery_count  bigint NOT NULL,
  PRIMARY KEY (key, grp, ms, seq)
);
-- A consumer's own pending entries (XREADGROUP's history, XPENDING … consumer).
CREATE INDEX IF NOT EXISTS stream_pending_by_consumer ON @S.stream_pending (key, grp, consumer, ms, seq);

CREATE OR REPLACE FUNCTION @S.drop_stream_groups(p_key text) RETURNS void
LANGUAGE sql AS $$
  DELETE FROM @S.stream_pending WHERE key = p_key;
  DELETE FROM @S.stream_consumers WHERE key = p_key;
  DELETE FROM @S.stream_groups WHERE key = p_key;
$$;

-- XGROUP's common start: lock the stream (which must exist) and, when
-- p_nogroup is given (Redis' NOGROUP text), the group must exist too.
CREATE OR REPLACE FUNCTION @S.xgroup_open(p_key text, p_group bytea, p_nogroup text) RETURNS @S.keys
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
BEGIN
  k := @S.open_key(p_key, 'stream', false);
  IF k.key IS NULL THEN
    PERFORM @S.raise('ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.');
  END IF;
  IF p_nogroup IS NOT NULL AND NOT EXISTS (SELECT FROM @S.stream_groups g WHERE g.key = p_key AND g.name = p_group) THEN
    PERFORM @S.raise(p_nogroup);
  END IF;
  RETURN k;
END $$;

-- XGROUP CREATE: p_ms NULL is "$" (the stream's last ID). 'OK' or BUSYGROUP.
-- p_id_error: the ID could not be read; Redis says so once the key is checked.
CREATE OR REPLACE FUNCTION @S.xgroup_create(p_key text, p_group bytea, p_ms numeric, p_seq numeric,
    p_id_error text, p_mkstream boolean, p_entries_read bigint) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  s @S.streams;
BEGIN
  IF p_mkstream THEN
    k := @S.open_key(p_key, 'stream', true);
    INSERT INTO @S.streams (key) VALUES (p_key) ON CONFLICT (key) DO NOTHING;
  ELSE
    k := @S.xgroup_open(p_key, p_group, NULL);
  END IF;
  IF p_id_error IS NOT NULL THEN
    PERFORM @S.raise(p_id_error);
  END IF;
  SELECT * INTO s FROM @S.streams WHERE key = p_key;
  INSERT INTO @S.stream_groups (key, name, last_ms, last_seq, entries_read)
  VALUES (p_key, p_group, coalesce(p_ms, s.last_ms), coalesce(p_seq, s.last_seq), p_entries_read)
  ON CONFLICT (key, name) DO NOTHING;
  IF NOT FOUND THEN
    PERFORM @S.raise('BUSYGROUP Consumer Group name already exists');
  END IF;
  RETURN 'OK';
END $$;

-- XGROUP SETID: p_ms NULL is "$".
CREATE OR REPLACE FUNCTION @S.xgroup_setid(p_key text, p_group bytea, p_nogroup text, p_ms numeric, p_seq numeric,
    p_id_error text, p_entries_read bigint) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM @S.xgroup_open(p_key, p_group, p_nogroup);
  IF p_id_error IS NOT NULL THEN
    PERFORM @S.raise(p_id_error);
  END IF;
  UPDATE @S.stream_groups g SET last_ms = coalesce(p_ms, s.last_ms), last_seq = coalesce(p_seq, s.last_seq),
    entries_read = p_entries_read
  FROM @S.streams s WHERE s.key = p_key AND g.key = p_key AND g.name = p_group;
  RETURN 'OK';
END $$;

-- XGROUP DESTROY: 1 when the group existed.
CREATE OR REPLACE FUNCTION @S.xgroup_destroy(p_key text, p_group bytea) RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM @S.xgroup_open(p_key, p_group, NULL);
  DELETE FROM @S.stream_groups WHERE key = p_key AND name = p_group;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  DELETE FROM @S.stream_consumers WHERE key = p_key AND grp = p_group;
  DELETE FROM @S.stream_pending WHERE key = p_key AND grp = p_group;
  RETURN 1;
END $$;

-- XGROUP CREATECONSUMER: 1 when created, 0 when it existed.
CREATE OR REPLACE FUNCTION @S.xgroup_createconsumer(p_key text, p_group bytea, p_nogroup text, p_consumer bytea)
RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM @S.xgroup_open(p_key, p_group, p_nogroup);
  INSERT INTO @S.stream_consumers (key, grp, name, seen_time) VALUES (p_key, p_group, p_consumer, @S.now_ms())
  ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  RETURN 1;
END $$;

-- XGROUP DELCONSUMER: the number of entries the consumer still had pending
-- (they are dropped with it); 0 when there was no such consumer.
CREATE OR REPLACE FUNCTION @S.xgroup_delconsumer(p_key text, p_group bytea, p_nogroup text, p_consumer bytea)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  PERFORM @S.xgroup_open(p_key, p_group, p_nogroup);
  DELETE FROM @S.stream_consumers WHERE key = p_key AND grp = p_group AND name = p_consumer;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  DELETE FROM @S.stream_pending WHERE key = p_key AND grp = p_group AND consumer = p_consumer;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
`;

/**
 * Reading in consumer groups (XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM)
 * and XINFO. Their replies are nested and mix IDs, binary fields, integers
 * and nils, so these functions build them as jsonb in the form of the `lua`
 * reply shape (src/emit/reply.ts).
 *
 * Redis' logical read counters (a group's entries-read and lag) follow
 * t_stream.c of 7.0: `stream_distance` is streamEstimateDistanceFromFirstEverEntry,
 * `stream_tombstones_from` streamRangeHasTombstones (to the end), `stream_lag`
 * streamReplyWithCGLag. A stream's first ID is its first entry's (0-0 when
 * empty), which is what Redis records as recorded-first-entry-id.
 */
const STREAM_GROUPS_DDL = /* sql */ `
CREATE OR REPLACE FUNCTION @S.reply_bulk(b bytea) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN b IS NULL THEN 'null'::jsonb ELSE jsonb_build_object('b', encode(b, 'hex')) END
$$;

CREATE OR REPLACE FUNCTION @S.reply_text(t text) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT @S.reply_bulk(convert_to(t, 'UTF8'))
$$;

-- NULL: a nil bulk (XINFO's unknown entries-read and lag).
CREATE OR REPLACE FUNCTION @S.reply_int(n numeric) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN n IS NULL THEN 'null'::jsonb ELSE jsonb_build_object('i', n::text) END
$$;

-- items: a jsonb array of replies; NULL is a nil array.
CREATE OR REPLACE FUNCTION @S.reply_array(items jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT jsonb_build_object('a', items)
$$;

CREATE OR REPLACE FUNCTION @S.reply_id(ms numeric, seq numeric) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT @S.reply_text(ms::text || '-' || seq::text)
$$;

-- [id, [field, value, …]]; [id, nil] for an entry that is no longer there.
CREATE OR REPLACE FUNCTION @S.reply_entry(ms numeric, seq numeric, field_values bytea[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT @S.reply_array(jsonb_build_array(@S.reply_id(ms, seq), @S.reply_array(
    CASE WHEN field_values IS NOT NULL THEN
      (SELECT coalesce(jsonb_agg(@S.reply_bulk(fv.v) ORDER BY fv.i), '[]') FROM unnest(field_values) WITH ORDINALITY AS fv(v, i))
    END)))
$$;

-- The number of entries ever added up to the ID (ms, seq), -1 when it cannot be known.
CREATE OR REPLACE FUNCTION @S.stream_distance(s @S.streams, p_length bigint, p_first_ms numeric, p_first_seq numeric,
    p_ms numeric, p_seq numeric) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF s.entries_added = 0 THEN
    RETURN 0;
  END IF;
  IF p_length = 0 AND (p_ms, p_seq) <= (s.last_ms, s.last_seq) THEN
    RETURN s.entries_added;
  END IF;
  IF (p_ms, p_seq) = (s.last_ms, s.last_seq) THEN
    RETURN s.entries_added;
  ELSIF (p_ms, p_seq) > (s.last_ms, s.last_seq) THEN
    RETURN -1;
  END IF;
  IF (s.max_deleted_ms, s.max_deleted_seq) = (0, 0) OR (s.max_deleted_ms, s.max_deleted_seq) < (p_first_ms, p_first_seq) THEN
    IF (p_ms, p_seq) < (p_first_ms, p_first_seq) THEN
      RETURN s.entries_added - p_length;
    ELSIF (p_ms, p_seq) = (p_first_ms, p_first_seq) THEN
      RETURN s.entries_added - p_length + 1;
    END IF;
  END IF;
  RETURN -1;
END $$;

-- Whether an entry at or after (ms, seq) may have been deleted.
CREATE OR REPLACE FUNCTION @S.stream_tombstones_from(s @S.streams, p_length bigint, p_first_ms numeric, p_first_seq numeric,
    p_ms numeric, p_seq numeric) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT p_length > 0 AND (s.max_deleted_ms, s.max_deleted_seq) <> (0, 0)
    AND (p_first_ms, p_first_seq) <= (s.max_deleted_ms, s.max_deleted_seq)
    AND (p_ms, p_seq) <= (s.max_deleted_ms, s.max_deleted_seq)
$$;

-- A group's lag (NULL: unknown).
CREATE OR REPLACE FUNCTION @S.stream_lag(s @S.streams, p_length bigint, p_first_ms numeric, p_first_seq numeric,
    g @S.stream_groups) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  d bigint;
BEGIN
  IF s.entries_added = 0 THEN
    RETURN 0;
  END IF;
  IF g.entries_read <> -1 AND NOT @S.stream_tombstones_from(s, p_length, p_first_ms, p_first_seq, g.last_ms, g.last_seq) THEN
    RETURN s.entries_added - g.entries_read;
  END IF;
  d := @S.stream_distance(s, p_length, p_first_ms, p_first_seq, g.last_ms, g.last_seq);
  RETURN CASE WHEN d = -1 THEN NULL ELSE s.entries_added - d END;
END $$;

-- The stream's first ID, 0-0 when it is empty.
CREATE OR REPLACE FUNCTION @S.stream_first(p_key text, OUT ms numeric, OUT seq numeric)
LANGUAGE sql STABLE AS $$
  SELECT coalesce(max(e.ms), 0), coalesce(max(e.seq), 0)
  FROM (SELECT e.ms, e.seq FROM @S.stream_entries e WHERE e.key = p_key ORDER BY e.ms, e.seq LIMIT 1) AS e
$$;

-- A consumer reads or claims: it is created if new, and seen now.
CREATE OR REPLACE FUNCTION @S.stream_consumer_seen(p_key text, p_group bytea, p_consumer bytea, p_now bigint) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO @S.stream_consumers (key, grp, name, seen_time) VALUES (p_key, p_group, p_consumer, p_now)
  ON CONFLICT (key, grp, name) DO UPDATE SET seen_time = excluded.seen_time
$$;

-- XREADGROUP. p_ms/p_seq NULL: ">" (entries never delivered to the group);
-- otherwise the first ID of the consumer's history to serve again. Every
-- stream is checked in turn first (type, group — p_nogroup holds Redis' text
-- for each —, then the ID: p_bad is the 1-based position of the first ID the
-- translator could not read, p_error its error); then each is served. The
-- reply is [[key, [entry…]]…], nil when no stream had anything.
CREATE OR REPLACE FUNCTION @S.xreadgroup(p_group bytea, p_consumer bytea, p_keys text[], p_ms numeric[], p_seq numeric[],
    p_nogroup text[], p_bad integer, p_error text, p_count bigint, p_noack boolean) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  s @S.streams;
  cg @S.stream_groups;
  now_ms CONSTANT bigint := @S.now_ms();
  served jsonb := '[]';
  entries jsonb;
  first record;
  r record;
BEGIN
  FOR i IN 1 .. coalesce(array_length(p_keys, 1), 0) LOOP
    k := @S.open_key(p_keys[i], 'stream', false);
    IF k.key IS NULL OR NOT EXISTS (SELECT FROM @S.stream_groups sg WHERE sg.key = p_keys[i] AND sg.name = p_group) THEN
      PERFORM @S.raise(p_nogroup[i]);
    END IF;
    IF i = p_bad THEN
      PERFORM @S.raise(p_error);
    END IF;
  END LOOP;
  FOR i IN 1 .. coalesce(array_length(p_keys, 1), 0) LOOP
    SELECT * INTO cg FROM @S.stream_groups WHERE key = p_keys[i] AND name = p_group;
    entries := '[]';
    IF p_ms[i] IS NULL THEN
      -- New entries: served only when the stream has some past the group's last ID.
      CONTINUE WHEN NOT EXISTS (SELECT FROM @S.stream_entries x
        WHERE x.key = p_keys[i] AND (x.ms, x.seq) > (cg.last_ms, cg.last_seq));
      SELECT * INTO s FROM @S.streams WHERE key = p_keys[i];
      SELECT * INTO k FROM @S.keys WHERE key = p_keys[i];
      SELECT * INTO first FROM @S.stream_first(p_keys[i]);
      PERFORM @S.stream_consumer_seen(p_keys[i], p_group, p_consumer, now_ms);
      FOR r IN SELECT x.ms, x.seq, x.field_values FROM @S.stream_entries x
        WHERE x.key = p_keys[i] AND (x.ms, x.seq) > (cg.last_ms, cg.last_seq)
        ORDER BY x.ms, x.seq LIMIT p_count
      LOOP
        IF cg.entries_read <> -1 AND NOT @S.stream_tombstones_from(s, k.size, first.ms, first.seq, r.ms, r.seq) THEN
          cg.entries_read := cg.entries_read + 1;
        ELSIF s.entries_added <> 0 THEN
          cg.entries_read := @S.stream_distance(s, k.size, first.ms, first.seq, r.ms, r.seq);
        END IF;
        cg.last_ms := r.ms;
        cg.last_seq := r.seq;
        IF NOT p_noack THEN
          -- An entry already pending (the group's ID was set back) moves to this consumer.
          INSERT INTO @S.stream_pending (key, grp, ms, seq, consumer, delivery_time, delivery_count)
          VALUES (p_keys[i], p_group, r.ms, r.seq, p_consumer, now_ms, 1)
          ON CONFLICT (key, grp, ms, seq) DO UPDATE
            SET consumer = excluded.consumer, delivery_time = excluded.delivery_time, delivery_count = 1;
        END IF;
        entries := entries || jsonb_build_array(@S.reply_entry(r.ms, r.seq, r.field_values));
      END LOOP;
      UPDATE @S.stream_groups SET last_ms = cg.last_ms, last_seq = cg.last_seq, entries_read = cg.entries_read
      WHERE key = p_keys[i] AND name = p_group;
    ELSE
      -- The consumer's history: its pending entries from the ID on; a deleted one is [id, nil].
      PERFORM @S.stream_consumer_seen(p_keys[i], p_group, p_consumer, now_ms);
      FOR r IN SELECT p.ms, p.seq, x.field_values FROM @S.stream_pending p
        LEFT JOIN @S.stream_entries x ON x.key = p.key AND x.ms = p.ms AND x.seq = p.seq
        WHERE p.key = p_keys[i] AND p.grp = p_group AND p.consumer = p_consumer AND (p.ms, p.seq) >= (p_ms[i], p_seq[i])
        ORDER BY p.ms, p.seq LIMIT p_count
      LOOP
        IF r.field_values IS NOT NULL THEN
          UPDATE @S.stream_pending SET delivery_time = now_ms, delivery_count = delivery_count + 1
          WHERE key = p_keys[i] AND grp = p_group AND ms = r.ms AND seq = r.seq;
        END IF;
        entries := entries || jsonb_build_array(@S.reply_entry(r.ms, r.seq, r.field_values));
      END LOOP;
    END IF;
    served := served || jsonb_build_array(@S.reply_array(jsonb_build_array(@S.reply_text(p_keys[i]), @S.reply_array(entries))));
  END LOOP;
  RETURN @S.reply_array(CASE WHEN served = '[]' THEN NULL ELSE served END);
END $$;

-- XACK: the number of pending entries acknowledged (0 without the key or group).
CREATE OR REPLACE FUNCTION @S.xack(p_key text, p_group bytea, p_ms numeric[], p_seq numeric[], p_id_error text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  n bigint;
BEGIN
  k := @S.open_key(p_key, 'stream', false);
  IF k.key IS NULL OR NOT EXISTS (SELECT FROM @S.stream_groups g WHERE g.key = p_key AND g.name = p_group) THEN
    RETURN 0;
  END IF;
  IF p_id_error IS NOT NULL THEN
    PERFORM @S.raise(p_id_error);
  END IF;
  DELETE FROM @S.stream_pending p USING unnest(p_ms, p_seq) AS given(ms, seq)
  WHERE p.key = p_key AND p.grp = p_group AND p.ms = given.ms AND p.seq = given.seq;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

-- XPENDING: the summary [count, first, last, [[consumer, count]…]], or with
-- p_extended the entries [[id, consumer, idle, deliveries]…] between the two
-- IDs (p_min_idle 0: any idle time; p_consumer NULL: every consumer).
CREATE OR REPLACE FUNCTION @S.xpending(p_key text, p_group bytea, p_nogroup text, p_extended boolean, p_min_idle bigint,
    p_start_ms numeric, p_start_seq numeric, p_end_ms numeric, p_end_seq numeric, p_count bigint, p_consumer bytea)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  t text;
  now_ms CONSTANT bigint := @S.now_ms();
  n bigint;
  lo record;
  hi record;
BEGIN
  SELECT k.type INTO t FROM @S.keys k WHERE k.key = p_key AND @S.is_live(k.expires_at);
  PERFORM @S.expect_type(t, 'stream');
  IF t IS NULL OR NOT EXISTS (SELECT FROM @S.stream_groups g WHERE g.key = p_key AND g.name = p_group) THEN
    PERFORM @S.raise(p_nogroup);
  END IF;
  IF NOT p_extended THEN
    SELECT count(*) INTO n FROM @S.stream_pending p WHERE p.key = p_key AND p.grp = p_group;
    IF n = 0 THEN
      RETURN @S.reply_array(jsonb_build_array(@S.reply_int(0), NULL::jsonb, NULL::jsonb, @S.reply_array(NULL)));
    END IF;
    SELECT p.ms, p.seq INTO lo FROM @S.stream_pending p WHERE p.key = p_key AND p.grp = p_group ORDER BY p.ms, p.seq LIMIT 1;
    SELECT p.ms, p.seq INTO hi FROM @S.stream_pending p WHERE p.key = p_key AND p.grp = p_group ORDER BY p.ms DESC, p.seq DESC LIMIT 1;
    RETURN @S.reply_array(jsonb_build_array(@S.reply_int(n), @S.reply_id(lo.ms, lo.seq), @S.reply_id(hi.ms, hi.seq),
      @S.reply_array((SELECT jsonb_agg(@S.reply_array(jsonb_build_array(@S.reply_bulk(c.consumer), @S.reply_text(c.n::text)))
                      ORDER BY c.consumer)
                      FROM (SELECT p.consumer, count(*) AS n FROM @S.stream_pending p
                            WHERE p.key = p_key AND p.grp = p_group GROUP BY p.consumer) AS c))));
  END IF;
  IF p_consumer IS NOT NULL AND NOT EXISTS (SELECT FROM @S.stream_consumers c
      WHERE c.key = p_key AND c.grp = p_group AND c.name = p_consumer) THEN
    RETURN @S.reply_array('[]');
  END IF;
  RETURN @S.reply_array(coalesce((
    SELECT jsonb_agg(@S.reply_array(jsonb_build_array(@S.reply_id(x.ms, x.seq), @S.reply_bulk(x.consumer),
             @S.reply_int(greatest(now_ms - x.delivery_time, 0)), @S.reply_int(x.delivery_count))) ORDER BY x.ms, x.seq)
    FROM (SELECT p.* FROM @S.stream_pending p
          WHERE p.key = p_key AND p.grp = p_group AND (p_consumer IS NULL OR p.consumer = p_consumer)
            AND (p.ms, p.seq) >= (p_start_ms, p_start_seq) AND (p.ms, p.seq) <= (p_end_ms, p_end_seq)
            AND (p_min_idle = 0 OR now_ms - p.delivery_time >= p_min_idle)
          ORDER BY p.ms, p.seq LIMIT p_count) AS x), '[]'));
END $$;

-- XCLAIM. p_error: what the translator found wrong in min-idle-time or the
-- options, which Redis says once the key and group are found. The delivery
-- time is p_time, or now - p_idle, or now (and now when out of range).
-- An entry deleted from the stream leaves the group's pending list instead.
CREATE OR REPLACE FUNCTION @S.xclaim(p_key text, p_group bytea, p_consumer bytea, p_nogroup text, p_error text,
    p_min_idle bigint, p_ms numeric[], p_seq numeric[], p_idle bigint, p_time bigint, p_retrycount bigint,
    p_force boolean, p_justid boolean, p_last_ms numeric, p_last_seq numeric) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  now_ms CONSTANT bigint := @S.now_ms();
  delivery numeric;
  pe @S.stream_pending;
  pending boolean;
  fv bytea[];
  claimed jsonb := '[]';
  seen boolean := false;
BEGIN
  k := @S.open_key(p_key, 'stream', false);
  IF k.key IS NULL OR NOT EXISTS (SELECT FROM @S.stream_groups g WHERE g.key = p_key AND g.name = p_group) THEN
    PERFORM @S.raise(p_nogroup);
  END IF;
  IF p_error IS NOT NULL THEN
    PERFORM @S.raise(p_error);
  END IF;
  UPDATE @S.stream_groups SET last_ms = p_last_ms, last_seq = p_last_seq
  WHERE key = p_key AND name = p_group AND (last_ms, last_seq) < (p_last_ms, p_last_seq);
  delivery := CASE WHEN p_idle IS NOT NULL THEN now_ms::numeric - p_idle ELSE coalesce(p_time, now_ms) END;
  IF delivery < 0 OR delivery > now_ms THEN
    delivery := now_ms;
  END IF;
  FOR i IN 1 .. coalesce(array_length(p_ms, 1), 0) LOOP
    SELECT * INTO pe FROM @S.stream_pending p WHERE p.key = p_key AND p.grp = p_group AND p.ms = p_ms[i] AND p.seq = p_seq[i];
    pending := FOUND;
    SELECT e.field_values INTO fv FROM @S.stream_entries e WHERE e.key = p_key AND e.ms = p_ms[i] AND e.seq = p_seq[i];
    IF NOT FOUND THEN
      IF pending THEN
        DELETE FROM @S.stream_pending WHERE key = p_key AND grp = p_group AND ms = p_ms[i] AND seq = p_seq[i];
      END IF;
      CONTINUE;
    END IF;
    IF NOT pending THEN
      -- FORCE makes a pending entry of it (delivered once), whatever its idle time.
      CONTINUE WHEN NOT p_force;
      pe.delivery_count := 1;
    ELSIF p_min_idle <> 0 AND now_ms - pe.delivery_time < p_min_idle THEN
      CONTINUE;
    END IF;
    IF NOT seen THEN
      PERFORM @S.stream_consumer_seen(p_key, p_group, p_consumer, now_ms);
      seen := true;
    END IF;
    INSERT INTO @S.stream_pending (key, grp, ms, seq, consumer, delivery_time, delivery_count)
    VALUES (p_key, p_group, p_ms[i], p_seq[i], p_consumer, delivery,
            CASE WHEN p_retrycount >= 0 THEN p_retrycount WHEN p_justid THEN pe.delivery_count ELSE pe.delivery_count + 1 END)
    ON CONFLICT (key, grp, ms, seq) DO UPDATE
      SET consumer = excluded.consumer, delivery_time = excluded.delivery_time, delivery_count = excluded.delivery_count;
    claimed := claimed || jsonb_build_array(
      CASE WHEN p_justid THEN @S.reply_id(p_ms[i], p_seq[i]) ELSE @S.reply_entry(p_ms[i], p_seq[i], fv) END);
  END LOOP;
  RETURN @S.reply_array(claimed);
END $$;

-- XAUTOCLAIM: [next start (0-0 at the end), [claimed…], [IDs deleted from the
-- stream, dropped from the pending list]]. At most p_count entries are
-- claimed or dropped, out of at most 10 × p_count looked at, as in Redis.
CREATE OR REPLACE FUNCTION @S.xautoclaim(p_key text, p_group bytea, p_consumer bytea, p_nogroup text, p_min_idle bigint,
    p_start_ms numeric, p_start_seq numeric, p_count bigint, p_justid boolean) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  k @S.keys;
  now_ms CONSTANT bigint := @S.now_ms();
  remaining bigint := p_count;
  r record;
  after_ms numeric;
  after_seq numeric;
  next record;
  claimed jsonb := '[]';
  deleted jsonb := '[]';
  seen boolean := false;
BEGIN
  k := @S.open_key(p_key, 'stream', false);
  IF k.key IS NULL OR NOT EXISTS (SELECT FROM @S.stream_groups g WHERE g.key = p_key AND g.name = p_group) THEN
    PERFORM @S.raise(p_nogroup);
  END IF;
  FOR r IN SELECT p.ms, p.seq, p.delivery_time, e.field_values, e.key IS NOT NULL AS present
    FROM @S.stream_pending p LEFT JOIN @S.stream_entries e ON e.key = p.key AND e.ms = p.ms AND e.seq = p.seq
    WHERE p.key = p_key AND p.grp = p_group AND (p.ms, p.seq) >= (p_start_ms, p_start_seq)
    ORDER BY p.ms, p.seq LIMIT p_count * 10
  LOOP
    EXIT WHEN remaining = 0;
    after_ms := r.ms;
    after_seq := r.seq;
    IF NOT r.present THEN
      DELETE FROM @S.stream_pending WHERE key = p_key AND grp = p_group AND ms = r.ms AND seq = r.seq;
      deleted := deleted || jsonb_build_array(@S.reply_id(r.ms, r.seq));
      remaining := remaining - 1;
      CONTINUE;
    END IF;
    CONTINUE WHEN p_min_idle <> 0 AND now_ms - r.delivery_time < p_min_idle;
    IF NOT seen THEN
      PERFORM @S.stream_consumer_seen(p_key, p_group, p_consumer, now_ms);
      seen := true;
    END IF;
    UPDATE @S.stream_pending SET consumer = p_consumer, delivery_time = now_ms,
      delivery_count = delivery_count + CASE WHEN p_justid THEN 0 ELSE 1 END
    WHERE key = p_key AND grp = p_group AND ms = r.ms AND seq = r.seq;
    claimed := claimed || jsonb_build_array(
      CASE WHEN p_justid THEN @S.reply_id(r.ms, r.seq) ELSE @S.reply_entry(r.ms, r.seq, r.field_values) END);
    remaining := remaining - 1;
  END LOOP;
  -- The cursor: the pending entry after the last one looked at.
  SELECT p.ms, p.seq INTO next FROM @S.stream_pending p
  WHERE after_ms IS NOT NULL AND p.key = p_key AND p.grp = p_group AND (p.ms, p.seq) > (after_ms, after_seq)
  ORDER BY p.ms, p.seq LIMIT 1;
  RETURN @S.reply_array(jsonb_build_array(
    CASE WHEN FOUND THEN @S.reply_id(next.ms, next.seq) ELSE @S.reply_id(0, 0) END,
    @S.reply_array(claimed), @S.reply_array(deleted)));
END $$;

-- An ID as the 16-byte big-endian key of Redis' radix tree.
CREATE OR REPLACE FUNCTION @S.stream_id_bytes(ms numeric, seq numeric) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  b bytea := decode(repeat('00', 16), 'hex');
  v numeric := ms;
BEGIN
  FOR j IN REVERSE 7 .. 0 LOOP
    b := set_byte(b, j, (v % 256)::integer);
    v := div(v, 256);
  END LOOP;
  v := seq;
  FOR j IN REVERSE 15 .. 8 LOOP
    b := set_byte(b, j, (v % 256)::integer);
    v := div(v, 256);
  END LOOP;
  RETURN b;
END $$;

-- The number of nodes of a Redis radix tree (rax) holding these keys of 16
-- bytes, in ascending order. A rax is a compressed trie: the head node, then
-- one node per branching point and per key, and one more for each edge that
-- leaves a branching node with more than one byte (the rest of the edge is a
-- compressed node of its own; the head's single edge, if the head does not
-- branch, is the head itself). Redis keeps it so after deletions too.
-- Branching points come from the longest common prefixes of neighbours.
CREATE OR REPLACE FUNCTION @S.rax_nodes(p_keys bytea[]) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  n CONSTANT integer := coalesce(array_length(p_keys, 1), 0);
  stack integer[] := ARRAY[0];    -- depths of the nodes on the rightmost path
  h integer;
  x integer;
  parent integer;
  nodes bigint := 1;
  root_edges integer := 0;
  root_edge_long boolean := false;
BEGIN
  FOR i IN 1 .. n + 1 LOOP
    IF i = 1 THEN
      stack := stack || 16;
      CONTINUE;
    END IF;
    IF i <= n THEN
      h := 0;
      WHILE h < 16 AND get_byte(p_keys[i - 1], h) = get_byte(p_keys[i], h) LOOP
        h := h + 1;
      END LOOP;
    ELSE
      h := 0;
    END IF;
    WHILE stack[array_length(stack, 1)] > h LOOP
      x := stack[array_length(stack, 1)];
      stack := stack[1 : array_length(stack, 1) - 1];
      parent := greatest(stack[array_length(stack, 1)], h);
      nodes := nodes + 1 + CASE WHEN x - parent >= 2 THEN 1 ELSE 0 END;
      IF parent = 0 THEN
        root_edges := root_edges + 1;
        root_edge_long := x >= 2;
      END IF;
    END LOOP;
    IF i <= n THEN
      IF stack[array_length(stack, 1)] < h THEN
        stack := stack || h;
      END IF;
      stack := stack || 16;
    END IF;
  END LOOP;
  IF root_edges = 1 AND root_edge_long THEN
    nodes := nodes - 1;
  END IF;
  RETURN nodes;
END $$;

-- XINFO STREAM [FULL [COUNT n]]: p_error is what the translator found wrong
-- in the arguments, which Redis says once it has found the stream.
-- p_count 0: everything.
CREATE OR REPLACE FUNCTION @S.xinfo_stream(p_key text, p_error text, p_full boolean, p_count bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  k @S.keys;
  s @S.streams;
  first record;
  tree record;
  head jsonb;
  lim CONSTANT bigint := nullif(p_count, 0);
BEGIN
  SELECT * INTO k FROM @S.keys WHERE key = p_key AND @S.is_live(expires_at);
  IF NOT FOUND THEN
    PERFORM @S.raise('ERR no such key');
  END IF;
  PERFORM @S.expect_type(k.type, 'stream');
  IF p_error IS NOT NULL THEN
    PERFORM @S.raise(p_error);
  END IF;
  SELECT * INTO s FROM @S.streams WHERE key = p_key;
  SELECT * INTO first FROM @S.stream_first(p_key);
  SELECT count(*) AS n, @S.rax_nodes(array_agg(@S.stream_id_bytes(x.ms, x.seq) ORDER BY x.ms, x.seq)) AS nodes INTO tree
  FROM @S.stream_nodes x WHERE x.key = p_key;
  head := jsonb_build_array(
    @S.reply_text('length'), @S.reply_int(k.size),
    @S.reply_text('radix-tree-keys'), @S.reply_int(tree.n),
    @S.reply_text('radix-tree-nodes'), @S.reply_int(tree.nodes),
    @S.reply_text('last-generated-id'), @S.reply_id(s.last_ms, s.last_seq),
    @S.reply_text('max-deleted-entry-id'), @S.reply_id(s.max_deleted_ms, s.max_deleted_seq),
    @S.reply_text('entries-added'), @S.reply_int(s.entries_added),
    @S.reply_text('recorded-first-entry-id'), @S.reply_id(first.ms, first.seq));
  IF NOT p_full THEN
    RETURN @S.reply_array(head || jsonb_build_array(
      @S.reply_text('groups'), @S.reply_int((SELECT count(*) FROM @S.stream_groups g WHERE g.key = p_key)),
      @S.reply_text('first-entry'), coalesce((SELECT @S.reply_entry(e.ms, e.seq, e.field_values) FROM @S.stream_entries e
        WHERE e.key = p_key ORDER BY e.ms, e.seq LIMIT 1), 'null'),
      @S.reply_text('last-entry'), coalesce((SELECT @S.reply_entry(e.ms, e.seq, e.field_values) FROM @S.stream_entries e
        WHERE e.key = p_key ORDER BY e.ms DESC, e.seq DESC LIMIT 1), 'null')));
  END IF;
  RETURN @S.reply_array(head || jsonb_build_array(
    @S.reply_text('entries'), @S.reply_array(coalesce((
      SELECT jsonb_agg(@S.reply_entry(e.ms, e.seq, e.field_values) ORDER BY e.ms, e.seq)
      FROM (SELECT * FROM @S.stream_entries x WHERE x.key = p_key ORDER BY x.ms, x.seq LIMIT lim) AS e), '[]')),
    @S.reply_text('groups'), @S.reply_array(coalesce((
      SELECT jsonb_agg(@S.reply_array(jsonb_build_array(
        @S.reply_text('name'), @S.reply_bulk(g.name),
        @S.reply_text('last-delivered-id'), @S.reply_id(g.last_ms, g.last_seq),
        @S.reply_text('entries-read'), @S.reply_int(nullif(g.entries_read, -1)),
        @S.reply_text('lag'), @S.reply_int(@S.stream_lag(s, k.size, first.ms, first.seq, g)),
        @S.reply_text('pel-count'), @S.reply_int((SELECT count(*) FROM @S.stream_pending p WHERE p.key = p_key AND p.grp = g.name)),
        @S.reply_text('pending'), @S.reply_array(coalesce((
          SELECT jsonb_agg(@S.reply_array(jsonb_build_array(@S.reply_id(p.ms, p.seq), @S.reply_bulk(p.consumer),
                   @S.reply_int(p.delivery_time), @S.reply_int(p.delivery_count))) ORDER BY p.ms, p.seq)
          FROM (SELECT * FROM @S.stream_pending x WHERE x.key = p_key AND x.grp = g.name ORDER BY x.ms, x.seq LIMIT lim) AS p), '[]')),
        @S.reply_text('consumers'), @S.reply_array(coalesce((
          SELECT jsonb_agg(@S.reply_array(jsonb_build_array(
            @S.reply_text('name'), @S.reply_bulk(c.name),
            @S.reply_text('seen-time'), @S.reply_int(c.seen_time),
            @S.reply_text('pel-count'), @S.reply_int((SELECT count(*) FROM @S.stream_pending p
              WHERE p.key = p_key AND p.grp = g.name AND p.consumer = c.name)),
            @S.reply_text('pending'), @S.reply_array(coalesce((
              SELECT jsonb_agg(@S.reply_array(jsonb_build_array(@S.reply_id(p.ms, p.seq),
                       @S.reply_int(p.delivery_time), @S.reply_int(p.delivery_count))) ORDER BY p.ms, p.seq)
              FROM (SELECT * FROM @S.stream_pending x WHERE x.key = p_key AND x.grp = g.name AND x.consumer = c.name
                    ORDER BY x.ms, x.seq LIMIT lim) AS p), '[]')))) ORDER BY c.name)
          FROM @S.stream_consumers c WHERE c.key = p_key AND c.grp = g.name), '[]')))) ORDER BY g.name)
      FROM @S.stream_groups g WHERE g.key = p_key), '[]'))));
END $$;

-- XINFO GROUPS: [[name, g, consumers, n, pending, n, last-delivered-id, id, entries-read, n, lag, n]…]
CREATE OR REPLACE FUNCTION @S.xinfo_groups(p_key text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  k @S.keys;
  s @S.streams;
  first record;
BEGIN
  SELECT * INTO k FROM @S.keys WHERE key = p_key AND @S.is_live(expires_at);
  IF NOT FOUND THEN
    PERFORM @S.raise('ERR no such key');
  END IF;
  PERFORM @S.expect_type(k.type, 'stream');
  SELECT * INTO s FROM @S.streams WHERE key = p_key;
  SELECT * INTO first FROM @S.stream_first(p_key);
  RETURN @S.reply_array(coalesce((
    SELECT jsonb_agg(@S.reply_array(jsonb_build_array(
      @S.reply_text('name'), @S.reply_bulk(g.name),
      @S.reply_text('consumers'), @S.reply_int((SELECT count(*) FROM @S.stream_consumers c WHERE c.key = p_key AND c.grp = g.name)),
      @S.reply_text('pending'), @S.reply_int((SELECT count(*) FROM @S.stream_pending p WHERE p.key = p_key AND p.grp = g.name)),
      @S.reply_text('last-delivered-id'), @S.reply_id(g.last_ms, g.last_seq),
      @S.reply_text('entries-read'), @S.reply_int(nullif(g.entries_read, -1)),
      @S.reply_text('lag'), @S.reply_int(@S.stream_lag(s, k.size, first.ms, first.seq, g)))) ORDER BY g.name)
    FROM @S.stream_groups g WHERE g.key = p_key), '[]'));
END $$;

-- XINFO CONSUMERS: [[name, c, pending, n, idle, ms]…]
CREATE OR REPLACE FUNCTION @S.xinfo_consumers(p_key text, p_group bytea, p_nogroup text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  k @S.keys;
  now_ms CONSTANT bigint := @S.now_ms();
BEGIN
  SELECT * INTO k FROM @S.keys WHERE key = p_key AND @S.is_live(expires_at);
  IF NOT FOUND THEN
    PERFORM @S.raise('ERR no such key');
  END IF;
  PERFORM @S.expect_type(k.type, 'stream');
  IF NOT EXISTS (SELECT FROM @S.stream_groups g WHERE g.key = p_key AND g.name = p_group) THEN
    PERFORM @S.raise(p_nogroup);
  END IF;
  RETURN @S.reply_array(coalesce((
    SELECT jsonb_agg(@S.reply_array(jsonb_build_array(
      @S.reply_text('name'), @S.reply_bulk(c.name),
      @S.reply_text('pending'), @S.reply_int((SELECT count(*) FROM @S.stream_pending p
        WHERE p.key = p_key AND p.grp = p_group AND p.consumer = c.name)),
      @S.reply_text('idle'), @S.reply_int(greatest(now_ms - c.seen_time, 0)))) ORDER BY c.name)
    FROM @S.stream_consumers c WHERE c.key = p_key AND c.grp = p_group), '[]'));
END $$;
`;

export const STREAMS_DDL = STREAM_DATA_DDL + STREAM_GROUPS_DDL;
