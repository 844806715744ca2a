import type { Track } from './epic.ts'
import type { OverrideKind } from './overrides.ts'
import type { ScoringInputName } from './scoring.ts'

/**
 * The deferral ledger: what happened to each epic between two roadmap versions. Plain JSON data,
 * stored as JSONB and served by the API.
 *  - deferred:    planned in a period before, now in a later one or unplanned (a deferral)
 *  - rolled_over: a period ended with the epic planned there and not done (a deferral)
 *  - pulled_in:   now in an earlier period, or planned after being unplanned
 *  - added:       new on the roadmap
 *  - removed:     gone from the roadmap without being done (canceled, or no longer synced)
 *  - completed:   done
 */
export type DeferralEventKind = 'deferred' | 'pulled_in' | 'added' | 'removed' | 'completed' | 'rolled_over'

export interface DeferralEvent {
  /** Derived from kind, epic, from/to period and the version compared against: same facts, same id. */
  id: string
  kind: DeferralEventKind
  epicId: string
  /** The epic as it was at the time, so the ledger reads on its own after the epic is gone. */
  epic: { key: string; title: string; url: string; team: string; track: Track }
  /** builtAt of the roadmap version that produced the event. */
  at: string
  /** builtAt of the version it was compared with; null on the first build. */
  previousBuiltAt: string | null
  /** Period planned before; null = unplanned or not on the roadmap. */
  fromPeriod: string | null
  /** Period planned now; null = unplanned or off the roadmap. */
  toPeriod: string | null
  /** Why, for deferrals (and removals); null for pull-ins, additions and completions. */
  cause: DeferralCause | null
  /** Higher-placed epics of the same team that took more of `fromPeriod` than before (at most 10, by rank). */
  displacedBy: Displacer[]
  /**
   * Periods between from and to in the calendar (negative when pulled in). Unplanned counts as the
   * period after the last one, so a slip out of the plan counts at least to the end of the horizon.
   */
  periodsSlipped: number
  /** The epic's cost of delay per period at the time; null when unscored. */
  costOfDelay: number | null
  /** costOfDelay × periodsSlipped (0 when unscored); negative for pull-ins. */
  costOfDelayAdded: number
  /** Running total for this epic including this event, never below 0 (a pull-in gives back slipped periods). */
  costOfDelayAccumulated: number
  /** The epic's deferral count once this event is in the ledger. */
  deferralCount: number
}

export interface Displacer {
  epicId: string
  title: string
  rank: number
  /** Its score; null when unscored. */
  score: number | null
}

/** An input (or derived term) whose change contributed to a score drop. */
export interface InputChange {
  input: ScoringInputName | 'enablement' | 'deferrals'
  from: number | null
  to: number | null
}

/**
 * Why a deferral happened — the first that applies, in this order (deferral-causes.ts):
 * period_ended (roll-over), override, cycle, team_changed, calendar_changed, blocker_slipped,
 * capacity_cut, effort_growth, unscored, score_drop, capacity, replanned. Removals: canceled or
 * no_longer_synced.
 */
export type DeferralCause =
  | { kind: 'period_ended'; period: string }
  | { kind: 'override'; overrideId: string; override: OverrideKind; rationale: string; author: string }
  | { kind: 'cycle'; cycle: string[] }
  | { kind: 'team_changed'; from: string; to: string }
  | { kind: 'calendar_changed'; period: string }
  | {
      kind: 'blocker_slipped'
      blockers: Array<{ epicId: string; fromPeriod: string | null; toPeriod: string | null }>
    }
  | { kind: 'capacity_cut'; team: string; period: string; from: number; to: number }
  | { kind: 'effort_growth'; from: number; to: number }
  | { kind: 'unscored'; missing: ScoringInputName[] }
  | { kind: 'score_drop'; from: number; to: number; changed: InputChange[]; settingsChanged: boolean }
  | { kind: 'capacity'; team: string; period: string }
  | { kind: 'replanned' }
  | { kind: 'canceled' }
  | { kind: 'no_longer_synced' }

/** The kinds that count as a deferral: the one list every other module uses (store filters included). */
export const DEFERRAL_KINDS: readonly DeferralEventKind[] = ['deferred', 'rolled_over']

/** Kinds that count as a deferral. */
export function isDeferral(kind: DeferralEventKind): boolean {
  return DEFERRAL_KINDS.includes(kind)
}

/**
 * Deferral count per epic = distinct periods it was planned in and then left unfinished. Flapping
 * in and out of one period counts once; the count can only grow as the ledger grows.
 */
export function deferralCounts(ledger: readonly DeferralEvent[]): Map<string, number> {
  const periods = deferredPeriods(ledger)
  const counts = new Map<string, number>()
  for (const [epicId, left] of periods) counts.set(epicId, left.size)
  return counts
}

/** The distinct periods each epic was deferred out of. */
export function deferredPeriods(ledger: readonly DeferralEvent[]): Map<string, Set<string>> {
  const periods = new Map<string, Set<string>>()
  for (const event of ledger) {
    if (!isDeferral(event.kind) || event.fromPeriod === null) continue
    let left = periods.get(event.epicId)
    if (left === undefined) {
      left = new Set()
      periods.set(event.epicId, left)
    }
    left.add(event.fromPeriod)
  }
  return periods
}

/**
 * Accumulated cost of delay per epic: the running total of its latest event (by time, then id), so
 * the answer does not depend on the order the ledger was read in.
 */
export function accumulatedCosts(ledger: readonly DeferralEvent[]): Map<string, number> {
  const latest = new Map<string, DeferralEvent>()
  for (const event of ledger) {
    const current = latest.get(event.epicId)
    if (current === undefined || isLater(event, current)) latest.set(event.epicId, event)
  }
  const costs = new Map<string, number>()
  for (const [epicId, event] of latest) costs.set(epicId, event.costOfDelayAccumulated)
  return costs
}

function isLater(a: DeferralEvent, b: DeferralEvent): boolean {
  const ta = Date.parse(a.at)
  const tb = Date.parse(b.at)
  return ta !== tb ? ta > tb : a.id > b.id
}

/**
 * What a build needs to know of the past, without the whole ledger: the periods each epic was
 * deferred out of (deferral counts, risk interest), each epic's accumulated cost of delay, and the
 * ids already recorded that this build could produce again. The store computes it in SQL, so a
 * build's cost does not grow with the ledger.
 */
export interface LedgerDigest {
  deferredPeriods: ReadonlyMap<string, ReadonlySet<string>>
  accumulated: ReadonlyMap<string, number>
  /** Event ids already recorded: at least those of the diffs against the previous version. */
  recorded: ReadonlySet<string>
}

/** The digest of a whole ledger in memory (the store's SQL gives the same for a stored one). */
export function digestLedger(ledger: readonly DeferralEvent[] | LedgerDigest): LedgerDigest {
  if (!Array.isArray(ledger)) return ledger as LedgerDigest
  const events = ledger as readonly DeferralEvent[]
  return {
    deferredPeriods: deferredPeriods(events),
    accumulated: accumulatedCosts(events),
    recorded: new Set(events.map((e) => e.id)),
  }
}

/** Deferral counts from a digest: distinct periods left unfinished. */
export function digestCounts(digest: LedgerDigest): Map<string, number> {
  const counts = new Map<string, number>()
  for (const [epicId, left] of digest.deferredPeriods) counts.set(epicId, left.size)
  return counts
}
