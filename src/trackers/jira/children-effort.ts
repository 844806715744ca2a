import type { ChildEstimate } from './epic-mapping.ts'
import { readNumber, readStatus } from './field-values.ts'
import type { JiraTransport, Operation } from './http.ts'
import { childrenJql } from './jql.ts'
import { SEARCH_PAGE_SIZE, searchPages } from './search.ts'
import type { JiraSource } from './source.ts'

/**
 * With `effortFromChildren`, an epic's effort is the sum of its children's estimates. One search per
 * page of epics (`parent in (…)`, up to a page's worth of ids) reads them; canceled children do not
 * count, unestimated ones are counted so the epic can say how many lack an estimate.
 * @see https://support.atlassian.com/jira-software-cloud/docs/jql-fields/#Parent
 */
export async function childEstimates(
  transport: JiraTransport,
  source: JiraSource,
  operation: Operation,
  parentIds: string[],
  effortFieldId: string,
): Promise<Map<string, ChildEstimate>> {
  const estimates = new Map<string, ChildEstimate>()
  for (let i = 0; i < parentIds.length; i += SEARCH_PAGE_SIZE) {
    const chunk = parentIds.slice(i, i + SEARCH_PAGE_SIZE)
    const fields = [effortFieldId, 'parent', 'status', 'resolution']
    for await (const page of searchPages(transport, source, operation, childrenJql(chunk), fields)) {
      for (const child of page) {
        const childFields = (child.fields ?? {}) as Record<string, unknown>
        const parentId = (childFields.parent as { id?: unknown } | null | undefined)?.id
        if (parentId === undefined || readStatus(childFields).status === 'canceled') continue
        const entry = estimates.get(String(parentId)) ?? { sum: 0, estimated: 0, total: 0 }
        entry.total += 1
        const read = readNumber(childFields[effortFieldId])
        if (read.ok && read.value !== null) {
          entry.sum += read.value
          entry.estimated += 1
        }
        estimates.set(String(parentId), entry)
      }
    }
  }
  return estimates
}
