import type { WebhookDelivery, WebhookOutcome, WebhookRejection } from '../types.ts'
import { rejected, signaturePolicy, stalenessOf } from '../webhook-rules.ts'
import type { LinearSourceConfig } from './settings.ts'
import { type LinearEvent, type RoutingContext, routeEvent } from './webhook-routing.ts'
import {
  deliveryIdOf,
  header,
  isWellFormedSignature,
  MAX_AGE_MS,
  SIGNATURE_HEADER,
  verifySignature,
} from './webhook-signature.ts'

interface Payload extends LinearEvent {
  createdAt: string
  webhookId: string
  webhookTimestamp?: unknown
}

/** The checks the headers allow before the body is read: webhooks taken at all, signature present. */
export function screenLinearWebhook(
  source: LinearSourceConfig,
  headers: WebhookDelivery['headers'],
): WebhookRejection | null {
  const policy = signaturePolicy(source, 'Linear')
  if ('refused' in policy) return policy.refused
  if ('unsigned' in policy) return null
  const signature = header(headers, SIGNATURE_HEADER)
  if (signature === undefined || signature.trim() === '')
    return rejected('unsigned', 'no Linear-Signature header')
  return isWellFormedSignature(signature)
    ? null
    : rejected('bad_signature', 'Linear-Signature is not 64 hex digits')
}

/**
 * Verify, then parse, then route: the signature is checked on the raw bytes before anything reads
 * them; the body must be a Linear event whose `webhookTimestamp` is within a minute of its receipt
 * (a replay of an old delivery is refused; a fresh duplicate is told apart by the caller, by its
 * delivery id or its body). Never throws: whatever is wrong comes back as a rejection with its reason.
 *
 * @see https://linear.app/developers/webhooks#securing-webhooks
 */
export function receiveLinearWebhook(ctx: RoutingContext, delivery: WebhookDelivery): WebhookOutcome {
  const policy = signaturePolicy(ctx.source, 'Linear')
  if ('refused' in policy) return policy.refused
  if ('secret' in policy) {
    const signature = header(delivery.headers, SIGNATURE_HEADER)
    if (signature === undefined || signature === '') return rejected('unsigned', 'no Linear-Signature header')
    if (!verifySignature(delivery.rawBody, signature, policy.secret)) {
      return rejected('bad_signature', 'Linear-Signature does not match the body')
    }
  }
  let payload: unknown
  try {
    payload = JSON.parse(delivery.rawBody.toString('utf8'))
  } catch {
    return rejected('malformed', 'body is not JSON')
  }
  if (!isPayload(payload)) return rejected('malformed', 'body is not a Linear data-change event')
  const stale = stalenessOf(delivery.receivedAt, payload.webhookTimestamp, MAX_AGE_MS, 'webhookTimestamp')
  if (stale !== null) return stale
  const deliveryId = deliveryIdOf(header(delivery.headers, 'linear-delivery'), payload)
  const event = `${payload.type}.${payload.action}`
  const route = routeEvent(ctx, payload)
  return 'ignored' in route
    ? { status: 'ignored', deliveryId, event, reason: route.ignored }
    : { status: 'accepted', deliveryId, event, externalIds: route.externalIds }
}

function isPayload(value: unknown): value is Payload {
  if (typeof value !== 'object' || value === null) return false
  const p = value as Record<string, unknown>
  return (
    typeof p.type === 'string' &&
    typeof p.action === 'string' &&
    typeof p.data === 'object' &&
    p.data !== null &&
    !Array.isArray(p.data) &&
    typeof p.webhookId === 'string' &&
    typeof p.createdAt === 'string' &&
    (p.updatedFrom === undefined ||
      p.updatedFrom === null ||
      (typeof p.updatedFrom === 'object' && !Array.isArray(p.updatedFrom)))
  )
}
