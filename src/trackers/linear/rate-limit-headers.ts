/**
 * Reading Linear's rate-limit headers. Linear meters each key with two leaky buckets (requests and
 * complexity points) and reports both on every answer: `x-ratelimit-{requests,complexity}-limit`,
 * `-remaining`, and `-reset` (epoch ms at which the bucket is full again); `x-complexity` is the cost
 * of the query just answered; a RATELIMITED answer adds `retry-after` (seconds). The numbers vary by
 * plan and change over time, so the connector reads them and never hard-codes a limit.
 *
 * @see https://linear.app/developers/rate-limiting
 */

export interface Bucket {
  limit: number
  remaining: number
  resetAt: number
}

export interface RateLimitState {
  requests: Bucket | null
  complexity: Bucket | null
  /** Points the answered query cost. */
  lastComplexity: number | null
}

type HeaderSource = { get(name: string): string | null } | undefined

function number(headers: HeaderSource, name: string): number | null {
  const raw = headers?.get(name)
  if (raw === null || raw === undefined || raw.trim() === '') return null
  const value = Number(raw)
  return Number.isFinite(value) ? value : null
}

function bucket(headers: HeaderSource, kind: 'requests' | 'complexity'): Bucket | null {
  const limit = number(headers, `x-ratelimit-${kind}-limit`)
  const remaining = number(headers, `x-ratelimit-${kind}-remaining`)
  const resetAt = number(headers, `x-ratelimit-${kind}-reset`)
  if (limit === null || remaining === null || resetAt === null) return null
  return { limit, remaining, resetAt }
}

export function readRateLimits(headers: HeaderSource): RateLimitState {
  return {
    requests: bucket(headers, 'requests'),
    complexity: bucket(headers, 'complexity'),
    lastComplexity: number(headers, 'x-complexity'),
  }
}

/**
 * How long to wait after a RATELIMITED answer: `retry-after` (seconds, or an HTTP date) when given,
 * else until the reset of the exhausted bucket; `fallbackMs` when the answer says nothing.
 */
export function retryAfterMs(headers: HeaderSource, now: number, fallbackMs: number): number {
  const raw = headers?.get('retry-after')
  if (raw !== null && raw !== undefined && raw.trim() !== '') {
    const seconds = Number(raw)
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
    const date = Date.parse(raw)
    if (Number.isFinite(date)) return Math.max(0, date - now)
  }
  const state = readRateLimits(headers)
  const resets = [state.requests, state.complexity]
    .filter((b): b is Bucket => b !== null && b.remaining <= 0)
    .map((b) => b.resetAt - now)
  return resets.length > 0 ? Math.max(0, ...resets) : fallbackMs
}

/**
 * How long to hold the next request so a bucket keeps `reserve` for others (webhook-triggered syncs,
 * the people using Linear): zero while there is room; otherwise the time the bucket takes to refill
 * the shortfall. The refill rate follows from the headers: (limit − remaining) refills by `resetAt`.
 */
export function paceMs(bucket: Bucket | null, need: number, now: number): number {
  if (bucket === null || bucket.remaining >= need) return 0
  const untilFull = Math.max(1, bucket.resetAt - now)
  const perMs = (bucket.limit - bucket.remaining) / untilFull
  if (perMs <= 0) return untilFull
  return Math.min(untilFull, Math.ceil((need - bucket.remaining) / perMs))
}

/** The wait before the next request given what the last answer said. */
export function pacingDelayMs(state: RateLimitState, reserveFraction: number, now: number): number {
  const reserve = (b: Bucket | null) => (b === null ? 0 : Math.max(1, Math.ceil(b.limit * reserveFraction)))
  return Math.max(
    paceMs(state.requests, reserve(state.requests), now),
    paceMs(state.complexity, reserve(state.complexity) + (state.lastComplexity ?? 0), now),
  )
}
