/**
 * Linear's rate limiting and the faults tests inject. Linear meters each API key with two leaky
 * buckets — requests and complexity points — refilled at a constant LIMIT / PERIOD, and reports
 * both on every answer (`x-ratelimit-{requests,complexity}-{limit,remaining,reset}`, reset as epoch
 * milliseconds; `x-complexity` for the query just served).
 *
 * @see https://linear.app/developers/rate-limiting
 */

export interface RateLimitOptions {
  /** Requests per period (Linear: 5,000 an hour for an API key; varies by plan). */
  requests: number
  /** Complexity points per period (Linear: 3,000,000 an hour for an API key). */
  complexity: number
  periodMs: number
  /** HTTP status of a RATELIMITED answer: Linear sends 400 with the code in the body; 429 is allowed for. */
  status: 400 | 429
}

export const DEFAULT_RATE_LIMITS: RateLimitOptions = {
  requests: 5_000,
  complexity: 3_000_000,
  periodMs: 3_600_000,
  status: 400,
}

export class LeakyBucket {
  readonly capacity: number
  readonly #periodMs: number
  readonly #now: () => number
  #level: number
  #at: number

  constructor(capacity: number, periodMs: number, now: () => number) {
    this.capacity = capacity
    this.#periodMs = periodMs
    this.#now = now
    this.#level = capacity
    this.#at = now()
  }

  remaining(): number {
    this.#refill()
    return Math.floor(this.#level)
  }

  /** Takes `amount` if available; otherwise takes nothing. */
  take(amount: number): boolean {
    this.#refill()
    if (this.#level < amount) return false
    this.#level -= amount
    return true
  }

  /** Epoch ms at which the bucket is full again. */
  resetAt(): number {
    this.#refill()
    return Math.ceil(this.#at + ((this.capacity - this.#level) / this.capacity) * this.#periodMs)
  }

  /** Ms until `amount` is available. */
  waitFor(amount: number): number {
    this.#refill()
    return Math.max(0, Math.ceil(((amount - this.#level) / this.capacity) * this.#periodMs))
  }

  /** Empties the bucket (a test's "the key just spent its budget elsewhere"). */
  drain(): void {
    this.#refill()
    this.#level = 0
  }

  #refill(): void {
    const now = this.#now()
    // A clock set back (a demo replaying history) refills nothing rather than draining the bucket.
    const elapsed = Math.max(0, now - this.#at)
    this.#level = Math.min(this.capacity, this.#level + (elapsed / this.#periodMs) * this.capacity)
    this.#at = now
  }
}

export type Fault =
  /** Answer RATELIMITED as if the key's budget were spent, with `retry-after` and reset headers. */
  | { kind: 'ratelimit'; retryAfterMs?: number; status?: 400 | 429 }
  /** Answer a 5xx (500 as Linear's JSON error, other codes as a proxy's HTML page). */
  | { kind: 'server-error'; status?: number }
  /** Hold the answer back, e.g. past the client's timeout. */
  | { kind: 'delay'; ms: number }
  /** Drop the connection without an answer. */
  | { kind: 'disconnect' }

/** Which requests fail how: the next N, and/or every Nth from now on. */
export class FaultPlan {
  readonly #queue: Fault[] = []
  #every: { n: number; fault: Fault; seen: number } | null = null

  next(count: number, fault: Fault): void {
    for (let i = 0; i < count; i++) this.#queue.push(fault)
  }

  every(n: number, fault: Fault): void {
    this.#every = { n, fault, seen: 0 }
  }

  clear(): void {
    this.#queue.length = 0
    this.#every = null
  }

  /** The fault for the request now arriving, if any. */
  take(): Fault | undefined {
    const queued = this.#queue.shift()
    if (queued !== undefined) return queued
    if (this.#every === null) return undefined
    this.#every.seen += 1
    return this.#every.seen % this.#every.n === 0 ? this.#every.fault : undefined
  }
}
