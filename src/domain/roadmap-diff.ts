import { contentId } from './content-id.ts'
import { calendarDayOf } from './dates.ts'
import { capacityIndex, type DiffContext, deferralCause, displacersOf } from './deferral-causes.ts'
import {
  type CommittedPeriod,
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
import { finishPeriod, type Roadmap, type RoadmapEntry } from './roadmap.ts'

export interface DiffOptions {
  /** Every past event, or its digest: deferral counts, deferrals already recorded, ids already recorded. */
  ledger?: readonly DeferralEvent[] | LedgerDigest
}

/**
 * The events between the previous version and the next (DESIGN.md, "Commitment", "Deferral"), judged
 * with the next version's clock (`builtAt`) and the commitments the previous version carried:
 *  - committed to a period that has ended by now, not done, that commitment not yet broken: rolled_over
 *  - committed, on track before, now after its committed period or unplanned, that commitment not yet
 *    broken: deferred, with its cause and displacers (deferral-causes.ts)
 *  - any other move later (uncommitted work, work going back from an ended period it was pulled into,
 *    a commitment already broken): replanned, with its cause; earlier: pulled_in
 *  - new: added; gone and done: completed; gone otherwise: removed (canceled / no longer synced)
 * A deferral's id is its epic and committed period, so a commitment is broken once whatever happens
 * after; other events already in the ledger (a retried build) are left out, so diff(a, a) is empty.
 * Output: epics of the next roadmap in rank order, then those that left it in their previous rank order.
 */
export function diffRoadmaps(
  previous: Roadmap | null,
  next: Roadmap,
  options: DiffOptions = {},
): DeferralEvent[] {
  const digest = digestLedger(options.ledger ?? [])
  const { recorded, deferredPeriods: broken } = digest
  const rules = diffRules(previous, next, digest)
  const { calendar, ordinal, ended } = rules
  const previousEntries = previous?.entries ?? []
  const previousIndex = new Map<string, number>()
  for (const [k, entry] of previousEntries.entries()) previousIndex.set(entry.epicId, k)
  const stillThere = new Uint8Array(previousEntries.length)
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
  const moveLater = (p: RoadmapEntry, q: RoadmapEntry, from: string | null): Draft => {
    const c = context as DiffContext
    const displacedBy = from === null ? [] : displacersOf(c, q, from)
    return {
      kind: 'replanned',
      entry: q,
      from,
      to: q.period,
      committed: null,
      cause: deferralCause(c, p, q, displacedBy),
      displacedBy,
    }
  }

  const drafts: Draft[] = []
  for (const q of next.entries) {
    const k = previousIndex.get(q.epicId)
    if (k === undefined) {
      drafts.push({
        kind: 'added',
        entry: q,
        from: null,
        to: q.period,
        committed: null,
        cause: null,
        displacedBy: [],
      })
      continue
    }
    stillThere[k] = 1
    const p = previousEntries[k] as RoadmapEntry
    const owed = brokenCommitment(p, q, rules)
    if (owed !== null && ended(owed)) {
      drafts.push({
        kind: 'rolled_over',
        entry: q,
        from: owed,
        to: finishPeriod(q),
        committed: committedPeriod(calendar, owed),
        cause: { kind: 'period_ended', period: owed },
        displacedBy: [],
      })
      continue
    }
    if (owed !== null) {
      const displacedBy = displacersOf(context as DiffContext, q, owed)
      drafts.push({
        kind: 'deferred',
        entry: q,
        from: owed,
        to: finishPeriod(q),
        committed: committedPeriod(calendar, owed),
        cause: deferralCause(context as DiffContext, p, q, displacedBy, owed),
        displacedBy,
      })
      continue
    }
    if (p.period !== null && ended(p.period)) {
      // Work not owed to this period goes back without a deferral; a large epic whose first
      // period ended and that still finishes where it did has nothing to record.
      if (finishPeriod(p) !== finishPeriod(q)) {
        drafts.push({
          kind: 'replanned',
          entry: q,
          from: p.period,
          to: q.period,
          committed: null,
          cause: { kind: 'period_ended', period: p.period },
          displacedBy: [],
        })
      }
      continue
    }
    if (p.period === q.period) continue
    if (ordinal(q.period) <= ordinal(p.period)) {
      drafts.push({
        kind: 'pulled_in',
        entry: q,
        from: p.period,
        to: q.period,
        committed: null,
        cause: null,
        displacedBy: [],
      })
    } else drafts.push(moveLater(p, q, p.period))
  }
  if (previousEntries.length > 0) {
    const closed = new Map(next.closed.map((c) => [c.epicId, c.status]))
    previousEntries.forEach((p, k) => {
      if (stillThere[k] === 1) return
      const status = closed.get(p.epicId)
      drafts.push(
        status === 'done'
          ? {
              kind: 'completed',
              entry: p,
              from: p.period,
              to: null,
              committed: null,
              cause: null,
              displacedBy: [],
            }
          : {
              kind: 'removed',
              entry: p,
              from: p.period,
              to: null,
              committed: null,
              cause: { kind: status === 'canceled' ? 'canceled' : 'no_longer_synced' },
              displacedBy: [],
            },
      )
    })
  }

  const events: DeferralEvent[] = []
  for (const draft of drafts) {
    const { kind, entry, from, to } = draft
    const deferral = isDeferral(kind)
    const id = deferral
      ? contentId('ev', ['deferral', entry.epicId, from])
      : contentId('ev', [kind, entry.epicId, from, to, previous?.builtAt ?? null])
    if (recorded.has(id)) continue
    const moves = deferral || kind === 'replanned' || kind === 'pulled_in'
    const periodsSlipped = moves ? ordinal(to) - ordinal(from) : 0
    const costOfDelay = entry.score.breakdown.costOfDelay
    events.push({
      id,
      kind,
      epicId: entry.epicId,
      epic: { key: entry.key, title: entry.title, url: entry.url, team: entry.team, track: entry.track },
      at: next.builtAt,
      previousBuiltAt: previous?.builtAt ?? null,
      fromPeriod: from,
      toPeriod: to,
      committed: draft.committed,
      cause: draft.cause,
      displacedBy: draft.displacedBy,
      periodsSlipped,
      costOfDelay,
      projectedCost: deferral && costOfDelay !== null ? costOfDelay * periodsSlipped : 0,
      deferralCount: (broken.get(entry.epicId)?.size ?? 0) + (deferral ? 1 : 0),
    })
  }
  return events
}

/** What judging a pair of versions needs besides the entries: the calendar, its order, the clock, the ledger. */
interface DiffRules {
  calendar: ReadonlyMap<string, Period>
  ordinal: (period: string | null) => number
  ended: (period: string) => boolean
  broken: LedgerDigest['deferredPeriods']
}

function diffRules(previous: Roadmap | null, next: Roadmap, digest: LedgerDigest): DiffRules {
  const today = calendarDayOf(next.builtAt)
  const calendar = new Map<string, Period>()
  // The previous calendar is the one the epic was planned and committed against.
  for (const p of next.periods) calendar.set(p.id, p)
  for (const p of previous?.periods ?? []) calendar.set(p.id, p)
  return {
    calendar,
    ordinal: calendarOrdinal([...calendar.values()]),
    ended: (period) => (calendar.get(period)?.end ?? '9999-12-31') <= today,
    broken: digest.deferredPeriods,
  }
}

/**
 * The commitment this move breaks, or null: the epic was committed to a period it had not yet
 * left, and that period has ended with it open (a roll-over), or it was planned to finish there or
 * earlier and now finishes later or not at all (a deferral). Committed work is judged by where it
 * is planned to finish, so a large epic whose first period ends breaks nothing.
 */
function brokenCommitment(p: RoadmapEntry, q: RoadmapEntry, rules: DiffRules): string | null {
  const commitment = p.commitment ?? null
  if (commitment === null || rules.broken.get(q.epicId)?.has(commitment) === true) return null
  if (rules.ended(commitment)) return commitment
  const { ordinal } = rules
  const target = ordinal(commitment)
  return ordinal(finishPeriod(q)) > target && ordinal(finishPeriod(p)) <= target ? commitment : null
}

/**
 * The deferrals (and roll-overs) `next` would record against `previous`, epic and committed period
 * only: what a build needs to count them before it explains them (diffRoadmaps does that).
 */
export function newDeferrals(
  previous: Roadmap | null,
  next: Roadmap,
  ledger: readonly DeferralEvent[] | LedgerDigest,
): Array<{ epicId: string; period: string }> {
  if (previous === null) return []
  const rules = diffRules(previous, next, digestLedger(ledger))
  const before = new Map(previous.entries.map((e) => [e.epicId, e]))
  const found: Array<{ epicId: string; period: string }> = []
  for (const q of next.entries) {
    const p = before.get(q.epicId)
    const period = p === undefined ? null : brokenCommitment(p, q, rules)
    if (period !== null) found.push({ epicId: q.epicId, period })
  }
  return found
}

interface Draft {
  kind: DeferralEventKind
  entry: RoadmapEntry
  from: string | null
  to: string | null
  committed: CommittedPeriod | null
  cause: DeferralCause | null
  displacedBy: Displacer[]
}

function committedPeriod(calendar: ReadonlyMap<string, Period>, period: string): CommittedPeriod {
  const p = calendar.get(period)
  // A commitment always names a period of one of the two calendars; the fallback keeps the type honest.
  return { period, start: p?.start ?? '', end: p?.end ?? '' }
}

/**
 * Position of a period in the union of calendars, by start date (then id); null — unplanned — is
 * one past the last period, so moving out of the plan is a move later.
 */
function calendarOrdinal(periods: readonly Period[]): (period: string | null) => number {
  const ordered = [...periods].sort((a, b) => compareIds(a.start, b.start) || compareIds(a.id, b.id))
  const position = new Map(ordered.map((p, i) => [p.id, i]))
  return (period) => (period === null ? ordered.length : (position.get(period) ?? ordered.length))
}
