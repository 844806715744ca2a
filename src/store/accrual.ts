import { type Kysely, sql } from 'kysely'
import { accruedCosts, DEFERRAL_KINDS, type DeferralEvent, type RateChange } from '../domain/index.ts'
import type { Tables } from './tables.ts'

/**
 * Accrued cost of delay (domain accrual.ts) from what the store keeps: each late epic's events and
 * its cost of delay per period over time, read from the entries stored with each version (an entry
 * row holds the epic's entry for the range of versions it stayed the same in).
 */

const CHUNK = 1000

/** Each epic's cost of delay per period from each version on; null while it was off the roadmap or unscored. */
export async function rateHistories(
  db: Kysely<Tables>,
  epicIds: readonly string[],
): Promise<Map<string, RateChange[]>> {
  const histories = new Map<string, RateChange[]>()
  for (let i = 0; i < epicIds.length; i += CHUNK) {
    const rows = await db
      .selectFrom('roadmap_entry_ranges as r')
      .innerJoin('roadmap_versions as v', (join) => join.on(sql<boolean>`v.id = lower(r.valid)`))
      .leftJoin('roadmap_versions as u', (join) => join.on(sql<boolean>`u.id = upper(r.valid)`))
      .select([
        'r.epic_id',
        'v.built_at as from',
        'u.built_at as until',
        sql<number | null>`(r.entry -> 'score' -> 'breakdown' ->> 'costOfDelay')::float8`.as('cost'),
      ])
      .where('r.epic_id', 'in', epicIds.slice(i, i + CHUNK))
      .orderBy('r.epic_id')
      .orderBy(sql`lower(r.valid)`)
      .execute()
    for (const row of rows) {
      const list = histories.get(row.epic_id) ?? []
      const from = row.from.toISOString()
      // A range that ended without a successor starting then: the epic left the roadmap.
      const last = list.at(-1)
      if (last !== undefined && last.costOfDelay === null && last.from === from) list.pop()
      list.push({ from, costOfDelay: row.cost === null ? null : Number(row.cost) })
      if (row.until !== null) list.push({ from: row.until.toISOString(), costOfDelay: null })
      histories.set(row.epic_id, list)
    }
  }
  return histories
}

/**
 * Accrued cost of delay per epic as of `asOf`, for every epic that ever left a committed period
 * (or those of `epicIds`); shipped epics keep theirs. Epics never deferred are absent.
 */
export async function accruedCostsAsOf(
  db: Kysely<Tables>,
  asOf: string,
  epicIds?: readonly string[],
): Promise<Map<string, number>> {
  const { events, rates } = await accrualInputs(db, epicIds)
  return accruedCosts(events, rates, asOf)
}

/** What accrued cost is computed from: only a build changes it (it stores events and entries). */
export interface AccrualInputs {
  events: DeferralEvent[]
  rates: Map<string, RateChange[]>
}

/** The events and cost-of-delay histories of every epic ever deferred (or of those of `epicIds`). */
export async function accrualInputs(db: Kysely<Tables>, epicIds?: readonly string[]): Promise<AccrualInputs> {
  if (epicIds !== undefined && epicIds.length === 0) return { events: [], rates: new Map() }
  let late = db
    .selectFrom('deferral_events')
    .select('epic_id')
    .distinct()
    .where('kind', 'in', [...DEFERRAL_KINDS])
  if (epicIds !== undefined) late = late.where('epic_id', 'in', [...epicIds])
  const ids = (await late.execute()).map((r) => r.epic_id)
  if (ids.length === 0) return { events: [], rates: new Map() }
  const events: DeferralEvent[] = []
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db
      .selectFrom('deferral_events')
      .select('event')
      .where('epic_id', 'in', ids.slice(i, i + CHUNK))
      .where('kind', 'in', [...DEFERRAL_KINDS, 'completed', 'removed'])
      .execute()
    for (const r of rows) events.push(r.event as DeferralEvent)
  }
  return { events, rates: await rateHistories(db, ids) }
}
