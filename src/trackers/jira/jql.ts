import { jqlDateTime } from './time-zone.ts'

/**
 * The JQL the connector sends: the configured query (its own ORDER BY removed, parenthesised so its
 * ORs stay inside), restricted to epic issue types, plus the clause of the sync mode and an order.
 * @see https://support.atlassian.com/jira-service-management-cloud/docs/use-advanced-search-with-jira-query-language-jql/
 */

/** Full sync pages in creation order: edits and moves during the sync do not reorder it. */
export const FULL_ORDER = 'ORDER BY created ASC, key ASC'
/** Incremental sync pages oldest change first, so the cursor only moves forward. */
export const INCREMENTAL_ORDER = 'ORDER BY updated ASC, key ASC'

export function epicScope(configuredJql: string, epicTypeIds: string[]): string {
  return `(${withoutOrderBy(configuredJql)}) AND issuetype in (${epicTypeIds.join(', ')})`
}

export function fullSyncJql(scope: string): string {
  return `${scope} ${FULL_ORDER}`
}

export function incrementalJql(scope: string, sinceMs: number, timeZone: string): string {
  return `${scope} AND updated >= "${jqlDateTime(sinceMs, timeZone)}" ${INCREMENTAL_ORDER}`
}

export function oneEpicJql(scope: string, issueId: string): string {
  return `${scope} AND id = ${issueId}`
}

export function childrenJql(parentIds: string[]): string {
  return `parent in (${parentIds.join(', ')}) ORDER BY key ASC`
}

/** The query without a trailing ORDER BY (outside quotes), which cannot stand inside parentheses. */
export function withoutOrderBy(jql: string): string {
  let quote: string | null = null
  let cut = jql.length
  for (let i = 0; i < jql.length; i++) {
    const c = jql[i] as string
    if (quote !== null) {
      if (c === '\\') i++
      else if (c === quote) quote = null
    } else if (c === '"' || c === "'") {
      quote = c
    } else if (/^order\s+by\b/i.test(jql.slice(i)) && (i === 0 || /[\s)]/.test(jql[i - 1] as string))) {
      cut = i
      break
    }
  }
  return jql.slice(0, cut).trim()
}
