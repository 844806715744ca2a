import { LinearError, LinearErrorType } from '@linear/sdk'

/**
 * What a failed request means for the connector, decided from Linear's error codes and HTTP
 * status (never from message text). @linear/sdk turns every failed answer into a LinearError that
 * keeps the raw answer; fetch failures (network, timeout) arrive as plain errors.
 *
 * @see https://github.com/linear/linear/blob/master/packages/sdk/src/error.ts
 */
export type Failure =
  | { kind: 'rate-limited'; headers: HeaderSource; message: string }
  | { kind: 'unauthenticated'; message: string }
  | { kind: 'forbidden'; message: string }
  /** 5xx, timeouts, dropped connections, lock timeouts: worth retrying. */
  | { kind: 'transient'; message: string }
  /** Linear understood and refused the request (validation, invalid input, entity not found). */
  | { kind: 'rejected'; message: string; errors: RejectedError[]; data: unknown }

export interface RejectedError {
  message: string
  code: string | undefined
  path: ReadonlyArray<string | number> | undefined
}

type HeaderSource = { get(name: string): string | null } | undefined

interface RawAnswer {
  status?: number
  headers?: HeaderSource
  errors?: Array<{
    message?: string
    path?: Array<string | number>
    extensions?: { code?: string; type?: string }
  }>
  data?: unknown
  error?: string
}

export function classify(error: unknown): Failure {
  if (!(error instanceof LinearError)) {
    const name = error instanceof Error ? error.name : ''
    const message = error instanceof Error ? error.message : String(error)
    // fetch: TypeError('fetch failed') for network errors, TimeoutError/AbortError for our timeout.
    if (error instanceof TypeError || name === 'TimeoutError' || name === 'AbortError') {
      return { kind: 'transient', message: name === 'TimeoutError' ? 'request timed out' : message }
    }
    return { kind: 'transient', message }
  }
  const raw = ((error.raw as { response?: RawAnswer } | undefined)?.response ?? {}) as RawAnswer
  const status = error.status ?? raw.status
  const codes = (raw.errors ?? []).map((e) => e.extensions?.code)
  const message = error.errors?.[0]?.message ?? error.message
  if (codes.includes('RATELIMITED') || status === 429 || error.type === LinearErrorType.Ratelimited) {
    return { kind: 'rate-limited', headers: raw.headers, message }
  }
  if (codes.includes('AUTHENTICATION_ERROR') || status === 401) return { kind: 'unauthenticated', message }
  if (codes.includes('FORBIDDEN') || status === 403 || error.type === LinearErrorType.Forbidden) {
    return { kind: 'forbidden', message }
  }
  const transientType =
    error.type === LinearErrorType.NetworkError ||
    error.type === LinearErrorType.InternalError ||
    error.type === LinearErrorType.LockTimeout
  if ((status !== undefined && (status >= 500 || status === 408)) || transientType) {
    return { kind: 'transient', message: `HTTP ${status ?? '?'}: ${message.slice(0, 200)}` }
  }
  return {
    kind: 'rejected',
    message,
    data: raw.data ?? null,
    errors: (raw.errors ?? []).map((e) => ({
      message: e.message ?? 'unknown error',
      code: e.extensions?.code,
      path: e.path,
    })),
  }
}
