/**
 * Fault injection for tests and the demo: Jira's rate limiting (429 with Retry-After and the
 * X-RateLimit-* headers), failures (any status) and slow answers, each optionally limited to one
 * route ("PUT /rest/api/3/issue/:issueIdOrKey").
 * @see https://developer.atlassian.com/cloud/jira/platform/rate-limiting/
 */

export type RateLimitRule =
  /** Every n-th request (n, 2n, …) is refused. */
  | { every: number; retryAfterSeconds: number }
  /** The next n requests are refused. */
  | { next: number; retryAfterSeconds: number }
  /** A token bucket: `perSecond` requests a second, bursts of as many. */
  | { perSecond: number }

/**
 * A search that breaks its paging: `repeat-token` answers the token it was sent (so a client that
 * trusts it asks for the same page forever); `endless` never says the last page, starting over
 * from the first issue with fresh tokens.
 */
export type PagingFault = 'repeat-token' | 'endless'

export interface FaultScope {
  /** Only requests of this route ("METHOD /path/:param"). */
  route?: string
}

interface Pending<T> {
  remaining: number
  value: T
  route: string | undefined
}

export interface RateLimitAnswer {
  retryAfterSeconds: number
  limit: number
  resetAt: number
}

export class Faults {
  #rule: RateLimitRule | null = null
  #paging: PagingFault | null = null
  #seen = 0
  #tokens = 0
  #refilledAt = 0
  readonly #failures: Array<Pending<number>> = []
  readonly #delays: Array<Pending<number>> = []
  readonly #waits = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>()

  rateLimit(rule: RateLimitRule | null, now: number): void {
    this.#rule = rule
    this.#seen = 0
    if (rule !== null && 'perSecond' in rule) {
      this.#tokens = rule.perSecond
      this.#refilledAt = now
    }
  }

  failNext(count: number, status: number, scope: FaultScope): void {
    this.#failures.push({ remaining: count, value: status, route: scope.route })
  }

  delayNext(count: number, ms: number, scope: FaultScope): void {
    this.#delays.push({ remaining: count, value: ms, route: scope.route })
  }

  breakPaging(fault: PagingFault | null): void {
    this.#paging = fault
  }

  paging(): PagingFault | null {
    return this.#paging
  }

  takeDelay(route: string): number {
    return take(this.#delays, route) ?? 0
  }

  takeFailure(route: string): number | null {
    return take(this.#failures, route)
  }

  /** The 429 to answer, or null when the request may pass. */
  takeRateLimit(now: number): RateLimitAnswer | null {
    const rule = this.#rule
    if (rule === null) return null
    if ('perSecond' in rule) {
      this.#tokens = Math.min(
        rule.perSecond,
        this.#tokens + ((now - this.#refilledAt) / 1000) * rule.perSecond,
      )
      this.#refilledAt = now
      if (this.#tokens >= 1) {
        this.#tokens -= 1
        return null
      }
      const waitMs = ((1 - this.#tokens) / rule.perSecond) * 1000
      return {
        retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
        limit: rule.perSecond,
        resetAt: now + waitMs,
      }
    }
    this.#seen += 1
    const refused = 'every' in rule ? this.#seen % rule.every === 0 : this.#seen <= rule.next
    if (!refused) return null
    return {
      retryAfterSeconds: rule.retryAfterSeconds,
      limit: 0,
      resetAt: now + rule.retryAfterSeconds * 1000,
    }
  }

  /** A delay that `cancelAll` ends early, so closing the simulator never waits for one. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.#waits.delete(entry)
          resolve()
        }, ms),
        resolve,
      }
      this.#waits.add(entry)
    })
  }

  cancelAll(): void {
    for (const entry of this.#waits) {
      clearTimeout(entry.timer)
      entry.resolve()
    }
    this.#waits.clear()
  }

  clear(): void {
    this.#rule = null
    this.#paging = null
    this.#failures.length = 0
    this.#delays.length = 0
  }
}

function take(queue: Array<Pending<number>>, route: string): number | null {
  const index = queue.findIndex((p) => p.route === undefined || p.route === route)
  if (index === -1) return null
  const pending = queue[index] as Pending<number>
  pending.remaining -= 1
  if (pending.remaining <= 0) queue.splice(index, 1)
  return pending.value
}
