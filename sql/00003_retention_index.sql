-- Retention deletes read notifications older than RETENTION_DAYS in small batches. Without this index each batch
-- would scan the table. Partial: unread rows (every fresh insert) are not in it, so ingest does not pay for it.
create index idx_notifications_read_at on notifications (read_at) where read_at is not null;
