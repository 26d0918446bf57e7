-- The send log: one row per create call (who sent what, to whom, how many got it), written in the
-- create's transaction. A broadcast to 100,000 users is one row here, so "what was sent recently"
-- never groups the notifications table.
CREATE TABLE notification_sends (
  id              text PRIMARY KEY,
  actor           text NOT NULL,
  -- USERS: userId or userIds were given (recipient_ids holds the first ids listed); ROLE: userRole
  recipient_kind  text NOT NULL CHECK (recipient_kind IN ('USERS', 'ROLE')),
  recipient_role  text,
  recipient_ids   text[],
  requested       integer NOT NULL,
  created         integer NOT NULL,
  type            text NOT NULL,
  title           text NOT NULL,
  message         text NOT NULL,
  action_url      text,
  priority        text NOT NULL,
  metadata        jsonb,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_sends_created_idx ON notification_sends (created_at DESC, id DESC);
