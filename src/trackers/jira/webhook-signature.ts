import { createHmac, timingSafeEqual } from 'node:crypto'
import type { WebhookRejectionKind } from '../types.ts'

/**
 * Jira admin webhooks with a secret carry `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>`
 * (the WebSub convention). Checked on the raw bytes, before any parsing, in constant time.
 * @see https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks
 * @see https://www.w3.org/TR/websub/#signature-validation
 */
export type SignatureCheck = { ok: true } | { ok: false; kind: WebhookRejectionKind; reason: string }

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i

/** The digest a header carries, when it is there and well formed: checked before the body is read. */
export function hubSignatureDigest(
  header: string | undefined,
): { ok: true; digest: Buffer } | { ok: false; kind: WebhookRejectionKind; reason: string } {
  if (header === undefined || header.trim() === '') {
    return { ok: false, kind: 'unsigned', reason: 'unsigned delivery: X-Hub-Signature is missing' }
  }
  const match = SIGNATURE.exec(header.trim())
  if (match === null) {
    return { ok: false, kind: 'bad_signature', reason: 'X-Hub-Signature is not sha256=<64 hex digits>' }
  }
  return { ok: true, digest: Buffer.from(match[1] as string, 'hex') }
}

export function verifyHubSignature(
  rawBody: Buffer,
  header: string | undefined,
  secret: string,
): SignatureCheck {
  const given = hubSignatureDigest(header)
  if (!given.ok) return given
  const expected = createHmac('sha256', secret).update(rawBody).digest()
  return timingSafeEqual(expected, given.digest)
    ? { ok: true }
    : { ok: false, kind: 'bad_signature', reason: 'X-Hub-Signature does not match the body' }
}
