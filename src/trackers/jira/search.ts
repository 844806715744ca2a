import { countIssues, type Issue, searchAndReconsileIssuesUsingJqlPost } from 'jira.js/cloud'
import { isApiError } from 'jira.js/core'
import { OnetrackError } from '../../errors.ts'
import { type JiraTransport, jiraMessages, type Operation } from './http.ts'
import { withoutOrderBy } from './jql.ts'
import type { JiraSource } from './source.ts'

/**
 * Jira's largest page when fields beyond id/key are asked for (5,000 is only for ids and keys). The
 * search may serve fewer; the loop follows `nextPageToken` whatever the page size.
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-jql-post
 */
export const SEARCH_PAGE_SIZE = 100

/** Jira refused the query itself (400): the configured JQL, or an issue that no longer exists. */
export class JqlRejectedError extends OnetrackError {
  constructor(source: JiraSource, jql: string, body: unknown, cause: unknown) {
    super(
      'ONETRACK_CONFIG_INVALID',
      `Jira source '${source.id}': Jira rejected the query: ${jiraMessages(body)} (JQL: ${jql})`,
      {
        cause,
        details: { sourceId: source.id, jql },
      },
    )
    this.name = 'JqlRejectedError'
  }
}

/**
 * How far a search may run past Jira's approximate count before it is taken to page forever: the
 * count is approximate and lags the index, and issues may be added while the search pages, so the
 * margin is wide (twice the count, plus two full pages).
 */
export function issuesAllowed(count: number): number {
  return 2 * count + 2 * SEARCH_PAGE_SIZE
}

/** Issues a search without a known count reads before it asks Jira for one. */
export const COUNT_CHECK_AFTER = 10 * SEARCH_PAGE_SIZE

/** Jira broke its paging protocol: following it further would send requests until the timeout. */
export class PagingProtocolError extends OnetrackError {
  constructor(source: JiraSource, jql: string, problem: string, details: Record<string, unknown>) {
    super('TRACKER_PROTOCOL_ERROR', `Jira source '${source.id}': the search ${problem}; sync stopped`, {
      details: { sourceId: source.id, jql, ...details },
    })
    this.name = 'PagingProtocolError'
  }
}

export interface SearchOptions {
  /** Jira's approximate count of the query, when the caller already asked for it. */
  count?: number | undefined
}

/**
 * Pages of a search via the enhanced search endpoint (POST, so long JQL fits). Stops on `isLast`, a
 * missing token or an empty page, whichever comes first: the spec types the token as a string that
 * is absent on the last page, but a client must not loop on a server that says otherwise. A token
 * the search already gave, or more issues than the approximate count allows (asked for once the
 * search runs long, unless the caller knows it), throws PagingProtocolError.
 */
export async function* searchPages(
  transport: JiraTransport,
  source: JiraSource,
  operation: Operation,
  jql: string,
  fields: string[],
  options: SearchOptions = {},
): AsyncGenerator<Issue[]> {
  const client = transport.client(operation, { permission: 'Browse projects', idempotent: true })
  const tokens = new Set<string>()
  let count = options.count
  let counted = count !== undefined
  let received = 0
  let nextPageToken: string | undefined
  for (;;) {
    let page: Awaited<ReturnType<typeof searchAndReconsileIssuesUsingJqlPost>>
    try {
      page = await searchAndReconsileIssuesUsingJqlPost(client, {
        jql,
        fields,
        maxResults: SEARCH_PAGE_SIZE,
        ...(nextPageToken === undefined ? {} : { nextPageToken }),
      })
    } catch (error) {
      if (isApiError(error) && error.status === 400)
        throw new JqlRejectedError(source, jql, error.body, error)
      throw error
    }
    const issues = page.issues ?? []
    const token = page.nextPageToken ?? undefined
    received += issues.length
    if (page.isLast === true || token === undefined || issues.length === 0) {
      if (issues.length > 0) yield issues
      return
    }
    const pages = tokens.size + 1
    if (tokens.has(token)) {
      throw new PagingProtocolError(
        source,
        jql,
        `answered a nextPageToken it had already given (page ${pages})`,
        { pages, issues: received },
      )
    }
    if (!counted && received >= COUNT_CHECK_AFTER) {
      counted = true
      count = await approximateCount(transport, operation, jql)
    }
    if (count !== undefined && received > issuesAllowed(count)) {
      throw new PagingProtocolError(
        source,
        jql,
        `kept paging past its count (${received} issues in ${pages} pages; Jira counts about ${count})`,
        { pages, issues: received, count },
      )
    }
    yield issues
    tokens.add(token)
    nextPageToken = token
  }
}

/**
 * Jira's approximate count of a search's issues, or undefined when the site refuses it (the guard
 * then rests on repeated tokens alone).
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-approximate-count-post
 */
async function approximateCount(
  transport: JiraTransport,
  operation: Operation,
  jql: string,
): Promise<number | undefined> {
  try {
    const client = transport.client(operation, { permission: 'Browse projects', idempotent: true })
    return (await countIssues(client, { jql: withoutOrderBy(jql) })).count
  } catch (error) {
    if (isApiError(error)) return undefined
    throw error
  }
}
