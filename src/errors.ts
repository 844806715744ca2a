/**
 * One catalogue of coded errors. Every failure onetrack reports carries a stable `code` from this
 * list, so callers branch on codes (never on message text) and the HTTP layer maps them to one
 * error body. Each code is documented in docs/errors.md (a test keeps the two in step).
 */
export const errorCodes = {
  ONETRACK_CONFIG_MISSING: { status: 500, summary: 'The configuration file does not exist.' },
  ONETRACK_CONFIG_INVALID: {
    status: 500,
    summary: 'The configuration file is not valid YAML or breaks the schema.',
  },
  ONETRACK_STORE_UNAVAILABLE: { status: 503, summary: 'The database cannot be reached.' },
  ONETRACK_MIGRATION_FAILED: { status: 500, summary: 'A schema migration failed and was rolled back.' },
  ONETRACK_QUEUE_UNAVAILABLE: { status: 503, summary: 'Redis (the job queues) cannot be reached.' },
  ONETRACK_SIGN_ON_UNAVAILABLE: {
    status: 503,
    summary: 'The identity provider (auth.oidc.issuer) cannot be reached, so nobody can sign in now.',
  },
  ONETRACK_BAD_REQUEST: {
    status: 400,
    summary: 'The request does not match the route schema, or is not valid HTTP.',
  },
  ONETRACK_UNAUTHORIZED: { status: 401, summary: 'The request carries no valid credentials.' },
  ONETRACK_FORBIDDEN: { status: 403, summary: 'The credentials are valid but not allowed to do this.' },
  ONETRACK_NOT_FOUND: { status: 404, summary: 'No such resource.' },
  ONETRACK_REQUEST_TIMEOUT: {
    status: 408,
    summary: 'The request did not arrive whole within the server’s time limit.',
  },
  ONETRACK_CONFLICT: {
    status: 409,
    summary: 'The request conflicts with the current state, e.g. revoking an override already revoked.',
  },
  ONETRACK_PAYLOAD_TOO_LARGE: {
    status: 413,
    summary: 'The request body is larger than the configured limit.',
  },
  ONETRACK_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    summary: 'The request body is of a content type the route does not read.',
  },
  ONETRACK_RATE_LIMITED: { status: 429, summary: 'Too many requests; retry after the given time.' },
  ONETRACK_HEADERS_TOO_LARGE: {
    status: 431,
    summary: 'The request line (the URL) and headers are larger than the server reads.',
  },
  ONETRACK_INTERNAL: { status: 500, summary: 'An unexpected failure; details are in the server log.' },
  ONETRACK_SHUTTING_DOWN: {
    status: 503,
    summary: 'The server is shutting down and takes no new requests.',
  },
  ONETRACK_JOB_INVALID: {
    status: 500,
    summary: 'A job payload does not match its schema; it is not retried.',
  },
  TRACKER_NOT_SUPPORTED: { status: 500, summary: 'No connector is installed for this source kind.' },
  TRACKER_RATE_LIMITED: {
    status: 503,
    summary: 'A tracker answered 429; the job retries after its Retry-After.',
  },
  TRACKER_UNAVAILABLE: {
    status: 503,
    summary: 'A tracker answered 5xx or timed out; the job retries with backoff.',
  },
  TRACKER_AUTH_FAILED: {
    status: 502,
    summary: 'A tracker rejected the credentials (401) or a permission (403).',
  },
  TRACKER_PROTOCOL_ERROR: {
    status: 502,
    summary:
      'A tracker broke its own protocol (a search that pages forever); the sync stops and is not retried.',
  },
  CHANNEL_NOT_SUPPORTED: { status: 500, summary: 'No sender is installed for this channel kind.' },
  CHANNEL_RATE_LIMITED: {
    status: 503,
    summary: 'A channel answered 429; the report is posted after its Retry-After.',
  },
  CHANNEL_UNAVAILABLE: {
    status: 503,
    summary: 'A channel answered 5xx, could not be reached or timed out; the report retries with backoff.',
  },
  CHANNEL_REJECTED: {
    status: 502,
    summary: 'A channel refused the report (4xx): its URL, token or target is wrong; not retried.',
  },
  CHANNEL_DELIVERY_UNCONFIRMED: {
    status: 502,
    summary: 'An earlier attempt may have posted the report; it is not posted again, to avoid a duplicate.',
  },
} as const satisfies Record<string, { status: number; summary: string }>

export type ErrorCode = keyof typeof errorCodes

export class OnetrackError extends Error {
  readonly code: ErrorCode
  readonly details: unknown

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'OnetrackError'
    this.code = code
    this.details = options.details
  }

  get statusCode(): number {
    return errorCodes[this.code].status
  }

  toJSON(): { code: ErrorCode; message: string; details?: unknown } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details }
  }
}

export function isOnetrackError(error: unknown, code?: ErrorCode): error is OnetrackError {
  return error instanceof OnetrackError && (code === undefined || error.code === code)
}
