-- Large keyless batches are stored with COPY, which is cheaper per row than insert … select (the heap takes the rows a
-- page at a time, one WAL record per page instead of per row) but has no RETURNING and cannot write a second table.
-- This trigger writes the batch's outbox row from the COPY's own rows, so the outbox row is still written by the
-- same statement as the notifications. Only when the transaction asks for it: every other insert (the ingest
-- statement, which writes its own outbox row, or a row added by hand) is left alone.
create function notifications_outbox_on_copy() returns trigger
language plpgsql as $$
begin
  if current_setting('belfry.outbox_on_copy', true) = 'on' then
    insert into notification_outbox (notification_ids)
    select array_agg(id)
    from copied
    having count(*) > 0;
  end if;
  return null;
end
$$;

create trigger notifications_outbox_on_copy
  after insert on notifications
  referencing new table as copied
  for each statement
  execute function notifications_outbox_on_copy();
