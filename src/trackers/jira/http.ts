import { ApiError, type Client, NotFoundError, type SendRequestOptions } from 'jira.js/core'
import { OnetrackError } from '../../errors.ts'
import type { Logger } from '../../logger.ts'
import { RequestBudget, sleep } from '../request-budget.ts'
import type { ResolvedOptions } from './options.ts'
import type { JiraSource } from './source.ts'

/**
 * One onetrack operation (a sync, a write-back): its cancellation signal and the requests it made.
 */
export interface Operation {
  signal: AbortSignal
  requests: number
}

/** What a request needs to be sent well: the permission a 403 means is missing, and whether a retry is safe. */
export interface RequestPurpose {
  /** In Jira's words, for the error a person reads: "Browse projects", "Edit issues", "Administer Jira". */
  permission: string
  /** Safe to send again after a timeout or 5xx: reads and edits that set values are; creating a field is not. */
  idempotent: boolean
}

/**
 * The HTTP transport behind the jira.js endpoint functions. jira.js 6's own transport takes no
 * AbortSignal (so neither timeouts nor cancellation) and leaves rate limits to the caller; its
 * `Client` interface is the documented seam, so this one adds, per request: the source's request
 * budget, a timeout, Retry-After on 429 (pausing the whole budget), exponential backoff with full
 * jitter on 5xx and dropped connections, and onetrack's error codes. Responses are still checked
 * against jira.js's schemas; a mismatch is logged once per endpoint and the body used as is.
 * @see https://developer.atlassian.com/cloud/jira/platform/rate-limiting/
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export class JiraTransport {
  readonly #source: JiraSource
  readonly #logger: Logger
  readonly #options: ResolvedOptions
  readonly #budget: RequestBudget
  readonly #authorization: string
  readonly #warned = new Set<string>()
  #count = 0

  constructor(source: JiraSource, logger: Logger, options: ResolvedOptions) {
    this.#source = source
    this.#logger = logger
    this.#options = options
    this.#budget = new RequestBudget(source.requestsPerSecond, options.now)
    const credentials = `${source.email}:${source.apiToken.reveal()}`
    this.#authorization = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`
  }

  requestCount(): number {
    return this.#count
  }

  /** A jira.js client whose requests belong to the operation and serve the purpose. */
  client(operation: Operation, purpose: RequestPurpose): Client {
    return { sendRequest: (request) => this.#send(request, operation, purpose) }
  }

  async #send<T>(request: SendRequestOptions<T>, operation: Operation, purpose: RequestPurpose): Promise<T> {
    const method = request.method ?? 'GET'
    const url = requestUrl(this.#source.baseUrl, request.url, request.searchParams)
    const headers: Record<string, string> = { accept: 'application/json', authorization: this.#authorization }
    const body = request.body === undefined ? undefined : JSON.stringify(request.body)
    if (body !== undefined) headers['content-type'] = 'application/json'
    // For logs and messages: "PUT /rest/api/3/issue/{id}", not one line per issue.
    const endpoint = `${method} ${request.url.replace(/\/\d{2,}(?=\/|$)/g, '/{id}')}`
    let failures = 0
    let limited = 0
    for (;;) {
      await this.#budget.take(operation.signal)
      this.#count += 1
      operation.requests += 1
      let response: Response
      let text: string
      try {
        const signal = AbortSignal.any([
          operation.signal,
          AbortSignal.timeout(this.#options.requestTimeoutMs),
        ])
        response = await fetch(url, { method, headers, body: body ?? null, signal })
        text = await response.text()
      } catch (error) {
        operation.signal.throwIfAborted()
        failures += 1
        const reason =
          (error as Error).name === 'TimeoutError'
            ? `timed out after ${this.#options.requestTimeoutMs} ms`
            : `failed (${(error as Error).message})`
        await this.#retryOrThrow(endpoint, reason, failures, purpose, operation.signal, undefined, error)
        continue
      }
      const status = response.status
      if (status === 429) {
        limited += 1
        const waitMs = retryAfterMs(response.headers) ?? this.#backoff(limited)
        this.#budget.pause(waitMs)
        if (waitMs > this.#options.maxRateLimitWaitMs || limited > this.#options.maxRateLimitRetries) {
          throw new OnetrackError(
            'TRACKER_RATE_LIMITED',
            `Jira source '${this.#source.id}': rate limited on ${endpoint} (${limited} times in a row; Jira asks to wait ${Math.ceil(waitMs / 1000)} s)`,
            {
              details: {
                sourceId: this.#source.id,
                retryAfterMs: waitMs,
                reason: response.headers.get('ratelimit-reason'),
              },
            },
          )
        }
        this.#logger.warn({ endpoint, waitMs, attempt: limited }, 'jira rate limit: waiting as told')
        continue
      }
      if (status >= 500) {
        failures += 1
        const waitMs = retryAfterMs(response.headers)
        if (waitMs !== undefined) this.#budget.pause(waitMs)
        await this.#retryOrThrow(
          endpoint,
          `answered ${status}`,
          failures,
          purpose,
          operation.signal,
          waitMs,
          undefined,
        )
        continue
      }
      const parsed = parseBody(text)
      if (status === 401) throw this.#unauthorized(parsed)
      if (status === 403) throw this.#forbidden(purpose, parsed)
      if (status >= 400) {
        const message = `Jira ${endpoint} answered ${status}: ${jiraMessages(parsed)}`
        throw status === 404
          ? new NotFoundError(message, response.statusText, parsed)
          : new ApiError(message, status, response.statusText, parsed)
      }
      if (status === 204 || text === '') return undefined as T
      return this.#validated(request, endpoint, parsed)
    }
  }

  async #retryOrThrow(
    endpoint: string,
    reason: string,
    failures: number,
    purpose: RequestPurpose,
    signal: AbortSignal,
    retryAfter: number | undefined,
    cause: unknown,
  ): Promise<void> {
    if (!purpose.idempotent || failures >= this.#options.maxAttempts) {
      throw new OnetrackError(
        'TRACKER_UNAVAILABLE',
        `Jira source '${this.#source.id}': ${endpoint} ${reason}${failures > 1 ? ` (${failures} attempts)` : ''}`,
        { cause, details: { sourceId: this.#source.id, attempts: failures } },
      )
    }
    const waitMs = Math.max(this.#backoff(failures), retryAfter ?? 0)
    this.#logger.warn({ endpoint, reason, attempt: failures, waitMs }, 'jira request failed: retrying')
    await sleep(waitMs, signal)
  }

  /** Full jitter: a random wait up to base × 2^(n−1). */
  #backoff(attempt: number): number {
    return Math.round(this.#options.random() * this.#options.backoffBaseMs * 2 ** (attempt - 1))
  }

  #unauthorized(body: unknown): OnetrackError {
    return new OnetrackError(
      'TRACKER_AUTH_FAILED',
      `Jira source '${this.#source.id}': ${this.#source.baseUrl} did not accept the API token of ${this.#source.email} (401: ${jiraMessages(body)}). Check email and apiToken; tokens are made at https://id.atlassian.com/manage-profile/security/api-tokens`,
      { details: { sourceId: this.#source.id, status: 401 } },
    )
  }

  #forbidden(purpose: RequestPurpose, body: unknown): OnetrackError {
    return new OnetrackError(
      'TRACKER_AUTH_FAILED',
      `Jira source '${this.#source.id}': ${this.#source.email} lacks the '${purpose.permission}' permission (403: ${jiraMessages(body)})`,
      { details: { sourceId: this.#source.id, status: 403, permission: purpose.permission } },
    )
  }

  #validated<T>(request: SendRequestOptions<T>, endpoint: string, data: unknown): T {
    if (request.schema === undefined) return data as T
    const result = request.schema.safeParse(data)
    if (result.success) return result.data
    if (!this.#warned.has(endpoint)) {
      this.#warned.add(endpoint)
      const paths = result.error.issues.slice(0, 5).map((i) => i.path.join('.'))
      this.#logger.warn(
        { endpoint, paths },
        'jira answered a shape jira.js does not describe; using it as is',
      )
    }
    return data as T
  }
}

function requestUrl(
  baseUrl: string,
  path: string,
  searchParams: Record<string, unknown> | undefined,
): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`)
  for (const [key, value] of Object.entries(searchParams ?? {})) {
    if (value === undefined || value === null) continue
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(item))
  }
  return url.toString()
}

function parseBody(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** Retry-After as delta-seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('retry-after')
  if (value === null || value.trim() === '') return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** Jira's ErrorCollection as one line: "errorMessages; field: message". */
export function jiraMessages(body: unknown): string {
  if (typeof body === 'string') return body.slice(0, 300) || 'no details'
  if (typeof body !== 'object' || body === null) return 'no details'
  const { errorMessages, errors } = body as { errorMessages?: unknown; errors?: unknown }
  const parts: string[] = []
  if (Array.isArray(errorMessages)) parts.push(...errorMessages.map(String))
  if (Array.isArray(errors))
    parts.push(...errors.map((e) => String((e as { message?: unknown }).message ?? e)))
  else if (typeof errors === 'object' && errors !== null) {
    parts.push(...Object.entries(errors).map(([field, message]) => `${field}: ${String(message)}`))
  }
  return parts.length > 0 ? parts.join('; ') : 'no details'
}
