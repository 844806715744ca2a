import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SimContext } from '../context.ts'
import { MESSAGES, sendError } from '../errors.ts'
import { type CompiledJql, compileJql } from '../jql-eval.ts'
import { JqlError } from '../jql-parser.ts'
import { fieldSelection, isIdOnly, issueJson } from '../render.ts'

/**
 * The enhanced JQL search. Pages are chained by an opaque `nextPageToken` (here: the sort values of
 * the last issue served, so an issue edited while a client pages moves to a later page instead of
 * shifting others out of reach); the last page has `isLast: true` and no token at all. `fields`
 * defaults to `id` only; `maxResults` defaults to 50 and is capped at 5,000 when only ids/keys are
 * asked for and at 100 otherwise.
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-jql-post
 * @see https://developer.atlassian.com/changelog/#CHANGE-2046
 */
export const PAGE_CAP_IDS = 5000
export const PAGE_CAP_FIELDS = 100
const DEFAULT_MAX_RESULTS = 50

interface SearchParams {
  jql?: unknown
  nextPageToken?: unknown
  maxResults?: unknown
  fields?: unknown
}

export function searchRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get<{ Querystring: SearchParams }>('/rest/api/3/search/jql', (request, reply) =>
    search(ctx, request, reply, request.query),
  )
  app.post<{ Body: SearchParams }>('/rest/api/3/search/jql', (request, reply) =>
    search(ctx, request, reply, request.body ?? {}),
  )
  app.post<{ Body: { jql?: unknown } }>('/rest/api/3/search/approximate-count', async (request, reply) => {
    const compiled = compile(ctx, reply, request.body?.jql)
    if (compiled === null) return reply
    let count = 0
    for (const issue of compiled.candidates() ?? ctx.state.issues.values())
      if (compiled.matches(issue)) count++
    return { count }
  })
}

function compile(ctx: SimContext, reply: FastifyReply, jql: unknown): CompiledJql | null {
  if (typeof jql !== 'string' || jql.trim() === '') {
    sendError(reply, 400, [MESSAGES.unbounded])
    return null
  }
  try {
    return compileJql(jql, {
      state: ctx.state,
      timeZone: ctx.account.timeZone,
      now: ctx.state.now(),
      canBrowse: ctx.state.permissions.BROWSE_PROJECTS,
    })
  } catch (error) {
    if (!(error instanceof JqlError)) throw error
    sendError(reply, 400, [error.message])
    return null
  }
}

async function search(
  ctx: SimContext,
  request: FastifyRequest,
  reply: FastifyReply,
  params: SearchParams,
): Promise<unknown> {
  const compiled = compile(ctx, reply, params.jql)
  if (compiled === null) return reply
  const selection = fieldSelection(params.fields, 'id')
  const cap = isIdOnly(selection) ? PAGE_CAP_IDS : PAGE_CAP_FIELDS
  const asked = params.maxResults === undefined ? DEFAULT_MAX_RESULTS : Number(params.maxResults)
  if (!Number.isInteger(asked) || asked < 0) {
    return sendError(reply, 400, [], {
      maxResults: 'The maxResults parameter must be a non-negative integer.',
    })
  }
  const pageSize = Math.min(asked === 0 ? DEFAULT_MAX_RESULTS : asked, cap)
  const queryHash = createHash('sha256').update(String(params.jql)).digest('base64url').slice(0, 16)

  let after: PageToken | null = null
  if (params.nextPageToken !== undefined && params.nextPageToken !== null) {
    after = readToken(params.nextPageToken, queryHash)
    if (after === null) return sendError(reply, 400, ['The provided next page token is invalid or expired.'])
  }
  const fault = ctx.faults.paging()
  const matching = [...(compiled.candidates() ?? ctx.state.issues.values())]
    .filter((issue) => compiled.matches(issue))
    .map((issue) => ({ issue, key: compiled.sortKey(issue) }))
    .sort((a, b) => compiled.compare(a.key, b.key))
  let start = after === null ? 0 : firstAfter(matching, after.after, compiled)
  let lap = after?.lap ?? 0
  if (fault === 'endless' && start >= matching.length && matching.length > 0) {
    start = 0
    lap += 1
  }
  const page = matching.slice(start, start + pageSize)
  const isLast = fault === null && start + pageSize >= matching.length
  const render = ctx.render(request)
  const body: Record<string, unknown> = {
    issues: page.map(({ issue }) => issueJson(render, issue, selection)),
    isLast,
  }
  const last = page.at(-1)
  if (!isLast && last !== undefined) body.nextPageToken = writeToken(queryHash, last.key, lap)
  if (fault === 'repeat-token' && typeof params.nextPageToken === 'string')
    body.nextPageToken = params.nextPageToken
  return body
}

/** Where a page starts: after these sort values, on this pass over the issues (`endless` only). */
interface PageToken {
  after: Array<string | number>
  lap: number
}

function firstAfter(
  matching: Array<{ key: Array<string | number> }>,
  after: Array<string | number>,
  compiled: CompiledJql,
): number {
  let low = 0
  let high = matching.length
  while (low < high) {
    const mid = (low + high) >> 1
    if (compiled.compare((matching[mid] as { key: Array<string | number> }).key, after) <= 0) low = mid + 1
    else high = mid
  }
  return low
}

function writeToken(queryHash: string, after: Array<string | number>, lap: number): string {
  const json = lap === 0 ? { q: queryHash, a: after } : { q: queryHash, a: after, l: lap }
  return Buffer.from(JSON.stringify(json)).toString('base64url')
}

function readToken(token: unknown, queryHash: string): PageToken | null {
  if (typeof token !== 'string') return null
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      q?: unknown
      a?: unknown
      l?: unknown
    }
    if (parsed.q !== queryHash || !Array.isArray(parsed.a)) return null
    return { after: parsed.a as Array<string | number>, lap: typeof parsed.l === 'number' ? parsed.l : 0 }
  } catch {
    return null
  }
}
