import { OnetrackError } from '../../../errors.ts'
import { SINGLE_LINE } from './schemas.ts'

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

/** The instants Postgres stores: years 1 to 9999 (it refuses year 0, which JavaScript accepts). */
const FIRST_INSTANT = Date.parse('0001-01-01T00:00:00Z')
const END_OF_INSTANTS = Date.parse('+010000-01-01T00:00:00Z')

/** An ISO date (YYYY-MM-DD, read as UTC midnight) or timestamp with a zone, in milliseconds; NaN otherwise. */
function isoTime(value: string): number {
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/.test(value)) return Number.NaN
  const time = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value)
  return time >= FIRST_INSTANT && time < END_OF_INSTANTS ? time : Number.NaN
}

/**
 * A keyset position `{ at, id }` as the ledger and the decision log give them out: `at` exactly as
 * toISOString writes it (V8 reads 2027-02-30 as March 2; Postgres refuses it).
 */
export function isKeysetPosition(value: unknown): value is { at: string; id: string } {
  if (typeof value !== 'object' || value === null) return false
  const { at, id } = value as { at?: unknown; id?: unknown }
  if (typeof id !== 'string' || id.length > 256 || !new RegExp(SINGLE_LINE, 'u').test(id)) return false
  if (typeof at !== 'string') return false
  const time = isoTime(at)
  return !Number.isNaN(time) && new Date(time).toISOString() === at
}

/** An ISO date (YYYY-MM-DD, read as UTC midnight) or timestamp from the query, as an ISO timestamp. */
export function instantParam(field: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const time = isoTime(value)
  if (Number.isNaN(time)) {
    throw invalidField(
      `querystring/${field}`,
      'must be a date (YYYY-MM-DD) or an ISO timestamp with a zone (2027-01-11T09:00:00Z)',
    )
  }
  return new Date(time).toISOString()
}
