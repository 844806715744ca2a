-- Owned calls: versions proposed and approved, deferrals signed off, and the log of every decision.

-- A version's publication. 'published' for every version built in auto mode (and all before this
-- migration); in on-approval mode a build is 'proposed', the newest proposal supersedes older ones
-- ('superseded', still recorded), an owner's approval makes it 'approved', and its write-back
-- makes it 'published'.
alter table roadmap_versions
  add column status text not null default 'published'
    check (status in ('proposed', 'approved', 'superseded', 'published')),
  add column approved_by text,
  add column approved_at timestamptz,
  add column approval_note text;
create index roadmap_versions_publishable_idx on roadmap_versions (id)
  where status in ('approved', 'published');

-- The log of owned calls: acknowledgements of deferrals, overrides, revocations and approvals, with
-- author, time, rationale and the roadmap version the call applied to. Never updated or deleted.
create table decisions (
  id text primary key,
  kind text not null check (kind in ('acknowledgement', 'override', 'revocation', 'approval')),
  author text not null,
  at timestamptz not null,
  rationale text,
  epic_id text,                                -- null for approvals
  version_id integer,                          -- the version the call applied to
  subject text not null,                       -- the deferral event, override or version it is about
  via text not null check (via in ('api', 'slack')),
  details jsonb not null default '{}'
);
create index decisions_time_idx on decisions (at, id);
create index decisions_epic_idx on decisions (epic_id, at);

-- The sign-off of a deferral (kinds deferred and rolled_over): accepted with a reason (api, slack),
-- or answered by the owner's pin of the epic (override). A deferral without a row is unacknowledged.
create table deferral_acks (
  event_id text primary key references deferral_events (id) on delete cascade,
  epic_id text not null,
  by text not null,
  at timestamptz not null,
  reason text not null check (length(trim(reason)) > 0),
  via text not null check (via in ('api', 'slack', 'override')),
  override_id text,
  decision_id text not null references decisions (id)
);
create index deferral_acks_epic_idx on deferral_acks (epic_id);

-- The overrides recorded before the log existed, and their revocations, enter it as they were.
insert into decisions (id, kind, author, at, rationale, epic_id, version_id, subject, via, details)
select 'ov-' || o.id, 'override', o.author, o.created_at, o.rationale, o.epic_id,
       (select max(v.id) from roadmap_versions v where v.created_at <= o.created_at), o.id, 'api',
       jsonb_build_object('kind', o.kind, 'period', o.period)
from overrides o;
insert into decisions (id, kind, author, at, rationale, epic_id, version_id, subject, via, details)
select 'rv-' || o.id, 'revocation', coalesce(o.revoked_by, o.author), o.revoked_at, null, o.epic_id,
       (select max(v.id) from roadmap_versions v where v.created_at <= o.revoked_at), o.id, 'api',
       jsonb_build_object('kind', o.kind, 'period', o.period)
from overrides o where o.revoked_at is not null;
