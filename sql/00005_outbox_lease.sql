-- A relay claims outbox entries by setting claimed_until in one short statement, publishes outside any transaction,
-- then deletes them. Row locks held across a publish (the former `for update skip locked` transaction) kept entries
-- away from every other relay for as long as a half-open Redis connection hung that publish. A claim instead expires:
-- a relay that died or hung frees its entries after the lease, and one whose publish failed frees them at once.
alter table notification_outbox add column claimed_until timestamptz;
