import { createHash } from 'node:crypto'
import { LINEAR_WEBHOOK_SIGNATURE_HEADER, LinearWebhookClient } from '@linear/sdk/webhooks'

/**
 * Linear signs each webhook with `Linear-Signature`: the hex HMAC-SHA256 of the raw body with the
 * webhook's secret. The SDK's client checks it with a timing-safe comparison; it is called without
 * a timestamp, because its freshness check reads the wall clock and onetrack judges freshness
 * against the delivery's `receivedAt` instead (see webhook.ts).
 *
 * @see https://linear.app/developers/webhooks#securing-webhooks
 */
export function verifySignature(rawBody: Buffer, signature: string, secret: string): boolean {
  try {
    return new LinearWebhookClient(secret).verify(rawBody, signature)
  } catch {
    return false
  }
}

export function header(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const wanted = name.toLowerCase()
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue
    return Array.isArray(value) ? value[0] : value
  }
  return undefined
}

export const SIGNATURE_HEADER = LINEAR_WEBHOOK_SIGNATURE_HEADER

/** A Linear-Signature is the HMAC's 64 hex digits: anything else cannot match, whatever the body. */
export function isWellFormedSignature(signature: string): boolean {
  return /^[0-9a-f]{64}$/i.test(signature.trim())
}

/** Linear's freshness window for `webhookTimestamp`. */
export const MAX_AGE_MS = 60_000

/**
 * The delivery's id: `Linear-Delivery` when sent (a UUID per delivery, the same on a retry);
 * otherwise derived from what stays the same when Linear retries the same event — the webhook,
 * the event and the entity's `createdAt`/`updatedAt` — and not from `webhookTimestamp`, which a
 * retry renews.
 */
export function deliveryIdOf(
  headerValue: string | undefined,
  payload: {
    webhookId: string
    type: string
    action: string
    createdAt: string
    data: { id?: unknown; updatedAt?: unknown }
  },
): string {
  if (headerValue !== undefined && headerValue.trim() !== '') return headerValue.trim()
  const basis = [
    payload.webhookId,
    payload.type,
    payload.action,
    payload.data.id,
    payload.data.updatedAt,
    payload.createdAt,
  ]
  return `derived-${createHash('sha256').update(JSON.stringify(basis)).digest('hex').slice(0, 32)}`
}
