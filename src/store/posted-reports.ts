import type { Kysely } from 'kysely'
import type { Tables } from './tables.ts'

/**
 * posted_reports: one row per channel and ISO week, the record of the weekly report's delivery.
 * The exactly-once rules (claim, lease, what a crash leaves behind) live in src/pipeline/report.ts;
 * these are its statements, each a single atomic one, so two attempts never both win.
 */
export type PostedReportStatus = Tables['posted_reports']['status']

export interface PostedReportState {
  status: PostedReportStatus
  attempts: number
  updatedAt: Date
}

/** A delivery as the API lists it. */
export interface PostedReport {
  channelId: string
  week: string
  status: PostedReportStatus
  attempts: number
  error: string | null
  versionId: number | null
  postedAt: string | null
  updatedAt: string
}

/** The week's row of a channel, or null when no attempt has claimed it yet. */
export async function postedReportState(
  db: Kysely<Tables>,
  channelId: string,
  week: string,
): Promise<PostedReportState | null> {
  const row = await db
    .selectFrom('posted_reports')
    .select(['status', 'attempts', 'updated_at'])
    .where('channel_id', '=', channelId)
    .where('week', '=', week)
    .executeTakeFirst()
  return row === undefined ? null : { status: row.status, attempts: row.attempts, updatedAt: row.updated_at }
}

/** The first claim of a week: a `posting` row with attempt 1; null when the week already has a row. */
export async function claimNewPostedReport(
  db: Kysely<Tables>,
  at: { channelId: string; week: string; versionId: number; now: Date },
): Promise<number | null> {
  const inserted = await db
    .insertInto('posted_reports')
    .values({
      channel_id: at.channelId,
      week: at.week,
      status: 'posting',
      attempts: 1,
      version_id: at.versionId,
      updated_at: at.now,
    })
    .onConflict((oc) => oc.columns(['channel_id', 'week']).doNothing())
    .returning('attempts')
    .executeTakeFirst()
  return inserted?.attempts ?? null
}

/**
 * Takes an existing row over for the next attempt (`posting`, attempts + 1): a compare-and-set on
 * the status and attempts read before, so of two attempts racing only one gets the new number.
 * Null when another attempt changed the row first.
 */
export async function takeOverPostedReport(
  db: Kysely<Tables>,
  at: { channelId: string; week: string; versionId: number; now: Date },
  seen: { status: PostedReportStatus; attempts: number },
): Promise<number | null> {
  const taken = await db
    .updateTable('posted_reports')
    .set({ status: 'posting', attempts: seen.attempts + 1, version_id: at.versionId, updated_at: at.now })
    .where('channel_id', '=', at.channelId)
    .where('week', '=', at.week)
    .where('status', '=', seen.status)
    .where('attempts', '=', seen.attempts)
    .returning('attempts')
    .executeTakeFirst()
  return taken?.attempts ?? null
}

/**
 * Writes the outcome of the attempt holding the claim (fenced by its attempt number, and only over
 * a `posting` row); false when another attempt has taken it over.
 */
export async function recordPostedReport(
  db: Kysely<Tables>,
  fence: { channelId: string; week: string; attempt: number },
  outcome: { status: 'posted' | 'skipped' | 'posting' | 'failed'; error: string | null; now: Date },
): Promise<boolean> {
  const updated = await db
    .updateTable('posted_reports')
    .set({
      status: outcome.status,
      error: outcome.error,
      updated_at: outcome.now,
      ...(outcome.status === 'posted' ? { posted_at: outcome.now } : {}),
    })
    .where('channel_id', '=', fence.channelId)
    .where('week', '=', fence.week)
    .where('attempts', '=', fence.attempt)
    .where('status', '=', 'posting')
    .executeTakeFirst()
  return updated.numUpdatedRows > 0n
}

/** Deliveries, newest first, of every channel or one. */
export async function listPostedReports(
  db: Kysely<Tables>,
  filter: { channelId?: string; limit: number },
): Promise<PostedReport[]> {
  let query = db.selectFrom('posted_reports').selectAll().orderBy('updated_at', 'desc').limit(filter.limit)
  if (filter.channelId !== undefined) query = query.where('channel_id', '=', filter.channelId)
  const rows = await query.execute()
  return rows.map((r) => ({
    channelId: r.channel_id,
    week: r.week,
    status: r.status,
    attempts: r.attempts,
    error: r.error,
    versionId: r.version_id,
    postedAt: r.posted_at?.toISOString() ?? null,
    updatedAt: r.updated_at.toISOString(),
  }))
}
