-- Completing a claim rewrites its record in place (processed, entity id, the response) and changes no
-- indexed column. With room left in each page PostgreSQL does that as a heap-only-tuple update: one new
-- row version on the same page and no new entries in the table's three indexes. Pages written before
-- this keep their layout until they are rewritten.
ALTER TABLE idempotency_keys SET (fillfactor = 70);
