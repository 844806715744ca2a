import { accruedCosts, type RateChange } from './accrual.ts'
import { calendarDayOf, instantDaysBefore, isIsoInstant } from './dates.ts'
import { type DeferralEvent, deferredPeriods, isDeferral } from './deferrals.ts'
import { compareIds, TRACKS, type Track } from './epic.ts'
import { DomainError, DomainErrorCode } from './errors.ts'
import type { Override } from './overrides.ts'
import type { Roadmap, RoadmapEntry } from './roadmap.ts'
import type { ScoringInputName } from './scoring.ts'
import type { ReportSettings } from './settings.ts'

export interface ReportInput {
  /** The current roadmap version. */
  roadmap: Roadmap
  /** Every event recorded so far, this week's included. */
  ledger: readonly DeferralEvent[]
  /** Each late epic's cost of delay per period over time (accrual.ts): what its accrued cost is made of. */
  rates?: ReadonlyMap<string, readonly RateChange[]>
  overrides: readonly Override[]
  settings: ReportSettings
  /** The report's clock: the window ends here. */
  now: string
  /** Start of the window (exclusive); default 7 days before `now`. */
  since?: string
  /**
   * Owned calls, when sign-off is tracked: the ids of the deferrals signed off so far, and the
   * decisions made in the window. Absent: the report has no sign-off lists.
   */
  signOff?: {
    acknowledged: ReadonlySet<string>
    decisions: readonly DecisionNote[]
  }
}

/** One owned call as the report lists it (the store's decision log, without its storage details). */
export interface DecisionNote {
  id: string
  kind: 'acknowledgement' | 'override' | 'revocation' | 'approval'
  author: string
  at: string
  rationale: string | null
  epicId: string | null
  versionId: number | null
  via: 'api' | 'slack' | 'page'
  details: Record<string, unknown>
}

/** An epic whose deferrals the owner has not signed off yet: one call answers all of them. */
export interface AwaitingSignOff extends EpicRef {
  /** Its deferrals still open, oldest first. */
  deferrals: DeferralEvent[]
  /** Whether one of them was recorded in the report's window. */
  newThisWeek: boolean
  /** Whole days since the oldest of them was recorded. */
  ageDays: number
  /** Σ of their projected costs: the price of the calls asked for. */
  projectedCost: number
  /** The epic's accrued cost of delay now. */
  accruedCost: number
}

export interface ReportedDecision extends DecisionNote {
  /** The epic's title when known (roadmap or ledger); null for approvals and unknown epics. */
  epicTitle: string | null
}

/** The data of the weekly deferral report; channels only render it. */
export interface WeeklyReport {
  generatedAt: string
  window: { from: string; to: string }
  costUnit: string
  /** Nothing new worth a message: no listed deferral, override or decision this week. Channels may stay silent. */
  quiet: boolean
  /** Deferrals and roll-overs of committed work in the window, highest projected cost first (unscored last). */
  newDeferrals: DeferralEvent[]
  /** Deferrals in the window left out because their cost of delay is below `minCostOfDelay`. */
  hiddenDeferrals: number
  /** Epics deferred at least `chronicThreshold` times, open ones first, then most deferred. */
  chronic: ChronicDeferral[]
  /** Accrued cost of delay per track: every epic ever late, shipped ones included. */
  accruedCostByTrack: Record<Track, number>
  /** The part of it on epics still open. */
  accruedOpenCostByTrack: Record<Track, number>
  /** Planned effort per open period, per track, and each track's share of it. */
  capacityShare: PeriodShare[]
  /** How often each track's committed work slips, with the trend over the last periods. */
  asymmetry: Asymmetry
  /** Open epics that cannot be scored, with what is missing: the inputs to translate into business terms. */
  unscored: UnscoredEpic[]
  /** Overrides made in the window, oldest first, with their rationale. */
  overrides: ReportedOverride[]
  /**
   * Epics whose deferrals await the owner's sign-off (empty when sign-off is not tracked): those with
   * a deferral this week first, then by projected cost.
   */
  awaitingSignOff: AwaitingSignOff[]
  /** Owned calls made in the window, oldest first, with who made them. */
  decisions: ReportedDecision[]
}

/** How a report names an epic: enough to show it and link to the ticket. */
export type EpicRef = Pick<RoadmapEntry, 'epicId' | 'key' | 'title' | 'url' | 'team' | 'track'>

export interface ChronicDeferral extends EpicRef {
  deferrals: number
  /** The committed periods it left unfinished, in calendar order where known. */
  periodsLeft: string[]
  accruedCost: number
  /** Where it is planned now; null = unplanned or no longer open. */
  period: string | null
  /** Whether it is still open (on the roadmap). */
  open: boolean
}

export interface PeriodShare {
  period: string
  /** Total capacity of all teams in the period. */
  capacity: number
  planned: Record<Track, number>
  /** planned[track] / all planned; null when nothing is planned. */
  share: Record<Track, number | null>
}

export interface TrackSlips {
  /** Open epics of the track on the roadmap. */
  epics: number
  /** Of which deferred at least once. */
  deferredEpics: number
  /** Their deferrals in total. */
  deferrals: number
  /** deferrals / epics; null when the track has no epic. */
  deferralsPerEpic: number | null
  /** Deferral events of the track in the window. */
  deferralsThisWeek: number
}

/** Deferrals out of one committed period, per track. */
export interface PeriodSlips {
  period: string
  deferrals: Record<Track, number>
}

export interface Asymmetry extends Record<Track, TrackSlips> {
  /** technical deferralsPerEpic / product deferralsPerEpic; null when either is missing or product's is 0. */
  technicalToProduct: number | null
  /** The last periods up to the current one (at most 4, calendar order): deferrals out of each, per track. */
  trend: PeriodSlips[]
}

export interface UnscoredEpic extends EpicRef {
  missing: ScoringInputName[]
}

export interface ReportedOverride extends Override {
  /** Title of the epic when it is on the roadmap; null otherwise. */
  epicTitle: string | null
  /** Whether it is the override in force for its epic in the current roadmap. */
  inForce: boolean
}

/** Builds the weekly report model from the ledger and the current roadmap; pure, the clock passed in. */
export function buildReport(input: ReportInput): WeeklyReport {
  const { roadmap, ledger, settings, now } = input
  calendarDayOf(now)
  const from = input.since ?? instantDaysBefore(now, 7)
  if (!isIsoInstant(from)) {
    throw new DomainError(DomainErrorCode.inputInvalid, 'Invalid report window', [
      'since: must be an ISO timestamp',
    ])
  }
  const start = Date.parse(from)
  const end = Date.parse(now)
  const inWindow = (instant: string): boolean => {
    const t = Date.parse(instant)
    return t > start && t <= end
  }
  const thisWeek = ledger.filter((e) => isDeferral(e.kind) && inWindow(e.at))
  const listed = thisWeek
    .filter((e) => e.costOfDelay === null || e.costOfDelay >= settings.minCostOfDelay)
    .sort(
      (a, b) =>
        byCostDesc(
          a.costOfDelay === null ? null : a.projectedCost,
          b.costOfDelay === null ? null : b.projectedCost,
        ) ||
        compareIds(a.at, b.at) ||
        compareIds(a.id, b.id),
    )
  const overrides = overridesInWindow(input.overrides, roadmap, inWindow)
  const accrued = accruedCosts(ledger, input.rates ?? new Map(), now)
  const awaitingSignOff = awaitingSignOffOf(ledger, input.signOff?.acknowledged, accrued, inWindow, end)
  const decisions = decisionsInWindow(input.signOff?.decisions ?? [], roadmap, ledger, inWindow)
  const openIds = new Set(roadmap.entries.map((e) => e.epicId))
  return {
    generatedAt: now,
    window: { from, to: now },
    costUnit: settings.costUnit,
    // Deferrals still waiting for sign-off from earlier weeks do not make a week worth a message.
    quiet: listed.length === 0 && overrides.length === 0 && decisions.length === 0,
    newDeferrals: listed,
    hiddenDeferrals: thisWeek.length - listed.length,
    chronic: chronicDeferrals(roadmap, ledger, settings.chronicThreshold, accrued),
    accruedCostByTrack: costByTrack(ledger, accrued, () => true),
    accruedOpenCostByTrack: costByTrack(ledger, accrued, (id) => openIds.has(id)),
    capacityShare: capacityShares(roadmap),
    asymmetry: asymmetryOf(roadmap, ledger, thisWeek),
    unscored: roadmap.entries.flatMap((e) =>
      e.score.status === 'unscored'
        ? [
            {
              epicId: e.epicId,
              key: e.key,
              title: e.title,
              url: e.url,
              team: e.team,
              track: e.track,
              missing: e.score.missing,
            },
          ]
        : [],
    ),
    overrides,
    awaitingSignOff,
    decisions,
  }
}

const DAY_MS = 86_400_000

function awaitingSignOffOf(
  ledger: readonly DeferralEvent[],
  acknowledged: ReadonlySet<string> | undefined,
  accrued: ReadonlyMap<string, number>,
  inWindow: (instant: string) => boolean,
  end: number,
): AwaitingSignOff[] {
  if (acknowledged === undefined) return []
  const byEpic = new Map<string, DeferralEvent[]>()
  for (const e of ledger) {
    if (!isDeferral(e.kind) || acknowledged.has(e.id) || Date.parse(e.at) > end) continue
    const list = byEpic.get(e.epicId)
    if (list === undefined) byEpic.set(e.epicId, [e])
    else list.push(e)
  }
  const awaiting: AwaitingSignOff[] = []
  for (const [epicId, events] of byEpic) {
    events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || compareIds(a.id, b.id))
    const latest = events[events.length - 1] as DeferralEvent
    const oldest = events[0] as DeferralEvent
    awaiting.push({
      epicId,
      ...latest.epic,
      deferrals: events,
      newThisWeek: events.some((e) => inWindow(e.at)),
      ageDays: Math.max(0, Math.floor((end - Date.parse(oldest.at)) / DAY_MS)),
      projectedCost: events.reduce((sum, e) => sum + e.projectedCost, 0),
      accruedCost: accrued.get(epicId) ?? 0,
    })
  }
  return awaiting.sort(
    (a, b) =>
      Number(b.newThisWeek) - Number(a.newThisWeek) ||
      b.projectedCost - a.projectedCost ||
      compareIds(a.epicId, b.epicId),
  )
}

function decisionsInWindow(
  decisions: readonly DecisionNote[],
  roadmap: Roadmap,
  ledger: readonly DeferralEvent[],
  inWindow: (instant: string) => boolean,
): ReportedDecision[] {
  const titles = new Map<string, string>()
  for (const e of ledger) titles.set(e.epicId, e.epic.title)
  for (const e of roadmap.entries) titles.set(e.epicId, e.title)
  return decisions
    .filter((d) => isIsoInstant(d.at) && inWindow(d.at))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || compareIds(a.id, b.id))
    .map((d) => ({ ...d, epicTitle: d.epicId === null ? null : (titles.get(d.epicId) ?? null) }))
}

/** Highest cost first; unknown costs (unscored epics) last. */
function byCostDesc(a: number | null, b: number | null): number {
  if (a === b) return 0
  if (a === null) return 1
  if (b === null) return -1
  return b - a
}

function chronicDeferrals(
  roadmap: Roadmap,
  ledger: readonly DeferralEvent[],
  threshold: number,
  accrued: ReadonlyMap<string, number>,
): ChronicDeferral[] {
  const left = deferredPeriods(ledger)
  const position = new Map(roadmap.periods.map((p, i) => [p.id, i]))
  const entries = new Map(roadmap.entries.map((e) => [e.epicId, e]))
  const latest = new Map<string, DeferralEvent>()
  for (const e of ledger) latest.set(e.epicId, e)
  const chronic: ChronicDeferral[] = []
  for (const [epicId, periods] of left) {
    if (periods.size < threshold) continue
    const entry = entries.get(epicId)
    const snapshot = entry ?? latest.get(epicId)?.epic
    if (snapshot === undefined) continue
    chronic.push({
      epicId,
      key: snapshot.key,
      title: snapshot.title,
      url: snapshot.url,
      team: snapshot.team,
      track: snapshot.track,
      deferrals: periods.size,
      periodsLeft: [...periods].sort(
        (a, b) =>
          (position.get(a) ?? Number.MAX_SAFE_INTEGER) - (position.get(b) ?? Number.MAX_SAFE_INTEGER) ||
          compareIds(a, b),
      ),
      accruedCost: accrued.get(epicId) ?? 0,
      period: entry?.period ?? null,
      open: entry !== undefined,
    })
  }
  return chronic.sort(
    (a, b) =>
      Number(b.open) - Number(a.open) ||
      b.deferrals - a.deferrals ||
      b.accruedCost - a.accruedCost ||
      compareIds(a.epicId, b.epicId),
  )
}

/** Accrued cost per track of the epics `counts` keeps, each under the track it was last recorded with. */
function costByTrack(
  ledger: readonly DeferralEvent[],
  accrued: ReadonlyMap<string, number>,
  counts: (epicId: string) => boolean,
): Record<Track, number> {
  const track = new Map<string, Track>()
  for (const e of ledger) track.set(e.epicId, e.epic.track)
  const total: Record<Track, number> = { product: 0, technical: 0 }
  for (const [epicId, cost] of accrued) {
    const t = track.get(epicId)
    if (t !== undefined && counts(epicId)) total[t] += cost
  }
  return total
}

function capacityShares(roadmap: Roadmap): PeriodShare[] {
  return roadmap.openPeriods.map((period) => {
    const planned: Record<Track, number> = { product: 0, technical: 0 }
    for (const e of roadmap.entries)
      for (const span of e.spans) if (span.period === period) planned[e.track] += span.effort
    const capacity = roadmap.load.filter((l) => l.period === period).reduce((sum, l) => sum + l.capacity, 0)
    const all = planned.product + planned.technical
    const share = {
      product: all > 0 ? planned.product / all : null,
      technical: all > 0 ? planned.technical / all : null,
    }
    return { period, capacity, planned, share }
  })
}

/** Periods the trend looks back over, the current one included. */
const TREND_PERIODS = 4

function asymmetryOf(
  roadmap: Roadmap,
  ledger: readonly DeferralEvent[],
  thisWeek: readonly DeferralEvent[],
): Asymmetry {
  const entries = roadmap.entries
  const left = deferredPeriods(ledger)
  const slips = (track: Track): TrackSlips => {
    const ofTrack = entries.filter((e) => e.track === track)
    const counts = ofTrack.map((e) => left.get(e.epicId)?.size ?? 0)
    const deferrals = counts.reduce((a, b) => a + b, 0)
    return {
      epics: ofTrack.length,
      deferredEpics: counts.filter((c) => c > 0).length,
      deferrals,
      deferralsPerEpic: ofTrack.length > 0 ? deferrals / ofTrack.length : null,
      deferralsThisWeek: thisWeek.filter((e) => e.epic.track === track).length,
    }
  }
  const [product, technical] = TRACKS.map(slips) as [TrackSlips, TrackSlips]
  const ratio =
    technical.deferralsPerEpic !== null && product.deferralsPerEpic !== null && product.deferralsPerEpic > 0
      ? technical.deferralsPerEpic / product.deferralsPerEpic
      : null
  // The current period is the first open one; the trend ends there.
  const firstOpen = roadmap.openPeriods[0]
  const upTo =
    firstOpen === undefined
      ? roadmap.periods.length
      : roadmap.periods.findIndex((p) => p.id === firstOpen) + 1
  const window = roadmap.periods.slice(Math.max(0, upTo - TREND_PERIODS), upTo)
  const trend = window.map((p): PeriodSlips => {
    const deferrals: Record<Track, number> = { product: 0, technical: 0 }
    for (const e of ledger) if (isDeferral(e.kind) && e.fromPeriod === p.id) deferrals[e.epic.track] += 1
    return { period: p.id, deferrals }
  })
  return { product, technical, technicalToProduct: ratio, trend }
}

function overridesInWindow(
  overrides: readonly Override[],
  roadmap: Roadmap,
  inWindow: (instant: string) => boolean,
): ReportedOverride[] {
  const byId = new Map(roadmap.entries.map((e) => [e.epicId, e]))
  return overrides
    .filter((o) => isIsoInstant(o.createdAt) && inWindow(o.createdAt))
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || compareIds(a.id, b.id))
    .map((o) => {
      const entry = byId.get(o.epicId)
      return { ...o, epicTitle: entry?.title ?? null, inForce: entry?.override?.id === o.id }
    })
}
