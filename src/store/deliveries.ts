import type { Kysely } from 'kysely'
import type { Tables } from './tables.ts'

/**
 * Records a webhook delivery by the tracker's delivery id and the sha256 of its verified body.
 * Trackers retry and sometimes deliver twice, and the delivery id is an unsigned header, so the
 * same body under a new id is a replay: either match makes it a duplicate, recognised here,
 * atomically (one insert against both unique keys), even with several API instances.
 */
export async function recordDelivery(
  db: Kysely<Tables>,
  delivery: { sourceId: string; deliveryId: string; event: string; contentHash: string },
): Promise<'new' | 'duplicate'> {
  const inserted = await db
    .insertInto('webhook_deliveries')
    .values({
      source_id: delivery.sourceId,
      delivery_id: delivery.deliveryId,
      event: delivery.event,
      content_hash: delivery.contentHash,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('delivery_id')
    .executeTakeFirst()
  return inserted === undefined ? 'duplicate' : 'new'
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
