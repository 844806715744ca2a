import { createHash } from 'node:crypto'
import type { WebhookDelivery, WebhookOutcome, WebhookRejection } from '../types.ts'
import { rejected, signaturePolicy, stalenessOf } from '../webhook-rules.ts'
import { EPIC_HIERARCHY_LEVEL } from './metadata.ts'
import type { JiraSource } from './source.ts'
import { hubSignatureDigest, verifyHubSignature } from './webhook-signature.ts'

/**
 * Verifies, then parses, then classifies a Jira webhook delivery; never throws. The delivery id is
 * `X-Atlassian-Webhook-Identifier` (the same on Jira's retries: the caller de-duplicates on it, and
 * on the body, since the header is not signed).
 * @see https://developer.atlassian.com/cloud/jira/platform/webhooks/
 */
export interface WebhookContext {
  source: JiraSource
  /** onetrack's own field names (lower case) and, once resolved, ids: changes to only these are our echo. */
  ownFieldNames: Set<string>
  ownFieldIds: () => Set<string>
  /** Epic issue type ids when known (for payloads without `hierarchyLevel`). */
  epicTypeIds: () => Set<string> | null
}

const ISSUE_EVENTS = new Set(['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted'])

interface ChangelogItem {
  field?: unknown
  fieldId?: unknown
  from?: unknown
  to?: unknown
}

/** The checks the headers allow before the body is read: webhooks taken at all, signature present. */
export function screenJiraWebhook(
  source: JiraSource,
  headers: WebhookDelivery['headers'],
): WebhookRejection | null {
  const policy = signaturePolicy(source, 'Jira')
  if ('refused' in policy) return policy.refused
  if ('unsigned' in policy) return null
  const given = hubSignatureDigest(header(headers, 'x-hub-signature'))
  return given.ok ? null : rejected(given.kind, given.reason)
}

export function receiveJiraWebhook(delivery: WebhookDelivery, ctx: WebhookContext): WebhookOutcome {
  const policy = signaturePolicy(ctx.source, 'Jira')
  if ('refused' in policy) return policy.refused
  if ('secret' in policy) {
    const check = verifyHubSignature(
      delivery.rawBody,
      header(delivery.headers, 'x-hub-signature'),
      policy.secret,
    )
    if (!check.ok) return rejected(check.kind, check.reason)
  }
  let body: unknown
  try {
    body = JSON.parse(delivery.rawBody.toString('utf8'))
  } catch {
    return rejected('malformed', 'malformed JSON')
  }
  if (
    typeof body !== 'object' ||
    body === null ||
    typeof (body as { webhookEvent?: unknown }).webhookEvent !== 'string'
  ) {
    return rejected('malformed', 'not a Jira webhook: webhookEvent is missing')
  }
  const payload = body as { webhookEvent: string; timestamp?: unknown; issue?: unknown; changelog?: unknown }
  // The timestamp is signed with the body: an old body sent again under a fresh identifier is a replay.
  const stale = stalenessOf(
    delivery.receivedAt,
    payload.timestamp,
    ctx.source.webhookWindowMinutes * 60_000,
    'timestamp',
  )
  if (stale !== null) return stale
  const identifier = header(delivery.headers, 'x-atlassian-webhook-identifier')?.trim()
  const deliveryId =
    identifier === undefined || identifier === ''
      ? `sha256:${createHash('sha256').update(delivery.rawBody).digest('hex')}`
      : identifier
  const event = payload.webhookEvent
  if (!ISSUE_EVENTS.has(event)) return { status: 'ignored', deliveryId, event, reason: 'not an issue event' }
  const issue = payload.issue as { id?: unknown; fields?: Record<string, unknown> } | undefined
  if (typeof issue?.id !== 'string' && typeof issue?.id !== 'number') {
    return rejected('malformed', `${event} without issue.id`)
  }
  const id = String(issue.id)
  const fields = issue.fields ?? {}
  const items = changelogItems(payload.changelog)

  // An epic turned into another type has left the scope: the targeted sync finds it gone.
  const retyped = items.some((item) => String(item.field).toLowerCase() === 'issuetype')
  if (!isEpic(fields, ctx) && !retyped) {
    const parents = childAffectsParent(event, fields, items, ctx)
    return parents.length > 0
      ? { status: 'accepted', deliveryId, event, externalIds: parents }
      : { status: 'ignored', deliveryId, event, reason: 'not an epic' }
  }
  if (event === 'jira:issue_updated') {
    if (items.length > 0 && items.every((item) => isOwnField(item, ctx))) {
      return { status: 'ignored', deliveryId, event, reason: 'own write' }
    }
    // Comments and work logs arrive as issue_updated without a changelog: nothing onetrack reads changed.
    const kind = String((payload as { issue_event_type_name?: unknown }).issue_event_type_name)
    if (items.length === 0 && /comment|worklog/.test(kind)) {
      return { status: 'ignored', deliveryId, event, reason: 'no field changed' }
    }
  }
  // Whether the epic is in the JQL's scope cannot be told from the payload: the targeted sync decides.
  return { status: 'accepted', deliveryId, event, externalIds: [id] }
}

function header(headers: WebhookDelivery['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value
  }
  return undefined
}

function changelogItems(changelog: unknown): ChangelogItem[] {
  const items = (changelog as { items?: unknown } | null | undefined)?.items
  return Array.isArray(items)
    ? items.filter((i): i is ChangelogItem => typeof i === 'object' && i !== null)
    : []
}

/** By the payload's hierarchy level; else by the epic type ids known from the last sync; else assumed. */
function isEpic(fields: Record<string, unknown>, ctx: WebhookContext): boolean {
  const type = fields.issuetype as { id?: unknown; hierarchyLevel?: unknown } | undefined
  if (typeof type?.hierarchyLevel === 'number') return type.hierarchyLevel === EPIC_HIERARCHY_LEVEL
  const epicTypes = ctx.epicTypeIds()
  return epicTypes === null || type?.id === undefined || epicTypes.has(String(type.id))
}

function isOwnField(item: ChangelogItem, ctx: WebhookContext): boolean {
  return (
    (typeof item.fieldId === 'string' && ctx.ownFieldIds().has(item.fieldId)) ||
    (typeof item.field === 'string' && ctx.ownFieldNames.has(item.field.trim().toLowerCase()))
  )
}

/**
 * With `effortFromChildren`, a child's estimate is part of its epic's effort: a child created,
 * deleted, re-parented or re-estimated concerns the epic(s) it belongs (or belonged) to.
 */
function childAffectsParent(
  event: string,
  fields: Record<string, unknown>,
  items: ChangelogItem[],
  ctx: WebhookContext,
): string[] {
  const effort = ctx.source.fields.effort
  if (!ctx.source.effortFromChildren || effort === undefined) return []
  const parent = (fields.parent as { id?: unknown } | null | undefined)?.id
  const parents = new Set<string>()
  if (parent !== undefined && parent !== null) parents.add(String(parent))
  const reparented = items.filter((i) =>
    ['IssueParentAssociation', 'Parent', 'parent'].includes(String(i.field)),
  )
  for (const item of reparented)
    for (const id of [item.from, item.to]) if (typeof id === 'string' && id !== '') parents.add(id)
  const estimateChanged = items.some(
    (i) =>
      i.fieldId === effort || (typeof i.field === 'string' && i.field.toLowerCase() === effort.toLowerCase()),
  )
  const relevant = event !== 'jira:issue_updated' || estimateChanged || reparented.length > 0
  return relevant ? [...parents] : []
}
