import type { Track } from './epic.ts'
import type { OverrideKind } from './overrides.ts'
import type { ScoringInputName } from './scoring.ts'

/**
 * The deferral ledger: what happened to each epic between two roadmap versions (DESIGN.md,
 * "Commitment", "Deferral"). Plain JSON data, stored as JSONB and served by the API.
 *  - deferred:    committed work, not done, moved after its committed period or out of the plan
 *  - rolled_over: committed work still unfinished when its committed period ended
 *  - replanned:   any other move later — work planned beyond the commitment horizon, work pulled in
 *                 and not finished when its period ended, or committed work moving again after its
 *                 deferral was recorded. In the history; never counted, never awaiting a sign-off.
 *  - pulled_in:   now in an earlier period, or planned after being unplanned
 *  - added:       new on the roadmap
 *  - removed:     gone from the roadmap without being done (canceled, or no longer synced)
 *  - completed:   done
 * There is one deferral per epic and committed period: leaving it, coming back and leaving again is
 * the same deferral (the later moves are replans), so its id is derived from those two alone.
 */
export type DeferralEventKind =
  | 'deferred'
  | 'rolled_over'
  | 'replanned'
  | 'pulled_in'
  | 'added'
  | 'removed'
  | 'completed'

/** The kinds that count as a deferral: the one list every other module uses (store filters included). */
export const DEFERRAL_KINDS: readonly DeferralEventKind[] = ['deferred', 'rolled_over']

/** Kinds that count as a deferral. */
export function isDeferral(kind: DeferralEventKind): boolean {
  return DEFERRAL_KINDS.includes(kind)
}

/** A period as a commitment names it: enough to price a deferral after the calendar changed. */
export interface CommittedPeriod {
  period: string
  /** 'YYYY-MM-DD', inclusive. */
  start: string
  /** 'YYYY-MM-DD', exclusive: accrued cost of delay grows from this day on while the epic is open. */
  end: string
}

export interface DeferralEvent {
  /** Deferrals: derived from epic and committed period. Others: kind, epic, from/to and the version compared against. */
  id: string
  kind: DeferralEventKind
  epicId: string
  /** The epic as it was at the time, so the ledger reads on its own after the epic is gone. */
  epic: { key: string; title: string; url: string; team: string; track: Track }
  /** builtAt of the roadmap version that produced the event. */
  at: string
  /** builtAt of the version it was compared with; null on the first build. */
  previousBuiltAt: string | null
  /** Period planned before (for deferrals: the committed period left); null = unplanned or not on the roadmap. */
  fromPeriod: string | null
  /** Period planned now; null = unplanned or off the roadmap. */
  toPeriod: string | null
  /** The commitment this deferral breaks; null for every other kind. */
  committed: CommittedPeriod | null
  /** Why, for deferrals, replans and removals; null for pull-ins, additions and completions. */
  cause: DeferralCause | null
  /** Epics of the same team that took more of the period than before, placed ahead of it (at most 10, by rank). */
  displacedBy: Displacer[]
  /**
   * Periods between from and to in the calendar (negative when pulled in). Unplanned counts as the
   * period after the last one, so a slip out of the plan counts at least to the end of the horizon.
   */
  periodsSlipped: number
  /** The epic's cost of delay per period at the time; null when unscored. */
  costOfDelay: number | null
  /**
   * Deferrals: costOfDelay × periodsSlipped, the price of the call when it was made (0 when
   * unscored). 0 for every other kind: only committed work that slips is priced.
   */
  projectedCost: number
  /** The epic's deferral count once this event is in the ledger (distinct committed periods left). */
  deferralCount: number
}

export interface Displacer {
  epicId: string
  key: string
  title: string
  rank: number
  /** Its score; null when unscored. */
  score: number | null
  /** Placed early because it blocks higher-ranked work (named here), not by its own rank. */
  pulledForwardFor: string | null
}

/** An input (or derived term) whose change contributed to a score drop. */
export interface InputChange {
  input: ScoringInputName | 'enablement' | 'deferrals'
  from: number | null
  to: number | null
}

/** An epic named in a cause: id for links, key and title for people. */
export interface EpicName {
  epicId: string
  key: string
  title: string
}

/**
 * Why an epic slipped — the first that applies, in this order (deferral-causes.ts):
 * period_ended (roll-over), override, cycle, team_changed, calendar_changed, blocker_slipped,
 * capacity_cut, effort_growth, unscored, score_drop, capacity, replanned. Removals: canceled or
 * no_longer_synced.
 */
export type DeferralCause =
  | { kind: 'period_ended'; period: string }
  | {
      kind: 'override'
      overrideId: string
      override: OverrideKind
      /** The period the override names (pin, defer); null or absent when it names none. */
      period?: string | null
      rationale: string
      author: string
    }
  | { kind: 'cycle'; cycle: string[]; names: EpicName[] }
  | { kind: 'team_changed'; from: string; to: string }
  | { kind: 'calendar_changed'; period: string }
  | {
      kind: 'blocker_slipped'
      blockers: Array<EpicName & { fromPeriod: string | null; toPeriod: string | null }>
    }
  | { kind: 'capacity_cut'; team: string; period: string; from: number; to: number }
  | { kind: 'effort_growth'; from: number; to: number }
  | { kind: 'unscored'; missing: ScoringInputName[] }
  | { kind: 'score_drop'; from: number; to: number; changed: InputChange[]; settingsChanged: boolean }
  | { kind: 'capacity'; team: string; period: string }
  | { kind: 'replanned' }
  | { kind: 'canceled' }
  | { kind: 'no_longer_synced' }

/**
 * The committed periods each epic left unfinished (its deferrals). Leaving one period twice counts
 * once; the count can only grow as the ledger grows.
 */
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

/** Deferral count per epic = distinct committed periods it left unfinished. */
export function deferralCounts(ledger: readonly DeferralEvent[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const [epicId, left] of deferredPeriods(ledger)) counts.set(epicId, left.size)
  return counts
}

/**
 * What a build needs to know of the past, without the whole ledger: the committed periods each
 * epic left (deferral counts, risk interest, one deferral per period) and the ids already recorded
 * that this build could produce again. The store computes it in SQL, so a build's cost does not
 * grow with the ledger.
 */
export interface LedgerDigest {
  deferredPeriods: ReadonlyMap<string, ReadonlySet<string>>
  /** Event ids already recorded: at least those of the diffs against the previous version. */
  recorded: ReadonlySet<string>
}

/** The digest of a whole ledger in memory (the store's SQL gives the same for a stored one). */
export function digestLedger(ledger: readonly DeferralEvent[] | LedgerDigest): LedgerDigest {
  if (!Array.isArray(ledger)) return ledger as LedgerDigest
  const events = ledger as readonly DeferralEvent[]
  return { deferredPeriods: deferredPeriods(events), recorded: new Set(events.map((e) => e.id)) }
}

/** Deferral counts from a digest: distinct committed periods left unfinished. */
export function digestCounts(digest: LedgerDigest): Map<string, number> {
  const counts = new Map<string, number>()
  for (const [epicId, left] of digest.deferredPeriods) counts.set(epicId, left.size)
  return counts
}

/** The digest with this build's own deferrals added: what the next build will read from the store. */
export function withEvents(digest: LedgerDigest, events: readonly DeferralEvent[]): LedgerDigest {
  const periods = new Map<string, ReadonlySet<string>>(digest.deferredPeriods)
  const recorded = new Set(digest.recorded)
  for (const event of events) {
    recorded.add(event.id)
    if (!isDeferral(event.kind) || event.fromPeriod === null) continue
    periods.set(event.epicId, new Set([...(periods.get(event.epicId) ?? []), event.fromPeriod]))
  }
  return { deferredPeriods: periods, recorded }
}
