/**
 * Jira shows and reads times in the calling account's time zone: datetimes in responses carry that
 * zone's offset (`2026-01-05T10:30:00.000+0100`), and JQL date literals (`"2026/01/05 10:30"`) are
 * wall-clock times in it, with minute precision.
 * @see https://support.atlassian.com/jira-software-cloud/docs/jql-fields/#Updated
 */

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone)
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formatters.set(timeZone, format)
  }
  return format
}

/** The zone's offset from UTC at an instant, in minutes (Europe/Berlin in winter: 60). */
export function zoneOffsetMinutes(instantMs: number, timeZone: string): number {
  const parts = formatter(timeZone).formatToParts(new Date(instantMs))
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value)
  const wall = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  )
  const wholeSecond = Math.floor(instantMs / 1000) * 1000
  return Math.round((wall - wholeSecond) / 60_000)
}

export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone)
    return true
  } catch {
    return false
  }
}

/** The datetime format of Jira's REST responses, in the account's zone. */
export function formatJiraDateTime(instantMs: number, timeZone: string): string {
  const offset = zoneOffsetMinutes(instantMs, timeZone)
  const local = new Date(instantMs + offset * 60_000).toISOString().slice(0, 23)
  const sign = offset < 0 ? '-' : '+'
  const abs = Math.abs(offset)
  const hours = String(Math.floor(abs / 60)).padStart(2, '0')
  const minutes = String(abs % 60).padStart(2, '0')
  return `${local}${sign}${hours}${minutes}`
}

const JQL_DATE = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$/

/**
 * Reads a JQL date literal (`yyyy/MM/dd HH:mm`, `yyyy-MM-dd HH:mm`, `yyyy/MM/dd`, `yyyy-MM-dd`) as
 * a wall-clock time in the zone; returns the instant, or null when the text is no such date.
 */
export function parseJqlDate(text: string, timeZone: string): number | null {
  const match = JQL_DATE.exec(text.trim())
  if (match === null) return null
  const [year, month, day, hour, minute] = match.slice(1).map((v) => (v === undefined ? 0 : Number(v))) as [
    number,
    number,
    number,
    number,
    number,
  ]
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return null
  const wall = Date.UTC(year, month - 1, day, hour, minute)
  // Two passes settle the offset, also next to a daylight-saving change.
  const first = wall - zoneOffsetMinutes(wall, timeZone) * 60_000
  return wall - zoneOffsetMinutes(first, timeZone) * 60_000
}
