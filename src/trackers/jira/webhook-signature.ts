import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Jira admin webhooks with a secret carry `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>`
 * (the WebSub convention). Checked on the raw bytes, before any parsing, in constant time.
 * @see https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks
 * @see https://www.w3.org/TR/websub/#signature-validation
 */
export type SignatureCheck = { ok: true } | { ok: false; reason: string }

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i

export function verifyHubSignature(
  rawBody: Buffer,
  header: string | undefined,
  secret: string,
): SignatureCheck {
  if (header === undefined || header.trim() === '') {
    return { ok: false, reason: 'unsigned delivery: X-Hub-Signature is missing' }
  }
  const match = SIGNATURE.exec(header.trim())
  if (match === null) return { ok: false, reason: 'X-Hub-Signature is not sha256=<64 hex digits>' }
  const expected = createHmac('sha256', secret).update(rawBody).digest()
  const given = Buffer.from(match[1] as string, 'hex')
  return timingSafeEqual(expected, given)
    ? { ok: true }
    : { ok: false, reason: 'X-Hub-Signature does not match the body' }
}
