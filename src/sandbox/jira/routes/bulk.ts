import type { FastifyInstance } from 'fastify'
import type { SimContext } from '../context.ts'
import { MESSAGES, sendBulkError, sendError } from '../errors.ts'
import { checkValue, isValueError } from './issues.ts'

/**
 * Bulk edit: one request sets the same values on up to 1,000 issues; it answers 201 with a task id
 * and the outcome is read from the task queue. Needs the global Make bulk changes permission and
 * Edit issues. The simulator supports the two inputs onetrack's values need: clearable number
 * fields and single-line text fields.
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-bulk-operations/#api-rest-api-3-bulk-issues-fields-post
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-bulk-operations/#api-rest-api-3-bulk-queue-taskid-get
 */
export const BULK_MAX_ISSUES = 1000

interface Task {
  taskId: string
  submittedAt: number
  processed: number[]
  failed: Record<string, string[]>
  invalid: number
  total: number
}

export class BulkTasks {
  readonly tasks = new Map<string, Task>()
  /** How long a task reports RUNNING before COMPLETE. */
  durationMs = 0
}

interface BulkBody {
  selectedIssueIdsOrKeys?: unknown
  selectedActions?: unknown
  editedFieldsInput?: Record<string, unknown>
  sendBulkNotification?: unknown
}

const SUPPORTED = new Set(['clearableNumberFields', 'singleLineTextFields'])

export function bulkRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.post<{ Body: BulkBody }>('/rest/api/3/bulk/issues/fields', async (request, reply) => {
    const { state } = ctx
    if (!state.permissions.BULK_CHANGE) return sendBulkError(reply, 403, [MESSAGES.noBulkPermission])
    if (!state.permissions.EDIT_ISSUES) return sendBulkError(reply, 403, [MESSAGES.noEditPermission])
    const body = request.body ?? {}
    const refs = body.selectedIssueIdsOrKeys
    const actions = body.selectedActions
    if (!Array.isArray(refs) || refs.length === 0 || refs.length > BULK_MAX_ISSUES) {
      return sendBulkError(reply, 400, [`Select between 1 and ${BULK_MAX_ISSUES} issues.`])
    }
    if (!Array.isArray(actions) || actions.length === 0 || actions.length > 200) {
      return sendBulkError(reply, 400, ['Select between 1 and 200 fields to edit.'])
    }
    const values = new Map<string, unknown>()
    for (const [input, entries] of Object.entries(body.editedFieldsInput ?? {})) {
      if (!Array.isArray(entries) || entries.length === 0) continue
      if (!SUPPORTED.has(input))
        return sendBulkError(reply, 400, [`Jira simulator: ${input} is not supported.`])
      for (const entry of entries as Array<{ fieldId?: unknown; value?: unknown; text?: unknown }>) {
        const fieldId = String(entry.fieldId)
        values.set(fieldId, input === 'clearableNumberFields' ? (entry.value ?? null) : entry.text)
      }
    }
    const unlisted = [...values.keys()].filter((id) => !actions.includes(id))
    if (unlisted.length > 0) {
      return sendBulkError(reply, 400, [
        `The following editedFieldInput values are not listed as selectedActions : ${unlisted.join(', ')}`,
      ])
    }
    const missing = (actions as unknown[]).map(String).filter((id) => !values.has(id))
    if (missing.length > 0) {
      return sendBulkError(reply, 400, [
        `No value was given for the selected actions : ${missing.join(', ')}`,
      ])
    }
    const task: Task = {
      taskId: String(10000 + ctx.bulk.tasks.size + 1),
      submittedAt: state.now(),
      processed: [],
      failed: {},
      invalid: 0,
      total: refs.length,
    }
    for (const ref of refs) {
      const issue = state.find(String(ref))
      if (issue === undefined) {
        task.invalid += 1
        continue
      }
      const errors: string[] = []
      const fields: Record<string, unknown> = {}
      for (const [fieldId, value] of values) {
        const field = state.fields.get(fieldId)
        if (field === undefined || !field.onScreen) {
          errors.push(`Field '${fieldId}' cannot be set. It is not on the appropriate screen, or unknown.`)
          continue
        }
        const checked = checkValue(field, value)
        if (isValueError(checked)) errors.push(`${field.name}: ${checked.error}`)
        else fields[fieldId] = checked
      }
      if (errors.length > 0) {
        task.failed[issue.id] = errors
        continue
      }
      state.updateIssue(issue.id, { fields }, { actor: 'api' })
      task.processed.push(Number(issue.id))
    }
    ctx.bulk.tasks.set(task.taskId, task)
    return reply.code(201).send({ taskId: task.taskId })
  })

  app.get<{ Params: { taskId: string } }>('/rest/api/3/bulk/queue/:taskId', async (request, reply) => {
    const task = ctx.bulk.tasks.get(request.params.taskId)
    if (task === undefined) return sendError(reply, 404, [`No task ${request.params.taskId}.`])
    const now = ctx.state.now()
    const done = now >= task.submittedAt + ctx.bulk.durationMs
    const iso = (ms: number) => new Date(ms).toISOString()
    return {
      taskId: task.taskId,
      status: done ? 'COMPLETE' : 'RUNNING',
      progressPercent: done
        ? 100
        : Math.floor(((now - task.submittedAt) / Math.max(1, ctx.bulk.durationMs)) * 100),
      submittedBy: { accountId: ctx.account.accountId },
      created: iso(task.submittedAt),
      started: iso(task.submittedAt),
      updated: iso(done ? task.submittedAt + ctx.bulk.durationMs : now),
      totalIssueCount: task.total,
      processedAccessibleIssues: done ? task.processed : [],
      failedAccessibleIssues: done ? task.failed : {},
      invalidOrInaccessibleIssueCount: task.invalid,
    }
  })
}
