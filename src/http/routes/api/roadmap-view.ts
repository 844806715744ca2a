import { reportSettings } from '../../../config/index.ts'
import type { Roadmap, RoadmapEntry, TeamLoad, Track } from '../../../domain/index.ts'
import { OnetrackError } from '../../../errors.ts'
import {
  accumulatedCostsUpTo,
  deferralCountsOf,
  latestVersion,
  type StoredVersion,
  unacknowledgedCounts,
  type VersionMeta,
  versionById,
  versionMeta,
} from '../../../store/index.ts'
import type { ApiDeps } from './index.ts'
import { entryNamer, entryWithWords } from './sentences.ts'

/** A roadmap entry with what the ledger says about its epic up to its version. */
export type EntryView = RoadmapEntry & {
  deferrals: number
  costOfDelayAccumulated: number
  unacknowledged: number
}

export interface RoadmapFilter {
  team?: string | undefined
  track?: Track | undefined
  source?: string | undefined
  /** A period id, or 'unplanned'. */
  period?: string | undefined
}

/** What the ledger knows per epic up to a version: deferral counts and accumulated cost of delay. */
export interface LedgerFigures {
  deferrals: Map<string, number>
  costs: Map<string, number>
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

export async function ledgerFigures(db: Db, versionId: number, epicIds?: string[]): Promise<LedgerFigures> {
  const [deferrals, costs, unacknowledged] = await Promise.all([
    deferralCountsOf(db, versionId),
    accumulatedCostsUpTo(db, versionId, epicIds),
    unacknowledgedCounts(db, versionId),
  ])
  return { deferrals, costs, unacknowledged }
}

export function withLedger(entry: RoadmapEntry, figures: LedgerFigures): EntryView {
  return {
    ...entry,
    deferrals: figures.deferrals.get(entry.epicId) ?? 0,
    costOfDelayAccumulated: figures.costs.get(entry.epicId) ?? 0,
    unacknowledged: figures.unacknowledged?.get(entry.epicId) ?? 0,
  }
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
  const db = deps.database.db
  const version = await loadVersion(db, versionId)
  const [meta, figures] = await Promise.all([loadVersionMeta(db, version.id), ledgerFigures(db, version.id)])
  const { roadmap } = version
  const epicName = entryNamer(roadmap.entries)
  return {
    version: meta,
    periods: roadmap.periods,
    openPeriods: roadmap.openPeriods,
    load: roadmap.load,
    entries: roadmap.entries
      .filter((e) => entryMatches(e, filter))
      .map((e) => withLedger(entryWithWords(e, epicName), figures)),
    problems: roadmap.problems,
    cycles: roadmap.cycles,
    unit: reportSettings(deps.config).costUnit,
  }
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
