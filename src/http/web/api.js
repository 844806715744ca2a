// @ts-check
// The REST API client: one fetch wrapper that adds the pasted token and turns the API's error body
// ({ error: { code, message, details? } }) into an ApiError a person can read.

const TOKEN_KEY = 'onetrack.token'

/** The token pasted in this tab (sessionStorage: gone when the tab closes), or null. */
export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY)
  } catch {
    return null
  }
}

export function setToken(/** @type {string | null} */ token) {
  try {
    if (token === null || token.trim() === '') sessionStorage.removeItem(TOKEN_KEY)
    else sessionStorage.setItem(TOKEN_KEY, token.trim())
  } catch {
    // Storage refused (private mode): the token lives as long as the page.
  }
}

/** @type {string | null} */
let csrfToken = null

/** The signed-in person's CSRF token (from /api/meta), sent with every write; null when none. */
export function setCsrfToken(/** @type {string | null} */ token) {
  csrfToken = token
}

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status; 0 when the service did not answer
   * @param {string} code the API's error code
   * @param {string} message
   * @param {unknown} [details]
   */
  constructor(status, code, message, details) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
  }
}

/**
 * Calls the API and returns the JSON body; throws an ApiError for any non-2xx answer.
 * @template T
 * @param {string} path
 * @param {{ method?: string, body?: unknown, signal?: AbortSignal }} [init]
 * @returns {Promise<T>}
 */
export async function api(path, init = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' }
  const token = getToken()
  if (token !== null) headers.authorization = `Bearer ${token}`
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  if (csrfToken !== null && (init.method ?? 'GET') !== 'GET') headers['x-csrf-token'] = csrfToken
  /** @type {Response} */
  let response
  try {
    const early = takeEarly(path, init)
    if (early !== undefined) {
      const settled = await early
      if ('error' in settled) throw settled.error
      response = settled.response
    } else {
      /** @type {RequestInit} */
      const request = { method: init.method ?? 'GET', headers }
      if (init.body !== undefined) request.body = JSON.stringify(init.body)
      if (init.signal !== undefined) request.signal = init.signal
      response = await fetch(path, request)
    }
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new ApiError(0, 'NETWORK', 'The service did not answer. Is it running?')
  }
  if (response.status === 204) return /** @type {T} */ (undefined)
  const text = await response.text()
  /** @type {unknown} */
  let body = null
  try {
    body = text === '' ? null : JSON.parse(text)
  } catch {
    body = null
  }
  if (!response.ok) {
    const error = /** @type {{ error?: { code?: string, message?: string, details?: unknown } } | null} */ (
      body
    )?.error
    throw new ApiError(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? (text.slice(0, 200) || response.statusText),
      error?.details,
    )
  }
  return /** @type {T} */ (body)
}

/**
 * The response boot.js already asked for, the first time a plain GET of that path is made.
 * @param {string} path @param {{ method?: string, body?: unknown }} init
 */
function takeEarly(path, init) {
  const boot = window.onetrackBoot
  if (boot === undefined || (init.method ?? 'GET') !== 'GET' || init.body !== undefined) return undefined
  const early = boot[path]
  if (early !== undefined) delete boot[path]
  return early
}

/** An error in words, with what to do about it. */
export function errorText(/** @type {unknown} */ error) {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error)
  if (
    error.status === 401 &&
    typeof error.details === 'object' &&
    error.details !== null &&
    'signIn' in error.details
  )
    return `${error.message}: “Sign in” at the top right.`
  if (error.status === 401)
    return getToken() === null
      ? 'This needs a token: paste one with “Token” at the top right.'
      : `The token was refused (${error.message}). Paste another with “Token” at the top right.`
  if (error.status === 403) return `Not allowed: ${error.message}.`
  if (error.status === 404) return `Not found: ${error.message}.`
  const details = Array.isArray(error.details)
    ? error.details
        .map((d) =>
          typeof d === 'object' && d !== null && 'message' in d
            ? `${'path' in d ? `${String(d.path)}: ` : ''}${String(d.message)}`
            : String(d),
        )
        .filter((d) => !error.message.includes(d))
    : []
  return [error.message, ...details].join(' — ')
}
