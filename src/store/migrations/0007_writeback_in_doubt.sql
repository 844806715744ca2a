-- A ticket whose write was sent but not confirmed (the worker died mid-write, or a sync saw the
-- ticket show something else than was written): its recorded values cannot be trusted, so the
-- next write-back writes every owned field of it again.
alter table writeback_state add column in_doubt boolean not null default false;
