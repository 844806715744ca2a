import { LinearClient, LinearGraphQLClient } from '@linear/sdk'
import { OnetrackError } from '../../errors.ts'
import type { Logger } from '../../logger.ts'
import { RequestBudget, sleep } from '../request-budget.ts'
import { classify, type Failure, type RejectedError } from './failures.ts'
import { pacingDelayMs, readRateLimits, retryAfterMs } from './rate-limit-headers.ts'
import type { LinearTuning } from './settings.ts'

export interface LinearRequest {
  /** The operation's name, for logs. */
  name: string
  query: string
  variables: Record<string, unknown>
  /** Mutations need the key's `write` scope; named in the error when it is missing. */
  scope: 'read' | 'write'
}

export interface LinearAnswer<T> {
  data: T
  headers: Headers
}

/** A mutation batch's answer: data may be partial (null) with per-operation errors. */
export interface LinearPartialAnswer<T> {
  data: T | null
  errors: RejectedError[]
}

/**
 * Every request of a source goes through here: the source's request budget, Linear's rate-limit
 * headers (pacing before the limit), retries with exponential backoff and jitter for transient
 * failures, and Linear's failures turned into onetrack's error codes. Requests use @linear/sdk's
 * own GraphQL client (the one behind `client.client.rawRequest`), made per request only so that each
 * carries its own timeout and abort signal.
 */
export class LinearTransport {
  readonly #client: LinearClient
  readonly #budget: RequestBudget
  readonly #tuning: LinearTuning
  readonly #sourceId: string
  readonly #logger: Logger
  readonly #now: () => number
  #requests = 0
  #blockedUntil = 0

  constructor(options: {
    apiKey: string
    apiUrl: string
    sourceId: string
    requestsPerSecond: number
    tuning: LinearTuning
    logger: Logger
    now?: () => number
  }) {
    this.#client = new LinearClient({ apiKey: options.apiKey, apiUrl: options.apiUrl })
    this.#budget = new RequestBudget(options.requestsPerSecond)
    this.#tuning = options.tuning
    this.#sourceId = options.sourceId
    this.#logger = options.logger
    this.#now = options.now ?? Date.now
  }

  /** HTTP requests sent so far, retries included. */
  requestCount(): number {
    return this.#requests
  }

  /** A query or mutation that must succeed whole. */
  async request<T>(request: LinearRequest, signal: AbortSignal): Promise<LinearAnswer<T>> {
    const outcome = await this.#attempts<T>(request, signal, false)
    if ('headers' in outcome) return outcome
    throw this.#internal(request, outcome.errors)
  }

  /** A batch of mutations: Linear's per-operation refusals come back as errors, not thrown. */
  async mutate<T>(request: LinearRequest, signal: AbortSignal): Promise<LinearPartialAnswer<T>> {
    const outcome = await this.#attempts<T>(request, signal, true)
    return 'headers' in outcome ? { data: outcome.data, errors: [] } : outcome
  }

  async #attempts<T>(
    request: LinearRequest,
    signal: AbortSignal,
    partial: boolean,
  ): Promise<LinearAnswer<T> | LinearPartialAnswer<T>> {
    for (let attempt = 1; ; attempt++) {
      const blocked = this.#blockedUntil - this.#now()
      if (blocked > this.#tuning.maxInlineWaitMs)
        throw this.#rateLimited(blocked, 'paced to stay under the limit')
      await this.#budget.take(signal)
      this.#requests += 1
      let failure: Failure
      try {
        const answer = await this.#send<T>(request, signal)
        this.#pace(answer.headers)
        return answer
      } catch (error) {
        if (signal.aborted) throw signal.reason
        failure = classify(error)
      }
      switch (failure.kind) {
        case 'rate-limited': {
          const wait = retryAfterMs(failure.headers, this.#now(), 60_000)
          this.#pause(wait)
          if (wait > this.#tuning.maxInlineWaitMs || attempt >= this.#tuning.maxAttempts) {
            throw this.#rateLimited(wait, failure.message)
          }
          this.#logger.warn({ operation: request.name, waitMs: wait, attempt }, 'Linear rate limit: waiting')
          continue
        }
        case 'transient': {
          if (attempt >= this.#tuning.maxAttempts) {
            throw new OnetrackError(
              'TRACKER_UNAVAILABLE',
              `Linear source ${this.#sourceId}: ${request.name} failed ${attempt} times (last: ${failure.message})`,
              { details: { source: this.#sourceId, attempts: attempt } },
            )
          }
          const backoff = this.#backoff(attempt)
          this.#logger.warn(
            { operation: request.name, attempt, backoffMs: backoff, reason: failure.message },
            'Linear request failed; retrying',
          )
          await sleep(backoff, signal)
          continue
        }
        case 'unauthenticated':
          throw new OnetrackError(
            'TRACKER_AUTH_FAILED',
            `Linear source ${this.#sourceId}: Linear rejected the API key (${failure.message}); check the key in the source's apiKey`,
            { details: { source: this.#sourceId } },
          )
        case 'forbidden':
          throw new OnetrackError(
            'TRACKER_AUTH_FAILED',
            `Linear source ${this.#sourceId}: the API key lacks the "${request.scope}" scope that ${request.name} needs (${failure.message})`,
            { details: { source: this.#sourceId, scope: request.scope } },
          )
        case 'rejected':
          if (partial) return { data: failure.data as T | null, errors: failure.errors }
          throw this.#internal(request, failure.errors)
      }
    }
  }

  async #send<T>(request: LinearRequest, signal: AbortSignal): Promise<LinearAnswer<T>> {
    const options = this.#client.options
    const client = new LinearGraphQLClient(options.apiUrl ?? '', {
      ...options,
      signal: AbortSignal.any([signal, AbortSignal.timeout(this.#tuning.timeoutMs)]),
    })
    const answer = await client.rawRequest<T, Record<string, unknown>>(request.query, request.variables)
    return { data: answer.data as T, headers: answer.headers as Headers }
  }

  /** Slows down before the limit: holds the next request while a bucket is below its reserve. */
  #pace(headers: Headers): void {
    const delay = pacingDelayMs(readRateLimits(headers), this.#tuning.reserveFraction, this.#now())
    if (delay <= 0) return
    this.#logger.info({ delayMs: delay }, 'Linear rate-limit budget low: pacing requests')
    this.#pause(delay)
  }

  #pause(ms: number): void {
    this.#blockedUntil = Math.max(this.#blockedUntil, this.#now() + ms)
    this.#budget.pause(ms)
  }

  /** Exponential with "equal jitter": half the step fixed, half random, so retries spread out. */
  #backoff(attempt: number): number {
    const step = Math.min(this.#tuning.backoffMaxMs, this.#tuning.backoffBaseMs * 2 ** (attempt - 1))
    return Math.round(step / 2 + (Math.random() * step) / 2)
  }

  #rateLimited(retryAfter: number, reason: string): OnetrackError {
    return new OnetrackError(
      'TRACKER_RATE_LIMITED',
      `Linear source ${this.#sourceId}: rate limited (${reason}); retry in ${Math.ceil(retryAfter / 1000)} s`,
      { details: { source: this.#sourceId, retryAfterMs: Math.ceil(retryAfter) } },
    )
  }

  #internal(request: LinearRequest, errors: RejectedError[]): OnetrackError {
    return new OnetrackError(
      'ONETRACK_INTERNAL',
      `Linear source ${this.#sourceId}: Linear refused ${request.name}: ${errors.map((e) => e.message).join('; ')}`,
      { details: { source: this.#sourceId, errors } },
    )
  }
}
