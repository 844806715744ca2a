import type { Kysely, Selectable, Transaction } from 'kysely'
import { DEFERRAL_KINDS, type DeferralEvent, isDeferral } from '../domain/index.ts'
import { type AuthorIdentity, type Decision, type DecisionVia, recordDecision } from './decision-log.ts'
import type { Tables } from './tables.ts'

/**
 * Sign-offs of deferrals (deferral_acks): the owner accepts a deferral with a reason, or answers it
 * with a pin. Each sign-off has its decision in the log. See migrations/0004_decisions.sql.
 */

export type AckVia = Tables['deferral_acks']['via']

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

type Db = Kysely<Tables> | Transaction<Tables>

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

export type AckOutcome =
  | { status: 'acknowledged'; event: AcknowledgedEvent; decision: Decision }
  | { status: 'already'; event: AcknowledgedEvent }
  | { status: 'not_a_deferral'; event: DeferralEvent }
  | { status: 'not_found' }

/**
 * Accepts a deferral with a reason: records the acknowledgement and its decision in one
 * transaction. A deferral is acknowledged once; a second call answers `already` with the first.
 */
export async function acknowledgeDeferral(
  db: Kysely<Tables>,
  input: {
    eventId: string
    by: string
    identity?: AuthorIdentity
    reason: string
    via: DecisionVia
    now: Date
  },
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
    if (!isDeferral(row.kind)) return { status: 'not_a_deferral' as const, event }
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
      identity: input.identity,
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
    events.filter((e) => isDeferral(e.kind)).map((e) => e.id),
  )
  return events.map((e) => ({ ...e, acknowledgement: acks.get(e.id) ?? null }))
}

export type EpicAckOutcome =
  | { status: 'acknowledged'; events: AcknowledgedEvent[]; decision: Decision }
  | { status: 'nothing_open'; events: AcknowledgedEvent[] }

/**
 * Accepts every open deferral of one epic with one decision: one owner call answers all of an
 * epic's deferrals (DESIGN.md, "Deferral"). Locks the epic's deferrals first, so two calls at once
 * record one decision; a call with nothing open answers `nothing_open` with the epic's deferrals.
 */
export async function acknowledgeEpic(
  db: Kysely<Tables>,
  input: {
    epicId: string
    by: string
    identity?: AuthorIdentity
    reason: string
    via: DecisionVia
    now: Date
  },
): Promise<EpicAckOutcome> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('deferral_events')
      .select(['id', 'event', 'version_id', 'kind'])
      .where('epic_id', '=', input.epicId)
      .where('kind', 'in', [...DEFERRAL_KINDS])
      .orderBy('occurred_at')
      .orderBy('id')
      .forUpdate()
      .execute()
    const events = rows.map((r) => r.event as DeferralEvent)
    const acks = await acknowledgementsOf(
      trx,
      rows.map((r) => r.id),
    )
    const open = rows.filter((r) => !acks.has(r.id))
    if (open.length === 0) {
      return {
        status: 'nothing_open' as const,
        events: events.map((e) => ({ ...e, acknowledgement: acks.get(e.id) ?? null })),
      }
    }
    const decision = await recordDecision(trx, {
      kind: 'acknowledgement',
      author: input.by,
      identity: input.identity,
      at: input.now.toISOString(),
      rationale: input.reason,
      epicId: input.epicId,
      versionId: Math.max(...open.map((r) => r.version_id)),
      subject: (open[0] as (typeof open)[number]).id,
      via: input.via,
      details: {
        eventIds: open.map((r) => r.id),
        periods: open.map((r) => (r.event as DeferralEvent).fromPeriod),
      },
    })
    const inserted = await trx
      .insertInto('deferral_acks')
      .values(
        open.map((r) => ({
          event_id: r.id,
          epic_id: input.epicId,
          by: input.by,
          at: input.now,
          reason: input.reason,
          via: input.via,
          override_id: null,
          decision_id: decision.id,
        })),
      )
      .returningAll()
      .execute()
    for (const row of inserted) acks.set(row.event_id, toAck(row))
    return {
      status: 'acknowledged' as const,
      events: events.map((e) => ({ ...e, acknowledgement: acks.get(e.id) ?? null })),
      decision,
    }
  })
}
