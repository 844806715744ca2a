import { randomUUID } from 'node:crypto'
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely'
import type { Tables } from './tables.ts'

/**
 * The decision log (decisions): every owned call — sign-off, override, approval — with its author,
 * time and rationale. See migrations/0004_decisions.sql.
 */

export type DecisionKind = Tables['decisions']['kind']
export type DecisionVia = Tables['decisions']['via']

/** The identity behind an author's name, when it is known. */
export interface AuthorIdentity {
  email?: string
  subject?: string
}

export interface Decision {
  id: string
  kind: DecisionKind
  author: string
  authorEmail: string | null
  authorSubject: string | null
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

type Db = Kysely<Tables> | Transaction<Tables>

export function newDecisionId(): string {
  return randomUUID().replaceAll('-', '').slice(0, 12)
}

function toDecision(row: Selectable<Tables['decisions']>): Decision {
  return {
    id: row.id,
    kind: row.kind,
    author: row.author,
    authorEmail: row.author_email,
    authorSubject: row.author_subject,
    at: row.at.toISOString(),
    rationale: row.rationale,
    epicId: row.epic_id,
    versionId: row.version_id,
    subject: row.subject,
    via: row.via,
    details: row.details,
  }
}

export async function recordDecision(
  db: Db,
  decision: Omit<Decision, 'id' | 'authorEmail' | 'authorSubject'> & {
    id?: string
    identity?: AuthorIdentity | undefined
  },
): Promise<Decision> {
  const row = await db
    .insertInto('decisions')
    .values({
      id: decision.id ?? newDecisionId(),
      kind: decision.kind,
      author: decision.author,
      author_email: decision.identity?.email ?? null,
      author_subject: decision.identity?.subject ?? null,
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
