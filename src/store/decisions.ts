import { randomUUID } from 'node:crypto'
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely'
import type { DeferralEvent, DeferralEventKind } from '../domain/index.ts'
import type { Tables, VersionStatus } from './tables.ts'

/**
 * Owned calls: the sign-off of deferrals (deferral_acks), the decision log (decisions) and the
 * publication of versions (roadmap_versions.status). See migrations/0004_decisions.sql.
 */

export type DecisionKind = Tables['decisions']['kind']
export type DecisionVia = Tables['decisions']['via']
export type AckVia = Tables['deferral_acks']['via']

export interface Decision {
  id: string
  kind: DecisionKind
  author: string
  at: string
  rationale: string | null
  epicId: string | null
  /** The roadmap version the call applied to: the deferral's, the newest at the time, or the approved one. */
  versionId: number | null
  /** The deferral event, override or version the call is about. */
  subject: string
  via: DecisionVia
  details: Record<string, unknown>
}

export interface Acknowledgement {
  by: string
  at: string
  reason: string
  via: AckVia
  /** The pin that answered the deferral (via 'override'). */
  overrideId: string | null
  decisionId: string
}

/** A ledger event with its sign-off: null when a deferral is still unacknowledged (and for other kinds). */
export type AcknowledgedEvent = DeferralEvent & { acknowledgement: Acknowledgement | null }

const DEFERRAL_KINDS: DeferralEventKind[] = ['deferred', 'rolled_over']

type Db = Kysely<Tables> | Transaction<Tables>

export function newDecisionId(): string {
  return randomUUID().replaceAll('-', '').slice(0, 12)
}

function toDecision(row: Selectable<Tables['decisions']>): Decision {
  return {
    id: row.id,
    kind: row.kind,
    author: row.author,
    at: row.at.toISOString(),
    rationale: row.rationale,
    epicId: row.epic_id,
    versionId: row.version_id,
    subject: row.subject,
    via: row.via,
    details: row.details,
  }
}

function toAck(row: Selectable<Tables['deferral_acks']>): Acknowledgement {
  return {
    by: row.by,
    at: row.at.toISOString(),
    reason: row.reason,
    via: row.via,
    overrideId: row.override_id,
    decisionId: row.decision_id,
  }
}

/** The newest version's id; null before the first build. */
export async function newestVersionId(db: Db): Promise<number | null> {
  const row = await db
    .selectFrom('roadmap_versions')
    .select('id')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row?.id ?? null
}

export async function recordDecision(
  db: Db,
  decision: Omit<Decision, 'id'> & { id?: string },
): Promise<Decision> {
  const row = await db
    .insertInto('decisions')
    .values({
      id: decision.id ?? newDecisionId(),
      kind: decision.kind,
      author: decision.author,
      at: decision.at,
      rationale: decision.rationale,
      epic_id: decision.epicId,
      version_id: decision.versionId,
      subject: decision.subject,
      via: decision.via,
      details: JSON.stringify(decision.details),
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return toDecision(row)
}

export type AckOutcome =
  | { status: 'acknowledged'; event: AcknowledgedEvent; decision: Decision }
  | { status: 'already'; event: AcknowledgedEvent }
  | { status: 'not_a_deferral'; event: DeferralEvent }
  | { status: 'not_found' }

/** One deferral event of the ledger; null when there is none with this id. */
export async function deferralEvent(
  db: Db,
  eventId: string,
): Promise<{ event: DeferralEvent; versionId: number } | null> {
  const row = await db
    .selectFrom('deferral_events')
    .select(['event', 'version_id'])
    .where('id', '=', eventId)
    .executeTakeFirst()
  return row === undefined ? null : { event: row.event as DeferralEvent, versionId: row.version_id }
}

/**
 * Accepts a deferral with a reason: records the acknowledgement and its decision in one
 * transaction. A deferral is acknowledged once; a second call answers `already` with the first.
 */
export async function acknowledgeDeferral(
  db: Kysely<Tables>,
  input: { eventId: string; by: string; reason: string; via: 'api' | 'slack'; now: Date },
): Promise<AckOutcome> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('deferral_events')
      .select(['event', 'version_id', 'kind', 'epic_id'])
      .where('id', '=', input.eventId)
      .forUpdate()
      .executeTakeFirst()
    if (row === undefined) return { status: 'not_found' as const }
    const event = row.event as DeferralEvent
    if (!DEFERRAL_KINDS.includes(row.kind)) return { status: 'not_a_deferral' as const, event }
    const existing = await trx
      .selectFrom('deferral_acks')
      .selectAll()
      .where('event_id', '=', input.eventId)
      .executeTakeFirst()
    if (existing !== undefined)
      return { status: 'already' as const, event: { ...event, acknowledgement: toAck(existing) } }
    const decision = await recordDecision(trx, {
      kind: 'acknowledgement',
      author: input.by,
      at: input.now.toISOString(),
      rationale: input.reason,
      epicId: row.epic_id,
      versionId: row.version_id,
      subject: input.eventId,
      via: input.via,
      details: { eventKind: row.kind, fromPeriod: event.fromPeriod, toPeriod: event.toPeriod },
    })
    const ack = await trx
      .insertInto('deferral_acks')
      .values({
        event_id: input.eventId,
        epic_id: row.epic_id,
        by: input.by,
        at: input.now,
        reason: input.reason,
        via: input.via,
        override_id: null,
        decision_id: decision.id,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    return { status: 'acknowledged' as const, event: { ...event, acknowledgement: toAck(ack) }, decision }
  })
}

/** The epic's deferrals still unacknowledged, oldest first. */
export async function openDeferralsOf(db: Db, epicId: string): Promise<DeferralEvent[]> {
  const rows = await db
    .selectFrom('deferral_events as e')
    .leftJoin('deferral_acks as a', 'a.event_id', 'e.id')
    .select('e.event')
    .where('e.epic_id', '=', epicId)
    .where('e.kind', 'in', DEFERRAL_KINDS)
    .where('a.event_id', 'is', null)
    .orderBy('e.occurred_at')
    .orderBy('e.id')
    .execute()
  return rows.map((r) => r.event as DeferralEvent)
}

/** Marks deferrals as answered by an owner's pin (the override's decision). Returns their ids. */
export async function answerDeferrals(
  db: Db,
  input: {
    events: readonly DeferralEvent[]
    by: string
    reason: string
    overrideId: string
    decisionId: string
    now: Date
  },
): Promise<string[]> {
  if (input.events.length === 0) return []
  const rows = await db
    .insertInto('deferral_acks')
    .values(
      input.events.map((e) => ({
        event_id: e.id,
        epic_id: e.epicId,
        by: input.by,
        at: input.now,
        reason: input.reason,
        via: 'override' as const,
        override_id: input.overrideId,
        decision_id: input.decisionId,
      })),
    )
    .onConflict((oc) => oc.column('event_id').doNothing())
    .returning('event_id')
    .execute()
  return rows.map((r) => r.event_id)
}

/** The acknowledgements of these events, by event id (unacknowledged ones are absent). */
export async function acknowledgementsOf(
  db: Db,
  eventIds: readonly string[],
): Promise<Map<string, Acknowledgement>> {
  if (eventIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('deferral_acks')
    .selectAll()
    .where('event_id', 'in', [...eventIds])
    .execute()
  return new Map(rows.map((r) => [r.event_id, toAck(r)]))
}

/** Events with their acknowledgement (null when none, or when the event is not a deferral). */
export async function withAcknowledgements(
  db: Db,
  events: readonly DeferralEvent[],
): Promise<AcknowledgedEvent[]> {
  const acks = await acknowledgementsOf(
    db,
    events.filter((e) => DEFERRAL_KINDS.includes(e.kind)).map((e) => e.id),
  )
  return events.map((e) => ({ ...e, acknowledgement: acks.get(e.id) ?? null }))
}

/**
 * Unacknowledged deferrals per epic, counting the events recorded up to and including version
 * `versionId` (null: the whole ledger), and signed off by now.
 */
export async function unacknowledgedCounts(
  db: Db,
  versionId: number | null = null,
): Promise<Map<string, number>> {
  let query = db
    .selectFrom('deferral_events as e')
    .leftJoin('deferral_acks as a', 'a.event_id', 'e.id')
    .select(['e.epic_id', sql<number>`count(*)::int`.as('count')])
    .where('e.kind', 'in', DEFERRAL_KINDS)
    .where('a.event_id', 'is', null)
  if (versionId !== null) query = query.where('e.version_id', '<=', versionId)
  const rows = await query.groupBy('e.epic_id').execute()
  return new Map(rows.map((r) => [r.epic_id, Number(r.count)]))
}

/** Every unacknowledged deferral, oldest first (reports, the metric). */
export async function unacknowledgedDeferrals(db: Db): Promise<DeferralEvent[]> {
  const rows = await db
    .selectFrom('deferral_events as e')
    .leftJoin('deferral_acks as a', 'a.event_id', 'e.id')
    .select('e.event')
    .where('e.kind', 'in', DEFERRAL_KINDS)
    .where('a.event_id', 'is', null)
    .orderBy('e.occurred_at')
    .orderBy('e.id')
    .execute()
  return rows.map((r) => r.event as DeferralEvent)
}

/** Unacknowledged deferrals in total and per team (of the epic at the time), for the gauge. */
export async function unacknowledgedByTeam(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('deferral_events as e')
    .leftJoin('deferral_acks as a', 'a.event_id', 'e.id')
    .select([sql<string>`e.event->'epic'->>'team'`.as('team'), sql<number>`count(*)::int`.as('count')])
    .where('e.kind', 'in', DEFERRAL_KINDS)
    .where('a.event_id', 'is', null)
    .groupBy(sql`e.event->'epic'->>'team'`)
    .execute()
  return new Map(rows.map((r) => [r.team ?? '', Number(r.count)]))
}

export interface DecisionFilter {
  kinds?: readonly DecisionKind[]
  author?: string
  epicId?: string
  /** at or after (inclusive) */
  from?: string
  /** before (exclusive) */
  to?: string
}

export interface DecisionPosition {
  at: string
  id: string
}

/** The decision log, newest first, by keyset on (at, id), like the ledger. */
export async function decisionPage(
  db: Db,
  filter: DecisionFilter,
  page: { limit: number; after?: DecisionPosition },
): Promise<{ decisions: Decision[]; next: DecisionPosition | null; total: number }> {
  let query = db.selectFrom('decisions').selectAll()
  let count = db.selectFrom('decisions').select(sql<number>`count(*)::int`.as('total'))
  if (filter.kinds !== undefined) {
    query = query.where('kind', 'in', [...filter.kinds])
    count = count.where('kind', 'in', [...filter.kinds])
  }
  if (filter.author !== undefined) {
    query = query.where('author', '=', filter.author)
    count = count.where('author', '=', filter.author)
  }
  if (filter.epicId !== undefined) {
    query = query.where('epic_id', '=', filter.epicId)
    count = count.where('epic_id', '=', filter.epicId)
  }
  if (filter.from !== undefined) {
    query = query.where('at', '>=', new Date(filter.from))
    count = count.where('at', '>=', new Date(filter.from))
  }
  if (filter.to !== undefined) {
    query = query.where('at', '<', new Date(filter.to))
    count = count.where('at', '<', new Date(filter.to))
  }
  if (page.after !== undefined) {
    query = query.where(sql<boolean>`(at, id) < (${page.after.at}::timestamptz, ${page.after.id})`)
  }
  const [rows, total] = await Promise.all([
    query
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit + 1)
      .execute(),
    count.executeTakeFirstOrThrow(),
  ])
  const more = rows.length > page.limit
  const shown = (more ? rows.slice(0, page.limit) : rows).map(toDecision)
  const last = shown.at(-1)
  return {
    decisions: shown,
    next: more && last !== undefined ? { at: last.at, id: last.id } : null,
    total: Number(total.total),
  }
}

/** Decisions made in (from, to], oldest first: the report's "calls made this week". */
export async function decisionsBetween(db: Db, from: string, to: string): Promise<Decision[]> {
  const rows = await db
    .selectFrom('decisions')
    .selectAll()
    .where('at', '>', new Date(from))
    .where('at', '<=', new Date(to))
    .orderBy('at')
    .orderBy('id')
    .execute()
  return rows.map(toDecision)
}

// ── Versions: proposed, approved, superseded, published ──────────────────────────────────────────

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

/** Serialises approvals with version saves (the same key as saveRoadmapVersion). */
const SAVE_LOCK = 0x6f6e6574

/**
 * Approves the newest proposal. An older proposal is refused (`not_newest`, naming the newest): it
 * was superseded, and approving it would write back an outdated plan.
 */
export async function approveVersion(
  db: Kysely<Tables>,
  input: { id: number; by: string; note: string | null; via: DecisionVia; now: Date },
): Promise<ApproveOutcome> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${SAVE_LOCK})`.execute(trx)
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
