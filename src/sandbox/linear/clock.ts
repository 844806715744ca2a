import { randomBytes, randomUUID } from 'node:crypto'

/**
 * The simulator's time source. Every change gets a strictly later timestamp than the previous one
 * (Linear's `updatedAt` has millisecond precision, and two writes within one millisecond would
 * otherwise tie, which would make `updatedAt > cursor` filters miss one of them), so a burst of
 * writes may run a few milliseconds ahead of the clock. A clock that is set back — a demo replaying
 * its history, a test travelling in time — is followed: the next change carries the new time.
 */
export class SimulatorClock {
  readonly #now: () => number
  /** The last stamp given. */
  #last = 0
  /** What the underlying clock said at the last stamp. */
  #lastRaw = 0

  constructor(now: () => number = Date.now) {
    this.#now = now
  }

  /** The current time in ms (never before the last stamp, unless the clock was set back). */
  now(): number {
    const raw = this.#now()
    return raw < this.#lastRaw ? raw : Math.max(raw, this.#last)
  }

  /** A fresh change timestamp, ISO 8601. */
  stamp(): string {
    const raw = this.#now()
    this.#last = raw < this.#lastRaw ? raw : Math.max(raw, this.#last + 1)
    this.#lastRaw = raw
    return new Date(this.#last).toISOString()
  }
}

export function newId(): string {
  return randomUUID()
}

/** Linear's short URL slugs: 12 hex characters. */
export function newSlugId(): string {
  return randomBytes(6).toString('hex')
}
