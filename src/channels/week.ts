/**
 * ISO 8601 weeks ('2027-W02'): the unit of "once per channel per week". A week is read on the
 * channel's own calendar, so a report scheduled for Monday 00:30 in Berlin belongs to that Monday's
 * week even though it is still Sunday in UTC.
 */

const DAY_MS = 86_400_000

export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone })
    return true
  } catch {
    return false
  }
}

/** The ISO week the instant falls in, on the calendar of `timeZone` (an IANA name). */
export function isoWeekOf(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  }).formatToParts(instant)
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value)
  return isoWeekOfDay(Date.UTC(part('year'), part('month') - 1, part('day')))
}

/** The ISO week of a calendar day given as UTC midnight in ms: the week belongs to the year of its Thursday. */
function isoWeekOfDay(dayMs: number): string {
  const weekday = (new Date(dayMs).getUTCDay() + 6) % 7
  const thursday = new Date(dayMs + (3 - weekday) * DAY_MS)
  const year = thursday.getUTCFullYear()
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS))
  return `${year}-W${String(week).padStart(2, '0')}`
}
