import { isDeepStrictEqual } from 'node:util'
import {
  type DeferralEvent,
  deferralCounts,
  describeDeferral,
  isDeferral,
  type PeriodNames,
  periodNames,
  type RoadmapEntry,
} from '../src/domain/index.ts'
import type { JobPayload } from '../src/jobs/index.ts'
import {
  completeDeliveries,
  latestVersion,
  loadLedger,
  saveWrittenValues,
  versionById,
  writtenValues,
} from '../src/store/index.ts'
import type { WriteBackItem, WriteBackValues } from '../src/trackers/types.ts'
import { type HandlerDeps, sourceById } from './deps.ts'

export interface WritebackSummary {
  sourceId: string
  versionId: number
  /** A newer version exists: its own write-back job writes instead. */
  superseded: boolean
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
  deps: HandlerDeps,
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
  const latest = await latestVersion(db)
  if (latest !== null && latest.id > payload.versionId) return { ...summary, superseded: true }
  const version = latest?.id === payload.versionId ? latest : await versionById(db, payload.versionId)
  if (version === null) return { ...summary, superseded: true }

  const [ledger, previous] = await Promise.all([
    loadLedger(db),
    writtenValues<WriteBackValues>(db, source.id),
  ])
  const context = valuesContext(ledger, periodNames(version.roadmap.periods), deps)
  const items: WriteBackItem[] = version.roadmap.entries
    .filter((entry) => entry.source === source.id)
    .map((entry) => ({
      epicId: entry.epicId,
      externalId: entry.epicId.slice(source.id.length + 1),
      values: writeBackValues(entry, context),
      previous: previous.get(entry.epicId) ?? null,
    }))
    .filter((item) => !isDeepStrictEqual(item.values, item.previous))
    // Tickets whose own values changed go first; those that only moved in rank follow. One edit can
    // shift the rank of thousands of epics, and the edited ticket should not wait behind them.
    .sort((a, b) => Number(onlyRankMoved(a)) - Number(onlyRankMoved(b)))
  if (items.length === 0) {
    await observeLatency(deps, source.id, version.roadmap.builtAt)
    return { ...summary, superseded: false }
  }

  const connector = deps.connectorFor(source.id)
  const outcome = await connector.writeBack(items, signal)
  const written = new Set(outcome.written)
  await saveWrittenValues(
    db,
    source.id,
    version.id,
    items.filter((item) => written.has(item.epicId)),
    deps.now(),
  )
  await observeLatency(deps, source.id, version.roadmap.builtAt)
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

function onlyRankMoved(item: WriteBackItem): boolean {
  return (
    item.previous !== null && isDeepStrictEqual({ ...item.values, rank: 0 }, { ...item.previous, rank: 0 })
  )
}

/** Webhooks that this write-back answers: their latency from receipt goes to the histogram. */
async function observeLatency(deps: HandlerDeps, sourceId: string, builtAt: string): Promise<void> {
  const latencies = await completeDeliveries(deps.database.db, sourceId, new Date(builtAt), deps.now())
  for (const seconds of latencies) deps.metrics.webhookToWriteback.observe({ source: sourceId }, seconds)
}

interface ValuesContext {
  deferrals: Map<string, number>
  lastDeferral: Map<string, DeferralEvent>
  names: PeriodNames
  publicUrl: string
  chronicThreshold: number
}

function valuesContext(ledger: DeferralEvent[], names: PeriodNames, deps: HandlerDeps): ValuesContext {
  const lastDeferral = new Map<string, DeferralEvent>()
  // The ledger is in time order: the last one seen per epic is its latest.
  for (const event of ledger) if (isDeferral(event.kind)) lastDeferral.set(event.epicId, event)
  return {
    deferrals: deferralCounts(ledger),
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
  }
}
