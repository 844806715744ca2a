import type { WebhookDelivery, WebhookOutcome } from '../types.ts'
import { type LinearEvent, type RoutingContext, routeEvent } from './webhook-routing.ts'
import { deliveryIdOf, header, MAX_AGE_MS, SIGNATURE_HEADER, verifySignature } from './webhook-signature.ts'

interface Payload extends LinearEvent {
  createdAt: string
  webhookId: string
  webhookTimestamp: number
}

/**
 * Verify, then parse, then route: the signature is checked on the raw bytes before anything reads
 * them; the body must be a Linear event sent within a minute of its receipt (a replay of an old
 * delivery is refused, a fresh duplicate is told apart by its delivery id by the caller). Never
 * throws: whatever is wrong comes back as a rejection with its reason.
 *
 * @see https://linear.app/developers/webhooks#securing-webhooks
 */
export function receiveLinearWebhook(ctx: RoutingContext, delivery: WebhookDelivery): WebhookOutcome {
  const secret = ctx.source.webhookSecret?.reveal()
  if (secret === undefined || secret === '') {
    return {
      status: 'rejected',
      reason: `source ${ctx.source.id} has no webhookSecret to verify Linear webhooks with`,
    }
  }
  const signature = header(delivery.headers, SIGNATURE_HEADER)
  if (signature === undefined || signature === '')
    return { status: 'rejected', reason: 'no Linear-Signature header' }
  if (!verifySignature(delivery.rawBody, signature, secret)) {
    return { status: 'rejected', reason: 'Linear-Signature does not match the body' }
  }
  let payload: unknown
  try {
    payload = JSON.parse(delivery.rawBody.toString('utf8'))
  } catch {
    return { status: 'rejected', reason: 'body is not JSON' }
  }
  if (!isPayload(payload)) return { status: 'rejected', reason: 'body is not a Linear data-change event' }
  const age = delivery.receivedAt.getTime() - payload.webhookTimestamp
  if (!(Math.abs(age) <= MAX_AGE_MS)) {
    const seconds = Math.round(Math.abs(age) / 1000)
    const when =
      age > 0 ? `sent ${seconds} s before it was received` : `dated ${seconds} s after it was received`
    return { status: 'rejected', reason: `stale: ${when} (at most ${MAX_AGE_MS / 1000} s apart)` }
  }
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
    typeof p.webhookTimestamp === 'number' &&
    typeof p.webhookId === 'string' &&
    typeof p.createdAt === 'string' &&
    (p.updatedFrom === undefined ||
      p.updatedFrom === null ||
      (typeof p.updatedFrom === 'object' && !Array.isArray(p.updatedFrom)))
  )
}
