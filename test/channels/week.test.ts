import { describe, expect, it } from 'vitest'
import { isoWeekOf, isTimeZone } from '../../src/channels/index.ts'

describe('isoWeekOf', () => {
  it.each([
    ['2027-07-12T09:00:00Z', '2027-W28'],
    ['2027-07-11T20:00:00Z', '2027-W27'],
    ['2027-01-01T12:00:00Z', '2026-W53'],
    ['2024-12-30T12:00:00Z', '2025-W01'],
    ['2021-01-03T12:00:00Z', '2020-W53'],
  ])('puts %s in %s (UTC), the year of its Thursday', (instant, week) => {
    expect(isoWeekOf(new Date(instant), 'UTC')).toBe(week)
  })

  it("reads the week on the channel's calendar: Sunday night in UTC is already Monday in Berlin", () => {
    const instant = new Date('2027-07-11T23:30:00Z')
    expect(isoWeekOf(instant, 'UTC')).toBe('2027-W27')
    expect(isoWeekOf(instant, 'Europe/Berlin')).toBe('2027-W28')
    expect(isoWeekOf(new Date('2027-07-12T03:00:00Z'), 'America/Los_Angeles')).toBe('2027-W27')
  })

  it('tells IANA time zones from typos', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true)
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false)
  })
})
