import { randomBytes, randomUUID } from 'node:crypto'
import { seededRandom } from '../random.ts'

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

/** Where a workspace's ids come from: random, like Linear's, or seeded for a reproducible world. */
export interface IdSource {
  /** A UUID. */
  id(): string
  /** Linear's short URL slugs: 12 hex characters. */
  slugId(): string
}

export function randomIds(): IdSource {
  return { id: () => randomUUID(), slugId: () => randomBytes(6).toString('hex') }
}

/**
 * The same ids in the same order for the same seed, shaped like Linear's: plans break
 * ties by epic id, so a seeded world plans the same way on every run.
 */
export function seededIds(seed: number): IdSource {
  const random = seededRandom(seed)
  const next = () => random() * 4294967296
  const hex = (words: number) =>
    Array.from({ length: words }, () => next().toString(16).padStart(8, '0')).join('')
  return {
    id() {
      const h = hex(4)
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
    },
    slugId: () => hex(2).slice(0, 12),
  }
}
