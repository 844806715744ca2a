import { reportSettings } from '../../../config/index.ts'
import {
  accruedCosts,
  finishPeriod,
  type Roadmap,
  type RoadmapEntry,
  type TeamLoad,
  type Track,
} from '../../../domain/index.ts'
import { OnetrackError } from '../../../errors.ts'
import { type AccrualInputs, accrualInputs } from '../../../store/accrual.ts'
import {
  type BaselineCommitment,
  baselineCommitments,
  deferralCountsOf,
  latestVersion,
  listVersions,
  newestVersionId,
  type StoredVersion,
  unacknowledgedCounts,
  type VersionMeta,
  versionById,
  versionMeta,
} from '../../../store/index.ts'
import type { ApiDeps } from './index.ts'
import { type EpicLabels, entryLabels, entryWithWords } from './sentences.ts'

/** A roadmap entry with what the ledger says about its epic up to its version. */
export type EntryView = RoadmapEntry & {
  deferrals: number
  accruedCost: number
  unacknowledged: number
}

export interface RoadmapFilter {
  team?: string | undefined
  track?: Track | undefined
  source?: string | undefined
  /** A period id, or 'unplanned'. */
  period?: string | undefined
}

/** What the ledger knows per epic up to a version: deferral counts and accrued cost of delay. */
export interface LedgerFigures {
  deferrals: Map<string, number>
  /** Accrued cost of delay per late epic; absent = never late. */
  accrued: Map<string, number>
  /** Deferrals not signed off yet, per epic; absent = none. */
  unacknowledged?: Map<string, number>
}

type Db = ApiDeps['database']['db']

/** The version asked for, or the latest; a 404 when there is none. */
export async function loadVersion(db: Db, id?: number): Promise<StoredVersion> {
  if (id === undefined) {
    const latest = await latestVersion(db)
    if (latest === null) throw new OnetrackError('ONETRACK_NOT_FOUND', 'no roadmap has been built yet')
    return latest
  }
  const version = await versionById(db, id)
  if (version === null) throw new OnetrackError('ONETRACK_NOT_FOUND', `no roadmap version ${id}`)
  return version
}

export async function loadVersionMeta(db: Db, id: number): Promise<VersionMeta> {
  const meta = await versionMeta(db, id)
  if (meta === null) throw new OnetrackError('ONETRACK_NOT_FOUND', `no roadmap version ${id}`)
  return meta
}

/**
 * The ledger's figures up to a version. Accrued cost is read as of `asOf`: the request's clock for
 * the newest version, the version's own build time for an older one (what it had cost by then).
 */
export async function ledgerFigures(db: Db, versionId: number, asOf: string): Promise<LedgerFigures> {
  const [deferrals, accrued, unacknowledged] = await Promise.all([
    deferralCountsOf(db, versionId),
    keptAccruedCosts(db, asOf),
    unacknowledgedCounts(db, versionId),
  ])
  return { deferrals, accrued, unacknowledged }
}

/**
 * Accrued cost per late epic as of `asOf`, from the cached inputs. The last result is kept: it is
 * a pure function of the inputs and the clock, and a fixed clock (an older version's build time)
 * asks for the same figures again.
 */
export async function keptAccruedCosts(db: Db, asOf: string): Promise<Map<string, number>> {
  const inputs = await cachedAccrualInputs(db)
  const last = lastAccrued.get(db)
  if (last !== undefined && last.inputs === inputs && last.asOf === asOf) return last.costs
  const costs = accruedCosts(inputs.events, inputs.rates, asOf)
  lastAccrued.set(db, { inputs, asOf, costs })
  return costs
}

const lastAccrued = new WeakMap<Db, { inputs: AccrualInputs; asOf: string; costs: Map<string, number> }>()

/**
 * Accrued cost's inputs change only when a build stores a version, so they are kept per newest
 * version id (per database): reading every late epic's events and rates is most of the cost of a
 * roadmap answer. Sign-offs, which change at any time, are read every time (unacknowledgedCounts).
 */
const accrualCache = new WeakMap<Db, { newest: number | null; inputs: Promise<AccrualInputs> }>()

async function cachedAccrualInputs(db: Db): Promise<AccrualInputs> {
  const newest = await newestVersionId(db)
  const cached = accrualCache.get(db)
  if (cached !== undefined && cached.newest === newest) return cached.inputs
  const inputs = accrualInputs(db)
  accrualCache.set(db, { newest, inputs })
  // A failed read is not kept: the next request reads again.
  inputs.catch(() => {
    if (accrualCache.get(db)?.inputs === inputs) accrualCache.delete(db)
  })
  return inputs
}

export function withLedger(entry: RoadmapEntry, figures: LedgerFigures): EntryView {
  return {
    ...entry,
    deferrals: figures.deferrals.get(entry.epicId) ?? 0,
    accruedCost: figures.accrued.get(entry.epicId) ?? 0,
    unacknowledged: figures.unacknowledged?.get(entry.epicId) ?? 0,
  }
}

/**
 * The clock accrued cost is read at for a version: now for the newest (`live`), its build time for
 * an older one.
 */
export async function accrualClock(
  deps: ApiDeps,
  version: StoredVersion,
  asked: boolean,
): Promise<{ asOf: string; live: boolean }> {
  const now = deps.now().toISOString()
  if (!asked) return { asOf: now, live: true }
  const [newest] = await listVersions(deps.database.db, { limit: 1 })
  return newest === undefined || newest.id === version.id
    ? { asOf: now, live: true }
    : { asOf: version.roadmap.builtAt, live: false }
}

export function entryMatches(entry: RoadmapEntry, filter: RoadmapFilter): boolean {
  if (filter.team !== undefined && entry.team !== filter.team) return false
  if (filter.track !== undefined && entry.track !== filter.track) return false
  if (filter.source !== undefined && entry.source !== filter.source) return false
  if (filter.period === 'unplanned') return entry.period === null
  if (filter.period !== undefined) {
    return entry.period === filter.period || entry.spans.some((s) => s.period === filter.period)
  }
  return true
}

/** A version as the roadmap page shows it: its entries filtered and joined with the ledger. */
export async function roadmapView(deps: ApiDeps, versionId: number | undefined, filter: RoadmapFilter) {
  const { roadmap, figures, clock: _clock, ...rest } = await versionWithLedger(deps, versionId)
  const labels = entryLabels(roadmap.entries)
  return {
    ...rest,
    entries: roadmap.entries
      .filter((e) => entryMatches(e, filter))
      .map((e) => withLedger(entryWithWords(withCommitmentFields(e), labels), figures)),
  }
}

/** The same answer as roadmapView with each entry cut to what the timeline draws (TimelineEntry). */
export async function timelineView(deps: ApiDeps, versionId: number | undefined, filter: RoadmapFilter) {
  return (await timelineWithClock(deps, versionId, filter)).answer
}

export type TimelineAnswer = Awaited<ReturnType<typeof timelineView>>

/** timelineView's answer and the clock its accrued costs were read at (`live`: now, not a build time). */
export async function timelineWithClock(deps: ApiDeps, versionId: number | undefined, filter: RoadmapFilter) {
  const { roadmap, figures, clock, ...rest } = await versionWithLedger(deps, versionId)
  const labels = entryLabels(roadmap.entries)
  const entries: TimelineEntryView[] = []
  for (const entry of roadmap.entries) {
    if (entryMatches(entry, filter)) entries.push(timelineEntry(entry, labels, figures))
  }
  return { answer: { ...rest, entries }, clock }
}

export interface TimelineEntryView {
  rank: number
  epicId: string
  key: string
  title: string
  source: string
  team: string
  track: Track
  status: RoadmapEntry['status']
  effort: number | null
  score: { status: 'scored' | 'unscored'; score?: number }
  period: string | null
  spans: RoadmapEntry['spans']
  override: { kind: 'pin' | 'defer' | 'exclude'; rationale: string } | null
  unplannedReason: string | null
  deferrals: number
  accruedCost: number
  unacknowledged: number
}

export function timelineEntry(
  entry: RoadmapEntry,
  labels: EpicLabels,
  figures: LedgerFigures,
): TimelineEntryView {
  const { score, override } = entry
  return {
    rank: entry.rank,
    epicId: entry.epicId,
    key: entry.key,
    title: entry.title,
    source: entry.source,
    team: entry.team,
    track: entry.track,
    status: entry.status,
    effort: entry.effort,
    score: score.status === 'scored' ? { status: 'scored', score: score.score } : { status: 'unscored' },
    period: entry.period,
    spans: entry.spans,
    override: override === null ? null : { kind: override.kind, rationale: override.rationale },
    unplannedReason: entryWithWords(entry, labels).unplannedReason,
    deferrals: figures.deferrals.get(entry.epicId) ?? 0,
    accruedCost: figures.accrued.get(entry.epicId) ?? 0,
    unacknowledged: figures.unacknowledged?.get(entry.epicId) ?? 0,
  }
}

/** What both shapes of the roadmap answer share: the version, its ledger figures and commitments. */
async function versionWithLedger(deps: ApiDeps, versionId: number | undefined) {
  const db = deps.database.db
  const version = await loadVersion(db, versionId)
  const { roadmap } = version
  const clock = await accrualClock(deps, version, versionId !== undefined)
  const { asOf } = clock
  const baseline = roadmap.baseline ?? null
  const [meta, figures, committed] = await Promise.all([
    loadVersionMeta(db, version.id),
    ledgerFigures(db, version.id, asOf),
    baseline === null ? Promise.resolve([]) : baselineCommitments(db, baseline.takenAt),
  ])
  return {
    roadmap,
    figures,
    clock,
    version: meta,
    periods: roadmap.periods,
    openPeriods: roadmap.openPeriods,
    load: roadmap.load,
    problems: roadmap.problems,
    cycles: roadmap.cycles,
    unit: reportSettings(deps.config).costUnit,
    baseline,
    commitments: commitmentView(roadmap, committed),
  }
}

/** An entry stored before commitments existed reads as uncommitted. */
export function withCommitmentFields(entry: RoadmapEntry): RoadmapEntry {
  return entry.commitment !== undefined && entry.pulledForwardFor !== undefined
    ? entry
    : { ...entry, commitment: entry.commitment ?? null, pulledForwardFor: entry.pulledForwardFor ?? null }
}

export interface PeriodCommitment {
  period: string
  name: string
  committed: { epics: number; effort: number; planned: number; moved: number; done: number; dropped: number }
  plannedNow: { epics: number; effort: number; uncommitted: number }
}

/**
 * What was committed at the start of the period against what is planned now, per open period of
 * the baseline: the epics the baseline committed to it (from the build that took it, so those
 * shipped since are still counted) and where each is now — planned to finish there or earlier,
 * moved later or out of the plan, done, or dropped (canceled, gone) — beside the open epics planned
 * to finish there now, and how many of those were not committed to it.
 */
export function commitmentView(
  roadmap: Roadmap,
  baselineEntries: readonly BaselineCommitment[],
): PeriodCommitment[] {
  const baseline = roadmap.baseline ?? null
  if (baseline === null) return []
  const open = new Set(roadmap.openPeriods)
  const shown = baseline.periods.filter((p) => open.has(p))
  const position = new Map(roadmap.periods.map((p, i) => [p.id, i]))
  const names = new Map(roadmap.periods.map((p) => [p.id, p.name]))
  const entries = new Map(roadmap.entries.map((e) => [e.epicId, e]))
  const closed = new Map(roadmap.closed.map((c) => [c.epicId, c.status]))
  // The baseline's own entries; an entry that carries its commitment fills in a missing one.
  const committed = new Map(baselineEntries.map((c) => [c.epicId, c]))
  for (const e of roadmap.entries) {
    if (e.commitment !== null && e.commitment !== undefined && !committed.has(e.epicId))
      committed.set(e.epicId, { epicId: e.epicId, period: e.commitment, effort: e.effort })
  }
  return shown.map((period) => {
    const at = position.get(period) ?? Number.MAX_SAFE_INTEGER
    const view: PeriodCommitment = {
      period,
      name: names.get(period) ?? period,
      committed: { epics: 0, effort: 0, planned: 0, moved: 0, done: 0, dropped: 0 },
      plannedNow: { epics: 0, effort: 0, uncommitted: 0 },
    }
    for (const c of committed.values()) {
      if (c.period !== period) continue
      view.committed.epics += 1
      view.committed.effort += c.effort ?? 0
      const entry = entries.get(c.epicId)
      if (entry === undefined) {
        if (closed.get(c.epicId) === 'done') view.committed.done += 1
        else view.committed.dropped += 1
        continue
      }
      const finish = finishPeriod(entry)
      const now = finish === null ? undefined : position.get(finish)
      if (now !== undefined && now <= at) view.committed.planned += 1
      else view.committed.moved += 1
    }
    for (const e of roadmap.entries) {
      if (finishPeriod(e) !== period) continue
      view.plannedNow.epics += 1
      view.plannedNow.effort += e.effort ?? 0
      if (committed.get(e.epicId)?.period !== period) view.plannedNow.uncommitted += 1
    }
    return view
  })
}

export interface PeriodCapacity {
  period: string
  name: string
  capacity: number
  planned: number
  overbooked: number
  byTeam: TeamLoad[]
  byTrack: Record<Track, number>
  technicalShare: number
}

/**
 * Capacity and booked effort per open period: per team from the version's load, per track from the
 * entries' spans, and the share of booked effort that is technical (0 when nothing is booked).
 */
export function capacityView(roadmap: Roadmap): PeriodCapacity[] {
  const names = new Map(roadmap.periods.map((p) => [p.id, p.name]))
  return roadmap.openPeriods.map((period) => {
    const byTeam = roadmap.load.filter((l) => l.period === period)
    const byTrack: Record<Track, number> = { product: 0, technical: 0 }
    for (const entry of roadmap.entries)
      for (const span of entry.spans) if (span.period === period) byTrack[entry.track] += span.effort
    const booked = byTrack.product + byTrack.technical
    return {
      period,
      name: names.get(period) ?? period,
      capacity: sum(byTeam.map((l) => l.capacity)),
      planned: sum(byTeam.map((l) => l.planned)),
      overbooked: sum(byTeam.map((l) => l.overbooked)),
      byTeam,
      byTrack,
      technicalShare: booked > 0 ? byTrack.technical / booked : 0,
    }
  })
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0)
}
