import { OnetrackError } from '../errors.ts'
import type { ChannelOptions } from './types.ts'

/** Whether a failed post may have reached the receiver anyway. */
export type Delivery = 'not_delivered' | 'unknown'

/** What every CHANNEL_* error carries in `details`; never the URL, which is a credential. */
export interface ChannelFailureDetails {
  channel: string
  delivery: Delivery
  status?: number
  retryAfterMs?: number
  /** The receiver's error answer, shortened. */
  answer?: string
}

export interface HttpAnswer {
  status: number
  headers: Headers
  body: string
}

const DEFAULT_TIMEOUT_MS = 10_000
const RETRY_AFTER_DEFAULT_MS = 30_000
/**
 * Connection failures that happen before a byte of the request is sent: the receiver surely did not
 * get the message. Anything else (a reset, a timeout while waiting for the answer) may have arrived.
 */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

/**
 * Sends one request and returns whatever status came back. Throws CHANNEL_REJECTED for a URL that
 * cannot be used at all and CHANNEL_UNAVAILABLE when no answer came, with whether it may have
 * arrived. No retries here: the report job retries, so every attempt is recorded.
 */
export async function request(
  target: { channel: string; service: string; url: string },
  init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
  options: ChannelOptions,
): Promise<HttpAnswer> {
  const url = URL.canParse(target.url) ? new URL(target.url) : null
  if (url === null || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new OnetrackError(
      'CHANNEL_REJECTED',
      `${target.service}: the channel's URL is not an http(s) URL`,
      {
        details: { channel: target.channel, delivery: 'not_delivered' } satisfies ChannelFailureDetails,
      },
    )
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  try {
    const response = await (options.fetch ?? fetch)(url, {
      method: init.method,
      headers: { 'user-agent': 'onetrack', ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    })
    return { status: response.status, headers: response.headers, body: await response.text() }
  } catch (error) {
    const code = causeCode(error)
    const timedOut = (error as Error).name === 'TimeoutError'
    const delivery: Delivery = code !== undefined && NOT_SENT.has(code) ? 'not_delivered' : 'unknown'
    const what = timedOut
      ? `no answer within ${timeoutMs} ms`
      : `request failed (${code ?? (error as Error).message})`
    throw new OnetrackError('CHANNEL_UNAVAILABLE', `${target.service}: ${what}`, {
      cause: error,
      details: { channel: target.channel, delivery } satisfies ChannelFailureDetails,
    })
  }
}

function causeCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') return code
  }
  return undefined
}

/**
 * The error for an answer that is not a success: 429 → CHANNEL_RATE_LIMITED (after Retry-After),
 * 408 and 5xx → CHANNEL_UNAVAILABLE (retried with backoff), other 4xx → CHANNEL_REJECTED (the
 * channel is misconfigured; retrying cannot help). In every case the receiver did not take the
 * message (unless `options.delivery` says otherwise). `explain` turns a vendor's error answer into
 * something a person can act on.
 */
export function answerFailure(
  target: { channel: string; service: string },
  answer: HttpAnswer,
  options: {
    explain?: (answer: string) => string | undefined
    /** For a vendor that documents an error after which the message may have been posted. */
    delivery?: Delivery
    now?: number
  } = {},
): OnetrackError {
  const text = answer.body.trim().slice(0, 300)
  const hint = options.explain?.(text)
  const said = `${target.service} answered ${answer.status}${text === '' ? '' : ` ${text}`}${hint === undefined ? '' : `: ${hint}`}`
  const details: ChannelFailureDetails = {
    channel: target.channel,
    delivery: options.delivery ?? 'not_delivered',
    status: answer.status,
    ...(text === '' ? {} : { answer: text }),
  }
  if (answer.status === 429) {
    const retryAfterMs = retryAfter(answer.headers.get('retry-after'), options.now) ?? RETRY_AFTER_DEFAULT_MS
    return new OnetrackError(
      'CHANNEL_RATE_LIMITED',
      `${said}; retrying in ${Math.ceil(retryAfterMs / 1000)} s`,
      {
        details: { ...details, retryAfterMs },
      },
    )
  }
  if (answer.status === 408 || answer.status >= 500) {
    return new OnetrackError('CHANNEL_UNAVAILABLE', said, { details })
  }
  return new OnetrackError('CHANNEL_REJECTED', said, { details })
}

/**
 * Retry-After in ms: delta-seconds or an HTTP date; null when absent or unreadable.
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 */
export function retryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}

/** The details of a CHANNEL_* error, when it is one. */
export function failureDetails(error: unknown): ChannelFailureDetails | null {
  if (!(error instanceof OnetrackError) || !error.code.startsWith('CHANNEL_')) return null
  const details = error.details as Partial<ChannelFailureDetails> | undefined
  return details?.delivery === undefined ? null : (details as ChannelFailureDetails)
}
