import type { SourceConfig } from '../../config/index.ts'

export type LinearSourceConfig = Extract<SourceConfig, { kind: 'linear' }>

/**
 * How hard the connector tries before giving up, and how much of Linear's budgets it may use.
 * The defaults suit production; tests pass smaller waits.
 */
export interface LinearTuning {
  /** One HTTP request may take this long before it counts as failed (and is retried). */
  timeoutMs: number
  /** Attempts per request for 5xx, timeouts, network errors and short rate limits. */
  maxAttempts: number
  /** First backoff after a transient failure; doubles per attempt, with jitter, up to backoffMaxMs. */
  backoffBaseMs: number
  backoffMaxMs: number
  /** A rate-limit wait up to this long is waited out inline; a longer one fails the job with its retry time. */
  maxInlineWaitMs: number
  /**
   * Linear rejects a single query above 10,000 complexity points; the connector sizes its pages to
   * stay under this target (our count of Linear's published rule, with a margin for rounding).
   * @see https://linear.app/developers/rate-limiting#complexity
   */
  complexityTarget: number
  /** The share of each rate-limit bucket left for others (webhooks, people): below it, requests are paced. */
  reserveFraction: number
  /** Aliased mutations sent in one request during write-back. */
  mutationsPerRequest: number
}

export const DEFAULT_TUNING: LinearTuning = {
  timeoutMs: 30_000,
  maxAttempts: 4,
  backoffBaseMs: 500,
  backoffMaxMs: 8_000,
  maxInlineWaitMs: 15_000,
  complexityTarget: 9_000,
  reserveFraction: 0.02,
  mutationsPerRequest: 20,
}

/** Linear's page-size ceiling (unverified in API-NOTES; the connector never asks for more). */
export const MAX_PAGE_SIZE = 250

/** Whether any input is taken from what customers request (adds customer needs to the selection). */
export function usesCustomerRevenue(source: LinearSourceConfig): boolean {
  const { value, timeCriticality, risk } = source.inputs
  return [value, timeCriticality, risk].some((input) => input?.customerRevenue === true)
}

/** Whether mapping needs label names (label groups, label track rules, a chronic label to recognise). */
export function usesLabels(source: LinearSourceConfig): boolean {
  const { value, timeCriticality, risk, effort } = source.inputs
  return (
    [value, timeCriticality, risk].some((input) => input?.labelGroup !== undefined) ||
    effort?.from === 'labelGroup' ||
    source.track.rules.some((rule) => rule.label !== undefined) ||
    source.writeBack.chronicLabel !== undefined
  )
}

export function effortFromScope(source: LinearSourceConfig): boolean {
  return source.inputs.effort?.from === 'scope'
}

export function usesProjectNames(source: LinearSourceConfig): boolean {
  return source.track.rules.some((rule) => rule.project !== undefined)
}
