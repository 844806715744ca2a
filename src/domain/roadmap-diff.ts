import { contentId } from './content-id.ts'
import { calendarDayOf } from './dates.ts'
import { capacityIndex, type DiffContext, deferralCause, displacersOf } from './deferral-causes.ts'
import {
  type DeferralCause,
  type DeferralEvent,
  type DeferralEventKind,
  type Displacer,
  digestLedger,
  isDeferral,
  type LedgerDigest,
} from './deferrals.ts'
import { compareIds } from './epic.ts'
import type { Period } from './periods.ts'
import type { Roadmap, RoadmapEntry } from './roadmap.ts'

export interface DiffOptions {
  /** Every past event, or its digest: for running totals, deferral counts, and to drop events already recorded. */
  ledger?: readonly DeferralEvent[] | LedgerDigest
}

/**
 * The events between the previous version and the next (DESIGN.md, "Deferral"), judged with the
 * next version's clock (`builtAt`) and calendars:
 *  - an epic planned in a period that has ended by now, and not done: rolled_over (cause period_ended)
 *  - planned later than before, or unplanned: deferred, with its cause (deferral-causes.ts)
 *  - planned earlier, or planned after being unplanned: pulled_in
 *  - new: added; gone and done: completed; gone otherwise: removed (canceled / no longer synced)
 * Events already in the ledger (same id: a retried build) are left out, so diff(a, a) is empty and
 * replaying a build records nothing twice. Output: epics of the next roadmap in rank order, then
 * those that left it in their previous rank order.
 */
export function diffRoadmaps(
  previous: Roadmap | null,
  next: Roadmap,
  options: DiffOptions = {},
): DeferralEvent[] {
  const { recorded, accumulated, deferredPeriods: leftPeriods } = digestLedger(options.ledger ?? [])
  const today = calendarDayOf(next.builtAt)
  const previousEntries = previous?.entries ?? []
  const previousIndex = new Map<string, number>()
  for (const [k, entry] of previousEntries.entries()) previousIndex.set(entry.epicId, k)
  const stillThere = new Uint8Array(previousEntries.length)
  const ordinal = calendarOrdinal([...(previous?.periods ?? []), ...next.periods])
  const endOf = new Map<string, string>()
  for (const p of next.periods) endOf.set(p.id, p.end)
  // The previous calendar is the one the epic was planned against.
  for (const p of previous?.periods ?? []) endOf.set(p.id, p.end)
  const context: DiffContext | null =
    previous === null
      ? null
      : {
          previous,
          next,
          previousEntry: (epicId) => {
            const k = previousIndex.get(epicId)
            return k === undefined ? undefined : previousEntries[k]
          },
          nextById: null,
          ordinal,
          displacerCache: new Map(),
          previousCapacity: capacityIndex(previous),
          nextCapacity: capacityIndex(next),
          nextBooked: null,
          settingsChanged: JSON.stringify(previous.scoring) !== JSON.stringify(next.scoring),
        }

  // Epics on the next roadmap, in rank order; then the ones that left it, in their previous rank order.
  const drafts: Draft[] = []
  for (const q of next.entries) {
    const k = previousIndex.get(q.epicId)
    if (k === undefined) {
      drafts.push({ kind: 'added', entry: q, from: null, to: q.period, cause: null, displacedBy: [] })
      continue
    }
    stillThere[k] = 1
    const p = previousEntries[k] as RoadmapEntry
    if (p.period !== null && (endOf.get(p.period) ?? '9999-12-31') <= today) {
      drafts.push({
        kind: 'rolled_over',
        entry: q,
        from: p.period,
        to: q.period,
        cause: { kind: 'period_ended', period: p.period },
        displacedBy: [],
      })
      continue
    }
    if (p.period === q.period) continue
    if (ordinal(q.period) > ordinal(p.period)) {
      const displacedBy = displacersOf(context as DiffContext, q, p.period as string)
      const cause = deferralCause(context as DiffContext, p, q, displacedBy)
      drafts.push({ kind: 'deferred', entry: q, from: p.period, to: q.period, cause, displacedBy })
    } else {
      drafts.push({ kind: 'pulled_in', entry: q, from: p.period, to: q.period, cause: null, displacedBy: [] })
    }
  }
  if (previousEntries.length > 0) {
    const closed = new Map(next.closed.map((c) => [c.epicId, c.status]))
    previousEntries.forEach((p, k) => {
      if (stillThere[k] === 1) return
      const status = closed.get(p.epicId)
      drafts.push(
        status === 'done'
          ? { kind: 'completed', entry: p, from: p.period, to: null, cause: null, displacedBy: [] }
          : {
              kind: 'removed',
              entry: p,
              from: p.period,
              to: null,
              cause: { kind: status === 'canceled' ? 'canceled' : 'no_longer_synced' },
              displacedBy: [],
            },
      )
    })
  }

  const events: DeferralEvent[] = []
  for (const draft of drafts) {
    const { kind, entry, from, to } = draft
    const id = contentId(
      'ev',
      kind === 'rolled_over'
        ? [kind, entry.epicId, from]
        : [kind, entry.epicId, from, to, previous?.builtAt ?? null],
    )
    if (recorded.has(id)) continue
    const moves = kind === 'deferred' || kind === 'rolled_over' || kind === 'pulled_in'
    const periodsSlipped = moves ? ordinal(to) - ordinal(from) : 0
    const costOfDelay = entry.score.breakdown.costOfDelay
    const costOfDelayAdded = costOfDelay === null ? 0 : costOfDelay * periodsSlipped
    const left = leftPeriods.get(entry.epicId)
    const deferralCount =
      (left?.size ?? 0) + (isDeferral(kind) && from !== null && left?.has(from) !== true ? 1 : 0)
    events.push({
      id,
      kind,
      epicId: entry.epicId,
      epic: { key: entry.key, title: entry.title, url: entry.url, team: entry.team, track: entry.track },
      at: next.builtAt,
      previousBuiltAt: previous?.builtAt ?? null,
      fromPeriod: from,
      toPeriod: to,
      cause: draft.cause,
      displacedBy: draft.displacedBy,
      periodsSlipped,
      costOfDelay,
      costOfDelayAdded,
      costOfDelayAccumulated: Math.max(0, (accumulated.get(entry.epicId) ?? 0) + costOfDelayAdded),
      deferralCount,
    })
  }
  return events
}

interface Draft {
  kind: DeferralEventKind
  entry: RoadmapEntry
  from: string | null
  to: string | null
  cause: DeferralCause | null
  displacedBy: Displacer[]
}

/**
 * Position of a period in the union of calendars, by start date (then id); null — unplanned — is
 * one past the last period, so moving out of the plan is a move later.
 */
function calendarOrdinal(periods: readonly Period[]): (period: string | null) => number {
  const startOf = new Map<string, string>()
  for (const p of periods) startOf.set(p.id, p.start)
  const ordered = [...startOf.entries()].sort((a, b) => compareIds(a[1], b[1]) || compareIds(a[0], b[0]))
  const position = new Map(ordered.map(([id], i) => [id, i]))
  return (period) => (period === null ? ordered.length : (position.get(period) ?? ordered.length))
}
