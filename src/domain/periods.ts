import { isCalendarDate, monthStart } from './dates.ts'
import { DomainError, DomainErrorCode } from './errors.ts'

/** A planning period: 'YYYY-MM-DD' dates, `end` exclusive (the next period's start). */
export interface Period {
  id: string
  name: string
  start: string
  end: string
}

/** How the config describes the calendar: consecutive quarters, or an explicit list of periods. */
export type PeriodSpec =
  | { kind: 'quarters'; start: string; count: number }
  | { kind: 'list'; periods: Array<{ id: string; name?: string; start: string; end: string }> }

const QUARTER = /^(\d{4})-Q([1-4])$/
/** Ten years of quarters: more is a typo, not a plan. */
const MAX_QUARTERS = 40

/** Turns the configured calendar into periods, or throws a DomainError naming every problem. */
export function buildPeriods(spec: PeriodSpec): Period[] {
  const periods =
    spec.kind === 'quarters' ? quartersFrom(spec.start, spec.count) : listedPeriods(spec.periods)
  const problems = periodProblems(periods)
  if (problems.length > 0) {
    throw new DomainError(DomainErrorCode.periodsInvalid, 'Invalid planning periods', problems)
  }
  return periods
}

function quartersFrom(start: string, count: number): Period[] {
  const problems: string[] = []
  const match = typeof start === 'string' ? QUARTER.exec(start) : null
  if (match === null) problems.push(`start: must be a quarter like '2026-Q4', got ${JSON.stringify(start)}`)
  if (!Number.isInteger(count) || count < 1 || count > MAX_QUARTERS) {
    problems.push(`count: must be an integer from 1 to ${MAX_QUARTERS}, got ${JSON.stringify(count)}`)
  }
  if (match === null || problems.length > 0) {
    throw new DomainError(DomainErrorCode.periodsInvalid, 'Invalid planning periods', problems)
  }
  const year = Number(match[1])
  const firstMonth = (Number(match[2]) - 1) * 3 + 1
  const periods: Period[] = []
  for (let i = 0; i < count; i++) {
    const startDate = monthStart(year, firstMonth, i * 3)
    const quarter = Math.floor(Number(startDate.slice(5, 7)) / 3) + 1
    const id = `${startDate.slice(0, 4)}-Q${quarter}`
    periods.push({
      id,
      name: `Q${quarter} ${startDate.slice(0, 4)}`,
      start: startDate,
      end: monthStart(year, firstMonth, i * 3 + 3),
    })
  }
  return periods
}

function listedPeriods(list: Array<{ id: string; name?: string; start: string; end: string }>): Period[] {
  if (!Array.isArray(list)) return []
  return list.map((p) => ({
    id: p.id,
    name: typeof p.name === 'string' && p.name !== '' ? p.name : p.id,
    start: p.start,
    end: p.end,
  }))
}

/**
 * Problems with a calendar: empty, bad ids or dates, unsorted, overlapping. Gaps between periods are
 * allowed (a freeze, a holiday): nothing is planned in a gap.
 */
export function periodProblems(periods: readonly Period[]): string[] {
  if (periods.length === 0) return ['periods: must not be empty']
  const problems: string[] = []
  const seen = new Set<string>()
  let previous: Period | undefined
  periods.forEach((period, i) => {
    const at = `periods[${i}]`
    if (typeof period.id !== 'string' || period.id.trim() === '')
      problems.push(`${at}.id: must be a non-empty string`)
    else if (seen.has(period.id)) problems.push(`${at}.id: duplicate id '${period.id}'`)
    else seen.add(period.id)
    const startOk = isCalendarDate(period.start)
    const endOk = isCalendarDate(period.end)
    if (!startOk) problems.push(`${at}.start: must be a date YYYY-MM-DD, got ${JSON.stringify(period.start)}`)
    if (!endOk) problems.push(`${at}.end: must be a date YYYY-MM-DD, got ${JSON.stringify(period.end)}`)
    if (!startOk || !endOk) return
    if (period.start >= period.end)
      problems.push(`${at}: empty period, start ${period.start} is not before end ${period.end}`)
    if (previous !== undefined) {
      if (period.start < previous.start) {
        problems.push(
          `${at}: starts ${period.start}, before periods[${i - 1}] (periods must be sorted by start)`,
        )
      } else if (period.start < previous.end) {
        problems.push(`${at}: overlaps periods[${i - 1}], which ends ${previous.end} (end is exclusive)`)
      }
    }
    previous = period
  })
  return problems
}

/** Periods still open on `day` (their exclusive end is after it): the only ones work can go into. */
export function openPeriods(periods: readonly Period[], day: string): Period[] {
  return periods.filter((p) => p.end > day)
}
