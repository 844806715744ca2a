import { type Kysely, sql } from 'kysely'
import type { Track } from '../domain/index.ts'
import { loadEpics, type StoredEpic } from './epics.ts'
import type { Tables } from './tables.ts'

/**
 * One stored epic as people look it up: deleted ones included (their history still refers to
 * them), effort null when not estimated.
 */
export type EpicDetails = Omit<StoredEpic, 'effort' | 'unresolvedLinks'> & {
  effort: number | null
  deleted: boolean
}

export async function epicDetails(db: Kysely<Tables>, id: string): Promise<EpicDetails | null> {
  const [epic] = await loadEpics(db, { id, includeDeleted: true })
  if (epic === undefined) return null
  const { effort, unresolvedLinks: _unresolved, ...rest } = epic
  return { ...rest, effort: effort ?? null }
}

export interface EpicHit {
  id: string
  key: string
  title: string
  team: string | null
  track: Track
  source: string
}

/**
 * Epics not deleted whose key or title contains `search` (case-insensitive), for a search box:
 * an exact key first, then keys that start with it, then the rest by key.
 */
export async function searchEpics(
  db: Kysely<Tables>,
  options: { search?: string; limit: number },
): Promise<EpicHit[]> {
  const search = options.search?.trim() ?? ''
  let query = db
    .selectFrom('epics')
    .select(['id', 'key', 'title', 'team', 'track', 'source_id'])
    .where('deleted_at', 'is', null)
    .limit(options.limit)
  if (search !== '') {
    const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    const lower = search.toLowerCase()
    query = query
      .where((eb) => eb.or([eb('key', 'ilike', pattern), eb('title', 'ilike', pattern)]))
      .orderBy(sql`lower(key) = ${lower}`, 'desc')
      .orderBy(sql`starts_with(lower(key), ${lower})`, 'desc')
  }
  const rows = await query.orderBy('key').orderBy('id').execute()
  return rows.map((r) => ({
    id: r.id,
    key: r.key,
    title: r.title,
    team: r.team,
    track: r.track,
    source: r.source_id,
  }))
}

/** The keys of these epics (deleted ones included), by id; ids not stored are left out. */
export async function epicKeys(db: Kysely<Tables>, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .selectFrom('epics')
    .select(['id', 'key'])
    .where('id', 'in', [...new Set(ids)])
    .execute()
  return new Map(rows.map((r) => [r.id, r.key]))
}
