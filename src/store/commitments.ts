import { type Kysely, sql } from 'kysely'
import type { Tables } from './tables.ts'

/** An epic the baseline committed, as the build that took the baseline planned it. */
export interface BaselineCommitment {
  epicId: string
  /** The period it was committed to. */
  period: string
  /** Its effort estimate then; null when not estimated. */
  effort: number | null
}

/**
 * The epics a commitment baseline committed (DESIGN.md, "Commitment"): the entries with a
 * commitment in the first version built at `takenAt` (Baseline.takenAt). Reads those entries only,
 * not the whole version. Empty when no stored version was built then.
 */
export async function baselineCommitments(
  db: Kysely<Tables>,
  takenAt: string,
): Promise<BaselineCommitment[]> {
  const version = await db
    .selectFrom('roadmap_versions')
    .select((eb) => eb.fn.min('id').as('id'))
    .where('built_at', '=', new Date(takenAt))
    .executeTakeFirst()
  const id = version?.id ?? null
  if (id === null) return []
  const rows = await db
    .selectFrom('roadmap_entry_ranges')
    .select([
      'epic_id',
      sql<string>`entry ->> 'commitment'`.as('period'),
      sql<number | null>`(entry ->> 'effort')::float8`.as('effort'),
    ])
    .where(sql<boolean>`valid @> ${Number(id)}::int`)
    .where(sql<boolean>`entry ->> 'commitment' is not null`)
    .orderBy('epic_id')
    .execute()
  return rows.map((r) => ({
    epicId: r.epic_id,
    period: r.period,
    effort: r.effort === null ? null : Number(r.effort),
  }))
}
