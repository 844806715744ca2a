import { OnetrackError } from '../../../errors.ts'

/**
 * A 400 that names the field, in the same form as a schema failure
 * (`querystring/cursor: …`, details `[{ path, message }]`).
 */
export function invalidField(path: string, message: string): OnetrackError {
  return new OnetrackError('ONETRACK_BAD_REQUEST', `${path}: ${message}`, { details: [{ path, message }] })
}

/** An opaque page cursor: the position as base64url JSON. Clients pass it back unread. */
export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url')
}

/** Reads a cursor this API gave out, or fails with a 400 naming `querystring/cursor`. */
export function decodeCursor<T>(cursor: string, isPosition: (value: unknown) => value is T): T {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    value = undefined
  }
  if (!isPosition(value)) throw invalidField('querystring/cursor', 'is not a cursor this API gave out')
  return value
}

/** An ISO date (YYYY-MM-DD, read as UTC midnight) or timestamp from the query, as an ISO timestamp. */
export function instantParam(field: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const ok = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/.test(value)
  const time = ok ? Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value) : Number.NaN
  if (Number.isNaN(time)) {
    throw invalidField(
      `querystring/${field}`,
      'must be a date (YYYY-MM-DD) or an ISO timestamp with a zone (2027-01-11T09:00:00Z)',
    )
  }
  return new Date(time).toISOString()
}
