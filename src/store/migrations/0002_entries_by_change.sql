-- Entries are stored when they change, not once per version: a row holds an epic's entry for the
-- range of versions it stayed the same in (`valid`, upper bound open while current). Ranks move for
-- thousands of epics when one epic moves, so they live apart, as each version's ranking.

alter table roadmap_versions add column ranking text[] not null default '{}';  -- epic ids, best rank first

update roadmap_versions v set ranking = r.ids
from (
  select version_id, array_agg(epic_id order by rank) as ids from roadmap_entries group by version_id
) r
where r.version_id = v.id;

create table roadmap_entry_ranges (
  epic_id text not null,
  valid int4range not null,                    -- [first version, version that replaced it)
  entry_hash text not null,                    -- of the entry without its rank: what "changed" means
  score double precision,                      -- null when the epic is unscored
  period text,                                 -- null when unplanned
  team text not null,
  track text not null,
  source_id text not null,
  entry jsonb not null,                        -- the domain's entry without its rank
  primary key (epic_id, valid)
);
create index roadmap_entry_ranges_valid_idx on roadmap_entry_ranges using gist (valid);
create index roadmap_entry_ranges_current_idx on roadmap_entry_ranges (epic_id) where upper_inf(valid);

-- Existing versions keep their entries, each as a range of one version (the newest one open).
insert into roadmap_entry_ranges (epic_id, valid, entry_hash, score, period, team, track, source_id, entry)
select e.epic_id,
       case when v.next_id is null then int4range(e.version_id, null) else int4range(e.version_id, v.next_id) end,
       md5((e.entry - 'rank')::text),
       e.score, e.period, e.team, e.track, e.source_id,
       e.entry - 'rank'
from roadmap_entries e
join (select id, lead(id) over (order by id) as next_id from roadmap_versions) v on v.id = e.version_id;

drop table roadmap_entries;
