import type { Kysely } from 'kysely'
import type { Tables, VersionStatus } from './tables.ts'

/** What identifies a roadmap version without its content: for lists, headers and diffs. */
export interface VersionMeta {
  id: number
  trigger: string
  configHash: string
  /** The build's clock. */
  builtAt: string
  /** When the version was stored. */
  createdAt: string
  entryCount: number
  eventCount: number
  /** proposed | approved | superseded | published (see roadmap.publish). */
  status: VersionStatus
  approvedBy: string | null
  approvedAt: string | null
  approvalNote: string | null
}

const META_COLUMNS = [
  'id',
  'trigger',
  'config_hash',
  'built_at',
  'created_at',
  'entry_count',
  'event_count',
  'status',
  'approved_by',
  'approved_at',
  'approval_note',
] as const

type MetaRow = {
  id: number
  trigger: string
  config_hash: string
  built_at: Date
  created_at: Date
  entry_count: number
  event_count: number
  status: VersionStatus
  approved_by: string | null
  approved_at: Date | null
  approval_note: string | null
}

function toMeta(row: MetaRow): VersionMeta {
  return {
    id: row.id,
    trigger: row.trigger,
    configHash: row.config_hash,
    builtAt: row.built_at.toISOString(),
    createdAt: row.created_at.toISOString(),
    entryCount: row.entry_count,
    eventCount: row.event_count,
    status: row.status,
    approvedBy: row.approved_by,
    approvedAt: row.approved_at?.toISOString() ?? null,
    approvalNote: row.approval_note,
  }
}

export async function versionMeta(db: Kysely<Tables>, id: number): Promise<VersionMeta | null> {
  const row = await db
    .selectFrom('roadmap_versions')
    .select(META_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst()
  return row === undefined ? null : toMeta(row)
}

/** Versions newest first; `before` (exclusive) continues a list where a previous page ended. */
export async function listVersions(
  db: Kysely<Tables>,
  page: { limit: number; before?: number },
): Promise<VersionMeta[]> {
  let query = db.selectFrom('roadmap_versions').select(META_COLUMNS).orderBy('id', 'desc').limit(page.limit)
  if (page.before !== undefined) query = query.where('id', '<', page.before)
  return (await query.execute()).map(toMeta)
}

/** The id of the version stored just before `id`; null for the first one. */
export async function previousVersionId(db: Kysely<Tables>, id: number): Promise<number | null> {
  const row = await db
    .selectFrom('roadmap_versions')
    .select('id')
    .where('id', '<', id)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row?.id ?? null
}

/** The newest version's id; null before the first build. */
export async function newestVersionId(db: Kysely<Tables>): Promise<number | null> {
  const row = await db
    .selectFrom('roadmap_versions')
    .select('id')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row?.id ?? null
}
