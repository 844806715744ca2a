/**
 * Tuning of the Jira connector. The defaults suit production; tests shorten the waits. None of these
 * change what is synced or written, only how patiently.
 */
export interface JiraConnectorOptions {
  /** Per request, connect to last byte. */
  requestTimeoutMs?: number
  /** Attempts for a request that failed with 5xx, a timeout or a broken connection. */
  maxAttempts?: number
  /** First backoff wait; doubles per attempt, with full jitter. */
  backoffBaseMs?: number
  /** A 429 whose Retry-After is longer than this is handed to the job queue instead of waited out. */
  maxRateLimitWaitMs?: number
  /** 429s in a row for one request before giving up (and handing it to the job queue). */
  maxRateLimitRetries?: number
  /** How long the account's time zone, the issue types and the field list are reused. */
  metadataTtlMs?: number
  /** Epics sharing one identical change before bulk edit is used for them instead of one PUT each. */
  bulkMinIssues?: number
  bulkPollIntervalMs?: number
  bulkTimeoutMs?: number
  /** Edits in flight at once (the request budget still paces them). */
  writeConcurrency?: number
  /** Randomness for the backoff jitter. */
  random?: () => number
  now?: () => number
}

export type ResolvedOptions = Required<JiraConnectorOptions>

export function resolveOptions(options: JiraConnectorOptions): ResolvedOptions {
  return {
    requestTimeoutMs: 15_000,
    maxAttempts: 4,
    backoffBaseMs: 500,
    maxRateLimitWaitMs: 30_000,
    maxRateLimitRetries: 10,
    metadataTtlMs: 10 * 60_000,
    bulkMinIssues: 10,
    bulkPollIntervalMs: 1_000,
    bulkTimeoutMs: 120_000,
    writeConcurrency: 4,
    random: Math.random,
    now: Date.now,
    ...options,
  }
}
