-- Issue 14: the second flag model (types, variants, rules, dependencies), segments and scheduled changes.
--
-- Additive only, so nodes of the previous version keep working during a rolling upgrade: they never
-- name the new columns (their INSERTs get the defaults below, their UPDATEs leave them alone) and they
-- read a rule flag as a legacy flag (rules ignored) until they are replaced.

-- The JSON in these columns is the API's JSON form of the records (FlagJson), written and read only by
-- the service. rules IS NULL marks a legacy flag: conditions + rollout_percentage decide, exactly as before.
ALTER TABLE feature_flags
  ADD COLUMN type            text NOT NULL DEFAULT 'boolean' CHECK (type IN ('boolean', 'string', 'number', 'json')),
  ADD COLUMN variants        jsonb,
  ADD COLUMN rules           jsonb,
  ADD COLUMN dependencies    jsonb,
  ADD COLUMN default_variant jsonb;

-- Who did it, when the actor is not the admin whose token made the change: 'scheduler' applies a scheduled
-- change on behalf of the admin who scheduled it; 'import' is an Unleash import.
ALTER TABLE feature_flag_audit
  ADD COLUMN source       text NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'scheduler', 'import')),
  ADD COLUMN on_behalf_of text;

-- Named reusable sets of constraints (all ANDed); rules refer to them by name.
CREATE TABLE flag_segments (
  id          text PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  description text,
  constraints jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_by  text,
  updated_by  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE flag_segment_audit (
  id           text PRIMARY KEY,
  segment_id   text NOT NULL,
  segment_name text NOT NULL,
  action       text NOT NULL CHECK (action IN ('CREATE', 'UPDATE', 'DELETE')),
  actor        text NOT NULL,
  source       text NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'import')),
  before       jsonb,
  after        jsonb,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX flag_segment_audit_segment_idx ON flag_segment_audit (segment_id, created_at DESC);

-- A change an admin scheduled for a time. No foreign key: the history of a deleted flag's changes stays
-- (deleting a flag cancels its pending changes in the same transaction). Applying one is decided in the
-- database: UPDATE ... SET status = 'applied' WHERE id = $1 AND status = 'pending', in the transaction of
-- the flag update, so exactly one node of a cluster applies it.
CREATE TABLE flag_scheduled_changes (
  id           text PRIMARY KEY,
  flag_id      text NOT NULL,
  flag_name    text NOT NULL,
  patch        jsonb NOT NULL,
  run_at       timestamptz NOT NULL,
  scheduled_by text NOT NULL,
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied', 'cancelled', 'failed')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  applied_at   timestamptz,
  applied_by   text,         -- the node that applied it (or found it failing)
  cancelled_by text,
  error        text
);
-- The scheduler's question, every few seconds on every node: what is due?
CREATE INDEX flag_scheduled_changes_due_idx ON flag_scheduled_changes (run_at) WHERE status = 'pending';
CREATE INDEX flag_scheduled_changes_flag_idx ON flag_scheduled_changes (flag_id, run_at);
