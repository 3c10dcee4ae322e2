/**
 * Pub/sub over LISTEN/NOTIFY. PostgreSQL channels are identifiers (63 bytes)
 * and payloads text under 8000 bytes, while Redis channels and messages are
 * arbitrary bytes; so every Redis channel of a schema travels on ONE
 * PostgreSQL channel, `redis2sql.<schema>`, with the payload
 * `base64(channel) || ' ' || base64(message)` (base64 without line breaks; the
 * space is outside its alphabet). Subscribers LISTEN to that channel and keep
 * the messages whose Redis channel or pattern they subscribed to.
 *
 * NOTIFY cannot say how many listeners got a message, so subscribers record
 * their subscriptions in `subscriptions` under the backend pid of their
 * LISTENing connection (and a session id: an embedded database has one backend
 * for every session); PUBLISH's count and PUBSUB CHANNELS / NUMSUB / NUMPAT
 * read it, ignoring rows whose backend is gone (pg_stat_activity).
 */
export const PUBSUB_DDL = /* sql */ `
CREATE @UNLOGGED TABLE IF NOT EXISTS @S.subscriptions (
  pid     integer NOT NULL,                                    -- pg_backend_pid() of the listener
  session text NOT NULL,                                       -- the subscriber (several may share a backend)
  kind    text NOT NULL CHECK (kind IN ('channel', 'pattern')),
  name    bytea NOT NULL,                                      -- the Redis channel or glob pattern
  PRIMARY KEY (session, kind, name)
);

-- Subscriptions of connections still alive (a crashed subscriber leaves rows behind).
CREATE OR REPLACE VIEW @S.live_subscriptions AS
  SELECT s.* FROM @S.subscriptions s
  WHERE s.pid IN (SELECT a.pid FROM pg_stat_activity a WHERE a.pid IS NOT NULL);

-- PUBLISH: notify the schema's channel and return the number of receivers as
-- Redis counts them (each channel subscriber, plus each matching pattern of each client).
--   SELECT @S.publish('news', 'hello')  → 1
CREATE OR REPLACE FUNCTION @S.publish(p_channel bytea, p_message bytea) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  payload text := translate(encode(p_channel, 'base64'), E'\\n', '') || ' '
               || translate(encode(p_message, 'base64'), E'\\n', '');
BEGIN
  IF octet_length(payload) >= 8000 THEN
    RAISE EXCEPTION USING ERRCODE = 'RD000', MESSAGE = format(
      'ERR redis2sql: PUBLISH: channel and message take %s bytes in base64; NOTIFY carries less than 8000 (about 5990 bytes of channel and message)',
      octet_length(payload) - 1);
  END IF;
  PERFORM pg_notify('redis2sql.@S', payload);
  RETURN (SELECT count(*) FROM @S.live_subscriptions s
          WHERE (s.kind = 'channel' AND s.name = p_channel)
             OR (s.kind = 'pattern' AND @S.glob_match(s.name, p_channel)));
END $$;
`;
