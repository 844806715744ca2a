// Sync: fetch one source's epics (all, the changes since the cursor, or one epic a webhook named)
// through its tracker connector, store them in one transaction so a build never sees half a sync,
// and ask for a build when anything changed. The build request coalesces: at once on an idle
// pipeline, and syncs arriving while a build runs gather into the one next build
// (src/jobs/enqueue.ts, queueBuild). The epics come with onetrack's own fields as the tickets show
// them: a ticket that differs from what was written is written again (drift.ts).
import { type JobPayload, queueBuild } from '../jobs/index.ts'
import { type EpicRecord, saveSyncBatch, syncCursor } from '../store/index.ts'
import { withItemRefs } from '../trackers/index.ts'
import type { OwnedValues } from '../trackers/types.ts'
import { type PipelineDeps, sourceById } from './deps.ts'
import { reconcileOwned } from './drift.ts'

export interface SyncSummary {
  sourceId: string
  mode: 'full' | 'incremental' | 'epic'
  fetched: number
  changed: number
  deleted: number
  /** Epics stored with mapping problems (shown to people, left out of scoring where inputs lack). */
  withProblems: number
  requests: number
  buildQueued: boolean
  /** Tickets that showed other values than onetrack wrote to them: queued to be written again. */
  drifted: number
}

export interface SyncProgress {
  fetched: number
  total: number | undefined
}

/**
 * Fetches a source's epics and stores them in one transaction (a build never sees half a sync),
 * then asks for a build when anything changed. Idempotent: running it again stores nothing new.
 */
export async function runSync(
  deps: PipelineDeps,
  payload: JobPayload<'sync'>,
  signal: AbortSignal,
  onProgress?: (progress: SyncProgress) => void,
): Promise<SyncSummary> {
  const source = sourceById(deps.config, payload.sourceId)
  const connector = deps.connectorFor(source.id)
  const db = deps.database.db
  const cursor = payload.mode === 'incremental' ? await syncCursor(db, source.id) : null
  // The first incremental sync of a source has nothing to be incremental to.
  const mode = payload.mode === 'incremental' && cursor === null ? 'full' : payload.mode
  const requestsBefore = connector.requestCount()
  const readFrom = deps.now()
  const epics: EpicRecord[] = []
  const owned: Array<{ externalId: string; key: string; owned?: OwnedValues }> = []
  const outcome = await connector.sync(
    { mode, cursor, signal, ...(payload.externalId === undefined ? {} : { externalId: payload.externalId }) },
    async (page) => {
      for (const { owned: shown, ...epic } of page.epics) {
        // The store matches declared links by the references the trackers' URL rules give; what
        // the ticket shows of onetrack's own values is not the epic's data and is not stored.
        epics.push(withItemRefs(epic))
        if (shown !== undefined) owned.push({ externalId: epic.externalId, key: epic.key, owned: shown })
      }
      onProgress?.({ fetched: epics.length, total: page.total })
    },
  )
  signal.throwIfAborted()
  const stored = await saveSyncBatch(db, {
    sourceId: source.id,
    mode,
    epics,
    ...(outcome.inScope === undefined ? {} : { inScope: outcome.inScope }),
    ...(outcome.gone === true && payload.externalId !== undefined ? { gone: payload.externalId } : {}),
    cursor: outcome.cursor ?? cursor,
    now: deps.now(),
  })
  // A scheduled sync asks for a build even when nothing changed: that build (which stores nothing
  // then) asks for the write-back again, so work a lost Redis took with it is redone. Both send
  // nothing when everything is already right.
  const buildQueued = stored.changed + stored.deleted > 0 || payload.reason === 'schedule'
  if (buildQueued) {
    await queueBuild(deps.queues, { trigger: `sync:${source.id}`, now: deps.now(), gather: true })
  }
  const drifted = await reconcileOwned(deps, source.id, owned, readFrom)
  return {
    sourceId: source.id,
    mode,
    fetched: epics.length,
    changed: stored.changed,
    deleted: stored.deleted,
    withProblems: epics.filter((e) => e.problems.length > 0).length,
    requests: connector.requestCount() - requestsBefore,
    buildQueued,
    drifted,
  }
}
