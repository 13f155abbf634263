-- The delivery outbox: one row per committed insert, written by the same statement as the notifications,
-- removed once the batch is published. If a process dies between commit and publish (or Redis is away),
-- the row stays and a relay on any process publishes it. One row per batch, not per notification: the cost
-- on the ingest path is one tiny insert and one delete per statement, whatever the batch size.
create table notification_outbox (
  id               bigint generated always as identity primary key,
  notification_ids bigint[] not null,
  created_at       timestamptz not null default now()
);
