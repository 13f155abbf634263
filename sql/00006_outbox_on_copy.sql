-- Large keyless batches are stored with COPY, which is cheaper per row than insert … select (the heap takes the rows a
-- page at a time, one WAL record per page instead of per row) but has no RETURNING and cannot write a second table.
-- This trigger writes the batch's outbox row when the COPY statement ends, so the outbox row is still written by the
-- same statement as the notifications. The ids come from the transaction: the COPY path draws them first and leaves
-- them in `belfry.outbox_on_copy` (then writes exactly those ids). No transition table: capturing every inserted row
-- would cost every insert into notifications, the single-event statement included, for nothing. The WHEN check runs
-- without calling the function, so any other insert (the ingest statement writes its own outbox row; a row added by
-- hand needs none) pays one setting lookup.
create function notifications_outbox_on_copy() returns trigger
language plpgsql as $$
begin
  insert into notification_outbox (notification_ids)
  values (current_setting('belfry.outbox_on_copy')::bigint[]);
  -- Once: a later insert in the same transaction must not write it again.
  perform set_config('belfry.outbox_on_copy', '', true);
  return null;
end
$$;

create trigger notifications_outbox_on_copy
  after insert on notifications
  for each statement
  when (coalesce(current_setting('belfry.outbox_on_copy', true), '') <> '')
  execute function notifications_outbox_on_copy();
