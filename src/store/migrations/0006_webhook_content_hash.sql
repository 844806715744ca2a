-- The delivery id is an unsigned header: the same signed body sent again under a new id would be
-- queued again. Each recorded delivery keeps the sha256 of its verified body, and a second
-- delivery of the same body for the same source is a duplicate. Rows recorded before have none.
alter table webhook_deliveries add column content_hash text;
create unique index webhook_deliveries_content_idx on webhook_deliveries (source_id, content_hash)
  where content_hash is not null;
