import { createHash } from 'node:crypto'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import { sql } from 'kysely'
import { newestVersionId, versionMeta } from '../../../store/index.ts'
import type { ApiDeps } from './index.ts'
import {
  keptAccruedCosts,
  type RoadmapFilter,
  type TimelineAnswer,
  timelineWithClock,
} from './roadmap-view.ts'

/**
 * The timeline answer, serialised and compressed once and served again while nothing it is made of
 * has changed: megabytes of JSON at thousands of epics, most of the cost of the page's first request.
 *
 * What it is made of, and what the key reads to notice a change:
 * - the version (its id) and its publication state (status, approval: versionMeta, read each time);
 * - the newest version id: a build adds deferral events, accrual inputs and changes which version
 *   reads accrued cost as of now;
 * - sign-offs: deferral_acks only ever gains rows (a sign-off, or a pin answering deferrals), so
 *   its row count changes with every change of the unacknowledged counts;
 * - the filter.
 * Accrued cost of delay grows with the clock for every late open epic, so it is not part of the
 * cached text: the body is kept as the text between the entries' accruedCost values, which are
 * read per request at the same clock as an uncached answer and put in. The compressed body and its
 * ETag are reused as long as those figures come out the same (always for an older version, whose
 * clock is its build time).
 */

/** A few filters of a few versions per database: each entry holds one body of up to megabytes. */
const MAX_ENTRIES = 4

/** Stands in for each entry's accruedCost while the body is serialised: negative, which no accrued cost is. */
const PLACEHOLDER = -7.77e-300
const PLACEHOLDER_TEXT = `"accruedCost":${PLACEHOLDER}`

/** Encodings served from the cache, in the compress plugin's order of preference (app.ts). */
const ENCODINGS = ['br', 'gzip'] as const
type CachedEncoding = (typeof ENCODINGS)[number]

const brotli = promisify(zlib.brotliCompress)
const gzip = promisify(zlib.gzip)
const COMPRESS: Record<CachedEncoding, (body: string) => Promise<Buffer>> = {
  // The compress plugin's settings (app.ts): brotli at quality 4.
  br: (body) => brotli(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } }),
  gzip: (body) => gzip(body),
}

/** One body as served: the JSON text, its ETag, and its compressed forms once asked for. */
export interface TimelineBody {
  text: string
  etag: string
  encoded(encoding: CachedEncoding): Promise<Buffer>
}

interface Template {
  /** The serialised answer cut at each entry's accruedCost; one more part than entries. */
  parts: string[]
  /** The entries' epic ids, in order: whose figure goes after each part. */
  epicIds: string[]
  /** The clock accrued cost is read at: null for now (the newest version). */
  fixedAsOf: string | null
  last?: { figures: string; body: TimelineBody }
}

type Db = ApiDeps['database']['db']
type Serialize = (answer: TimelineAnswer) => string

const caches = new WeakMap<Db, Map<string, Promise<Template | null>>>()

/**
 * The timeline answer for this version (or the newest) and filter, as JSON text with its ETag.
 * Throws the same errors as timelineView (404 before the first build or for an unknown version).
 */
export async function cachedTimeline(
  deps: ApiDeps,
  versionId: number | undefined,
  filter: RoadmapFilter,
  serialize: Serialize,
): Promise<TimelineBody> {
  const db = deps.database.db
  // Read before the answer: figures read after these are at least as new as the key says.
  const newest = await newestVersionId(db)
  const id = versionId ?? newest
  const [meta, signOffs] = await Promise.all([
    id === null ? Promise.resolve(null) : versionMeta(db, id),
    signOffCount(db),
  ])
  if (newest === null || meta === null) {
    // Nothing to cache: timelineView answers (or refuses) as it does uncached.
    const { answer } = await timelineWithClock(deps, versionId, filter)
    return bodyOf(serialize(answer))
  }
  const key = JSON.stringify([
    meta,
    newest,
    signOffs,
    filter.team,
    filter.track,
    filter.source,
    filter.period,
  ])
  let cache = caches.get(db)
  if (cache === undefined) {
    cache = new Map()
    caches.set(db, cache)
  }
  let pending = cache.get(key)
  if (pending === undefined) {
    pending = buildTemplate(deps, versionId, filter, serialize, meta.id)
    // A failed or unusable build is not kept: the next request builds again.
    pending.then(
      (template) => {
        if (template === null && cache.get(key) === pending) cache.delete(key)
      },
      () => {
        if (cache.get(key) === pending) cache.delete(key)
      },
    )
  } else cache.delete(key) // moved to the newest end below: the oldest is evicted first
  cache.set(key, pending)
  while (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string)

  const template = await pending
  if (template === null) {
    const { answer } = await timelineWithClock(deps, versionId, filter)
    return bodyOf(serialize(answer))
  }
  const accrued = await keptAccruedCosts(db, template.fixedAsOf ?? deps.now().toISOString())
  const values = template.epicIds.map((epicId) => numberText(accrued.get(epicId) ?? 0))
  const figures = values.join(',')
  if (template.last?.figures === figures) return template.last.body
  const pieces: string[] = [template.parts[0] ?? '']
  for (const [i, value] of values.entries())
    pieces.push(`"accruedCost":${value}`, template.parts[i + 1] ?? '')
  const body = bodyOf(pieces.join(''))
  template.last = { figures, body }
  return body
}

/** The answer serialised with placeholders for accrued cost; null when it cannot be cut safely. */
async function buildTemplate(
  deps: ApiDeps,
  versionId: number | undefined,
  filter: RoadmapFilter,
  serialize: Serialize,
  expectedId: number,
): Promise<Template | null> {
  const { answer, clock } = await timelineWithClock(deps, versionId, filter)
  // A build stored between the key's reads and the answer's: this answer is not the key's.
  if (answer.version.id !== expectedId) return null
  const text = serialize({
    ...answer,
    entries: answer.entries.map((e) => ({ ...e, accruedCost: PLACEHOLDER })),
  })
  const parts = text.split(PLACEHOLDER_TEXT)
  if (parts.length !== answer.entries.length + 1) return null
  return { parts, epicIds: answer.entries.map((e) => e.epicId), fixedAsOf: clock.live ? null : clock.asOf }
}

/** A number as the response serializer writes it (fast-json-stringify: infinities as null). */
function numberText(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null'
}

function bodyOf(text: string): TimelineBody {
  const etag = `"${createHash('sha1').update(text).digest('base64url')}"`
  const encoded = new Map<CachedEncoding, Promise<Buffer>>()
  return {
    text,
    etag,
    encoded(encoding) {
      let buffer = encoded.get(encoding)
      if (buffer === undefined) {
        buffer = COMPRESS[encoding](text)
        encoded.set(encoding, buffer)
      }
      return buffer
    },
  }
}

/** Sign-offs so far: deferral_acks rows are never updated or deleted, so the count tells a change. */
async function signOffCount(db: Db): Promise<number> {
  const { rows } = await sql<{ count: number }>`select count(*)::int as count from deferral_acks`.execute(db)
  return Number(rows[0]?.count ?? 0)
}

/**
 * The encoding to serve from the cache for this Accept-Encoding, or null to leave it to the compress
 * plugin: only plain lists (what browsers send); weights (`;q=`) are the plugin's to weigh.
 */
export function cachedEncoding(acceptEncoding: string | undefined): CachedEncoding | null {
  if (acceptEncoding === undefined || acceptEncoding.includes(';')) return null
  const accepted = new Set(acceptEncoding.split(',').map((e) => e.trim().toLowerCase()))
  return ENCODINGS.find((e) => accepted.has(e)) ?? null
}

/** Whether If-None-Match names this ETag (weak or strong, or `*`). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim()
    return t === '*' || t === etag || t === `W/${etag}`
  })
}
