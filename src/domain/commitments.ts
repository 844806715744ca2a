import { calendarDayOf } from './dates.ts'
import type { Period } from './periods.ts'
import { type Baseline, entryPositions, finishPeriod, type Roadmap, type RoadmapEntry } from './roadmap.ts'

/**
 * Commitments (DESIGN.md, "Commitment"): the first build of each period keeps the plan for that
 * period and the next `horizon` periods as the baseline, and each entry planned to finish there is
 * committed to that period (a large epic spread over several periods is promised for its last). Between period starts the baseline does not move: an epic keeps the commitment it
 * had (work added or pulled in later is not committed), so only what was promised at the start of
 * a period can be deferred. Work planned further out can move freely: those moves are replans.
 */
export function withCommitments(next: Roadmap, previous: Roadmap | null, horizon: number): Roadmap {
  const rule = commitmentRule(next.periods, next.builtAt, previous, horizon)
  const positions = entryPositions(previous)
  const before = (epicId: string): RoadmapEntry | undefined => {
    const at = positions.get(epicId)
    return at === undefined ? undefined : previous?.entries[at]
  }
  return {
    ...next,
    baseline: rule.baseline,
    entries: next.entries.map((e) => ({
      ...e,
      commitment: rule.commitmentOf(before(e.epicId), finishPeriod(e)),
    })),
  }
}

/**
 * The baseline a version built at `builtAt` carries, and the period an epic is committed to, from
 * its entry in `previous` (`before`) and the period it is now planned to finish in: taken from the
 * plan at a period's first build, carried over from `previous` otherwise.
 */
export function commitmentRule(
  periods: readonly Period[],
  builtAt: string,
  previous: Roadmap | null,
  horizon: number,
): {
  baseline: Baseline | null
  commitmentOf: (before: RoadmapEntry | undefined, finish: string | null) => string | null
} {
  const current = periodContaining(periods, calendarDayOf(builtAt))
  const inForce = previous?.baseline ?? null
  if (current !== null && (inForce === null || inForce.period !== current.id)) {
    const at = periods.findIndex((p) => p.id === current.id)
    const window = periods.slice(at, at + 1 + horizon).map((p) => p.id)
    const baseline: Baseline = { period: current.id, takenAt: builtAt, periods: window }
    const committed = new Set(window)
    return {
      baseline,
      commitmentOf: (_before, finish) => (finish !== null && committed.has(finish) ? finish : null),
    }
  }
  return { baseline: inForce, commitmentOf: (before) => before?.commitment ?? null }
}

/** The period a day falls in (start inclusive, end exclusive); null in a gap or outside the calendar. */
export function periodContaining(periods: readonly Period[], day: string): Period | null {
  for (const p of periods) if (p.start <= day && day < p.end) return p
  return null
}
