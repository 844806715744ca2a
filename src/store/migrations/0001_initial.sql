-- onetrack's system of record. Redis holds queues only: everything needed to rebuild them lives here.

-- One row per configured tracker source (Jira site + JQL, Linear workspace + teams).
create table sources (
  id text primary key,
  kind text not null check (kind in ('jira', 'linear')),
  config_hash text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Epics as last synced, already mapped to onetrack's model. Deleted epics keep their row (the
-- deferral history refers to them) with deleted_at set.
create table epics (
  id text primary key,                       -- 'source:externalId', stable across renames and moves
  source_id text not null references sources (id) on delete cascade,
  external_id text not null,
  key text not null,
  title text not null,
  url text not null,
  team text,
  track text not null check (track in ('product', 'technical')),
  status text not null check (status in ('todo', 'in_progress', 'done', 'canceled')),
  inputs jsonb not null default '{}',         -- {value?, timeCriticality?, risk?}: absent means not given
  effort double precision,
  problems jsonb not null default '[]',       -- mapping problems found at sync, shown to people
  tracker_updated_at timestamptz not null,
  synced_at timestamptz not null default now(),
  deleted_at timestamptz,
  unique (source_id, external_id)
);
create index epics_source_idx on epics (source_id) where deleted_at is null;

-- "blocker blocks blocked", as reported by one source; links can cross sources.
create table dependencies (
  blocker_id text not null,
  blocked_id text not null,
  source_id text not null references sources (id) on delete cascade,
  primary key (blocker_id, blocked_id, source_id)
);
create index dependencies_blocked_idx on dependencies (blocked_id);

-- Where the incremental sync of each source resumes.
create table sync_cursors (
  source_id text primary key references sources (id) on delete cascade,
  cursor text,
  last_sync_at timestamptz,
  last_full_sync_at timestamptz,
  updated_at timestamptz not null default now()
);

-- One immutable build of the merged roadmap.
create table roadmap_versions (
  id integer generated always as identity primary key,
  trigger text not null,
  config_hash text not null,
  built_at timestamptz not null,               -- the build's clock (periods ended or open)
  created_at timestamptz not null default now(),
  roadmap jsonb not null,                      -- the domain's roadmap without its entries: periods, cycles, load
  entry_count integer not null,
  event_count integer not null
);

-- The entries of a version: one row per open epic, the whole entry (score breakdown included)
-- kept as the domain produced it, with the columns the API filters on.
create table roadmap_entries (
  version_id integer not null references roadmap_versions (id) on delete cascade,
  epic_id text not null,
  rank integer not null,
  score double precision,                      -- null when the epic is unscored
  period text,                                 -- null when unplanned
  team text not null,
  track text not null,
  source_id text not null,
  entry jsonb not null,
  primary key (version_id, epic_id)
);
create index roadmap_entries_epic_idx on roadmap_entries (epic_id, version_id);

-- The deferral ledger. The id is derived from the event's content, so a build retried after a
-- crash cannot record the same event twice.
create table deferral_events (
  id text primary key,
  version_id integer not null references roadmap_versions (id) on delete cascade,
  epic_id text not null,
  kind text not null check (kind in ('deferred', 'pulled_in', 'added', 'removed', 'completed', 'rolled_over')),
  from_period text,
  to_period text,
  cause jsonb,
  event jsonb not null,                        -- the whole event as the domain produced it
  occurred_at timestamptz not null
);
create index deferral_events_epic_idx on deferral_events (epic_id, occurred_at);
create index deferral_events_time_idx on deferral_events (occurred_at);

-- Decisions of the roadmap owner. Never deleted: revoking keeps the row and its rationale.
create table overrides (
  id text primary key,
  epic_id text not null,
  kind text not null check (kind in ('pin', 'defer', 'exclude')),
  period text,
  rationale text not null check (length(trim(rationale)) > 0),
  author text not null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  revoked_by text,
  check (kind = 'exclude' or period is not null)
);
create index overrides_active_idx on overrides (epic_id) where revoked_at is null;

-- Every webhook delivery that queued work, keyed by the tracker's delivery id: retries are recognised.
create table webhook_deliveries (
  source_id text not null,
  delivery_id text not null,
  event text not null,
  received_at timestamptz not null default now(),
  written_back_at timestamptz,                 -- when a write-back after it finished (latency metric)
  primary key (source_id, delivery_id)
);
create index webhook_deliveries_pending_idx on webhook_deliveries (source_id, received_at)
  where written_back_at is null;

-- The values last written to each ticket, so only changes are written.
create table writeback_state (
  epic_id text primary key,
  source_id text not null references sources (id) on delete cascade,
  fields jsonb not null,
  version_id integer,
  written_at timestamptz not null default now()
);

-- One weekly report per channel and week; 'posting' before the post, 'posted' after it.
create table posted_reports (
  channel_id text not null,
  week text not null,                          -- ISO week, e.g. 2026-W48
  status text not null check (status in ('posting', 'posted', 'failed', 'skipped')),
  attempts integer not null default 0,
  error text,
  version_id integer,
  updated_at timestamptz not null default now(),
  posted_at timestamptz,
  primary key (channel_id, week)
);
