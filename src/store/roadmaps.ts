import { createHash } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import type { DeferralEvent, Override, Roadmap, RoadmapEntry } from '../domain/index.ts'
import { VERSION_SAVE_LOCK } from './locks.ts'
import type { Tables } from './tables.ts'

const CHUNK = 500

export interface StoredVersion {
  id: number
  trigger: string
  configHash: string
  createdAt: string
  roadmap: Roadmap
}

/**
 * Stores one build — the version, its ranking, the entries that changed since the version before
 * and the deferral events of its diff — in one transaction. An entry is stored without its rank and
 * only when it differs from the current one (by hash), so one epic moving up does not copy the
 * thousands it passed. Events are keyed by their content-derived id, so a build retried after a
 * crash records each event once.
 */
export async function saveRoadmapVersion(
  db: Kysely<Tables>,
  build: {
    trigger: string
    configHash: string
    roadmap: Roadmap
    events: DeferralEvent[]
    /** 'proposed' in on-approval mode (older proposals become superseded); default 'published'. */
    status?: 'proposed' | 'published'
  },
): Promise<{ versionId: number; newEvents: number; entriesStored: number; superseded: number[] }> {
  const { entries, ...rest } = build.roadmap
  const unranked = entries.map((entry) => {
    const { rank: _rank, ...data } = entry
    const json = JSON.stringify(data)
    return { entry, json, hash: createHash('sha1').update(json).digest('base64url') }
  })
  const { saved, stored } = await db.transaction().execute(async (trx) => {
    // Builds are one at a time by design (BullMQ); this makes "current entries" safe regardless.
    await sql`select pg_advisory_xact_lock(${VERSION_SAVE_LOCK})`.execute(trx)
    const version = await trx
      .insertInto('roadmap_versions')
      .values({
        trigger: build.trigger,
        config_hash: build.configHash,
        built_at: build.roadmap.builtAt,
        roadmap: JSON.stringify(rest),
        entry_count: entries.length,
        event_count: build.events.length,
        ranking: entries.map((e) => e.epicId),
        status: build.status ?? 'published',
      })
      .returning(['id', 'created_at'])
      .executeTakeFirstOrThrow()
    // The newest proposal supersedes the ones still waiting; they stay recorded.
    const superseded =
      build.status === 'proposed'
        ? (
            await trx
              .updateTable('roadmap_versions')
              .set({ status: 'superseded' })
              .where('status', '=', 'proposed')
              .where('id', '<', version.id)
              .returning('id')
              .execute()
          ).map((r) => r.id)
        : []

    const current = await trx
      .selectFrom('roadmap_entry_ranges')
      .select(['epic_id', 'entry_hash'])
      .where(sql<boolean>`upper_inf(valid)`)
      .execute()
    const currentHash = new Map(current.map((r) => [r.epic_id, r.entry_hash]))
    const changed = unranked.filter((u) => currentHash.get(u.entry.epicId) !== u.hash)
    const kept = new Set(
      unranked.filter((u) => currentHash.get(u.entry.epicId) === u.hash).map((u) => u.entry.epicId),
    )
    const ended = current.filter((r) => !kept.has(r.epic_id)).map((r) => r.epic_id)
    for (let i = 0; i < ended.length; i += CHUNK) {
      await trx
        .updateTable('roadmap_entry_ranges')
        .set({ valid: sql`int4range(lower(valid), ${version.id}::int)` })
        .where('epic_id', 'in', ended.slice(i, i + CHUNK))
        .where(sql<boolean>`upper_inf(valid)`)
        .execute()
    }
    for (let i = 0; i < changed.length; i += CHUNK) {
      await trx
        .insertInto('roadmap_entry_ranges')
        .values(
          changed.slice(i, i + CHUNK).map(({ entry, json, hash }) => ({
            epic_id: entry.epicId,
            valid: sql`int4range(${version.id}::int, null)`,
            entry_hash: hash,
            score: entry.score.status === 'scored' ? entry.score.score : null,
            period: entry.period,
            team: entry.team,
            track: entry.track,
            source_id: entry.source,
            entry: json,
          })),
        )
        .execute()
    }
    let newEvents = 0
    for (let i = 0; i < build.events.length; i += CHUNK) {
      const inserted = await trx
        .insertInto('deferral_events')
        .values(
          build.events.slice(i, i + CHUNK).map((event) => ({
            id: event.id,
            version_id: version.id,
            epic_id: event.epicId,
            kind: event.kind,
            from_period: event.fromPeriod,
            to_period: event.toPeriod,
            cause: event.cause === null ? null : JSON.stringify(event.cause),
            event: JSON.stringify(event),
            occurred_at: event.at,
          })),
        )
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .execute()
      newEvents += inserted.length
    }
    return {
      saved: {
        versionId: version.id,
        newEvents,
        entriesStored: changed.length,
        superseded,
      },
      // As it reads back: JSON data, without undefined properties.
      stored: {
        id: version.id,
        trigger: build.trigger,
        configHash: build.configHash,
        createdAt: version.created_at.toISOString(),
        roadmap: {
          ...(JSON.parse(JSON.stringify(rest)) as Omit<Roadmap, 'entries'>),
          entries: unranked.map(
            ({ entry, json }) => ({ rank: entry.rank, ...JSON.parse(json) }) as RoadmapEntry,
          ),
        },
      } satisfies StoredVersion,
    }
  })
  remember(db, stored)
  return saved
}

/**
 * The versions each database handle loaded or saved last. A stored version never changes (its
 * entries are the ranges that contain it; only its status does, which is not part of it), and
 * builds, write-backs and the page read the newest one over and over: a handle that has it reads
 * only its id. Two are kept, so the page comparing an older version does not evict the newest.
 * Frozen, since every reader shares them.
 */
const keptVersions = new WeakMap<Kysely<Tables>, Map<number, StoredVersion>>()
const KEPT_VERSIONS = 2

function kept(db: Kysely<Tables>, id: number): StoredVersion | undefined {
  return keptVersions.get(db)?.get(id)
}

function remember(db: Kysely<Tables>, version: StoredVersion): StoredVersion {
  let versions = keptVersions.get(db)
  if (versions === undefined) {
    versions = new Map()
    keptVersions.set(db, versions)
  }
  versions.delete(version.id)
  versions.set(version.id, deepFreeze(version))
  for (const id of versions.keys()) if (versions.size > KEPT_VERSIONS) versions.delete(id)
  return version
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const inner of Object.values(value)) deepFreeze(inner)
  }
  return value
}

/** The newest version with its entries, as the domain built it; null before the first build. */
export async function latestVersion(db: Kysely<Tables>): Promise<StoredVersion | null> {
  const newest = await db
    .selectFrom('roadmap_versions')
    .select('id')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  if (newest === undefined) return null
  const known = kept(db, newest.id)
  if (known !== undefined) return known
  const row = await db
    .selectFrom('roadmap_versions')
    .selectAll()
    .where('id', '=', newest.id)
    .executeTakeFirst()
  // Gone between the two reads: only a wiped database does that.
  if (row === undefined) return latestVersion(db)
  return remember(db, await loadVersionRow(db, row))
}

export async function versionById(db: Kysely<Tables>, id: number): Promise<StoredVersion | null> {
  const known = kept(db, id)
  if (known !== undefined) return known
  const row = await db.selectFrom('roadmap_versions').selectAll().where('id', '=', id).executeTakeFirst()
  return row === undefined ? null : remember(db, await loadVersionRow(db, row))
}

async function loadVersionRow(
  db: Kysely<Tables>,
  row: {
    id: number
    trigger: string
    config_hash: string
    created_at: Date
    roadmap: unknown
    ranking: string[]
  },
): Promise<StoredVersion> {
  const rows = await db
    .selectFrom('roadmap_entry_ranges')
    .select(['epic_id', 'entry'])
    // By containment (a GiST index), not as the open ranges: a version saved meanwhile would end
    // some of those, and the version read must be the one asked for, whole.
    .where(sql<boolean>`valid @> ${row.id}::int`)
    .execute()
  const byEpic = new Map(rows.map((r) => [r.epic_id, r.entry as Omit<RoadmapEntry, 'rank'>]))
  const entries: RoadmapEntry[] = []
  for (const [index, epicId] of row.ranking.entries()) {
    const entry = byEpic.get(epicId)
    if (entry === undefined) throw new Error(`version ${row.id}: no stored entry for ${epicId}`)
    entries.push({ rank: index + 1, ...entry })
  }
  return {
    id: row.id,
    trigger: row.trigger,
    configHash: row.config_hash,
    createdAt: row.created_at.toISOString(),
    roadmap: { ...(row.roadmap as Omit<Roadmap, 'entries'>), entries },
  }
}

/**
 * One epic's entry in the newest version (null when the epic is not on it), with that version's
 * calendar; null before the first build. Reads one row instead of the whole version.
 */
export async function latestEntry(
  db: Kysely<Tables>,
  epicId: string,
): Promise<{ periods: Roadmap['periods']; entry: RoadmapEntry | null } | null> {
  const version = await db
    .selectFrom('roadmap_versions')
    .select([
      'id',
      sql<Roadmap['periods']>`roadmap -> 'periods'`.as('periods'),
      sql<number | null>`array_position(ranking, ${epicId})`.as('rank'),
    ])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  if (version === undefined) return null
  if (version.rank === null) return { periods: version.periods, entry: null }
  const row = await db
    .selectFrom('roadmap_entry_ranges')
    .select('entry')
    .where('epic_id', '=', epicId)
    .where(sql<boolean>`upper_inf(valid)`)
    .executeTakeFirst()
  if (row === undefined) return { periods: version.periods, entry: null }
  return {
    periods: version.periods,
    entry: { rank: version.rank, ...(row.entry as Omit<RoadmapEntry, 'rank'>) },
  }
}

/** Overrides in force (not revoked), oldest first. */
export async function activeOverrides(db: Kysely<Tables>): Promise<Override[]> {
  const rows = await db
    .selectFrom('overrides')
    .selectAll()
    .where('revoked_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    epicId: r.epic_id,
    kind: r.kind,
    ...(r.period === null ? {} : { period: r.period }),
    rationale: r.rationale,
    author: r.author,
    createdAt: r.created_at.toISOString(),
  }))
}
