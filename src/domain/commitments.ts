import { calendarDayOf } from './dates.ts'
import type { Period } from './periods.ts'
import { type Baseline, finishPeriod, type Roadmap } from './roadmap.ts'

/**
 * Commitments (DESIGN.md, "Commitment"): the first build of each period keeps the plan for that
 * period and the next `horizon` periods as the baseline, and each entry planned to finish there is
 * committed to that period (a large epic spread over several periods is promised for its last). Between period starts the baseline does not move: an epic keeps the commitment it
 * had (work added or pulled in later is not committed), so only what was promised at the start of
 * a period can be deferred. Work planned further out can move freely: those moves are replans.
 */
export function withCommitments(next: Roadmap, previous: Roadmap | null, horizon: number): Roadmap {
  const current = periodContaining(next.periods, calendarDayOf(next.builtAt))
  const inForce = previous?.baseline ?? null
  if (current !== null && (inForce === null || inForce.period !== current.id)) {
    const at = next.periods.findIndex((p) => p.id === current.id)
    const periods = next.periods.slice(at, at + 1 + horizon).map((p) => p.id)
    const baseline: Baseline = { period: current.id, takenAt: next.builtAt, periods }
    const window = new Set(periods)
    return {
      ...next,
      baseline,
      entries: next.entries.map((e) => {
        const finish = finishPeriod(e)
        return { ...e, commitment: finish !== null && window.has(finish) ? finish : null }
      }),
    }
  }
  const before = new Map<string, string | null>()
  for (const e of previous?.entries ?? []) before.set(e.epicId, e.commitment ?? null)
  return {
    ...next,
    baseline: inForce,
    entries: next.entries.map((e) => ({ ...e, commitment: before.get(e.epicId) ?? null })),
  }
}

/** The period a day falls in (start inclusive, end exclusive); null in a gap or outside the calendar. */
export function periodContaining(periods: readonly Period[], day: string): Period | null {
  for (const p of periods) if (p.start <= day && day < p.end) return p
  return null
}
