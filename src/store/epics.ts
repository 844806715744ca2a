import { type Kysely, sql } from 'kysely'
import { type EpicStatus, epicIdOf, type ScoringInputs, type Track } from '../domain/index.ts'
import type { Tables } from './tables.ts'

/**
 * An epic as a sync stores it: already mapped to onetrack's model by its connector, which also gives
 * the canonical references (the tracker's URL rules) that declared links are matched by.
 */
export interface EpicRecord {
  externalId: string
  key: string
  title: string
  url: string
  /** The canonical reference of the epic's own item: what links from other epics match. */
  itemRef: string
  team: string | null
  track: Track
  status: EpicStatus
  inputs: ScoringInputs
  effort: number | null
  blockers: string[]
  /**
   * Dependencies declared by URL (usually on another tracker's items): `blocked_by` — the linked
   * item blocks this epic; `blocks` — this epic blocks it. Resolved to epics when loaded, by `ref`
   * (the canonical reference of `url`) against the epics' own `itemRef`.
   */
  links: Array<{ url: string; relation: 'blocked_by' | 'blocks'; ref: string }>
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
  /** Epics inserted or whose stored content (declared links included) changed. */
  changed: number
  /** Epics newly marked deleted. */
  deleted: number
}

const CHUNK = 500

/**
 * Stores one whole sync in one transaction: epics, their blockers and links as this source reports
 * them, deletions and the cursor. A build reads only committed data, so it never sees half a sync, and
 * the cursor advances only together with the data it covers.
 */
export async function saveSyncBatch(db: Kysely<Tables>, batch: SyncBatch): Promise<SyncBatchResult> {
  return db.transaction().execute(async (trx) => {
    let changed = 0
    for (let i = 0; i < batch.epics.length; i += CHUNK) {
      const chunk = batch.epics.slice(i, i + CHUNK)
      const upserted = await upsertEpics(trx, batch.sourceId, chunk, batch.now)
      const reblocked = await replaceBlockers(trx, batch.sourceId, chunk)
      const relinked = await replaceLinks(trx, batch.sourceId, chunk)
      changed += new Set([...upserted, ...reblocked, ...relinked]).size
    }
    let deleted = 0
    if (batch.mode === 'full' && batch.inScope !== undefined) {
      deleted += await markDeletedExcept(trx, batch.sourceId, batch.inScope, batch.now)
    }
    if (batch.gone !== undefined) {
      const result = await trx
        .updateTable('epics')
        .set({ deleted_at: batch.now })
        .where('id', '=', epicIdOf(batch.sourceId, batch.gone))
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

/**
 * Postgres text and jsonb cannot hold U+0000, which a tracker may send in any free text: one such
 * title would fail the whole sync's transaction. It is stored as U+FFFD instead.
 */
function storable(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text
}

/** The ids of the epics inserted or changed. */
async function upsertEpics(
  trx: Kysely<Tables>,
  sourceId: string,
  epics: EpicRecord[],
  now: Date,
): Promise<string[]> {
  if (epics.length === 0) return []
  const rows = await trx
    .insertInto('epics')
    .values(
      epics.map((e) => ({
        id: epicIdOf(sourceId, e.externalId),
        source_id: sourceId,
        external_id: e.externalId,
        key: storable(e.key),
        title: storable(e.title),
        url: storable(e.url),
        team: e.team === null ? null : storable(e.team),
        track: e.track,
        status: e.status,
        inputs: JSON.stringify(e.inputs),
        effort: e.effort,
        problems: JSON.stringify(e.problems.map(storable)),
        tracker_updated_at: e.updatedAt,
        synced_at: now,
        deleted_at: null,
        item_ref: e.itemRef,
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
          item_ref: eb.ref('excluded.item_ref'),
        }))
        // Only rows whose content differs count as changed (and are rewritten).
        .where(
          sql<boolean>`(epics.key, epics.title, epics.url, epics.team, epics.track, epics.status, epics.inputs, epics.effort, epics.problems, epics.deleted_at is null, epics.item_ref)
            is distinct from (excluded.key, excluded.title, excluded.url, excluded.team, excluded.track, excluded.status, excluded.inputs, excluded.effort, excluded.problems, true, excluded.item_ref)`,
        ),
    )
    .returning('id')
    .execute()
  return rows.map((row) => row.id)
}

/** Replaces the blockers the chunk's epics report; returns the epics whose set of blockers changed. */
async function replaceBlockers(
  trx: Kysely<Tables>,
  sourceId: string,
  epics: EpicRecord[],
): Promise<string[]> {
  if (epics.length === 0) return []
  const ids = epics.map((e) => epicIdOf(sourceId, e.externalId))
  const removed = await trx
    .deleteFrom('dependencies')
    .where('source_id', '=', sourceId)
    .where('blocked_id', 'in', ids)
    .returning(['blocked_id', 'blocker_id'])
    .execute()
  const added = epics.flatMap((e) =>
    [...new Set(e.blockers)].map((blocker) => ({
      blocker_id: blocker,
      blocked_id: epicIdOf(sourceId, e.externalId),
      source_id: sourceId,
    })),
  )
  for (let i = 0; i < added.length; i += CHUNK) {
    await trx
      .insertInto('dependencies')
      .values(added.slice(i, i + CHUNK))
      .onConflict((oc) => oc.doNothing())
      .execute()
  }
  const fact = (row: { blocked_id: string; blocker_id: string }) => [row.blocked_id, row.blocker_id] as const
  return changedEpics(ids, removed.map(fact), added.map(fact))
}

/** The epics among `ids` whose facts (epic id → fact) differ between before and after, as sets. */
function changedEpics(
  ids: string[],
  before: ReadonlyArray<readonly [string, string]>,
  after: ReadonlyArray<readonly [string, string]>,
): string[] {
  const signature = (facts: ReadonlyArray<readonly [string, string]>) => {
    const by = new Map<string, Set<string>>()
    for (const [id, fact] of facts) by.set(id, (by.get(id) ?? new Set()).add(fact))
    return by
  }
  const was = signature(before)
  const is = signature(after)
  const same = (a = new Set<string>(), b = new Set<string>()) =>
    a.size === b.size && [...a].every((f) => b.has(f))
  return ids.filter((id) => !same(was.get(id), is.get(id)))
}

/**
 * Replaces the links the chunk's epics declare, as replaceBlockers does their blockers; returns the
 * epics whose set of links changed: a link added or removed is news for the build even when
 * nothing else of the epic changed (a Linear resource link may not touch the project's updatedAt).
 */
async function replaceLinks(trx: Kysely<Tables>, sourceId: string, epics: EpicRecord[]): Promise<string[]> {
  if (epics.length === 0) return []
  const ids = epics.map((e) => epicIdOf(sourceId, e.externalId))
  const removed = await trx
    .deleteFrom('epic_links')
    .where('source_id', '=', sourceId)
    .where('epic_id', 'in', ids)
    .returning(['epic_id', 'relation', 'target_ref', 'url'])
    .execute()
  const rows = new Map<string, Tables['epic_links']>()
  for (const e of epics) {
    const id = epicIdOf(sourceId, e.externalId)
    for (const link of e.links) {
      const row = {
        epic_id: id,
        source_id: sourceId,
        relation: link.relation,
        target_ref: link.ref,
        url: link.url,
      }
      const key = `${row.epic_id} ${row.relation} ${row.target_ref}`
      if (!rows.has(key)) rows.set(key, row)
    }
  }
  const added = [...rows.values()]
  for (let i = 0; i < added.length; i += CHUNK) {
    await trx
      .insertInto('epic_links')
      .values(added.slice(i, i + CHUNK))
      .onConflict((oc) => oc.doNothing())
      .execute()
  }
  const fact = (l: { epic_id: string; relation: string; target_ref: string; url: string }) =>
    [l.epic_id, `${l.relation} ${l.target_ref} ${l.url}`] as const
  return changedEpics(ids, removed.map(fact), added.map(fact))
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
  /** Blockers from every source: tracker relations, and declared links in both directions. */
  blockers: string[]
  updatedAt: string
  /** Mapping problems, and one per declared link that matches no synced epic. */
  problems: string[]
  /** URLs of the epic's declared links that match no synced epic (not deleted). */
  unresolvedLinks: string[]
}

interface EpicRow {
  id: string
  key: string
  title: string
  url: string
  source_id: string
  team: string | null
  track: Track
  status: EpicStatus
  inputs: ScoringInputs
  effort: number | null
  problems: string[]
  tracker_updated_at: Date | string
  blockers: string[]
  unresolved: string[]
  deleted: boolean
}

/** The problem an unresolved link gives its epic. */
export function unresolvedLinkProblem(url: string): string {
  return `links to ${url}, which is not a synced epic`
}

/**
 * Every epic not deleted, with its blockers from every source, ordered by id. Declared links are
 * resolved here, by the canonical reference of their target against the epics' own (deleted epics
 * match nothing): "X blocked by T" makes T a blocker of X, "X blocks T" makes X a blocker of T. A
 * link to the epic itself is ignored; one that matches no epic is named in the epic's problems and
 * `unresolvedLinks`, and blocks nothing. `only` reads one epic, deleted or not, the same way.
 */
export async function loadEpics(
  db: Kysely<Tables>,
  only: { id: string; includeDeleted: boolean } | null = null,
): Promise<Array<StoredEpic & { deleted: boolean }>> {
  const { rows } = await sql<EpicRow>`
    with live as (
      select id, item_ref from epics where deleted_at is null
    ),
    resolved as (
      select l.epic_id, l.relation, l.url, t.id as target_id
      from epic_links l
      join live e on e.id = l.epic_id
      left join live t on t.item_ref = l.target_ref
    ),
    edges as (
      select blocked_id as epic_id, blocker_id from dependencies
      union
      select epic_id, target_id from resolved
        where relation = 'blocked_by' and target_id is not null and target_id <> epic_id
      union
      select target_id, epic_id from resolved
        where relation = 'blocks' and target_id is not null and target_id <> epic_id
    ),
    blockers as (
      select epic_id, array_agg(blocker_id order by blocker_id) as ids from edges group by epic_id
    ),
    unresolved as (
      select epic_id, array_agg(distinct url) as urls from resolved where target_id is null group by epic_id
    )
    select e.id, e.key, e.title, e.url, e.source_id, e.team, e.track, e.status, e.inputs, e.effort,
      e.problems, e.tracker_updated_at, e.deleted_at is not null as deleted,
      coalesce(b.ids, '{}') as blockers,
      coalesce(u.urls, '{}') as unresolved
    from epics e
    left join blockers b on b.epic_id = e.id
    left join unresolved u on u.epic_id = e.id
    where ${only === null ? sql`e.deleted_at is null` : only.includeDeleted ? sql`e.id = ${only.id}` : sql`e.id = ${only.id} and e.deleted_at is null`}
    order by e.id`.execute(db)
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
    updatedAt: new Date(r.tracker_updated_at).toISOString(),
    problems: [...r.problems, ...r.unresolved.map(unresolvedLinkProblem)],
    unresolvedLinks: r.unresolved,
    deleted: r.deleted,
  }))
}
