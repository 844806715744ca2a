import { describe, expect, it } from 'vitest'
import { CursorTracker, decodeCursor, encodeCursor } from '../../../src/trackers/jira/cursor.ts'
import { epicScope, incrementalJql, withoutOrderBy } from '../../../src/trackers/jira/jql.ts'
import { jqlDateTime, parseJiraDateTime } from '../../../src/trackers/jira/time-zone.ts'

describe('the JQL the connector sends', () => {
  it('keeps the configured query whole inside its own parentheses, without its ORDER BY', () => {
    expect(withoutOrderBy('project = SHOP OR labels = x ORDER BY Rank ASC')).toBe(
      'project = SHOP OR labels = x',
    )
    expect(withoutOrderBy('summary ~ "order by date" order   by key')).toBe('summary ~ "order by date"')
    expect(withoutOrderBy('labels = reorder')).toBe('labels = reorder')
    expect(epicScope('project = SHOP OR project = PAY', ['10000', '10100'])).toBe(
      '(project = SHOP OR project = PAY) AND issuetype in (10000, 10100)',
    )
  })

  it('writes the cursor as a wall-clock minute of the account’s time zone', () => {
    const instant = Date.parse('2026-01-05T09:30:59Z')
    expect(jqlDateTime(instant, 'Europe/Berlin')).toBe('2026/01/05 10:30')
    expect(jqlDateTime(instant, 'America/Los_Angeles')).toBe('2026/01/05 01:30')
    expect(jqlDateTime(instant, 'Asia/Kolkata')).toBe('2026/01/05 15:00')
    expect(incrementalJql('(p) AND issuetype in (1)', instant, 'UTC')).toBe(
      '(p) AND issuetype in (1) AND updated >= "2026/01/05 09:30" ORDER BY updated ASC, key ASC',
    )
  })

  it('steps an hour back next to a daylight-saving change, where a wall-clock time names two instants', () => {
    // 2026-11-01 01:30 happens twice in New York; Jira could read the later one and miss an hour.
    expect(jqlDateTime(Date.parse('2026-11-01T05:30:00Z'), 'America/New_York')).toBe('2026/11/01 00:30')
    expect(jqlDateTime(Date.parse('2026-11-10T05:30:00Z'), 'America/New_York')).toBe('2026/11/10 00:30')
    expect(jqlDateTime(Date.parse('2026-11-10T06:30:00Z'), 'America/New_York')).toBe('2026/11/10 01:30')
  })

  it('reads Jira’s datetimes with their offset', () => {
    expect(parseJiraDateTime('2026-01-05T10:30:00.123+0100')).toBe(Date.parse('2026-01-05T09:30:00.123Z'))
    expect(parseJiraDateTime('not a date')).toBeNaN()
  })
})

describe('the incremental cursor', () => {
  const T = Date.parse('2026-01-05T09:30:00Z')
  const FIVE_MINUTES = 300_000

  it('hands over only what changed since, remembering the overlap window', () => {
    const first = new CursorTracker(null, FIVE_MINUTES)
    for (const [id, at] of [
      ['1', T - 600_000],
      ['2', T - 60_000],
      ['3', T],
    ] as const) {
      expect(first.isNew(id, at)).toBe(true)
      first.observe(id, at)
    }
    const cursor = first.next()
    expect(cursor).toEqual({ since: T, seen: { '2': T - 60_000, '3': T } })

    const second = new CursorTracker(decodeCursor(encodeCursor(cursor as never)), FIVE_MINUTES)
    expect(second.isNew('3', T)).toBe(false)
    expect(second.isNew('3', T + 1)).toBe(true)
    expect(second.isNew('4', T - 120_000)).toBe(true)
    expect(second.isNew('1', T - 600_000)).toBe(false)
  })

  it('refuses a cursor it did not write', () => {
    expect(decodeCursor('2026-01-05T09:30:00Z')).toBeNull()
    expect(decodeCursor('{"v":2,"since":"2026-01-05T09:30:00Z","seen":{}}')).toBeNull()
    expect(decodeCursor(null)).toBeNull()
  })
})
