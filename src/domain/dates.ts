import { DomainError, DomainErrorCode } from './errors.ts'

/**
 * Calendar dates are plain 'YYYY-MM-DD' strings (UTC), so they compare correctly as strings and
 * serialise as themselves. The clock is always passed in; nothing here reads the current time.
 */
const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/

export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string') return false
  const match = CALENDAR_DATE.exec(value)
  if (match === null) return false
  const [, y, m, d] = match
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)))
  return date.toISOString().slice(0, 10) === value
}

export function isIsoInstant(value: unknown): value is string {
  return typeof value === 'string' && ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value))
}

/** The UTC calendar day of an ISO timestamp; throws a DomainError when it is not one. */
export function calendarDayOf(instant: string): string {
  if (!isIsoInstant(instant)) {
    throw new DomainError(DomainErrorCode.inputInvalid, 'Invalid clock value', [
      `now: must be an ISO timestamp, got ${JSON.stringify(instant)}`,
    ])
  }
  return new Date(Date.parse(instant)).toISOString().slice(0, 10)
}

/** First day of the month `months` after the given year/month (month is 1-based). */
export function monthStart(year: number, month: number, months = 0): string {
  return new Date(Date.UTC(year, month - 1 + months, 1)).toISOString().slice(0, 10)
}

/** The instant `days` before an ISO timestamp, as an ISO timestamp. */
export function instantDaysBefore(instant: string, days: number): string {
  return new Date(Date.parse(instant) - days * 86_400_000).toISOString()
}
