import { type Kysely, sql, type Transaction } from 'kysely'
import { type AuthorIdentity, type Decision, type DecisionVia, recordDecision } from './decision-log.ts'
import { VERSION_SAVE_LOCK } from './locks.ts'
import type { Tables, VersionStatus } from './tables.ts'

/**
 * Publication of versions (roadmap_versions.status): proposed, approved, superseded, published. In
 * on-approval mode a build proposes, the owner approves, and the write-back publishes.
 */

type Db = Kysely<Tables> | Transaction<Tables>

export interface VersionPublication {
  status: VersionStatus
  approvedBy: string | null
  approvedAt: string | null
  approvalNote: string | null
}

export async function versionPublication(db: Db, id: number): Promise<VersionPublication | null> {
  const row = await db
    .selectFrom('roadmap_versions')
    .select(['status', 'approved_by', 'approved_at', 'approval_note'])
    .where('id', '=', id)
    .executeTakeFirst()
  return row === undefined
    ? null
    : {
        status: row.status,
        approvedBy: row.approved_by,
        approvedAt: row.approved_at?.toISOString() ?? null,
        approvalNote: row.approval_note,
      }
}

/** The newest version that may be written back (approved or published); null when none. */
export async function newestPublishableId(db: Db): Promise<number | null> {
  const row = await db
    .selectFrom('roadmap_versions')
    .select('id')
    .where('status', 'in', ['approved', 'published'])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row?.id ?? null
}

/** After its write-back: an approved version becomes published. */
export async function markPublished(db: Db, id: number): Promise<void> {
  await db
    .updateTable('roadmap_versions')
    .set({ status: 'published' })
    .where('id', '=', id)
    .where('status', '=', 'approved')
    .execute()
}

export type ApproveOutcome =
  | { status: 'approved'; decision: Decision }
  | { status: 'not_found' }
  | { status: 'not_proposed'; current: VersionStatus; approvedBy: string | null }
  | { status: 'not_newest'; newest: number }

/**
 * Approves the newest proposal. An older proposal is refused (`not_newest`, naming the newest): it
 * was superseded, and approving it would write back an outdated plan.
 */
export async function approveVersion(
  db: Kysely<Tables>,
  input: {
    id: number
    by: string
    identity?: AuthorIdentity
    note: string | null
    via: DecisionVia
    now: Date
  },
): Promise<ApproveOutcome> {
  return db.transaction().execute(async (trx) => {
    // The same lock as saveRoadmapVersion: no new proposal lands between the check and the approval.
    await sql`select pg_advisory_xact_lock(${VERSION_SAVE_LOCK})`.execute(trx)
    const row = await trx
      .selectFrom('roadmap_versions')
      .select(['id', 'status', 'approved_by'])
      .where('id', '=', input.id)
      .executeTakeFirst()
    if (row === undefined) return { status: 'not_found' as const }
    const newest = await trx
      .selectFrom('roadmap_versions')
      .select('id')
      .where('status', '=', 'proposed')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst()
    if (row.status === 'superseded' && newest !== undefined)
      return { status: 'not_newest' as const, newest: newest.id }
    if (row.status !== 'proposed') {
      return { status: 'not_proposed' as const, current: row.status, approvedBy: row.approved_by }
    }
    if (newest !== undefined && newest.id !== row.id)
      return { status: 'not_newest' as const, newest: newest.id }
    await trx
      .updateTable('roadmap_versions')
      .set({ status: 'approved', approved_by: input.by, approved_at: input.now, approval_note: input.note })
      .where('id', '=', input.id)
      .execute()
    const decision = await recordDecision(trx, {
      kind: 'approval',
      author: input.by,
      identity: input.identity,
      at: input.now.toISOString(),
      rationale: input.note,
      epicId: null,
      versionId: input.id,
      subject: String(input.id),
      via: input.via,
      details: {},
    })
    return { status: 'approved' as const, decision }
  })
}
