import { type Kysely, type SelectQueryBuilder, sql } from 'kysely'
import {
  DEFERRAL_KINDS,
  type DeferralEvent,
  type DeferralEventKind,
  epicIdOf,
  type LedgerDigest,
  type Track,
} from '../domain/index.ts'
import type { Tables } from './tables.ts'

/**
 * Every read of the deferral ledger (deferral_events), for builds, the API and reports. Events come
 * back as the domain made them. They are written with their version (roadmaps.ts), and signed off
 * in sign-offs.ts.
 */

/** The kinds that count as a deferral, as the column filter takes them. */
const DEFERRALS = [...DEFERRAL_KINDS]

/** Every event of one epic, oldest first. */
export async function epicHistory(db: Kysely<Tables>, epicId: string): Promise<DeferralEvent[]> {
  const rows = await db
    .selectFrom('deferral_events')
    .select('event')
    .where('epic_id', '=', epicId)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute()
  return rows.map((r) => r.event as DeferralEvent)
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

/** One deferral event of the ledger; null when there is none with this id. */
export async function deferralEvent(
  db: Kysely<Tables>,
  eventId: string,
): Promise<{ event: DeferralEvent; versionId: number } | null> {
  const row = await db
    .selectFrom('deferral_events')
    .select(['event', 'version_id'])
    .where('id', '=', eventId)
    .executeTakeFirst()
  return row === undefined ? null : { event: row.event as DeferralEvent, versionId: row.version_id }
}

/** The events recorded by the versions after `afterVersion` up to and including `upToVersion`, oldest first. */
export async function eventsBetweenVersions(
  db: Kysely<Tables>,
  afterVersion: number,
  upToVersion: number,
): Promise<DeferralEvent[]> {
  const rows = await db
    .selectFrom('deferral_events')
    .select('event')
    .where('version_id', '>', afterVersion)
    .where('version_id', '<=', upToVersion)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute()
  return rows.map((r) => r.event as DeferralEvent)
}

export interface LedgerFilter {
  epicId?: string
  /** Team and track as the event's epic snapshot recorded them. */
  team?: string
  track?: Track
  source?: string
  /** Kinds to include; undefined = every kind. */
  kinds?: readonly DeferralEventKind[]
  /** occurred at or after (inclusive). */
  from?: string
  /** occurred before (exclusive). */
  to?: string
  /** Signed off (true) or not (false); see sign-offs.ts. */
  acknowledged?: boolean
}

/** Where a page of the ledger ended: the last event's time and id. */
export interface LedgerPosition {
  at: string
  id: string
}

export interface LedgerPage {
  events: DeferralEvent[]
  /** Where the next page starts; null when this page is the last. */
  next: LedgerPosition | null
  /** Events matching the filter, all pages together. */
  total: number
}

/**
 * One page of the ledger, newest first, by keyset on (occurred_at, id): stable while new builds
 * add events, and every event comes once however the ledger is walked.
 */
export async function ledgerPage(
  db: Kysely<Tables>,
  filter: LedgerFilter,
  page: { limit: number; after?: LedgerPosition },
): Promise<LedgerPage> {
  let query = filtered(db.selectFrom('deferral_events'), filter)
    .select(['event', 'occurred_at', 'id'])
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1)
  if (page.after !== undefined) {
    const { at, id } = page.after
    query = query.where(sql<boolean>`(occurred_at, id) < (${at}::timestamptz, ${id})`)
  }
  const [rows, count] = await Promise.all([
    query.execute(),
    filtered(db.selectFrom('deferral_events'), filter)
      .select(sql<number>`count(*)::int`.as('total'))
      .executeTakeFirstOrThrow(),
  ])
  const more = rows.length > page.limit
  const shown = more ? rows.slice(0, page.limit) : rows
  const last = shown.at(-1)
  return {
    events: shown.map((r) => r.event as DeferralEvent),
    next: more && last !== undefined ? { at: last.occurred_at.toISOString(), id: last.id } : null,
    total: Number(count.total),
  }
}

function filtered<O>(
  query: SelectQueryBuilder<Tables, 'deferral_events', O>,
  filter: LedgerFilter,
): SelectQueryBuilder<Tables, 'deferral_events', O> {
  let q = query
  if (filter.epicId !== undefined) q = q.where('epic_id', '=', filter.epicId)
  if (filter.team !== undefined) q = q.where(sql<string>`event->'epic'->>'team'`, '=', filter.team)
  if (filter.track !== undefined) q = q.where(sql<string>`event->'epic'->>'track'`, '=', filter.track)
  if (filter.source !== undefined)
    q = q.where(sql<boolean>`starts_with(epic_id, ${epicIdOf(filter.source, '')})`)
  if (filter.kinds !== undefined) q = q.where('kind', 'in', [...filter.kinds])
  if (filter.from !== undefined) q = q.where('occurred_at', '>=', new Date(filter.from))
  if (filter.to !== undefined) q = q.where('occurred_at', '<', new Date(filter.to))
  if (filter.acknowledged !== undefined) {
    const signed = sql<boolean>`exists (select 1 from deferral_acks a where a.event_id = deferral_events.id)`
    q = q.where(filter.acknowledged ? signed : sql<boolean>`not ${signed}`)
  }
  return q
}

/**
 * Projected cost of delay of the deferrals each version recorded, per track, oldest first: the price
 * of the calls as they were made (never negative: a pull-in gives nothing back).
 */
export async function costOfDelayByVersion(
  db: Kysely<Tables>,
): Promise<Array<{ versionId: number; builtAt: string; track: Track; added: number }>> {
  const rows = await db
    .selectFrom('deferral_events as e')
    .innerJoin('roadmap_versions as v', 'v.id', 'e.version_id')
    .select([
      'e.version_id',
      'v.built_at',
      sql<Track>`e.event->'epic'->>'track'`.as('track'),
      sql<number>`coalesce(sum((e.event->>'projectedCost')::float8), 0)`.as('added'),
    ])
    .where('e.kind', 'in', DEFERRALS)
    .groupBy(['e.version_id', 'v.built_at', sql`e.event->'epic'->>'track'`])
    .orderBy('e.version_id')
    .execute()
  return rows.map((r) => ({
    versionId: r.version_id,
    builtAt: r.built_at.toISOString(),
    track: r.track,
    added: Number(r.added),
  }))
}

/**
 * The ledger as a build needs it (the domain's LedgerDigest), computed in SQL so that a build reads
 * one row per epic instead of every event ever recorded. `recorded` holds the ids of events stored
 * by versions newer than `previousVersionId` — a build compares against the newest version, so only
 * a build that ran alongside could have recorded the same facts.
 */
export async function ledgerDigest(
  db: Kysely<Tables>,
  previousVersionId: number | null,
): Promise<LedgerDigest> {
  const [periods, recorded] = await Promise.all([
    db
      .selectFrom('deferral_events')
      .select(['epic_id', sql<string[]>`array_agg(distinct from_period)`.as('periods')])
      .where('kind', 'in', DEFERRALS)
      .where('from_period', 'is not', null)
      .groupBy('epic_id')
      .execute(),
    db
      .selectFrom('deferral_events')
      .select('id')
      .where('version_id', '>', previousVersionId ?? 0)
      .execute(),
  ])
  return {
    deferredPeriods: new Map(periods.map((r) => [r.epic_id, new Set(r.periods)])),
    recorded: new Set(recorded.map((r) => r.id)),
  }
}

/** Each deferred epic's latest deferral or roll-over (by time, then id), up to version `versionId` (null: all). */
export async function lastDeferrals(
  db: Kysely<Tables>,
  versionId: number | null = null,
): Promise<Map<string, DeferralEvent>> {
  let query = db
    .selectFrom('deferral_events')
    .distinctOn('epic_id')
    .select(['epic_id', 'event'])
    .where('kind', 'in', DEFERRALS)
    .orderBy('epic_id')
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
  if (versionId !== null) query = query.where('version_id', '<=', versionId)
  const rows = await query.execute()
  return new Map(rows.map((r) => [r.epic_id, r.event as DeferralEvent]))
}

/**
 * Each epic's deferral count — the distinct periods it was deferred or rolled out of — up to and
 * including version `versionId` (null: the whole ledger).
 */
export async function deferralCountsOf(
  db: Kysely<Tables>,
  versionId: number | null = null,
): Promise<Map<string, number>> {
  let query = db
    .selectFrom('deferral_events')
    .select(['epic_id', sql<number>`count(distinct from_period)::int`.as('count')])
    .where('kind', 'in', DEFERRALS)
    .where('from_period', 'is not', null)
  if (versionId !== null) query = query.where('version_id', '<=', versionId)
  const rows = await query.groupBy('epic_id').execute()
  return new Map(rows.map((r) => [r.epic_id, Number(r.count)]))
}

// ── Deferrals not signed off yet (deferral_acks holds the sign-offs) ─────────────────────────────

/** Deferrals without a sign-off, oldest first: the one query behind the reads below. */
function openDeferrals(db: Kysely<Tables>) {
  return db
    .selectFrom('deferral_events as e')
    .leftJoin('deferral_acks as a', 'a.event_id', 'e.id')
    .select('e.event')
    .where('e.kind', 'in', DEFERRALS)
    .where('a.event_id', 'is', null)
    .orderBy('e.occurred_at')
    .orderBy('e.id')
}

/** The epic's deferrals still unacknowledged, oldest first. */
export async function openDeferralsOf(db: Kysely<Tables>, epicId: string): Promise<DeferralEvent[]> {
  const rows = await openDeferrals(db).where('e.epic_id', '=', epicId).execute()
  return rows.map((r) => r.event as DeferralEvent)
}

/**
 * Unacknowledged deferrals per epic, counting the events recorded up to and including version
 * `versionId` (null: the whole ledger), and signed off by now.
 */
export async function unacknowledgedCounts(
  db: Kysely<Tables>,
  versionId: number | null = null,
): Promise<Map<string, number>> {
  let query = db
    .selectFrom('deferral_events as e')
    .leftJoin('deferral_acks as a', 'a.event_id', 'e.id')
    .select(['e.epic_id', sql<number>`count(*)::int`.as('count')])
    .where('e.kind', 'in', DEFERRALS)
    .where('a.event_id', 'is', null)
  if (versionId !== null) query = query.where('e.version_id', '<=', versionId)
  const rows = await query.groupBy('e.epic_id').execute()
  return new Map(rows.map((r) => [r.epic_id, Number(r.count)]))
}

/** Every unacknowledged deferral, oldest first (reports, the metric). */
export async function unacknowledgedDeferrals(db: Kysely<Tables>): Promise<DeferralEvent[]> {
  const rows = await openDeferrals(db).execute()
  return rows.map((r) => r.event as DeferralEvent)
}

/** Unacknowledged deferrals in total and per team (of the epic at the time), for the gauge. */
export async function unacknowledgedByTeam(db: Kysely<Tables>): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('deferral_events as e')
    .leftJoin('deferral_acks as a', 'a.event_id', 'e.id')
    .select([sql<string>`e.event->'epic'->>'team'`.as('team'), sql<number>`count(*)::int`.as('count')])
    .where('e.kind', 'in', DEFERRALS)
    .where('a.event_id', 'is', null)
    .groupBy(sql`e.event->'epic'->>'team'`)
    .execute()
  return new Map(rows.map((r) => [r.team ?? '', Number(r.count)]))
}
