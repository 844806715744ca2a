-- Commitments (DESIGN.md, "Commitment"): only work committed at a period's start can be deferred;
-- any other move later is a replan, kept in the history but never counted.
alter table deferral_events drop constraint deferral_events_kind_check;
alter table deferral_events add constraint deferral_events_kind_check
  check (kind in ('deferred', 'rolled_over', 'replanned', 'pulled_in', 'added', 'removed', 'completed'));

-- Cost of delay is now projected (the price of a deferral when it is made) and accrued (computed
-- from the days late and the rate history, never stored). Events recorded before keep their figure
-- as the projected cost of a deferral; nothing else is priced, and a pull-in gives nothing back.
update deferral_events
set event = (event - 'costOfDelayAdded' - 'costOfDelayAccumulated')
  || jsonb_build_object(
       'projectedCost',
       case when kind in ('deferred', 'rolled_over')
            then greatest(coalesce((event ->> 'costOfDelayAdded')::float8, 0), 0) else 0 end,
       'committed', null)
where event ? 'costOfDelayAdded';
