/**
 * JQL date literals are wall-clock times in the calling account's time zone, to the minute
 * (`updated >= "2026/01/05 10:30"`), so a cursor kept as an instant must be written in that zone.
 * @see https://support.atlassian.com/jira-software-cloud/docs/jql-fields/#Updated
 */

const formats = new Map<string, Intl.DateTimeFormat>()

function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    })
    formats.set(timeZone, f)
  }
  return f
}

export function isTimeZone(timeZone: string): boolean {
  try {
    format(timeZone)
    return true
  } catch {
    return false
  }
}

function wallClock(instantMs: number, timeZone: string): Record<string, string> {
  return Object.fromEntries(
    format(timeZone)
      .formatToParts(new Date(instantMs))
      .map((p) => [p.type, p.value]),
  )
}

/** Minutes the zone is ahead of UTC at the instant. */
function offsetMinutes(instantMs: number, timeZone: string): number {
  const w = wallClock(instantMs, timeZone)
  const asUtc = Date.UTC(Number(w.year), Number(w.month) - 1, Number(w.day), Number(w.hour), Number(w.minute))
  return Math.round((asUtc - Math.floor(instantMs / 60_000) * 60_000) / 60_000)
}

/**
 * The JQL literal for the latest minute that is not after the instant. Next to a daylight-saving
 * change a wall-clock time can name two instants and Jira may read the later one, so there the
 * literal is taken an hour earlier: reading an hour too much is harmless, missing one is not.
 */
export function jqlDateTime(instantMs: number, timeZone: string): string {
  const nearChange =
    offsetMinutes(instantMs - 3_600_000, timeZone) !== offsetMinutes(instantMs + 3_600_000, timeZone)
  const w = wallClock(nearChange ? instantMs - 3_600_000 : instantMs, timeZone)
  return `${w.year}/${w.month}/${w.day} ${w.hour}:${w.minute}`
}

/** Jira's datetimes ("2026-01-05T10:30:00.000+0100") as epoch ms; NaN when unreadable. */
export function parseJiraDateTime(value: unknown): number {
  if (typeof value !== 'string') return Number.NaN
  const normalized = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')
  return Date.parse(normalized)
}
