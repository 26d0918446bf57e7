-- Role SERVICE: a machine caller (another backend service), recorded in the users directory like any
-- caller. Widening a CHECK only: existing rows all pass the new constraint.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('ADMIN', 'CREATOR', 'BRAND', 'VIEWER', 'SERVICE'));
