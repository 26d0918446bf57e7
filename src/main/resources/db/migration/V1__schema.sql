-- Table and column names follow the original module's schema so a platform
-- moving over keeps its data and its SQL.

CREATE TABLE users (
  id          text PRIMARY KEY,
  role        text NOT NULL CHECK (role IN ('ADMIN', 'CREATOR', 'BRAND', 'VIEWER')),
  brand_id    text,
  creator_id  text,
  email       text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
-- Role broadcasts select every holder of a role.
CREATE INDEX users_role_idx ON users (role);

CREATE TABLE idempotency_keys (
  id              text PRIMARY KEY,
  key             text NOT NULL,
  -- the caller (JWT sub) the key belongs to: two callers never share a record
  scope           text NOT NULL,
  entity_type     text NOT NULL,
  entity_id       text,
  request_hash    text NOT NULL,
  response_status integer,
  response_body   jsonb,
  processed       boolean NOT NULL DEFAULT false,
  processing_at   timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  CONSTRAINT idempotency_keys_scope_key_uq UNIQUE (scope, key)
);
CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at);

CREATE TABLE feature_flags (
  id                  text PRIMARY KEY,
  name                text NOT NULL UNIQUE,
  enabled             boolean NOT NULL DEFAULT false,
  description         text,
  rollout_percentage  integer NOT NULL DEFAULT 0 CHECK (rollout_percentage BETWEEN 0 AND 100),
  conditions          jsonb,
  created_by          text,
  updated_by          text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE feature_flag_audit (
  id          text PRIMARY KEY,
  flag_id     text NOT NULL,
  flag_name   text NOT NULL,
  action      text NOT NULL CHECK (action IN ('CREATE', 'UPDATE', 'DELETE')),
  actor       text NOT NULL,
  before      jsonb,
  after       jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);
-- No foreign key: the audit of a deleted flag outlives it.
CREATE INDEX feature_flag_audit_flag_idx ON feature_flag_audit (flag_id, created_at DESC);

CREATE TABLE notifications (
  id          text PRIMARY KEY,
  user_id     text NOT NULL,
  type        text NOT NULL CHECK (type IN ('LICENSE', 'PAYOUT', 'ROYALTY', 'PROJECT', 'SYSTEM')),
  title       text NOT NULL,
  message     text NOT NULL,
  action_url  text,
  priority    text NOT NULL DEFAULT 'MEDIUM' CHECK (priority IN ('LOW', 'MEDIUM', 'HIGH', 'URGENT')),
  read        boolean NOT NULL DEFAULT false,
  read_at     timestamptz,
  metadata    jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);
-- Inbox pages, newest first; ids are time-ordered so they break ties.
CREATE INDEX notifications_user_created_idx ON notifications (user_id, created_at DESC, id DESC);
-- Unread counts and unread filters touch only unread rows.
CREATE INDEX notifications_user_unread_idx ON notifications (user_id) WHERE NOT read;
-- The retention job finds old read rows without scanning the rest.
CREATE INDEX notifications_read_at_idx ON notifications (read_at) WHERE read;

CREATE TABLE job_runs (
  id             text PRIMARY KEY,
  job_name       text NOT NULL,
  scheduled_for  timestamptz NOT NULL,
  node_id        text NOT NULL,
  status         text NOT NULL CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED')),
  started_at     timestamptz NOT NULL DEFAULT now(),
  finished_at    timestamptz,
  deleted        bigint NOT NULL DEFAULT 0,
  error          text,
  -- one run per job and slot, whichever node claims it first
  CONSTRAINT job_runs_job_slot_uq UNIQUE (job_name, scheduled_for)
);
CREATE INDEX job_runs_job_started_idx ON job_runs (job_name, started_at DESC);
