-- Dependencies declared by URL, across trackers: a Linear project's "Blocked by <Jira URL>" link, a
-- Jira field listing Linear URLs. Each epic gets the canonical reference of its own URL (item_ref,
-- computed by src/trackers/item-ref.ts at sync), and its declared links are kept by the reference of
-- their target; a build resolves them to epics by joining the two.

alter table epics add column item_ref text;
create index epics_item_ref_idx on epics (item_ref) where deleted_at is null;

-- What one epic declares, as its source reported it at the last sync (replaced per epic, like
-- `dependencies`). relation 'blocked_by': the target blocks the epic; 'blocks': the epic blocks it.
create table epic_links (
  epic_id text not null references epics (id) on delete cascade,
  source_id text not null references sources (id) on delete cascade,
  relation text not null check (relation in ('blocked_by', 'blocks')),
  target_ref text not null,
  url text not null,                           -- as written, for people
  primary key (epic_id, relation, target_ref)
);
create index epic_links_target_idx on epic_links (target_ref);

-- Existing epics: the three URL shapes connectors store (Jira /browse/KEY, Linear project and
-- issue pages), as item-ref.ts computes them. Anything else stays null until the epic's next sync,
-- which writes the reference item-ref.ts gives (and corrects any row this got differently).
update epics set item_ref = 'jira:' || lower(m[1]) || ':' || upper(m[2])
from (select id as mid, regexp_match(url, '^https?://([^/?#]+)(?:/[^?#]*)?/browse/([A-Za-z][A-Za-z0-9_]*-[0-9]+)/?(?:[?#].*)?$', 'i') as m from epics) j
where epics.id = j.mid and m is not null;

update epics set item_ref = 'linear:'
    || case when lower(m[1]) = 'linear.app' then lower(m[2]) else lower(m[1]) || '/' || lower(m[2]) end
    || ':project:' || lower(regexp_replace(m[3], '^.*-', ''))
from (select id as mid, regexp_match(url, '^https?://([^/?#]+)/([^/?#]+)/project/([^/?#]+)(?:[/?#].*)?$', 'i') as m from epics) p
where epics.id = p.mid and epics.item_ref is null and m is not null;

update epics set item_ref = 'linear:'
    || case when lower(m[1]) = 'linear.app' then lower(m[2]) else lower(m[1]) || '/' || lower(m[2]) end
    || ':issue:' || upper(m[3])
from (select id as mid, regexp_match(url, '^https?://([^/?#]+)/([^/?#]+)/issue/([A-Za-z][A-Za-z0-9_]*-[0-9]+)(?:[/?#].*)?$', 'i') as m from epics) i
where epics.id = i.mid and epics.item_ref is null and m is not null;
