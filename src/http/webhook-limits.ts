/**
 * Fixed-window counters by key, kept in this process (as the README says, the webhook limits are
 * per API process). A window opens at a key's first hit and lasts `windowMs`. The number of keys
 * is bounded: once `maxKeys` are live, new keys share one overflow counter, so a flood from many
 * addresses costs a bounded amount of memory and cannot reset anyone's count by eviction.
 */
export interface LimitVerdict {
  limited: boolean
  /** Seconds until the key's window ends (at least 1). */
  retryAfterSeconds: number
}

export const OVERFLOW_KEY = '(other keys)'

export class WindowCounters {
  readonly max: number
  readonly windowMs: number
  readonly #maxKeys: number
  readonly #clock: () => number
  readonly #windows = new Map<string, { count: number; endsAt: number }>()

  constructor(options: { max: number; windowMs: number; maxKeys?: number; clock?: () => number }) {
    this.max = options.max
    this.windowMs = options.windowMs
    this.#maxKeys = options.maxKeys ?? 10_000
    this.#clock = options.clock ?? Date.now
  }

  /** Counts one hit on `key`: limited once the window holds more than `max`. */
  hit(key: string): LimitVerdict {
    const now = this.#clock()
    const window = this.#windowOf(key, now)
    window.count += 1
    return this.#verdict(window, now)
  }

  #verdict(window: { count: number; endsAt: number }, now: number): LimitVerdict {
    return {
      limited: window.count > this.max,
      retryAfterSeconds: Math.max(1, Math.ceil((window.endsAt - now) / 1000)),
    }
  }

  #windowOf(key: string, now: number): { count: number; endsAt: number } {
    let window = this.#windows.get(key)
    if (window !== undefined && window.endsAt > now) return window
    if (window === undefined && this.#windows.size >= this.#maxKeys) {
      this.#dropEnded(now)
      if (this.#windows.size >= this.#maxKeys) key = OVERFLOW_KEY
      window = this.#windows.get(key)
      if (window !== undefined && window.endsAt > now) return window
    }
    window = { count: 0, endsAt: now + this.windowMs }
    this.#windows.set(key, window)
    return window
  }

  #dropEnded(now: number): void {
    for (const [key, window] of this.#windows) if (window.endsAt <= now) this.#windows.delete(key)
  }
}
