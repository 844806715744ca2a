/**
 * A per-source request budget: at most `perSecond` requests start per second (token bucket with a
 * burst of one second's worth). Trackers count requests per account, so every request of a source
 * goes through its budget; a 429's Retry-After pauses the whole budget, not just one request.
 */
export class RequestBudget {
  readonly #perSecond: number
  #tokens: number
  #last: number
  #pausedUntil = 0
  readonly #now: () => number

  constructor(perSecond: number, now: () => number = Date.now) {
    this.#perSecond = perSecond
    this.#tokens = perSecond
    this.#now = now
    this.#last = now()
  }

  /** Resolves when a request may start; rejects if the signal aborts first. */
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted()
      const now = this.#now()
      this.#tokens = Math.min(this.#perSecond, this.#tokens + ((now - this.#last) / 1000) * this.#perSecond)
      this.#last = now
      const wait = Math.max(
        this.#pausedUntil - now,
        this.#tokens >= 1 ? 0 : ((1 - this.#tokens) / this.#perSecond) * 1000,
      )
      if (wait <= 0) {
        this.#tokens -= 1
        return
      }
      await sleep(wait, signal)
    }
  }

  /** After a 429: no request starts before `ms` from now. */
  pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + ms)
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
