import { createHmac } from 'node:crypto'
import type { ChannelConfig } from '../../config/index.ts'
import { answerFailure, request } from '../http.ts'
import { type Channel, type ChannelOptions, deliveryKey } from '../types.ts'
import { renderWebhookPayload, type WebhookPayload } from './payload.ts'

export { renderWebhookPayload, type WebhookPayload, type WebhookReport } from './payload.ts'

/**
 * The generic webhook: the report as JSON to any URL. Every attempt for a channel's week carries
 * the same `Idempotency-Key` (and `deliveryId` in the body); receivers de-duplicate on it, which
 * makes a repeat harmless, so onetrack repeats a post whose outcome is unknown (at least once,
 * exactly once for a receiver that keeps the contract). 409 Conflict is read as "already have it".
 * With `signingSecret`, `X-Onetrack-Signature: sha256=<hex HMAC-SHA256 of the raw body>`.
 * The contract is in src/channels/README.md.
 */
export function webhookChannel(
  config: Extract<ChannelConfig, { kind: 'webhook' }>,
  options: ChannelOptions,
): Channel<WebhookPayload> {
  const target = { channel: config.id, service: 'Webhook receiver' }
  return {
    id: config.id,
    kind: 'webhook',
    onUnknownOutcome: 'resend',
    render: (report, context) =>
      renderWebhookPayload(report, context, deliveryKey(context.channelId ?? 'preview', context.week).id),
    async post(payload, key) {
      const body = JSON.stringify(payload)
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'idempotency-key': key.id,
        'x-onetrack-delivery': key.id,
        'x-onetrack-event': payload.type,
      }
      if (config.signingSecret !== undefined) {
        headers['x-onetrack-signature'] = signature(config.signingSecret.reveal(), body)
      }
      const answer = await request(
        { ...target, url: config.url.reveal() },
        { method: 'POST', headers, body },
        options,
      )
      if ((answer.status >= 200 && answer.status < 300) || answer.status === 409) return
      throw answerFailure(target, answer)
    },
  }
}

/** `sha256=<hex>` of HMAC-SHA256(secret, raw body): what a receiver recomputes and compares in constant time. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}
