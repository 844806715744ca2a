import type { Kysely } from 'kysely'
import type { Tables } from './tables.ts'

export interface Written<V> {
  values: V
  writtenAt: Date
}

/** What was last written to each ticket of a source, and when, by epic id. */
export async function writtenValues<V>(
  db: Kysely<Tables>,
  sourceId: string,
): Promise<Map<string, Written<V>>> {
  const rows = await db
    .selectFrom('writeback_state')
    .select(['epic_id', 'fields', 'written_at'])
    .where('source_id', '=', sourceId)
    .execute()
  return new Map(rows.map((r) => [r.epic_id, { values: r.fields as V, writtenAt: r.written_at }]))
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
        })),
      )
      .onConflict((oc) =>
        oc.column('epic_id').doUpdateSet((eb) => ({
          fields: eb.ref('excluded.fields'),
          version_id: eb.ref('excluded.version_id'),
          written_at: eb.ref('excluded.written_at'),
        })),
      )
      .execute()
  }
}
