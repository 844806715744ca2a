import type { SourceConfig } from '../config/index.ts'
import type { WebhookRejection, WebhookRejectionKind } from './types.ts'

/**
 * The rules every tracker's webhooks follow, so that they read the same for Jira and Linear:
 * - a source with a `webhookSecret` takes only deliveries signed with it;
 * - a source without one refuses every delivery, unless its config says `allowUnsigned: true`;
 * - the body's timestamp (signed with the rest of the body) must be within the tracker's window
 *   of the delivery's receipt, either way; a body without one is refused.
 */
export type SignaturePolicy = { secret: string } | { unsigned: true } | { refused: WebhookRejection }

export function signaturePolicy(source: SourceConfig, tracker: string): SignaturePolicy {
  const secret = source.webhookSecret?.reveal()
  if (secret !== undefined && secret !== '') return { secret }
  if (source.allowUnsigned) return { unsigned: true }
  return {
    refused: rejected(
      'no_secret',
      `source ${source.id} has no webhookSecret to verify ${tracker} webhooks with (and allowUnsigned is off)`,
    ),
  }
}

/** null when `timestamp` (epoch ms, the body's field `field`) is within `windowMs` of `receivedAt`. */
export function stalenessOf(
  receivedAt: Date,
  timestamp: unknown,
  windowMs: number,
  field: string,
): WebhookRejection | null {
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
    return rejected('stale', `undated: the body has no ${field} (epoch ms) to check its freshness by`)
  }
  const age = receivedAt.getTime() - timestamp
  if (Math.abs(age) <= windowMs) return null
  const seconds = Math.round(Math.abs(age) / 1000)
  const when =
    age > 0 ? `sent ${seconds} s before it was received` : `dated ${seconds} s after it was received`
  return rejected('stale', `stale: ${when} (at most ${windowMs / 1000} s apart)`)
}

export function rejected(kind: WebhookRejectionKind, reason: string): WebhookRejection {
  return { status: 'rejected', kind, reason }
}
