import { describe, expect, it } from 'vitest'
import { buildPeriods, DomainError } from '../../src/domain/index.ts'

function problemsOf(run: () => unknown): string[] {
  try {
    run()
  } catch (error) {
    if (error instanceof DomainError) {
      expect(error.code).toBe('DOMAIN_PERIODS_INVALID')
      return error.problems
    }
    throw error
  }
  throw new Error('expected a DomainError')
}

describe('buildPeriods', () => {
  it('builds consecutive quarters from a start quarter, across the year end', () => {
    expect(buildPeriods({ kind: 'quarters', start: '2026-Q4', count: 3 })).toEqual([
      { id: '2026-Q4', name: 'Q4 2026', start: '2026-10-01', end: '2027-01-01' },
      { id: '2027-Q1', name: 'Q1 2027', start: '2027-01-01', end: '2027-04-01' },
      { id: '2027-Q2', name: 'Q2 2027', start: '2027-04-01', end: '2027-07-01' },
    ])
  })

  it('names the bad quarter string and the bad count', () => {
    expect(problemsOf(() => buildPeriods({ kind: 'quarters', start: '2026-Q5', count: 0 }))).toEqual([
      `start: must be a quarter like '2026-Q4', got "2026-Q5"`,
      'count: must be an integer from 1 to 40, got 0',
    ])
    expect(problemsOf(() => buildPeriods({ kind: 'quarters', start: 'Q1 2026', count: 2 }))).toHaveLength(1)
  })

  it('keeps an explicit list with names, defaulting the name to the id and allowing gaps', () => {
    expect(
      buildPeriods({
        kind: 'list',
        periods: [
          { id: 'h1', name: 'First half', start: '2026-01-01', end: '2026-07-01' },
          { id: 'h2', start: '2026-08-01', end: '2027-01-01' },
        ],
      }),
    ).toEqual([
      { id: 'h1', name: 'First half', start: '2026-01-01', end: '2026-07-01' },
      { id: 'h2', name: 'h2', start: '2026-08-01', end: '2027-01-01' },
    ])
  })

  it('rejects an empty list', () => {
    expect(problemsOf(() => buildPeriods({ kind: 'list', periods: [] }))).toEqual([
      'periods: must not be empty',
    ])
  })

  it('names overlapping, unsorted, empty and badly dated periods', () => {
    const problems = problemsOf(() =>
      buildPeriods({
        kind: 'list',
        periods: [
          { id: 'a', start: '2026-01-01', end: '2026-04-01' },
          { id: 'b', start: '2026-03-01', end: '2026-06-01' },
          { id: 'c', start: '2026-02-01', end: '2026-02-10' },
          { id: 'd', start: '2026-07-01', end: '2026-07-01' },
          { id: 'e', start: '2026-02-30', end: '2026-09-01' },
          { id: 'a', start: '2026-10-01', end: '2026-11-01' },
        ],
      }),
    )
    expect(problems).toEqual([
      'periods[1]: overlaps periods[0], which ends 2026-04-01 (end is exclusive)',
      'periods[2]: starts 2026-02-01, before periods[1] (periods must be sorted by start)',
      'periods[3]: empty period, start 2026-07-01 is not before end 2026-07-01',
      'periods[4].start: must be a date YYYY-MM-DD, got "2026-02-30"',
      `periods[5].id: duplicate id 'a'`,
    ])
  })

  it('accepts periods that touch: the end is exclusive', () => {
    expect(
      buildPeriods({
        kind: 'list',
        periods: [
          { id: 'a', start: '2026-01-01', end: '2026-04-01' },
          { id: 'b', start: '2026-04-01', end: '2026-07-01' },
        ],
      }),
    ).toHaveLength(2)
  })
})
