import type { DeferralEvent } from './deferrals.ts'
import { isDeferral } from './deferrals.ts'

/**
 * Accrued cost of delay (DESIGN.md, "Cost of delay"): committed work that is still open after the
 * end of its committed period costs, for every day it is late, its cost of delay per period spread
 * over that period's days, at the rate in force that day. Nothing gives it back: a pull-in or a
 * later ship stops it growing, and it stays with the epic once shipped. The projected cost of a
 * deferral is a different figure: the price of the call when it is made (DeferralEvent.projectedCost).
 */

/** An epic's cost of delay per period from `from` (an ISO instant, a version's builtAt) until the next change. */
export interface RateChange {
  from: string
  /** null while it could not be scored: nothing accrues that cannot be priced. */
  costOfDelay: number | null
}

/** Since when an epic is late, and until when. */
export interface Lateness {
  epicId: string
  /** 'YYYY-MM-DD': the end of the first committed period it left unfinished. */
  since: string
  /** Days of that period: its cost of delay per period is spread over them. */
  periodDays: number
  /** When it left the roadmap (shipped, canceled, gone) after its first deferral; null while open. */
  closedAt: string | null
}

const DAY_MS = 86_400_000

/** An epic's lateness from its own events (any order); null when it never left a committed period. */
export function latenessOf(history: readonly DeferralEvent[]): Lateness | null {
  const events = [...history].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? -1 : 1))
  let first: DeferralEvent | null = null
  for (const e of events) {
    if (!isDeferral(e.kind) || e.committed === null || e.committed === undefined) continue
    if (first === null || (first.committed as NonNullable<DeferralEvent['committed']>).end > e.committed.end)
      first = e
  }
  if (first === null) return null
  const committed = first.committed as NonNullable<DeferralEvent['committed']>
  const firstAt = Math.min(...events.filter((e) => isDeferral(e.kind)).map((e) => Date.parse(e.at)))
  const closing = events.find(
    (e) => (e.kind === 'completed' || e.kind === 'removed') && Date.parse(e.at) >= firstAt,
  )
  const days = Math.round((Date.parse(committed.end) - Date.parse(committed.start)) / DAY_MS)
  return {
    epicId: first.epicId,
    since: committed.end,
    periodDays: Number.isFinite(days) && days > 0 ? days : 91,
    closedAt: closing?.at ?? null,
  }
}

/**
 * The cost an epic has accrued by `asOf`: Σ over the days late (from `since`, until it closed or
 * `asOf`) of the rate in force each moment, per day. Rates are read in time order; before the
 * first one nothing is known and nothing accrues. Never decreases as `asOf` moves on.
 */
export function accruedCost(lateness: Lateness, rates: readonly RateChange[], asOf: string): number {
  const start = Date.parse(`${lateness.since}T00:00:00.000Z`)
  const stop = Math.min(
    Date.parse(asOf),
    lateness.closedAt === null ? Number.POSITIVE_INFINITY : Date.parse(lateness.closedAt),
  )
  if (!(stop > start)) return 0
  const sorted = [...rates].sort((a, b) => Date.parse(a.from) - Date.parse(b.from))
  let total = 0
  for (const [i, rate] of sorted.entries()) {
    const from = Math.max(Date.parse(rate.from), start)
    const next = sorted[i + 1]
    const to = Math.min(next === undefined ? Number.POSITIVE_INFINITY : Date.parse(next.from), stop)
    if (to <= from || rate.costOfDelay === null || rate.costOfDelay <= 0) continue
    total += (rate.costOfDelay / lateness.periodDays) * ((to - from) / DAY_MS)
  }
  return total
}

/** Accrued cost per epic for a whole ledger in memory, with each epic's rate history. */
export function accruedCosts(
  ledger: readonly DeferralEvent[],
  rates: ReadonlyMap<string, readonly RateChange[]>,
  asOf: string,
): Map<string, number> {
  const byEpic = new Map<string, DeferralEvent[]>()
  for (const e of ledger) {
    const list = byEpic.get(e.epicId)
    if (list === undefined) byEpic.set(e.epicId, [e])
    else list.push(e)
  }
  const costs = new Map<string, number>()
  for (const [epicId, history] of byEpic) {
    const late = latenessOf(history)
    if (late !== null) costs.set(epicId, accruedCost(late, rates.get(epicId) ?? [], asOf))
  }
  return costs
}
