-- The inbox: richer notifications, states the user controls, and per-user preferences.
--
-- Content columns are nullable and unset by default, so an event with only the original fields stores (and pushes)
-- exactly what it did before. actor, actions and data are `json`, not `jsonb`: belfry never queries inside them,
-- and `json` keeps the sender's text as it was (key order, number spelling) where `jsonb` would rewrite it.
alter table notifications
  add column title       text,
  add column url         text,
  add column actor       json,
  add column actions     json,
  add column category    text,
  add column data        json,
  add column seen_at     timestamptz,
  add column archived_at timestamptz,
  -- Deleted by the user: hidden everywhere, kept so the (user_id, idempotency_key) stays taken (a sender's retry
  -- must not bring it back) and a repeated DELETE is still 204. Erasure and retention remove the row.
  add column deleted_at  timestamptz;

-- status=archived lists a user's archived rows newest first. Partial: only archived rows pay for it, not ingest.
create index idx_notifications_user_archived
  on notifications (user_id, created_at desc, id desc)
  where archived_at is not null;

-- Retention removes rows deleted by their user long ago; without this each batch would scan the table.
create index idx_notifications_deleted_at on notifications (deleted_at) where deleted_at is not null;

-- What a user muted. A row only for users who muted something: "no row" is the common path and costs one
-- index probe that finds nothing. Mutes are applied when reading and pushing, never written into notifications,
-- so unmuting needs no migration of old rows.
create table notification_preferences (
  user_id          text primary key,
  muted_categories text[] not null default '{}',
  muted_types      text[] not null default '{}',
  updated_at       timestamptz not null default now()
);
