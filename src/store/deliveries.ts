import type { Kysely } from 'kysely'
import type { Tables } from './tables.ts'

export interface DeliveryRecord {
  sourceId: string
  deliveryId: string
  event: string
  /** sha256 (hex) of the verified body. */
  contentHash: string
}

/**
 * Records webhook deliveries by the tracker's delivery id and the sha256 of their verified body, in
 * one statement, and says of each whether it is new. Trackers retry and sometimes deliver twice,
 * and the delivery id is an unsigned header, so the same body under a new id is a replay: either
 * match makes it a duplicate — of a delivery recorded before (the insert skips rows that conflict
 * with either unique key, atomically, even with several API instances) or of an earlier one in the
 * same list (the first of them counts).
 */
export async function recordDeliveries(
  db: Kysely<Tables>,
  deliveries: readonly DeliveryRecord[],
): Promise<Array<'new' | 'duplicate'>> {
  const firstOf = new Map<string, number>()
  const candidates: number[] = []
  deliveries.forEach((d, index) => {
    const byId = `${d.sourceId}\u0000id\u0000${d.deliveryId}`
    const byBody = `${d.sourceId}\u0000body\u0000${d.contentHash}`
    if (firstOf.has(byId) || firstOf.has(byBody)) return
    firstOf.set(byId, index).set(byBody, index)
    candidates.push(index)
  })
  const outcome = deliveries.map((): 'new' | 'duplicate' => 'duplicate')
  if (candidates.length === 0) return outcome
  // Inserted in key order, so two batches committing at once that share a delivery take its lock
  // in the same order rather than deadlock.
  const key = (index: number) => {
    const d = deliveries[index] as DeliveryRecord
    return `${d.sourceId}\u0000${d.deliveryId}`
  }
  candidates.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
  const inserted = await db
    .insertInto('webhook_deliveries')
    .values(
      candidates.map((index) => {
        const d = deliveries[index] as DeliveryRecord
        return {
          source_id: d.sourceId,
          delivery_id: d.deliveryId,
          event: d.event,
          content_hash: d.contentHash,
        }
      }),
    )
    .onConflict((oc) => oc.doNothing())
    .returning(['source_id', 'delivery_id'])
    .execute()
  for (const row of inserted) {
    const index = firstOf.get(`${row.source_id}\u0000id\u0000${row.delivery_id}`)
    if (index !== undefined) outcome[index] = 'new'
  }
  return outcome
}

/** Records one webhook delivery: `recordDeliveries` of one. */
export async function recordDelivery(
  db: Kysely<Tables>,
  delivery: DeliveryRecord,
): Promise<'new' | 'duplicate'> {
  const [outcome] = await recordDeliveries(db, [delivery])
  return outcome ?? 'duplicate'
}

/**
 * Marks the queued deliveries of a source received before `builtBefore` as written back, and
 * returns how long each took from receipt: the webhook-to-write-back latency.
 */
export async function completeDeliveries(
  db: Kysely<Tables>,
  sourceId: string,
  builtBefore: Date,
  now: Date,
): Promise<number[]> {
  const rows = await db
    .updateTable('webhook_deliveries')
    .set({ written_back_at: now })
    .where('source_id', '=', sourceId)
    .where('written_back_at', 'is', null)
    .where('received_at', '<=', builtBefore)
    .returning('received_at')
    .execute()
  return rows.map((r) => (now.getTime() - r.received_at.getTime()) / 1000)
}
