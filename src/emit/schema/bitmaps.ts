/**
 * The bitmap commands' functions: bits of the `strings` table's values.
 *
 * Redis numbers the bits of a string from the most significant bit of its
 * first byte; PostgreSQL's get_bit/set_bit on bytea count from the least
 * significant bit of each byte. Within a byte the two orders are mirror
 * images, so Redis' bit n is PostgreSQL's bit `n # 7` (n XOR 7: the same byte,
 * bit 7 - n % 8 of it).
 *
 * SETBIT locks the key's registry row before reading the value, as SETRANGE
 * does; BITOP locks its destination first, as SINTERSTORE does.
 */
import { createAsLeft } from './core.js';

export const BITMAPS_DDL = /* sql */ `
-- Redis' checks of a bit offset and a bit, made here again for values known
-- only when the statement runs (a converted call site's variables): the
-- parser refuses literals before this is reached.
CREATE OR REPLACE FUNCTION @S.bit_check(p_offset bigint, p_bit integer, p_bit_error text) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF p_offset < 0 OR p_offset > 4294967295 THEN
    PERFORM @S.raise('ERR bit offset is not an integer or out of range');
  END IF;
  IF p_bit NOT IN (0, 1) THEN
    PERFORM @S.raise(p_bit_error);
  END IF;
END $$;

-- SETBIT: the bit's old value; the string grows with NUL bytes to reach the
-- bit, a missing key starts empty, the TTL stays. As in Redis 7.0, a write
-- that changes nothing (the bit already so, the string long enough) is no
-- write: the version stays and a WATCH on the key holds. The offset and the
-- bit are checked by the parser (Redis does it before the lookup).
CREATE OR REPLACE FUNCTION @S.setbit(p_key text, p_offset bigint, p_bit integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v bytea;
  old integer;
  need bigint := (p_offset >> 3) + 1;
BEGIN
  PERFORM @S.bit_check(p_offset, p_bit, 'ERR bit is not an integer or out of range');
  -- A live string is locked first, its value read after the lock (a join read with the lock
  -- could be older than the row it waited for). An absent key is created as SETBIT leaves it;
  -- anything else (expired, another type) takes open_key's way.
  PERFORM FROM @S.keys k WHERE k.key = p_key AND k.type = 'string' AND @S.is_live(k.expires_at) FOR UPDATE;
  IF NOT FOUND THEN
    ${createAsLeft({
      pad: '    ',
      type: 'string',
      size: '0',
      then: `
INSERT INTO @S.strings (key, value) VALUES (p_key, set_bit(@S.string_zeros(need), p_offset # 7, p_bit));
RETURN 0;`,
    })}
    PERFORM @S.open_key(p_key, 'string', true);
  END IF;
  SELECT s.value INTO v FROM @S.strings s WHERE s.key = p_key;
  v := coalesce(v, '\\x'::bytea);
  IF octet_length(v) < need THEN
    v := v || @S.string_zeros(need - octet_length(v));
  ELSIF get_bit(v, p_offset # 7) = p_bit THEN
    RETURN p_bit;
  END IF;
  old := get_bit(v, p_offset # 7);
  v := set_bit(v, p_offset # 7, p_bit);
  INSERT INTO @S.strings (key, value) VALUES (p_key, v)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value;
  PERFORM @S.touch_key(p_key);
  RETURN old;
END $$;

-- The number of bits set in a byte.
CREATE OR REPLACE FUNCTION @S.bit_count_byte(p_byte integer) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT bit_count((p_byte & 255)::bit(8))
$$;

-- BITCOUNT's count of a string value, Redis 7.0's bitcountCommand step by
-- step: p_start NULL counts the whole string; otherwise start and end are
-- bytes, or bits with p_isbit, negative from the end, clamped to the string.
-- A missing key (p_value NULL) counts 0.
CREATE OR REPLACE FUNCTION @S.bit_count_range(p_value bytea, p_start bigint, p_end bigint, p_isbit boolean)
RETURNS bigint
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  totlen bigint := octet_length(p_value);
  s bigint := p_start;
  e bigint := p_end;
  first_mask integer := 0;
  last_mask integer := 0;
  n bigint;
BEGIN
  IF p_value IS NULL THEN
    RETURN 0;
  END IF;
  IF p_start IS NULL THEN
    s := 0;
    e := totlen - 1;
  ELSE
    IF p_isbit THEN
      totlen := totlen * 8;
    END IF;
    IF s < 0 AND e < 0 AND s > e THEN
      RETURN 0;
    END IF;
    IF s < 0 THEN s := totlen + s; END IF;
    IF e < 0 THEN e := totlen + e; END IF;
    IF s < 0 THEN s := 0; END IF;
    IF e < 0 THEN e := 0; END IF;
    IF e >= totlen THEN e := totlen - 1; END IF;
    IF p_isbit AND s <= e THEN
      -- The bits of the edge bytes outside the range, subtracted below.
      first_mask := ~((1 << (8 - (s & 7)::integer)) - 1) & 255;
      last_mask := (1 << (7 - (e & 7)::integer)) - 1;
      s := s >> 3;
      e := e >> 3;
    END IF;
  END IF;
  IF s > e THEN
    RETURN 0;
  END IF;
  n := bit_count(substring(p_value FROM (s + 1)::integer FOR (e - s + 1)::integer));
  IF first_mask <> 0 THEN
    n := n - @S.bit_count_byte(get_byte(p_value, s::integer) & first_mask);
  END IF;
  IF last_mask <> 0 THEN
    n := n - @S.bit_count_byte(get_byte(p_value, e::integer) & last_mask);
  END IF;
  RETURN n;
END $$;

-- Redis' redisBitpos: the first bit p_bit in p_bytes, counted from the first
-- byte's most significant bit; none is -1 for a 1, and for a 0 the bit just
-- past the end (the string as if followed by zeros). Whole bytes of the other
-- bit are skipped by ltrim, not one by one.
CREATE OR REPLACE FUNCTION @S.bit_first(p_bytes bytea, p_bit integer) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  skip bigint := octet_length(p_bytes)
    - octet_length(ltrim(p_bytes, CASE WHEN p_bit = 1 THEN '\\x00'::bytea ELSE '\\xff'::bytea END));
  b integer;
BEGIN
  IF skip = octet_length(p_bytes) THEN
    RETURN CASE WHEN p_bit = 1 THEN -1 ELSE skip * 8 END;
  END IF;
  b := get_byte(p_bytes, skip::integer);
  FOR i IN 0..7 LOOP
    IF (b >> (7 - i)) & 1 = p_bit THEN
      RETURN skip * 8 + i;
    END IF;
  END LOOP;
END $$;

-- One byte as a bytea.
CREATE OR REPLACE FUNCTION @S.bit_byte(p_byte integer) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT set_byte('\\x00'::bytea, 0, p_byte & 255)
$$;

-- BITPOS on a string value, Redis 7.0's bitposCommand step by step (its
-- answers at the range's edges are its own: a 0 looked for without an end is
-- found past the string, with one it is -1). p_start NULL: the whole string;
-- p_end NULL: no end given; p_isbit: start and end count bits. A missing key
-- (p_value NULL) is all zeros: 0 for a 0, -1 for a 1.
CREATE OR REPLACE FUNCTION @S.bit_position(p_value bytea, p_bit integer, p_start bigint, p_end bigint, p_isbit boolean)
RETURNS bigint
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  totlen bigint := octet_length(p_value);
  s bigint := p_start;
  e bigint;
  first_mask integer := 0;
  last_mask integer := 0;
  bytes bigint;
  cur bigint;
  pos bigint;
  b integer;
BEGIN
  PERFORM @S.bit_check(0, p_bit, 'ERR The bit argument must be 1 or 0.');
  IF p_value IS NULL THEN
    RETURN CASE WHEN p_bit = 1 THEN -1 ELSE 0 END;
  END IF;
  IF p_start IS NULL THEN
    s := 0;
    e := totlen - 1;
  ELSE
    e := CASE WHEN p_end IS NOT NULL THEN p_end WHEN p_isbit THEN totlen * 8 + 7 ELSE totlen - 1 END;
    IF p_isbit THEN
      totlen := totlen * 8;
    END IF;
    IF s < 0 THEN s := totlen + s; END IF;
    IF e < 0 THEN e := totlen + e; END IF;
    IF s < 0 THEN s := 0; END IF;
    IF e < 0 THEN e := 0; END IF;
    IF e >= totlen THEN e := totlen - 1; END IF;
    IF p_isbit AND s <= e THEN
      first_mask := ~((1 << (8 - (s & 7)::integer)) - 1) & 255;
      last_mask := (1 << (7 - (e & 7)::integer)) - 1;
      s := s >> 3;
      e := e >> 3;
    END IF;
  END IF;
  -- An empty range holds neither a 0 nor a 1.
  IF s > e THEN
    RETURN -1;
  END IF;
  bytes := e - s + 1;
  <<search>>
  BEGIN
    IF first_mask <> 0 THEN
      -- The first byte with its bits before the range made the other bit.
      b := CASE WHEN p_bit = 1 THEN get_byte(p_value, s::integer) & ~first_mask
                ELSE get_byte(p_value, s::integer) | first_mask END;
      IF last_mask <> 0 AND bytes = 1 THEN
        b := CASE WHEN p_bit = 1 THEN b & ~last_mask ELSE b | last_mask END;
      END IF;
      pos := @S.bit_first(@S.bit_byte(b), p_bit);
      EXIT search WHEN bytes = 1 OR (pos <> -1 AND pos <> 8);
      s := s + 1;
      bytes := bytes - 1;
    END IF;
    -- The whole bytes, then the last byte with its bits after the range made the other bit.
    cur := bytes - CASE WHEN last_mask <> 0 THEN 1 ELSE 0 END;
    IF cur > 0 THEN
      pos := @S.bit_first(substring(p_value FROM (s + 1)::integer FOR cur::integer), p_bit);
      EXIT search WHEN bytes = cur OR (pos <> -1 AND pos <> cur * 8);
      s := s + cur;
      bytes := bytes - cur;
    END IF;
    b := CASE WHEN p_bit = 1 THEN get_byte(p_value, e::integer) & ~last_mask
              ELSE get_byte(p_value, e::integer) | last_mask END;
    pos := @S.bit_first(@S.bit_byte(b), p_bit);
  END search;
  -- With an explicit end, a 0 found only past the range is none.
  IF p_end IS NOT NULL AND p_bit = 0 AND pos = bytes * 8 THEN
    RETURN -1;
  END IF;
  IF pos <> -1 THEN
    pos := pos + s * 8;
  END IF;
  RETURN pos;
END $$;

-- BITOP AND|OR|XOR|NOT: the sources (missing ones empty, padded with NUL
-- bytes to the longest) combined into the destination, which is replaced
-- whatever its type (no TTL), or deleted when every source is empty. Returns
-- the result's length. NOT's single source is checked by the translator.
CREATE OR REPLACE FUNCTION @S.bitop(p_op text, p_dest text, p_keys text[]) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  d @S.keys;
  vals bytea[];
  maxlen bigint;
  bits varbit;
BEGIN
  d := @S.open_key(p_dest, NULL, false);
  IF EXISTS (SELECT FROM @S.keys k WHERE k.key = ANY (p_keys) AND k.type <> 'string' AND @S.is_live(k.expires_at)) THEN
    PERFORM @S.raise('WRONGTYPE Operation against a key holding the wrong kind of value');
  END IF;
  vals := ARRAY(
    SELECT coalesce(s.value, '\\x'::bytea)
    FROM unnest(p_keys) WITH ORDINALITY AS a(key, i)
    LEFT JOIN @S.keys k ON k.key = a.key AND @S.is_live(k.expires_at)
    LEFT JOIN @S.strings s ON s.key = k.key
    ORDER BY a.i);
  SELECT max(octet_length(v)) INTO maxlen FROM unnest(vals) AS v;
  IF maxlen = 0 THEN
    IF d.key IS NOT NULL THEN
      PERFORM @S.drop_key(p_dest, d.type);
    END IF;
    RETURN 0;
  END IF;
  -- Bit strings of one length (PostgreSQL's bit operators want that), MSB first as Redis'.
  WITH b AS (
    SELECT ('x' || encode(v || @S.string_zeros(maxlen - octet_length(v)), 'hex'))::varbit AS b FROM unnest(vals) AS v
  )
  SELECT CASE p_op WHEN 'AND' THEN bit_and(b.b) WHEN 'OR' THEN bit_or(b.b) WHEN 'XOR' THEN bit_xor(b.b)
                   ELSE ~bit_and(b.b) END
  INTO bits FROM b;
  -- varbit's binary form is its length (4 bytes) then its bits, MSB first.
  PERFORM @S.set_string(p_dest, substring(varbit_send(bits) FROM 5), false, false, false, NULL, false);
  RETURN maxlen;
END $$;
-- A number as C's int64 holds it after a wrapping subtraction (modulo 2^64).
CREATE OR REPLACE FUNCTION @S.bitfield_int64(p_n numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT mod(mod(p_n + 9223372036854775808, 18446744073709551616) + 18446744073709551616, 18446744073709551616)
    - 9223372036854775808
$$;

-- One field of p_bits bits at bit p_offset of p_value (MSB first, zeros past
-- the end), unsigned, or signed in two's complement.
CREATE OR REPLACE FUNCTION @S.bitfield_get(p_value bytea, p_offset bigint, p_bits integer, p_signed boolean)
RETURNS bigint
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  nb integer := (((p_offset & 7) + p_bits + 7) >> 3)::integer;
  chunk bytea := coalesce(substring(p_value FROM ((p_offset >> 3) + 1)::integer FOR nb), '\\x'::bytea);
  f varbit;
BEGIN
  IF octet_length(chunk) < nb THEN
    chunk := chunk || @S.string_zeros(nb - octet_length(chunk));
  END IF;
  f := substring(('x' || encode(chunk, 'hex'))::varbit FROM ((p_offset & 7) + 1)::integer FOR p_bits);
  -- Widened to 64 bits with zeros, or with copies of the sign bit.
  RETURN (repeat(CASE WHEN p_signed AND substring(f FROM 1 FOR 1) = B'1' THEN '1' ELSE '0' END, 64 - p_bits)::varbit
    || f)::bit(64)::bigint;
END $$;

-- p_value with the field of p_bits bits at bit p_offset set to p_field's low
-- bits; the string already reaches the field.
CREATE OR REPLACE FUNCTION @S.bitfield_put(p_value bytea, p_offset bigint, p_bits integer, p_field bigint)
RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  nb integer := (((p_offset & 7) + p_bits + 7) >> 3)::integer;
  bs varbit := ('x' || encode(substring(p_value FROM ((p_offset >> 3) + 1)::integer FOR nb), 'hex'))::varbit;
BEGIN
  bs := overlay(bs PLACING substring(p_field::bit(64) FROM 65 - p_bits) FROM ((p_offset & 7) + 1)::integer);
  RETURN overlay(p_value PLACING substring(varbit_send(bs) FROM 5) FROM ((p_offset >> 3) + 1)::integer FOR nb);
END $$;

-- BITFIELD and BITFIELD_RO, Redis 7.0's bitfieldGeneric: the subcommands as
-- parallel arrays (op 'get', 'set' or 'incrby'; signed; bits; offset; the SET
-- value or INCRBY increment; the OVERFLOW in force), run in order on one
-- value. Returns one integer per subcommand: GET the field, SET the old
-- value, INCRBY the new one, NULL where OVERFLOW FAIL refused the write.
-- Without writes it only reads (a missing key reads as zeros). With any, the
-- string is created or grown with NUL bytes to reach the furthest field
-- written before anything runs (even if every write then fails), keeps its
-- TTL, and is marked written (WATCH).
CREATE OR REPLACE FUNCTION @S.bitfield(p_key text, p_ops text[], p_signed boolean[], p_bits integer[],
  p_offsets bigint[], p_values bigint[], p_overflow text[])
RETURNS bigint[]
LANGUAGE plpgsql AS $$
DECLARE
  writes boolean := 'set' = ANY (p_ops) OR 'incrby' = ANY (p_ops);
  need bigint;
  v bytea;
  t text;
  out bigint[] := '{}';
  old numeric;
  base numeric;
  incr numeric;
  val numeric;
  lo numeric;
  hi numeric;
  span numeric;
  maxincr numeric;
  up boolean;
  down boolean;
BEGIN
  -- Offsets the translator could not check (known only when the statement runs).
  IF EXISTS (SELECT FROM unnest(p_offsets) AS o WHERE o < 0 OR o > 4294967295) THEN
    PERFORM @S.raise('ERR bit offset is not an integer or out of range');
  END IF;
  IF NOT writes THEN
    SELECT k.type, s.value INTO t, v FROM @S.keys k LEFT JOIN @S.strings s ON s.key = k.key
    WHERE k.key = p_key AND @S.is_live(k.expires_at);
    PERFORM @S.expect_type(t, 'string');
  ELSE
    PERFORM FROM @S.keys k WHERE k.key = p_key AND k.type = 'string' AND @S.is_live(k.expires_at) FOR UPDATE;
    IF NOT FOUND THEN
      PERFORM @S.open_key(p_key, 'string', true);
    END IF;
    SELECT s.value INTO v FROM @S.strings s WHERE s.key = p_key;
    v := coalesce(v, '\\x'::bytea);
    SELECT max(((o + b - 1) >> 3) + 1) INTO need
    FROM unnest(p_ops, p_offsets, p_bits) AS u(op, o, b) WHERE op <> 'get';
    IF octet_length(v) < need THEN
      v := v || @S.string_zeros(need - octet_length(v));
    END IF;
  END IF;
  FOR i IN 1 .. coalesce(cardinality(p_ops), 0) LOOP
    old := @S.bitfield_get(v, p_offsets[i], p_bits[i], p_signed[i]);
    IF p_ops[i] = 'get' THEN
      out := out || old::bigint;
      CONTINUE;
    END IF;
    span := 2::numeric ^ p_bits[i];
    -- Redis' checkSignedBitfieldOverflow / checkUnsignedBitfieldOverflow with
    -- their int64 arithmetic: SET checks its value with an increment of 0, and
    -- an unsigned SET reads the value as uint64 (-1 is 2^64 - 1). Their
    -- max - value wraps around for a value far below the range, which makes
    -- SAT take the maximum there (SET i8 0 -9223372036854775808 saturates to 127).
    IF p_ops[i] = 'set' THEN
      base := CASE WHEN NOT p_signed[i] AND p_values[i] < 0 THEN p_values[i] + 2::numeric ^ 64 ELSE p_values[i] END;
      incr := 0;
    ELSE
      base := old;
      incr := p_values[i];
    END IF;
    IF p_signed[i] THEN
      lo := -(span / 2);
      hi := span / 2 - 1;
      maxincr := @S.bitfield_int64(hi - base);
      up := base > hi OR (p_bits[i] <> 64 AND incr > maxincr) OR (base >= 0 AND incr > 0 AND incr > maxincr);
      down := NOT up AND (base < lo OR (p_bits[i] <> 64 AND incr < @S.bitfield_int64(lo - base))
                          OR (base < 0 AND incr < 0 AND incr < @S.bitfield_int64(lo - base)));
    ELSE
      lo := 0;
      hi := span - 1;
      up := base > hi OR (incr > 0 AND incr > @S.bitfield_int64(hi - base));
      down := NOT up AND incr < 0 AND incr < @S.bitfield_int64(-base);
    END IF;
    val := base + incr;
    IF up OR down THEN
      IF p_overflow[i] = 'fail' THEN
        out := out || NULL::bigint;
        CONTINUE;
      ELSIF p_overflow[i] = 'sat' THEN
        val := CASE WHEN up THEN hi ELSE lo END;
      ELSE
        -- WRAP: the sum modulo 2^bits, in the type's range.
        val := mod(val - lo, span);
        IF val < 0 THEN
          val := val + span;
        END IF;
        val := val + lo;
      END IF;
    END IF;
    out := out || CASE WHEN p_ops[i] = 'set' THEN old ELSE val END::bigint;
    v := @S.bitfield_put(v, p_offsets[i], p_bits[i], val::bigint);
  END LOOP;
  IF writes THEN
    INSERT INTO @S.strings (key, value) VALUES (p_key, v)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
    PERFORM @S.touch_key(p_key);
  END IF;
  RETURN out;
END $$;
`;
