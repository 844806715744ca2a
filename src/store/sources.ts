import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { SourceConfig } from '../config/index.ts'
import type { Tables } from './tables.ts'

/** Makes the sources table match the config (epics of a source removed from the config stay). */
export async function registerSources(
  db: Kysely<Tables>,
  sources: SourceConfig[],
  now = new Date(),
): Promise<void> {
  if (sources.length === 0) return
  await db
    .insertInto('sources')
    .values(
      sources.map((s) => ({
        id: s.id,
        kind: s.kind,
        // The secrets serialise as their variable names, so the hash says nothing about them.
        config_hash: createHash('sha256').update(JSON.stringify(s)).digest('hex'),
        updated_at: now,
      })),
    )
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        kind: eb.ref('excluded.kind'),
        config_hash: eb.ref('excluded.config_hash'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute()
}
