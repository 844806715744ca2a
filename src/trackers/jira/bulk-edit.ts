import { getBulkOperationProgress, submitBulkEdit } from 'jira.js/cloud'
import { OnetrackError } from '../../errors.ts'
import { sleep } from '../request-budget.ts'
import type { JiraTransport, Operation } from './http.ts'
import type { JiraValue } from './own-fields.ts'

/**
 * Bulk edit sets the same values on up to 1,000 issues in one request, as an asynchronous task whose
 * outcome is read from the task queue. It suits the changes many epics share (a period moved for a
 * whole team); per-epic values (score, rank) need one edit per epic anyway. It needs the global
 * Make bulk changes permission, and it can skip the notification emails an edit would send.
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-bulk-operations/#api-rest-api-3-bulk-issues-fields-post
 */
export const BULK_MAX_ISSUES = 1000

export interface BulkChange {
  fieldId: string
  kind: 'number' | 'text'
  value: JiraValue
}

export interface BulkResult {
  written: Set<string>
  failed: Map<string, string>
}

export interface BulkTiming {
  pollIntervalMs: number
  timeoutMs: number
}

/** Bulk edit can clear a number but not a text (its text input requires text). */
export function bulkExpressible(changes: BulkChange[]): boolean {
  return changes.every((c) => c.kind === 'number' || (typeof c.value === 'string' && c.value !== ''))
}

const FINISHED = new Set(['COMPLETE', 'FAILED', 'CANCELLED', 'DEAD'])

export async function bulkEdit(
  transport: JiraTransport,
  operation: Operation,
  issueIds: string[],
  changes: BulkChange[],
  timing: BulkTiming,
): Promise<BulkResult> {
  const client = transport.client(operation, { permission: 'Make bulk changes', idempotent: true })
  const numbers = changes.filter((c) => c.kind === 'number')
  const texts = changes.filter((c) => c.kind === 'text')
  const result: BulkResult = { written: new Set(), failed: new Map() }
  for (let i = 0; i < issueIds.length; i += BULK_MAX_ISSUES) {
    const chunk = issueIds.slice(i, i + BULK_MAX_ISSUES)
    const { taskId } = await submitBulkEdit(client, {
      selectedIssueIdsOrKeys: chunk,
      selectedActions: changes.map((c) => c.fieldId),
      editedFieldsInput: {
        ...(numbers.length === 0
          ? {}
          : {
              clearableNumberFields: numbers.map((c) =>
                c.value === null ? { fieldId: c.fieldId } : { fieldId: c.fieldId, value: c.value as number },
              ),
            }),
        ...(texts.length === 0
          ? {}
          : { singleLineTextFields: texts.map((c) => ({ fieldId: c.fieldId, text: String(c.value) })) }),
      },
      sendBulkNotification: false,
    })
    if (taskId === undefined) throw new Error('Jira accepted a bulk edit without a task id')
    const started = Date.now()
    for (;;) {
      await sleep(timing.pollIntervalMs, operation.signal)
      const progress = await getBulkOperationProgress(client, { taskId })
      if (progress.status !== undefined && FINISHED.has(progress.status)) {
        const processed = new Set((progress.processedAccessibleIssues ?? []).map(String))
        const failures = progress.failedAccessibleIssues ?? {}
        for (const id of chunk) {
          if (processed.has(id)) result.written.add(id)
          else if (failures[id] !== undefined) result.failed.set(id, failures[id].join('; '))
          else
            result.failed.set(
              id,
              `not edited (bulk edit ${progress.status}): the issue is gone or not visible`,
            )
        }
        break
      }
      if (Date.now() - started > timing.timeoutMs) {
        throw new OnetrackError(
          'TRACKER_UNAVAILABLE',
          `Jira bulk edit task ${taskId} did not finish within ${Math.round(timing.timeoutMs / 1000)} s`,
          { details: { taskId } },
        )
      }
    }
  }
  return result
}
