import { countIssues, getIssue, type Issue } from 'jira.js/cloud'
import { isApiError, isNotFoundError } from 'jira.js/core'
import { OnetrackError } from '../../errors.ts'
import type { Logger } from '../../logger.ts'
import type { SyncedEpic, SyncOutcome, SyncPage, SyncRequest } from '../types.ts'
import { childEstimates } from './children-effort.ts'
import { CursorTracker, decodeCursor, encodeCursor } from './cursor.ts'
import { type ChildEstimate, type MappingPlan, mapEpic, mappingPlan, searchFields } from './epic-mapping.ts'
import type { JiraTransport, Operation } from './http.ts'
import { epicScope, fullSyncJql, incrementalJql, oneEpicJql } from './jql.ts'
import type { MetadataCache } from './metadata.ts'
import { type OwnFields, readOwned } from './own-fields.ts'
import { JqlRejectedError, searchPages } from './search.ts'
import type { JiraSource } from './source.ts'
import { parseJiraDateTime } from './time-zone.ts'

export interface SyncDeps {
  source: JiraSource
  transport: JiraTransport
  metadata: MetadataCache
  ownFields: OwnFields
  logger: Logger
}

/** The widest offset from UTC a zone has (Pacific/Kiritimati): when the zone is unknown, read this much more. */
const WIDEST_OFFSET_MS = 14 * 3_600_000

/**
 * Full, incremental or one-epic sync through the enhanced search. A full sync reads everything in
 * scope (and says which ids are in scope, so the caller can tell deletions and moves out of the JQL);
 * an incremental one reads from the cursor minus the overlap window, in the account's time zone, and
 * hands over only epics whose `updated` is news (see cursor.ts).
 */
export async function runSync(
  deps: SyncDeps,
  request: SyncRequest,
  onPage: (page: SyncPage) => Promise<void>,
): Promise<SyncOutcome> {
  const { source } = deps
  const operation: Operation = { signal: request.signal, requests: 0 }
  const metadata = await deps.metadata.get(operation)
  const plan = mappingPlan(source, metadata)
  const scope = epicScope(source.jql, metadata.epicTypeIds)
  // onetrack's own fields ride along in the same search, so the pipeline can tell a ticket that no
  // longer shows what was written to it.
  const owned = source.writeBack.enabled ? deps.ownFields.readableIds(metadata.fields) : {}
  const fields = [...searchFields(plan), ...Object.values(owned)]
  const map = (issue: Issue, children: ChildEstimate | undefined): SyncedEpic => {
    const epic = mapEpic(issue, plan, children)
    if (Object.keys(owned).length === 0) return epic
    return { ...epic, owned: readOwned((issue.fields ?? {}) as Record<string, unknown>, owned) }
  }
  if (request.mode === 'epic')
    return syncOneEpic(deps, request, operation, { plan, fields, map }, scope, onPage)

  const previous = request.mode === 'incremental' ? decodeCursor(request.cursor) : null
  if (request.mode === 'incremental' && previous === null) {
    deps.logger.warn(
      { cursor: request.cursor === null ? null : 'unreadable' },
      'no usable cursor: reading every epic',
    )
  }
  const overlapMs = source.overlapMinutes * 60_000
  const full = previous === null
  const tracker = new CursorTracker(previous, overlapMs)
  const jql = full
    ? fullSyncJql(scope)
    : incrementalJql(
        scope,
        previous.since - overlapMs - (metadata.timeZoneKnown ? 0 : WIDEST_OFFSET_MS),
        metadata.timeZone,
      )
  const total = full ? await approximateCount(deps, operation, scope) : undefined
  const inScope: string[] = []
  for await (const issues of searchPages(deps.transport, source, operation, jql, fields, { count: total })) {
    const news: Issue[] = []
    for (const issue of issues) {
      const id = String(issue.id)
      const updated = parseJiraDateTime(issue.fields?.updated)
      if (full) inScope.push(id)
      if (tracker.isNew(id, updated)) news.push(issue)
      tracker.observe(id, updated)
    }
    if (news.length === 0) continue
    const children = await childrenOf(deps, operation, plan, news)
    const epics = news.map((issue) => map(issue, children.get(String(issue.id))))
    await onPage(total === undefined ? { epics } : { epics, total })
  }
  const next = tracker.next()
  deps.logger.debug({ mode: full ? 'full' : 'incremental', requests: operation.requests }, 'jira sync done')
  return {
    cursor: next === null ? request.cursor : encodeCursor(next),
    ...(full ? { inScope } : {}),
    requests: operation.requests,
  }
}

/**
 * One epic, by id (after a webhook): one search restricted to the id. Jira answers 400 for the id of
 * an issue that no longer exists (unverified; an empty page is handled the same), so a 400 is
 * followed by one look at the issue: gone when it is 404.
 */
async function syncOneEpic(
  deps: SyncDeps,
  request: SyncRequest,
  operation: Operation,
  read: {
    plan: MappingPlan
    fields: string[]
    map: (issue: Issue, children: ChildEstimate | undefined) => SyncedEpic
  },
  scope: string,
  onPage: (page: SyncPage) => Promise<void>,
): Promise<SyncOutcome> {
  const id = request.externalId ?? ''
  if (!/^\d+$/.test(id)) {
    throw new OnetrackError(
      'ONETRACK_BAD_REQUEST',
      `Jira source '${deps.source.id}': '${id}' is not a Jira issue id`,
    )
  }
  const issues: Issue[] = []
  try {
    for await (const page of searchPages(
      deps.transport,
      deps.source,
      operation,
      oneEpicJql(scope, id),
      read.fields,
    )) {
      issues.push(...page)
    }
  } catch (error) {
    if (error instanceof JqlRejectedError && (await isGone(deps, operation, id))) {
      return { cursor: request.cursor, gone: true, requests: operation.requests }
    }
    throw error
  }
  const issue = issues[0]
  if (issue === undefined) return { cursor: request.cursor, gone: true, requests: operation.requests }
  const children = await childrenOf(deps, operation, read.plan, [issue])
  await onPage({ epics: [read.map(issue, children.get(id))] })
  return { cursor: request.cursor, gone: false, requests: operation.requests }
}

async function isGone(deps: SyncDeps, operation: Operation, id: string): Promise<boolean> {
  try {
    const client = deps.transport.client(operation, { permission: 'Browse projects', idempotent: true })
    await getIssue(client, { issueIdOrKey: id, fields: ['id'] })
    return false
  } catch (error) {
    if (isNotFoundError(error)) return true
    throw error
  }
}

async function childrenOf(
  deps: SyncDeps,
  operation: Operation,
  plan: MappingPlan,
  epics: Issue[],
): Promise<Map<string, ChildEstimate>> {
  if (!deps.source.effortFromChildren || plan.effort === null || !plan.effort.ok) return new Map()
  const ids = epics.map((e) => String(e.id))
  return childEstimates(deps.transport, deps.source, operation, ids, plan.effort.id)
}

/**
 * The progress bar's total for a full sync: one request to Jira's approximate count. Only a hint, so
 * a site that refuses it just gets no total.
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-approximate-count-post
 */
async function approximateCount(
  deps: SyncDeps,
  operation: Operation,
  jql: string,
): Promise<number | undefined> {
  try {
    const client = deps.transport.client(operation, { permission: 'Browse projects', idempotent: true })
    return (await countIssues(client, { jql })).count
  } catch (error) {
    if (isApiError(error)) return undefined
    throw error
  }
}
