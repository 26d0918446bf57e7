-- The Idempotency-Key header replays a response byte for byte. jsonb normalises the text
-- (key order, whitespace), so the exact body text and the headers a replay needs are kept beside it.
-- response_body (jsonb) stays filled too, so SQL written against the original schema still reads it.
ALTER TABLE idempotency_keys
  ADD COLUMN response_body_text text,
  ADD COLUMN response_headers   jsonb;
