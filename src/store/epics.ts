import { type Kysely, sql } from 'kysely'
import type { EpicStatus, ScoringInputs, Track } from '../domain/index.ts'
import type { Tables } from './tables.ts'

/** An epic as a sync stores it: already mapped to onetrack's model by its connector. */
export interface EpicRecord {
  externalId: string
  key: string
  title: string
  url: string
  team: string | null
  track: Track
  status: EpicStatus
  inputs: ScoringInputs
  effort: number | null
  blockers: string[]
  updatedAt: string
  problems: string[]
}

export interface SyncBatch {
  sourceId: string
  mode: 'full' | 'incremental' | 'epic'
  epics: EpicRecord[]
  /** Full sync: every external id in scope; epics of the source not in it are marked deleted. */
  inScope?: string[]
  /** Epic sync: the one epic that no longer exists or left the scope. */
  gone?: string
  cursor: string | null
  now: Date
}

export interface SyncBatchResult {
  /** Epics inserted or whose stored content changed. */
  changed: number
  /** Epics newly marked deleted. */
  deleted: number
}

const CHUNK = 500

export function epicId(sourceId: string, externalId: string): string {
  return `${sourceId}:${externalId}`
}

/**
 * Stores one whole sync in one transaction: epics, their blockers as this source reports them,
 * deletions and the cursor. A build reads only committed data, so it never sees half a sync, and
 * the cursor advances only together with the data it covers.
 */
export async function saveSyncBatch(db: Kysely<Tables>, batch: SyncBatch): Promise<SyncBatchResult> {
  return db.transaction().execute(async (trx) => {
    let changed = 0
    for (let i = 0; i < batch.epics.length; i += CHUNK) {
      const chunk = batch.epics.slice(i, i + CHUNK)
      changed += await upsertEpics(trx, batch.sourceId, chunk, batch.now)
      await replaceBlockers(trx, batch.sourceId, chunk)
    }
    let deleted = 0
    if (batch.mode === 'full' && batch.inScope !== undefined) {
      deleted += await markDeletedExcept(trx, batch.sourceId, batch.inScope, batch.now)
    }
    if (batch.gone !== undefined) {
      const result = await trx
        .updateTable('epics')
        .set({ deleted_at: batch.now })
        .where('id', '=', epicId(batch.sourceId, batch.gone))
        .where('deleted_at', 'is', null)
        .executeTakeFirst()
      deleted += Number(result.numUpdatedRows)
    }
    if (batch.mode !== 'epic') {
      await trx
        .insertInto('sync_cursors')
        .values({
          source_id: batch.sourceId,
          cursor: batch.cursor,
          last_sync_at: batch.now,
          last_full_sync_at: batch.mode === 'full' ? batch.now : null,
          updated_at: batch.now,
        })
        .onConflict((oc) =>
          oc.column('source_id').doUpdateSet((eb) => ({
            cursor: eb.ref('excluded.cursor'),
            last_sync_at: eb.ref('excluded.last_sync_at'),
            last_full_sync_at:
              batch.mode === 'full'
                ? eb.ref('excluded.last_full_sync_at')
                : eb.ref('sync_cursors.last_full_sync_at'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute()
    }
    return { changed, deleted }
  })
}

async function upsertEpics(
  trx: Kysely<Tables>,
  sourceId: string,
  epics: EpicRecord[],
  now: Date,
): Promise<number> {
  if (epics.length === 0) return 0
  const rows = await trx
    .insertInto('epics')
    .values(
      epics.map((e) => ({
        id: epicId(sourceId, e.externalId),
        source_id: sourceId,
        external_id: e.externalId,
        key: e.key,
        title: e.title,
        url: e.url,
        team: e.team,
        track: e.track,
        status: e.status,
        inputs: JSON.stringify(e.inputs),
        effort: e.effort,
        problems: JSON.stringify(e.problems),
        tracker_updated_at: e.updatedAt,
        synced_at: now,
        deleted_at: null,
      })),
    )
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({
          key: eb.ref('excluded.key'),
          title: eb.ref('excluded.title'),
          url: eb.ref('excluded.url'),
          team: eb.ref('excluded.team'),
          track: eb.ref('excluded.track'),
          status: eb.ref('excluded.status'),
          inputs: eb.ref('excluded.inputs'),
          effort: eb.ref('excluded.effort'),
          problems: eb.ref('excluded.problems'),
          tracker_updated_at: eb.ref('excluded.tracker_updated_at'),
          synced_at: eb.ref('excluded.synced_at'),
          deleted_at: null,
        }))
        // Only rows whose content differs count as changed (and are rewritten).
        .where(
          sql<boolean>`(epics.key, epics.title, epics.url, epics.team, epics.track, epics.status, epics.inputs, epics.effort, epics.problems, epics.deleted_at is null)
            is distinct from (excluded.key, excluded.title, excluded.url, excluded.team, excluded.track, excluded.status, excluded.inputs, excluded.effort, excluded.problems, true)`,
        ),
    )
    .returning('id')
    .execute()
  return rows.length
}

async function replaceBlockers(trx: Kysely<Tables>, sourceId: string, epics: EpicRecord[]): Promise<void> {
  const blocked = epics.map((e) => epicId(sourceId, e.externalId))
  await trx
    .deleteFrom('dependencies')
    .where('source_id', '=', sourceId)
    .where('blocked_id', 'in', blocked)
    .execute()
  const links = epics.flatMap((e) =>
    [...new Set(e.blockers)].map((blocker) => ({
      blocker_id: blocker,
      blocked_id: epicId(sourceId, e.externalId),
      source_id: sourceId,
    })),
  )
  for (let i = 0; i < links.length; i += CHUNK) {
    await trx
      .insertInto('dependencies')
      .values(links.slice(i, i + CHUNK))
      .onConflict((oc) => oc.doNothing())
      .execute()
  }
}

async function markDeletedExcept(
  trx: Kysely<Tables>,
  sourceId: string,
  inScope: string[],
  now: Date,
): Promise<number> {
  const result = await sql`
    update epics set deleted_at = ${now}
    where source_id = ${sourceId} and deleted_at is null
      and not (external_id = any(${inScope}::text[]))`.execute(trx)
  return Number(result.numAffectedRows ?? 0)
}

export async function syncCursor(db: Kysely<Tables>, sourceId: string): Promise<string | null> {
  const row = await db
    .selectFrom('sync_cursors')
    .select('cursor')
    .where('source_id', '=', sourceId)
    .executeTakeFirst()
  return row?.cursor ?? null
}

/** A stored epic in the shape the domain's validateEpic takes, plus its mapping problems. */
export interface StoredEpic {
  id: string
  key: string
  title: string
  url: string
  source: string
  team: string | null
  track: Track
  status: EpicStatus
  inputs: ScoringInputs
  effort?: number
  blockers: string[]
  updatedAt: string
  problems: string[]
}

/** Every epic not deleted, with its blockers from every source, ordered by id. */
export async function loadEpics(db: Kysely<Tables>): Promise<StoredEpic[]> {
  const rows = await db
    .selectFrom('epics')
    .leftJoin('dependencies', 'dependencies.blocked_id', 'epics.id')
    .select([
      'epics.id',
      'epics.key',
      'epics.title',
      'epics.url',
      'epics.source_id',
      'epics.team',
      'epics.track',
      'epics.status',
      'epics.inputs',
      'epics.effort',
      'epics.problems',
      'epics.tracker_updated_at',
      sql<
        string[]
      >`coalesce(array_agg(distinct dependencies.blocker_id) filter (where dependencies.blocker_id is not null), '{}')`.as(
        'blockers',
      ),
    ])
    .where('epics.deleted_at', 'is', null)
    .groupBy('epics.id')
    .orderBy('epics.id')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    key: r.key,
    title: r.title,
    url: r.url,
    source: r.source_id,
    team: r.team,
    track: r.track,
    status: r.status,
    inputs: r.inputs,
    ...(r.effort === null ? {} : { effort: r.effort }),
    blockers: r.blockers,
    updatedAt: r.tracker_updated_at.toISOString(),
    problems: r.problems,
  }))
}
