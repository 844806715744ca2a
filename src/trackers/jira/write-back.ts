import { editIssue } from 'jira.js/cloud'
import { isApiError, isNotFoundError } from 'jira.js/core'
import { isOnetrackError, type OnetrackError } from '../../errors.ts'
import type { Logger } from '../../logger.ts'
import type { WriteBackItem, WriteBackOutcome } from '../types.ts'
import { type BulkChange, bulkEdit, bulkExpressible } from './bulk-edit.ts'
import { type JiraTransport, jiraMessages, type Operation } from './http.ts'
import type { ResolvedOptions } from './options.ts'
import {
  type JiraValue,
  jiraValues,
  OWN_FIELD_KEYS,
  OWN_FIELDS,
  type OwnField,
  type OwnFieldIds,
  type OwnFields,
} from './own-fields.ts'
import type { JiraSource } from './source.ts'

export interface WriteBackDeps {
  source: JiraSource
  transport: JiraTransport
  ownFields: OwnFields
  logger: Logger
  options: ResolvedOptions
  /** Set once bulk edit was refused (no Make bulk changes permission): not tried again. */
  bulk: { refused: boolean }
  /** Awaited with the epics of each accepted write, as it is accepted (see TrackerConnector). */
  onWritten?: ((epicIds: string[]) => Promise<void>) | undefined
}

interface Pending {
  item: WriteBackItem
  changes: Partial<Record<OwnField, JiraValue>>
}

/**
 * Writes onetrack's values to the epics, sending only the fields whose value differs from what was
 * written last time: an item equal to its previous values costs no request at all (not even the
 * field lookup). Changes shared by many epics go through bulk edit; the rest is one edit per epic
 * (`PUT /issue/{id}` with only onetrack's fields, notifications off where the account may), a few at
 * a time. An epic that cannot be written is a failure of that item; the rest is written.
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-put
 */
export async function runWriteBack(
  deps: WriteBackDeps,
  items: WriteBackItem[],
  signal: AbortSignal,
): Promise<WriteBackOutcome> {
  const operation: Operation = { signal, requests: 0 }
  const written: string[] = []
  const failed: WriteBackOutcome['failed'] = []
  const pending: Pending[] = []
  for (const item of items) {
    const next = jiraValues(item.values)
    const before = item.previous === null ? null : jiraValues(item.previous)
    const changes = Object.fromEntries(
      OWN_FIELD_KEYS.filter((f) => before?.[f] !== next[f]).map((f) => [f, next[f]]),
    )
    if (before !== null && Object.keys(changes).length === 0) written.push(item.epicId)
    else pending.push({ item, changes })
  }
  await reportWritten(deps, written)
  if (pending.length === 0) return { written, failed, requests: 0 }
  if (!deps.source.writeBack.enabled) {
    for (const { item } of pending)
      failed.push({ epicId: item.epicId, reason: 'write-back is disabled for this source' })
    return { written, failed, requests: 0 }
  }

  const ids = await deps.ownFields.resolve(operation)
  const single: Pending[] = []
  for (const group of groupByChange(pending)) {
    const changes = bulkChanges(group[0] as Pending, ids)
    const useBulk =
      deps.source.writeBack.bulkEdit &&
      !deps.bulk.refused &&
      group.length >= deps.options.bulkMinIssues &&
      bulkExpressible(changes)
    if (!useBulk || !(await writeInBulk(deps, operation, group, changes, written, failed)))
      single.push(...group)
  }

  const forbidden: OnetrackError[] = []
  await inPool(single, deps.options.writeConcurrency, async ({ item, changes }) => {
    const reason = await writeOne(deps, operation, ids, item, changes, forbidden)
    if (reason === null) {
      written.push(item.epicId)
      await reportWritten(deps, [item.epicId])
    } else failed.push({ epicId: item.epicId, reason })
  })
  // Refused on every epic tried and nothing written: a missing permission, not a problem of some tickets.
  const writtenIds = new Set(written)
  const wroteSome = pending.some(({ item }) => writtenIds.has(item.epicId))
  if (forbidden.length > 0 && forbidden.length === single.length && !wroteSome) throw forbidden[0]
  deps.logger.debug(
    { written: written.length, failed: failed.length, requests: operation.requests },
    'jira write-back done',
  )
  return { written, failed, requests: operation.requests }
}

async function reportWritten(deps: WriteBackDeps, epicIds: string[]): Promise<void> {
  if (epicIds.length > 0 && deps.onWritten !== undefined) await deps.onWritten(epicIds)
}

/** Epics whose changed fields and values are identical, together (candidates for one bulk edit). */
function groupByChange(pending: Pending[]): Pending[][] {
  const groups = new Map<string, Pending[]>()
  for (const entry of pending) {
    const signature = JSON.stringify(
      OWN_FIELD_KEYS.filter((f) => f in entry.changes).map((f) => [f, entry.changes[f]]),
    )
    const group = groups.get(signature)
    if (group === undefined) groups.set(signature, [entry])
    else group.push(entry)
  }
  return [...groups.values()]
}

function bulkChanges(entry: Pending, ids: OwnFieldIds): BulkChange[] {
  return (Object.keys(entry.changes) as OwnField[]).map((f) => ({
    fieldId: ids[f],
    kind: OWN_FIELDS[f].kind,
    value: entry.changes[f] ?? null,
  }))
}

/** False when bulk edit is not allowed for this account: the group is then written one by one. */
async function writeInBulk(
  deps: WriteBackDeps,
  operation: Operation,
  group: Pending[],
  changes: BulkChange[],
  written: string[],
  failed: WriteBackOutcome['failed'],
): Promise<boolean> {
  const byIssue = new Map(group.map(({ item }) => [item.externalId, item]))
  try {
    const result = await bulkEdit(deps.transport, operation, [...byIssue.keys()], changes, {
      pollIntervalMs: deps.options.bulkPollIntervalMs,
      timeoutMs: deps.options.bulkTimeoutMs,
    })
    const accepted: string[] = []
    for (const [id, item] of byIssue) {
      if (result.written.has(id)) accepted.push(item.epicId)
      else failed.push({ epicId: item.epicId, reason: result.failed.get(id) ?? 'not edited' })
    }
    written.push(...accepted)
    await reportWritten(deps, accepted)
    return true
  } catch (error) {
    if (
      !(
        isOnetrackError(error, 'TRACKER_AUTH_FAILED') && (error.details as { status?: number }).status === 403
      )
    ) {
      throw error
    }
    deps.bulk.refused = true
    deps.logger.warn({ err: error }, 'jira bulk edit refused: writing epics one by one from now on')
    return false
  }
}

/** Null when written, else the reason in words. A 403 is also collected in `forbidden`. */
async function writeOne(
  deps: WriteBackDeps,
  operation: Operation,
  ids: OwnFieldIds,
  item: WriteBackItem,
  changes: Partial<Record<OwnField, JiraValue>>,
  forbidden: OnetrackError[],
): Promise<string | null> {
  const fields = Object.fromEntries(
    (Object.keys(changes) as OwnField[]).map((f) => [ids[f], changes[f] ?? null]),
  )
  try {
    const client = deps.transport.client(operation, { permission: 'Edit issues', idempotent: true })
    // notifyUsers=false is ignored (not refused) when the account may not suppress notifications.
    await editIssue(client, { issueIdOrKey: item.externalId, fields, notifyUsers: false })
    return null
  } catch (error) {
    if (isNotFoundError(error)) return 'the issue no longer exists, or onetrack may not see it (404)'
    if (
      isOnetrackError(error, 'TRACKER_AUTH_FAILED') &&
      (error.details as { status?: number }).status === 403
    ) {
      forbidden.push(error)
      return error.message
    }
    if (isApiError(error) && error.status === 400) {
      const own = Object.values(ids)
      const errors = (error.body as { errors?: Record<string, unknown> } | undefined)?.errors ?? {}
      // A field of ours that cannot be set was deleted or left the screen: look the fields up again next time.
      if (Object.keys(errors).some((id) => own.includes(id))) deps.ownFields.invalidate()
      return `Jira refused the edit (400): ${refusal(error.body, ids, deps.ownFields.names())}`
    }
    throw error
  }
}

/** Jira's 400 body in words, each field error under onetrack's name for the field. */
function refusal(body: unknown, ids: OwnFieldIds, names: Record<OwnField, string>): string {
  const { errorMessages, errors } = (body ?? {}) as { errorMessages?: unknown; errors?: unknown }
  if (typeof errors !== 'object' || errors === null || Array.isArray(errors)) return jiraMessages(body)
  const byId = new Map(OWN_FIELD_KEYS.map((f) => [ids[f], names[f]]))
  const parts = [
    ...(Array.isArray(errorMessages) ? errorMessages.map(String) : []),
    ...Object.entries(errors).map(([id, message]) => {
      const name = byId.get(id)
      return `${name === undefined ? id : `'${name}' (${id})`}: ${String(message)}`
    }),
  ]
  return parts.length > 0 ? parts.join('; ') : jiraMessages(body)
}

/** Runs `task` over the items, `limit` at a time; the first thrown error stops new tasks and is rethrown. */
async function inPool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  let fatal: { error: unknown } | null = null
  const worker = async () => {
    while (fatal === null && next < items.length) {
      const item = items[next++] as T
      try {
        await task(item)
      } catch (error) {
        fatal ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  if (fatal !== null) throw (fatal as { error: unknown }).error
}
