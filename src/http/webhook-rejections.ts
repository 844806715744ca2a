import type { Counter } from 'prom-client'
import type { WebhookRejectionKind } from '../trackers/types.ts'

/** Why a webhook request was refused: the connector's classes, and the route's own. */
export type RejectionReason = WebhookRejectionKind | 'unknown_source' | 'address_limit' | 'source_limit'

interface WarnLogger {
  warn(fields: object, message: string): void
}

interface Interval {
  startedAt: number
  rejected: number
  byReason: Partial<Record<RejectionReason, number>>
  timer: NodeJS.Timeout
}

/**
 * Counts every refused webhook request in the metrics, and logs them sampled: a flood must not
 * become a flood of log lines. Per source (`unknown` for paths that name none, so the keys stay
 * few), the first refusal is logged in full; those that follow within the interval are only
 * counted, and one line at the interval's end says how many there were and why. An interval with
 * none ends the sampling: the next refusal is logged in full again.
 */
export class RejectionLog {
  readonly #logger: WarnLogger
  readonly #counter: Counter<'source' | 'reason'>
  readonly #intervalMs: number
  readonly #intervals = new Map<string, Interval>()

  constructor(options: { logger: WarnLogger; counter: Counter<'source' | 'reason'>; intervalMs: number }) {
    this.#logger = options.logger
    this.#counter = options.counter
    this.#intervalMs = options.intervalMs
  }

  record(source: string, reason: RejectionReason, detail: { message: string; address: string }): void {
    this.#counter.inc({ source, reason })
    const interval = this.#intervals.get(source)
    if (interval !== undefined) {
      interval.rejected += 1
      interval.byReason[reason] = (interval.byReason[reason] ?? 0) + 1
      return
    }
    this.#logger.warn(
      { sourceId: source, reason, address: detail.address },
      `webhook rejected: ${detail.message} (further rejections for this source are summarised every ${this.#intervalMs / 1000} s)`,
    )
    this.#intervals.set(source, this.#open(source))
  }

  /** Logs what is still counted and stops the timers (the app is closing). */
  close(): void {
    for (const source of [...this.#intervals.keys()]) this.#summarise(source, false)
  }

  #open(source: string): Interval {
    const timer = setTimeout(() => this.#summarise(source, true), this.#intervalMs)
    // A pending summary never keeps the process alive.
    timer.unref()
    return { startedAt: Date.now(), rejected: 0, byReason: {}, timer }
  }

  #summarise(source: string, continuing: boolean): void {
    const interval = this.#intervals.get(source)
    if (interval === undefined) return
    clearTimeout(interval.timer)
    this.#intervals.delete(source)
    if (interval.rejected === 0) return
    const seconds = Math.max(1, Math.round((Date.now() - interval.startedAt) / 1000))
    this.#logger.warn(
      { sourceId: source, rejected: interval.rejected, byReason: interval.byReason, seconds },
      `${interval.rejected} more webhook requests rejected in ${seconds} s`,
    )
    // Rejections still arriving: keep summarising, one line per interval.
    if (continuing) this.#intervals.set(source, this.#open(source))
  }
}
