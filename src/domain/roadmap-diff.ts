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
import {
  type EntryPositions,
  entryPositions,
  finishPeriod,
  type Roadmap,
  type RoadmapEntry,
} from './roadmap.ts'

export interface DiffOptions {
  /** Every past event, or its digest: deferral counts, deferrals already recorded, ids already recorded. */
  ledger?: readonly DeferralEvent[] | LedgerDigest
  /** entryPositions(previous) and entryPositions(next), when the caller already has them. */
  previousPositions?: EntryPositions
  nextPositions?: EntryPositions
  /** For each next entry, the position of the previous entry it continues (-1: none), when matched already. */
  continues?: ArrayLike<number>
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
  const rules = diffRules(previous?.periods ?? [], next.periods, next.builtAt, digest)
  const { calendar, ordinal, ended } = rules
  const previousEntries = previous?.entries ?? []
  const previousIndex = options.previousPositions ?? entryPositions(previous)
  let nextPositions = options.nextPositions
  const stillThere = new Uint8Array(previousEntries.length)
  // The previous entry each next entry continues (-1: none), by position.
  const continues = new Int32Array(next.entries.length)
  for (let i = 0; i < continues.length; i++) {
    const k =
      options.continues === undefined
        ? previousIndex.get((next.entries[i] as RoadmapEntry).epicId)
        : options.continues[i]
    continues[i] = k ?? -1
  }
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
          nextEntry: (epicId) => {
            // Only some causes name other epics: the index is built on first use.
            nextPositions ??= entryPositions(next)
            const k = nextPositions.get(epicId)
            return k === undefined ? undefined : next.entries[k]
          },
          ordinal,
          displacerCache: new Map(),
          previousCapacity: capacityIndex(previous),
          nextCapacity: capacityIndex(next),
          nextBooked: null,
          continues,
          settingsChanged: JSON.stringify(previous.scoring) !== JSON.stringify(next.scoring),
          displacers: new Map(),
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
  for (let i = 0; i < next.entries.length; i++) {
    const q = next.entries[i] as RoadmapEntry
    const k = continues[i] as number
    if (k === -1) {
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

function diffRules(
  previousPeriods: readonly Period[],
  nextPeriods: readonly Period[],
  builtAt: string,
  digest: LedgerDigest,
): DiffRules {
  const today = calendarDayOf(builtAt)
  const calendar = new Map<string, Period>()
  // The previous calendar is the one the epic was planned and committed against.
  for (const p of nextPeriods) calendar.set(p.id, p)
  for (const p of previousPeriods) calendar.set(p.id, p)
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
  const owed = owedCommitment(p, rules)
  if (owed === null) return null
  if (rules.ended(owed)) return owed
  return leaves(owed, p, rules.ordinal(finishPeriod(q)), rules) ? owed : null
}

/** The commitment p carried that is not broken yet; null when none. */
function owedCommitment(p: RoadmapEntry, rules: DiffRules): string | null {
  const commitment = p.commitment ?? null
  return commitment === null || rules.broken.get(p.epicId)?.has(commitment) === true ? null : commitment
}

/** Whether work planned before (p) to finish by its commitment now finishes after it (at ordinal `finish`). */
function leaves(commitment: string, p: RoadmapEntry, finish: number, rules: DiffRules): boolean {
  const target = rules.ordinal(commitment)
  return finish > target && rules.ordinal(finishPeriod(p)) <= target
}

/**
 * The deferrals (and roll-overs) plans of the next version would record against `previous`, by
 * node and committed period only: what a build counts in each round of planning, before
 * diffRoadmaps explains those of the settled plan. Judged as diffRoadmaps judges them; all but
 * where each epic now finishes is worked out once, from the previous version. The next version's
 * epics are graph nodes (`previousEntryOf` gives the entry each continues), `openIds` its open
 * periods; the returned function takes nodes in rank order and the open period index each finishes
 * in (-1: unplanned).
 */
export function deferralWatch(
  previous: Roadmap | null,
  next: { periods: readonly Period[]; builtAt: string; openIds: readonly string[]; nodes: number },
  ledger: readonly DeferralEvent[] | LedgerDigest,
  previousEntryOf: (node: number) => RoadmapEntry | undefined,
): (order: ArrayLike<number>, finishOf: (node: number) => number) => Array<{ node: number; period: string }> {
  if (previous === null) return () => []
  const rules = diffRules(previous.periods, next.periods, next.builtAt, digestLedger(ledger))
  const unplanned = rules.ordinal(null)
  const ordinalOf = Int32Array.from(next.openIds, (id) => rules.ordinal(id))
  // Per node, the ordinal it must not finish after; -1: broken whatever the plan (its period has
  // ended); -2: it owes nothing (no commitment, already broken, or not on track before either).
  const limit = new Int32Array(next.nodes).fill(-2)
  const owed = new Map<number, string>()
  for (let node = 0; node < next.nodes; node++) {
    const p = previousEntryOf(node)
    const commitment = p === undefined ? null : owedCommitment(p, rules)
    if (p === undefined || commitment === null) continue
    if (rules.ended(commitment)) limit[node] = -1
    else if (leaves(commitment, p, unplanned + 1, rules)) limit[node] = rules.ordinal(commitment)
    else continue
    owed.set(node, commitment)
  }
  return (order, finishOf) => {
    const found: Array<{ node: number; period: string }> = []
    for (let r = 0; r < order.length; r++) {
      const node = order[r] as number
      const at = limit[node] as number
      if (at === -2) continue
      const finish = finishOf(node)
      if (at === -1 || (finish === -1 ? unplanned : (ordinalOf[finish] as number)) > at) {
        found.push({ node, period: owed.get(node) as string })
      }
    }
    return found
  }
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
