// Drift: tickets that no longer show what onetrack wrote to them — a person edited an owned field by
// hand, or a worker died after the tracker took a write and before the write was recorded. The
// sync reads onetrack's own fields with each epic; whatever differs from the record is marked in
// doubt, so the next write-back (queued here) writes the ticket whole again.
import { epicIdOf } from '../domain/index.ts'
import { queueWritebacks } from '../jobs/index.ts'
import { markInDoubt, newestPublishableId, type Written, writtenValues } from '../store/index.ts'
import type { OwnedValues, TrackerConnector, WriteBackValues } from '../trackers/types.ts'
import { type PipelineDeps, sourceById } from './deps.ts'

export interface Drift {
  epicId: string
  /** The owned fields whose value on the ticket differs from the one written. */
  fields: string[]
}

/** Pure: the tickets whose owned values, as read, differ from what was recorded as written. */
export function driftOf(
  connector: Pick<TrackerConnector, 'ownedValues'>,
  observed: ReadonlyMap<string, OwnedValues>,
  records: ReadonlyMap<string, Written<WriteBackValues>>,
  readFrom: Date,
): Drift[] {
  const drift: Drift[] = []
  for (const [epicId, owned] of observed) {
    const record = records.get(epicId)
    // Never written, already to be written whole, or written after the sync began reading (what
    // was read may predate that write): nothing to compare with.
    if (record === undefined || record.inDoubt || record.writtenAt >= readFrom) continue
    const expected = connector.ownedValues(epicId, record.values)
    const fields = Object.keys(owned).filter((key) => key in expected && expected[key] !== owned[key])
    if (fields.length > 0) drift.push({ epicId, fields })
  }
  return drift
}

/**
 * Compares the owned values a sync read (from `readFrom` on) with the records, marks the drifted tickets in doubt,
 * counts and logs them, and queues the write-back that restores them. Returns how many drifted.
 */
export async function reconcileOwned(
  deps: PipelineDeps,
  sourceId: string,
  epics: ReadonlyArray<{ externalId: string; key: string; owned?: OwnedValues }>,
  readFrom: Date,
): Promise<number> {
  const observed = new Map<string, OwnedValues>()
  const keys = new Map<string, string>()
  for (const epic of epics) {
    if (epic.owned === undefined) continue
    const epicId = epicIdOf(sourceId, epic.externalId)
    observed.set(epicId, epic.owned)
    keys.set(epicId, epic.key)
  }
  if (observed.size === 0) return 0
  const db = deps.database.db
  const records = await writtenValues<WriteBackValues>(db, sourceId, [...observed.keys()])
  const drift = driftOf(deps.connectorFor(sourceId), observed, records, readFrom)
  if (drift.length === 0) return 0
  await markInDoubt(
    db,
    sourceId,
    drift.map((d) => d.epicId),
  )
  deps.metrics.writebackDrift.inc({ source: sourceId }, drift.length)
  deps.logger.warn(
    {
      sourceId,
      tickets: drift.length,
      sample: drift.slice(0, 10).map((d) => ({ key: keys.get(d.epicId), fields: d.fields })),
    },
    'tickets show other values than onetrack wrote: writing them again',
  )
  const versionId = await newestPublishableId(db)
  if (versionId !== null) await queueWritebacks(deps.queues, [sourceById(deps.config, sourceId)], versionId)
  return drift.length
}
