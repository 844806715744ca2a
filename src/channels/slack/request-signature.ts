import { createHmac, timingSafeEqual } from 'node:crypto'

/** Slack refuses requests older than this; so does onetrack (replays). */
const MAX_AGE_SECONDS = 5 * 60

/**
 * Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` under the
 * signing secret, the timestamp within five minutes of now. Compared in constant time, with every
 * secret (no early exit). Null when valid, else why not.
 * @see https://docs.slack.dev/authentication/verifying-requests-from-slack
 */
export function slackSignatureProblem(
  secrets: readonly string[],
  headers: Record<string, string | string[] | undefined>,
  rawBody: Buffer,
  now: Date,
): string | null {
  const signature = headers['x-slack-signature']
  const timestamp = headers['x-slack-request-timestamp']
  if (typeof signature !== 'string' || typeof timestamp !== 'string') return 'missing Slack signature headers'
  if (!/^\d{1,12}$/.test(timestamp)) return 'malformed X-Slack-Request-Timestamp'
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > MAX_AGE_SECONDS)
    return 'stale X-Slack-Request-Timestamp (more than 5 minutes off)'
  const given = Buffer.from(signature, 'utf8')
  let valid = false
  for (const secret of secrets) {
    const hmac = createHmac('sha256', secret)
    hmac.update(`v0:${timestamp}:`)
    hmac.update(rawBody)
    const expected = Buffer.from(`v0=${hmac.digest('hex')}`, 'utf8')
    if (expected.length === given.length && timingSafeEqual(expected, given)) valid = true
  }
  return valid ? null : 'the X-Slack-Signature does not match'
}
