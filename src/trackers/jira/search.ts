import { type Issue, searchAndReconsileIssuesUsingJqlPost } from 'jira.js/cloud'
import { isApiError } from 'jira.js/core'
import { OnetrackError } from '../../errors.ts'
import { type JiraTransport, jiraMessages, type Operation } from './http.ts'
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
 * Pages of a search via the enhanced search endpoint (POST, so long JQL fits). Stops on `isLast`, a
 * missing token or an empty page, whichever comes first: the spec types the token as a string that
 * is absent on the last page, but a client must not loop on a server that says otherwise.
 */
export async function* searchPages(
  transport: JiraTransport,
  source: JiraSource,
  operation: Operation,
  jql: string,
  fields: string[],
): AsyncGenerator<Issue[]> {
  const client = transport.client(operation, { permission: 'Browse projects', idempotent: true })
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
    if (issues.length > 0) yield issues
    const token = page.nextPageToken ?? undefined
    if (page.isLast === true || token === undefined || issues.length === 0) return
    nextPageToken = token
  }
}
