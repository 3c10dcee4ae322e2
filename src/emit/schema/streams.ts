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
export const STREAMS_DDL = /* sql */ `
CREATE @UNLOGGED TABLE IF NOT EXISTS @S.streams (
  key              text COLLATE "C" PRIMARY KEY,
  last_ms          numeric(20, 0) NOT NULL DEFAULT 0,  -- last ID ever added (or XSETID)
  last_seq         numeric(20, 0) NOT NULL DEFAULT 0,
  entries_added    bigint NOT NULL DEFAULT 0,          -- XINFO's entries-added
  max_deleted_ms   numeric(20, 0) NOT NULL DEFAULT 0,  -- XINFO's max-deleted-entry-id
  max_deleted_seq  numeric(20, 0) NOT NULL DEFAULT 0,
  last_node        bigint NOT NULL DEFAULT 0,          -- the node XADD appends to (see stream_trim)
  node_fill        integer NOT NULL DEFAULT 0          -- entries ever appended to it, deleted ones too
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

CREATE OR REPLACE FUNCTION @S.drop_stream(p_key text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM @S.stream_entries WHERE key = p_key;
  DELETE FROM @S.streams WHERE key = p_key;
  PERFORM @S.drop_stream_groups(p_key);
END $$;

CREATE OR REPLACE FUNCTION @S.rename_stream(p_src text, p_dst text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE @S.stream_entries SET key = p_dst WHERE key = p_src;
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
  INSERT INTO @S.streams (key, last_ms, last_seq, entries_added, max_deleted_ms, max_deleted_seq, last_node, node_fill)
  SELECT p_dst, last_ms, last_seq, entries_added, max_deleted_ms, max_deleted_seq, last_node, node_fill
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
-- stream as nodes of up to 100 entries (stream-node-max-entries) and walks
-- them from the oldest: a node whose entries all go is removed whole; the
-- first one that cannot go whole stops "~" (so "~" trims nothing from a
-- small stream unless all of it goes) and is trimmed entry by entry
-- otherwise. p_limit (0: none) stops before a node that would take the count
-- removed past it. Entries remember their node (their node column); Redis also starts a
-- new node past 4096 bytes (stream-node-max-bytes), which is not modelled:
-- with large entries "~" may trim more than Redis would.
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
  -- Redis appends to the last node until it holds 100 entries (deleted ones
  -- count), and starts a new one when that node is full or gone.
  IF s.node_fill >= 100 OR NOT EXISTS (SELECT FROM @S.stream_entries e WHERE e.key = p_key AND e.node = s.last_node) THEN
    s.last_node := s.last_node + 1;
    s.node_fill := 0;
  END IF;
  INSERT INTO @S.stream_entries (key, ms, seq, field_values, node) VALUES (p_key, ms, seq, p_field_values, s.last_node);
  UPDATE @S.streams SET last_ms = ms, last_seq = seq, entries_added = entries_added + 1,
    last_node = s.last_node, node_fill = s.node_fill + 1
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
-- The greatest deleted ID is kept for XINFO.
CREATE OR REPLACE FUNCTION @S.xdel(p_key text, p_ms numeric[], p_seq numeric[]) RETURNS bigint
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
  WITH gone AS (
    DELETE FROM @S.stream_entries e
    USING unnest(p_ms, p_seq) AS given(ms, seq)
    WHERE e.key = p_key AND e.ms = given.ms AND e.seq = given.seq
    RETURNING e.ms, e.seq
  )
  SELECT count(*) AS n,
         (array_agg(gone.ms ORDER BY gone.ms DESC, gone.seq DESC))[1] AS ms,
         (array_agg(gone.seq ORDER BY gone.ms DESC, gone.seq DESC))[1] AS seq
  INTO top FROM gone;
  removed := top.n;
  IF removed > 0 THEN
    UPDATE @S.streams SET max_deleted_ms = top.ms, max_deleted_seq = top.seq
    WHERE key = p_key AND (max_deleted_ms, max_deleted_seq) < (top.ms, top.seq);
    PERFORM @S.stream_written(p_key, k.size - removed);
  END IF;
  RETURN removed;
END $$;
-- XSETID: 'OK', or Redis' error when the ID would go below what the stream holds.
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
  PERFORM @S.touch_key(p_key);
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

-- Consumer groups. Group and consumer names are bytes, as in Redis.
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
  PERFORM @S.touch_key(p_key);
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
  PERFORM @S.touch_key(p_key);
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
  PERFORM @S.touch_key(p_key);
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
  PERFORM @S.touch_key(p_key);
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
  PERFORM @S.touch_key(p_key);
  RETURN n;
END $$;
`;
