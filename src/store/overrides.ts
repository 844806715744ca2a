import type { Kysely, Selectable } from 'kysely'
import type { Override, OverrideKind } from '../domain/index.ts'
import { type AuthorIdentity, type DecisionVia, recordDecision } from './decision-log.ts'
import { openDeferralsOf } from './ledger.ts'
import { answerDeferrals } from './sign-offs.ts'
import type { Tables } from './tables.ts'
import { newestVersionId } from './versions.ts'

/** An override as recorded: the owner's decision, and when and by whom it was revoked. */
export interface OverrideRecord extends Override {
  revokedAt: string | null
  revokedBy: string | null
}

type OverrideRow = Selectable<Tables['overrides']>

function toRecord(row: OverrideRow): OverrideRecord {
  return {
    id: row.id,
    epicId: row.epic_id,
    kind: row.kind,
    ...(row.period === null ? {} : { period: row.period }),
    rationale: row.rationale,
    author: row.author,
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
    revokedBy: row.revoked_by,
  }
}

/** Overrides newest first; `active` true = in force, false = revoked, undefined = both. */
export async function listOverrides(
  db: Kysely<Tables>,
  filter: { active?: boolean; epicId?: string } = {},
): Promise<OverrideRecord[]> {
  let query = db.selectFrom('overrides').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc')
  if (filter.active === true) query = query.where('revoked_at', 'is', null)
  if (filter.active === false) query = query.where('revoked_at', 'is not', null)
  if (filter.epicId !== undefined) query = query.where('epic_id', '=', filter.epicId)
  return (await query.execute()).map(toRecord)
}

export interface NewOverride {
  id: string
  epicId: string
  kind: OverrideKind
  period: string | null
  rationale: string
  author: string
  now: Date
  /** The author owns the epic's team: a pin then answers the epic's unacknowledged deferrals. */
  answersDeferrals?: boolean
  via?: DecisionVia
  identity?: AuthorIdentity
  /**
   * A repeat of the same call (a double click, a replayed request): when an override in force of the
   * epic with the same kind and period, by the same author (and, if asked, the same rationale), was
   * made at or after `since`, it is returned as it is and nothing is recorded.
   */
  repeatSince?: { since: Date; sameRationale: boolean }
}

/**
 * Records an override. An epic has at most one in force: the ones it replaces are revoked in the
 * same transaction, by the author of the new one. The epic's row is locked meanwhile, so two
 * overrides of one epic recorded at once cannot both stay in force.
 */
export async function createOverride(
  db: Kysely<Tables>,
  input: NewOverride,
): Promise<{ override: OverrideRecord; replaced: OverrideRecord[]; answered: string[]; repeated: boolean }> {
  return db.transaction().execute(async (trx) => {
    await trx.selectFrom('epics').select('id').where('id', '=', input.epicId).forUpdate().execute()
    // Checked under the epic's lock, so a repeat arriving at another API process at the same
    // instant finds the first one once it is committed.
    if (input.repeatSince !== undefined) {
      const first = await sameOverrideSince(trx, input, input.repeatSince)
      if (first !== undefined) return { ...first, repeated: true }
    }
    const replaced = await trx
      .updateTable('overrides')
      .set({ revoked_at: input.now, revoked_by: input.author })
      .where('epic_id', '=', input.epicId)
      .where('revoked_at', 'is', null)
      .returningAll()
      .execute()
    const row = await trx
      .insertInto('overrides')
      .values({
        id: input.id,
        epic_id: input.epicId,
        kind: input.kind,
        period: input.period,
        rationale: input.rationale,
        author: input.author,
        created_at: input.now,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    // The decision log: the override, and what it revoked on the way.
    const versionId = await newestVersionId(trx)
    const via = input.via ?? 'api'
    for (const old of replaced) {
      await recordDecision(trx, {
        kind: 'revocation',
        author: input.author,
        identity: input.identity,
        at: input.now.toISOString(),
        rationale: `replaced by override ${input.id}`,
        epicId: old.epic_id,
        versionId,
        subject: old.id,
        via,
        details: { kind: old.kind, period: old.period, replacedBy: input.id },
      })
    }
    const open =
      input.kind === 'pin' && input.answersDeferrals === true ? await openDeferralsOf(trx, input.epicId) : []
    const decision = await recordDecision(trx, {
      kind: 'override',
      author: input.author,
      identity: input.identity,
      at: input.now.toISOString(),
      rationale: input.rationale,
      epicId: input.epicId,
      versionId,
      subject: input.id,
      via,
      details: { kind: input.kind, period: input.period, answered: open.map((e) => e.id) },
    })
    const answered = await answerDeferrals(trx, {
      events: open,
      by: input.author,
      reason: input.rationale,
      overrideId: input.id,
      decisionId: decision.id,
      now: input.now,
    })
    return { override: toRecord(row), replaced: replaced.map(toRecord), answered, repeated: false }
  })
}

/** The override a repeated call made first, with what that call revoked and answered. */
async function sameOverrideSince(
  trx: Kysely<Tables>,
  input: NewOverride,
  repeat: { since: Date; sameRationale: boolean },
): Promise<{ override: OverrideRecord; replaced: OverrideRecord[]; answered: string[] } | undefined> {
  let query = trx
    .selectFrom('overrides')
    .selectAll()
    .where('epic_id', '=', input.epicId)
    .where('revoked_at', 'is', null)
    .where('kind', '=', input.kind)
    .where('author', '=', input.author)
    .where('created_at', '>=', repeat.since)
    .where((eb) => (input.period === null ? eb('period', 'is', null) : eb('period', '=', input.period)))
  if (repeat.sameRationale) query = query.where('rationale', '=', input.rationale)
  const row = await query.orderBy('created_at', 'desc').executeTakeFirst()
  if (row === undefined) return undefined
  const decisions = await trx
    .selectFrom('decisions')
    .select(['kind', 'subject', 'details'])
    .where('epic_id', '=', input.epicId)
    .where('at', '=', row.created_at)
    .where('kind', 'in', ['override', 'revocation'])
    .execute()
  const made = decisions.find((d) => d.kind === 'override' && d.subject === row.id)
  const answered = (made?.details as { answered?: string[] } | undefined)?.answered ?? []
  const revokedIds = decisions
    .filter((d) => d.kind === 'revocation' && (d.details as { replacedBy?: string }).replacedBy === row.id)
    .map((d) => d.subject)
  const replaced =
    revokedIds.length === 0
      ? []
      : await trx.selectFrom('overrides').selectAll().where('id', 'in', revokedIds).execute()
  return { override: toRecord(row), replaced: replaced.map(toRecord), answered }
}

export type RevokeOutcome =
  | { status: 'revoked'; override: OverrideRecord }
  | { status: 'already_revoked'; override: OverrideRecord }
  | { status: 'not_found' }

/** Revokes an override in force; the row stays, with who revoked it and when. */
export async function revokeOverride(
  db: Kysely<Tables>,
  id: string,
  by: string,
  now: Date,
  call: { identity?: AuthorIdentity; via?: DecisionVia } = {},
): Promise<RevokeOutcome> {
  const row = await db.transaction().execute(async (trx) => {
    const revoked = await trx
      .updateTable('overrides')
      .set({ revoked_at: now, revoked_by: by })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst()
    if (revoked !== undefined) {
      await recordDecision(trx, {
        kind: 'revocation',
        author: by,
        identity: call.identity,
        at: now.toISOString(),
        rationale: null,
        epicId: revoked.epic_id,
        versionId: await newestVersionId(trx),
        subject: revoked.id,
        via: call.via ?? 'api',
        details: { kind: revoked.kind, period: revoked.period },
      })
    }
    return revoked
  })
  if (row !== undefined) return { status: 'revoked', override: toRecord(row) }
  const existing = await db.selectFrom('overrides').selectAll().where('id', '=', id).executeTakeFirst()
  return existing === undefined
    ? { status: 'not_found' }
    : { status: 'already_revoked', override: toRecord(existing) }
}
