/**
 * Faults to inject, each for the next N requests (webhook posts and Web API calls alike): Slack's
 * rate limit (429 with Retry-After) and server failures.
 * @see https://docs.slack.dev/apis/web-api/rate-limits
 */
export type Fault = { kind: 'rate_limited'; retryAfterSeconds: number } | { kind: 'failure'; status: number }

export class Faults {
  readonly #pending: Array<{ remaining: number; fault: Fault }> = []

  add(count: number, fault: Fault): void {
    if (count > 0) this.#pending.push({ remaining: count, fault })
  }

  /** The fault for this request, if one is pending; faults apply in the order they were added. */
  take(): Fault | null {
    const first = this.#pending[0]
    if (first === undefined) return null
    first.remaining -= 1
    if (first.remaining <= 0) this.#pending.shift()
    return first.fault
  }

  clear(): void {
    this.#pending.length = 0
  }
}
