-- Time-ordered ids (UUIDv7, RFC 9562) made inside PostgreSQL, so a role broadcast is one
-- INSERT ... SELECT FROM users whatever the number of recipients. Same layout as the ids the
-- service makes in Java (dev.systemtables.common.Ids): 48-bit Unix milliseconds, version 7,
-- then the random bits and RFC 4122 variant of a v4 UUID.
CREATE FUNCTION notification_id() RETURNS text
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(
    -- version nibble 4 (0100) -> 7 (0111): set bits 52 and 53 of byte 6
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
        PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
        FROM 1 FOR 6),
      52, 1), 53, 1),
    'hex')::uuid::text
$$;
