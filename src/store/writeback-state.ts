import type { Kysely } from 'kysely'
import type { Tables } from './tables.ts'

export interface Written<V> {
  values: V
  writtenAt: Date
  /**
   * A write of the ticket was sent and not confirmed, or a sync saw the ticket show something
   * else: `values` may not be what the ticket holds, so every owned field is written again.
   */
  inDoubt: boolean
}

/** What was last written to each ticket of a source (all, or the given epics), and when, by epic id. */
export async function writtenValues<V>(
  db: Kysely<Tables>,
  sourceId: string,
  epicIds?: readonly string[],
): Promise<Map<string, Written<V>>> {
  if (epicIds !== undefined && epicIds.length === 0) return new Map()
  let query = db
    .selectFrom('writeback_state')
    .select(['epic_id', 'fields', 'written_at', 'in_doubt'])
    .where('source_id', '=', sourceId)
  if (epicIds !== undefined) query = query.where('epic_id', 'in', [...epicIds])
  const rows = await query.execute()
  return new Map(
    rows.map((r) => [r.epic_id, { values: r.fields as V, writtenAt: r.written_at, inDoubt: r.in_doubt }]),
  )
}

/** Records values as written; called only for tickets the tracker accepted. */
export async function saveWrittenValues<V>(
  db: Kysely<Tables>,
  sourceId: string,
  versionId: number,
  items: Array<{ epicId: string; values: V }>,
  now = new Date(),
): Promise<void> {
  for (let i = 0; i < items.length; i += 500) {
    await db
      .insertInto('writeback_state')
      .values(
        items.slice(i, i + 500).map((item) => ({
          epic_id: item.epicId,
          source_id: sourceId,
          fields: JSON.stringify(item.values),
          version_id: versionId,
          written_at: now,
          in_doubt: false,
        })),
      )
      .onConflict((oc) =>
        oc.column('epic_id').doUpdateSet((eb) => ({
          fields: eb.ref('excluded.fields'),
          version_id: eb.ref('excluded.version_id'),
          written_at: eb.ref('excluded.written_at'),
          in_doubt: false,
        })),
      )
      .execute()
  }
}

/**
 * Marks tickets' records as not to be trusted: before their write is sent (a crash between the
 * tracker's answer and the record leaves them so), or when a sync saw them differ. Tickets never
 * written have no record and are written in full anyway.
 */
export async function markInDoubt(
  db: Kysely<Tables>,
  sourceId: string,
  epicIds: readonly string[],
): Promise<void> {
  for (let i = 0; i < epicIds.length; i += 1_000) {
    await db
      .updateTable('writeback_state')
      .set({ in_doubt: true })
      .where('source_id', '=', sourceId)
      .where('epic_id', 'in', epicIds.slice(i, i + 1_000))
      .where('in_doubt', '=', false)
      .execute()
  }
}
