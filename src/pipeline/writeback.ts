// Write-back: put a published (or approved) version's values on one source's tickets — score,
// rank, period, deferrals, cost of delay, a note and a link — and only the values that changed since
// the last write (kept in the store), with rank-only moves held back until they matter. A newer
// version supersedes an older one's write-back; a proposal is never written. Each ticket's record
// is marked in doubt before its write is sent and saved as soon as the tracker accepts it, so a
// worker killed mid-job leaves no ticket whose record claims a value it may not hold.
import { isDeepStrictEqual } from 'node:util'
import {
  type DeferralEvent,
  describeDeferral,
  type PeriodNames,
  periodNames,
  type RoadmapEntry,
} from '../domain/index.ts'
import type { JobPayload } from '../jobs/index.ts'
import {
  completeDeliveries,
  deferralCountsOf,
  lastDeferrals,
  latestVersion,
  markInDoubt,
  markPublished,
  newestPublishableId,
  newestVersionId,
  saveWrittenValues,
  unacknowledgedCounts,
  versionById,
  versionPublication,
  type Written,
  writtenValues,
} from '../store/index.ts'
import type { WriteBackItem, WriteBackValues } from '../trackers/types.ts'
import { type PipelineDeps, sourceById } from './deps.ts'

export interface WritebackSummary {
  sourceId: string
  versionId: number
  /** A newer version exists: its own write-back job writes instead. */
  superseded: boolean
  /** The version is a proposal (on-approval mode) not approved: nothing is written. */
  notApproved?: boolean
  /** Tickets whose values changed since the last write. */
  changed: number
  written: number
  failed: Array<{ epicId: string; reason: string }>
  requests: number
}

/**
 * Writes a version's values to one source's tickets — only those that differ from what was last
 * written (kept in the store), so a repeated write-back sends nothing. Idempotent.
 */
export async function runWriteback(
  deps: PipelineDeps,
  payload: JobPayload<'writeback'>,
  signal: AbortSignal,
): Promise<WritebackSummary> {
  const source = sourceById(deps.config, payload.sourceId)
  const db = deps.database.db
  const summary = {
    sourceId: source.id,
    versionId: payload.versionId,
    changed: 0,
    written: 0,
    failed: [],
    requests: 0,
  }
  // Only approved or published versions are written (on-approval mode); the newest of them wins.
  const [publication, newestPublishable, newest] = await Promise.all([
    versionPublication(db, payload.versionId),
    newestPublishableId(db),
    newestVersionId(db),
  ])
  if (publication === null) return { ...summary, superseded: true }
  if (publication.status === 'proposed' || publication.status === 'superseded')
    return { ...summary, superseded: publication.status === 'superseded', notApproved: true }
  if (newestPublishable !== null && newestPublishable > payload.versionId)
    return { ...summary, superseded: true }
  const version =
    newest === payload.versionId ? await latestVersion(db) : await versionById(db, payload.versionId)
  if (version === null) return { ...summary, superseded: true }

  // The ledger as far as this version (a proposal's deferrals wait for its approval); sign-offs as of now.
  const [deferrals, lastDeferral, unacknowledged, previous] = await Promise.all([
    deferralCountsOf(db, version.id),
    lastDeferrals(db, version.id),
    unacknowledgedCounts(db, version.id),
    writtenValues<WriteBackValues>(db, source.id),
  ])
  const context = {
    ...valuesContext(deferrals, lastDeferral, periodNames(version.roadmap.periods), deps),
    unacknowledged,
  }
  const rankDue = rankWriteRule(source.writeBack, deps.now())
  const items: WriteBackItem[] = []
  for (const entry of version.roadmap.entries) {
    if (entry.source !== source.id) continue
    const values = writeBackValues(entry, context)
    const recorded = previous.get(entry.epicId)
    // A record in doubt says nothing about the ticket: write all of it.
    const written = recorded?.inDoubt === false ? recorded : undefined
    if (written !== undefined && isDeepStrictEqual(values, written.values)) continue
    if (written !== undefined && onlyRankMoved(values, written.values) && !rankDue(values.rank, written))
      continue
    items.push({
      epicId: entry.epicId,
      externalId: entry.epicId.slice(source.id.length + 1),
      values,
      previous: written?.values ?? null,
    })
  }
  // Tickets whose own values changed go first; those that only moved in rank follow, so the edited
  // ticket never waits behind the ones it passed.
  items.sort((a, b) => Number(isRankOnly(a)) - Number(isRankOnly(b)))
  if (items.length === 0) {
    await observeLatency(deps, source.id, version.roadmap.builtAt)
    await markPublished(db, version.id)
    return { ...summary, superseded: false }
  }

  const connector = deps.connectorFor(source.id)
  await markInDoubt(
    db,
    source.id,
    items.map((item) => item.epicId),
  )
  const record = writtenRecorder(deps, source.id, version.id, items)
  const outcome = await connector.writeBack(items, signal, record.accepted)
  await record.rest(outcome.written)
  await observeLatency(deps, source.id, version.roadmap.builtAt)
  await markPublished(db, version.id)
  if (outcome.failed.length > 0) {
    deps.logger.warn(
      { sourceId: source.id, failed: outcome.failed.slice(0, 20) },
      'some tickets were not written',
    )
  }
  return {
    ...summary,
    superseded: false,
    changed: items.length,
    written: outcome.written.length,
    failed: outcome.failed,
    requests: outcome.requests,
  }
}

/**
 * Saves tickets as written as the tracker accepts them. Acceptances that arrive while a save runs
 * share the next one (one statement for many tickets); each caller resumes once its own tickets
 * are saved.
 */
function writtenRecorder(
  deps: PipelineDeps,
  sourceId: string,
  versionId: number,
  items: WriteBackItem[],
): { accepted(epicIds: string[]): Promise<void>; rest(written: string[]): Promise<void> } {
  const byEpic = new Map(items.map((item) => [item.epicId, item]))
  const saved = new Set<string>()
  let waiting: string[] = []
  let chain = Promise.resolve()
  const accepted = (epicIds: string[]): Promise<void> => {
    waiting.push(...epicIds)
    chain = chain.then(async () => {
      const batch = waiting.filter((id) => !saved.has(id) && byEpic.has(id))
      waiting = []
      if (batch.length === 0) return
      for (const id of batch) saved.add(id)
      await saveWrittenValues(
        deps.database.db,
        sourceId,
        versionId,
        batch.map((id) => byEpic.get(id) as WriteBackItem),
        deps.now(),
      )
    })
    return chain
  }
  // A connector that reports nothing as it goes is recorded at the end.
  return { accepted, rest: (written) => accepted(written) }
}

function onlyRankMoved(values: WriteBackValues, written: WriteBackValues): boolean {
  return isDeepStrictEqual({ ...values, rank: 0 }, { ...written, rank: 0 })
}

function isRankOnly(item: WriteBackItem): boolean {
  return item.previous !== null && onlyRankMoved(item.values, item.previous)
}

/**
 * Whether a ticket whose rank alone changed is written now. One epic moving up shifts the rank of
 * every epic it passes; writing all of those would turn one edit into thousands of tracker writes.
 * So a rank is rewritten when it drifted by more than a share of itself (the top of the roadmap
 * stays exact, rank 4,000 may read 4,100 for a while), and at the latest after the settle time.
 */
export function rankWriteRule(
  settings: { rankDrift: number; rankSettleHours: number },
  now: Date,
): (rank: number, written: Pick<Written<WriteBackValues>, 'values' | 'writtenAt'>) => boolean {
  const settledBefore = now.getTime() - settings.rankSettleHours * 3_600_000
  return (rank, written) => {
    const before = written.values.rank
    const allowed = Math.max(1, Math.floor(settings.rankDrift * before))
    return Math.abs(rank - before) >= allowed || written.writtenAt.getTime() <= settledBefore
  }
}

/** Webhooks that this write-back answers: their latency from receipt goes to the histogram. */
async function observeLatency(deps: PipelineDeps, sourceId: string, builtAt: string): Promise<void> {
  const latencies = await completeDeliveries(deps.database.db, sourceId, new Date(builtAt), deps.now())
  for (const seconds of latencies) deps.metrics.webhookToWriteback.observe({ source: sourceId }, seconds)
}

interface ValuesContext {
  deferrals: Map<string, number>
  lastDeferral: Map<string, DeferralEvent>
  names: PeriodNames
  publicUrl: string
  chronicThreshold: number
  /** Unacknowledged deferrals per epic; absent = sign-off not tracked (0). */
  unacknowledged?: Map<string, number>
}

function valuesContext(
  deferrals: Map<string, number>,
  lastDeferral: Map<string, DeferralEvent>,
  names: PeriodNames,
  deps: PipelineDeps,
): ValuesContext {
  return {
    deferrals,
    lastDeferral,
    names,
    publicUrl: deps.config.server.publicUrl.replace(/\/$/, ''),
    chronicThreshold: deps.config.roadmap.chronicDeferralThreshold,
  }
}

/** Rounded so that float noise between builds never counts as a change worth a write. */
const round2 = (n: number) => Math.round(n * 100) / 100

/** The values onetrack writes to an epic's ticket. */
export function writeBackValues(entry: RoadmapEntry, context: ValuesContext): WriteBackValues {
  const scored = entry.score.status === 'scored' ? entry.score : null
  const deferrals = context.deferrals.get(entry.epicId) ?? 0
  const last = context.lastDeferral.get(entry.epicId)
  const note =
    entry.score.status === 'unscored'
      ? `Not scored: ${entry.score.missing.join(', ')} missing.`
      : entry.unplannedReason !== null
        ? `Not planned: ${entry.unplannedReason}.`
        : last !== undefined
          ? `Last deferred ${describeDeferral(last, context.names)}.`
          : `Planned for ${context.names(entry.period)}.`
  return {
    score: scored === null ? null : round2(scored.score),
    rank: entry.rank,
    period: entry.period === null ? null : context.names(entry.period),
    deferrals,
    costOfDelay: scored === null ? null : round2(scored.costOfDelay),
    note,
    pageUrl: `${context.publicUrl}/epics/${encodeURIComponent(entry.epicId)}`,
    chronic: deferrals >= context.chronicThreshold,
    unacknowledged: context.unacknowledged?.get(entry.epicId) ?? 0,
  }
}
