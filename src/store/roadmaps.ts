import type { Kysely } from 'kysely'
import type { DeferralEvent, Override, Roadmap, RoadmapEntry } from '../domain/index.ts'
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
 * Stores one build — the version, its entries and the deferral events of its diff — in one
 * transaction. Events are keyed by their content-derived id, so a build retried after a crash
 * records each event once.
 */
export async function saveRoadmapVersion(
  db: Kysely<Tables>,
  build: { trigger: string; configHash: string; roadmap: Roadmap; events: DeferralEvent[] },
): Promise<{ versionId: number; newEvents: number }> {
  return db.transaction().execute(async (trx) => {
    const { entries, ...rest } = build.roadmap
    const version = await trx
      .insertInto('roadmap_versions')
      .values({
        trigger: build.trigger,
        config_hash: build.configHash,
        built_at: build.roadmap.builtAt,
        roadmap: JSON.stringify(rest),
        entry_count: entries.length,
        event_count: build.events.length,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    for (let i = 0; i < entries.length; i += CHUNK) {
      await trx
        .insertInto('roadmap_entries')
        .values(
          entries.slice(i, i + CHUNK).map((entry) => ({
            version_id: version.id,
            epic_id: entry.epicId,
            rank: entry.rank,
            score: entry.score.status === 'scored' ? entry.score.score : null,
            period: entry.period,
            team: entry.team,
            track: entry.track,
            source_id: entry.source,
            entry: JSON.stringify(entry),
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
    return { versionId: version.id, newEvents }
  })
}

/** The newest version with its entries, as the domain built it; null before the first build. */
export async function latestVersion(db: Kysely<Tables>): Promise<StoredVersion | null> {
  const row = await db
    .selectFrom('roadmap_versions')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  if (row === undefined) return null
  return loadVersionRow(db, row)
}

export async function versionById(db: Kysely<Tables>, id: number): Promise<StoredVersion | null> {
  const row = await db.selectFrom('roadmap_versions').selectAll().where('id', '=', id).executeTakeFirst()
  return row === undefined ? null : loadVersionRow(db, row)
}

async function loadVersionRow(
  db: Kysely<Tables>,
  row: { id: number; trigger: string; config_hash: string; created_at: Date; roadmap: unknown },
): Promise<StoredVersion> {
  const entries = await db
    .selectFrom('roadmap_entries')
    .select('entry')
    .where('version_id', '=', row.id)
    .orderBy('rank')
    .execute()
  return {
    id: row.id,
    trigger: row.trigger,
    configHash: row.config_hash,
    createdAt: row.created_at.toISOString(),
    roadmap: {
      ...(row.roadmap as Omit<Roadmap, 'entries'>),
      entries: entries.map((e) => e.entry as RoadmapEntry),
    },
  }
}

/** The whole deferral ledger in the order it happened. */
export async function loadLedger(db: Kysely<Tables>): Promise<DeferralEvent[]> {
  const rows = await db
    .selectFrom('deferral_events')
    .select('event')
    .orderBy('occurred_at')
    .orderBy('id')
    .execute()
  return rows.map((r) => r.event as DeferralEvent)
}

/** The deferral events a version's build recorded. */
export async function eventsOfVersion(db: Kysely<Tables>, versionId: number): Promise<DeferralEvent[]> {
  const rows = await db
    .selectFrom('deferral_events')
    .select('event')
    .where('version_id', '=', versionId)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute()
  return rows.map((r) => r.event as DeferralEvent)
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
