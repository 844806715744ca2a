import { describe, expect, it } from 'vitest'
import {
  accruedCosts,
  buildReport,
  deferralCounts,
  type Epic,
  isDeferral,
  type RoadmapSettings,
} from '../../src/domain/index.ts'
import { APR, entryOf, epic, id, JAN, settings } from './fixtures.ts'
import { contentOf, eventFor, ratesOf, type Step, step } from './helpers.ts'

/** DESIGN.md, "Commitment", "Deferral", "Cost of delay", "Determinism". */

const valued = (externalId: string, value: number, fields: Parameters<typeof epic>[1] = {}, risk = 0): Epic =>
  epic(externalId, { inputs: { value, timeCriticality: 0, risk }, ...fields })

const Q1 = { period: '2026-Q1', start: '2026-01-01', end: '2026-04-01' }

/** Kind, epic key, from, to of each event, for compact assertions. */
const moves = (at: Step) => at.events.map((e) => [e.kind, e.epic.key, e.fromPeriod, e.toPeriod])

describe('commitments', () => {
  it('commits the current and the next period at the first build of a period, and keeps that baseline until the next one', () => {
    const epics = [
      valued('A', 9, { effort: 10 }),
      valued('B', 8, { effort: 10 }),
      valued('C', 7, { effort: 10 }),
    ]
    const january = step(epics)
    expect(january.roadmap.baseline).toEqual({
      period: '2026-Q1',
      takenAt: JAN,
      periods: ['2026-Q1', '2026-Q2'],
    })
    expect(january.roadmap.entries.map((e) => [e.key, e.period, e.commitment])).toEqual([
      ['A', '2026-Q1', '2026-Q1'],
      ['B', '2026-Q2', '2026-Q2'],
      ['C', '2026-Q3', null],
    ])
    // Later in the quarter: new work is not committed, and the others keep their commitment wherever they go.
    const later = step([...epics, valued('NEW', 100, { effort: 10 })], {
      after: january,
      now: '2026-01-20T09:00:00.000Z',
    })
    expect(later.roadmap.baseline).toEqual(january.roadmap.baseline)
    expect(later.roadmap.entries.map((e) => [e.key, e.period, e.commitment])).toEqual([
      ['NEW', '2026-Q1', null],
      ['A', '2026-Q2', '2026-Q1'],
      ['B', '2026-Q3', '2026-Q2'],
      ['C', '2026-Q4', null],
    ])
    const april = step([...epics, valued('NEW', 100, { effort: 10, status: 'done' })], {
      after: later,
      now: APR,
    })
    expect(april.roadmap.baseline).toEqual({
      period: '2026-Q2',
      takenAt: APR,
      periods: ['2026-Q2', '2026-Q3'],
    })
  })

  it('commits a large epic spread over two periods to the one it finishes in, and does not roll it over when its first period ends', () => {
    const huge = epic('HUGE', {
      inputs: { value: 9, timeCriticality: 0, risk: 0 },
      effort: 15,
      status: 'in_progress',
    })
    const jan = step([huge])
    expect(jan.roadmap.entries[0]).toMatchObject({ period: '2026-Q1', commitment: '2026-Q2' })
    const apr = step([huge], { after: jan, now: APR })
    expect(apr.events.filter((e) => isDeferral(e.kind))).toEqual([])
    expect(apr.events).toEqual([])
    expect(apr.roadmap.entries[0]).toMatchObject({
      period: '2026-Q2',
      spans: [{ period: '2026-Q2', effort: 5 }],
      commitment: '2026-Q2',
    })
  })

  it('records no deferral when a build repeats with no input change', () => {
    const repeat = (epics: Epic[], after: Step, now: string, inAnHour: string) => {
      const first = step(epics, { after, now })
      const second = step(epics, { after: first, now: inAnHour })
      expect(second.events).toEqual([])
      expect(contentOf(second.roadmap)).toEqual(contentOf(first.roadmap))
      return first
    }
    const LATER = '2026-01-20T09:00:00.000Z'
    const LATER_SAME_DAY = '2026-01-20T15:00:00.000Z'

    // A deferral that sticks: recorded once, its risk compounded in the same build.
    const lowRisk = valued('A', 5, { effort: 10 }, 4)
    const pushed = repeat([lowRisk, valued('F', 100, { effort: 10 })], step([lowRisk]), LATER, LATER_SAME_DAY)
    expect(moves(pushed)).toEqual([
      ['added', 'F', null, '2026-Q1'],
      ['deferred', 'A', '2026-Q1', '2026-Q2'],
    ])
    expect(entryOf(pushed.roadmap, 'A').score.breakdown).toMatchObject({ deferrals: 1, costOfDelay: 10 })

    // A deferral its own compounding would undo (10 → 12.5 against 11): not recorded at all, now or later.
    const highRisk = valued('B', 0, { effort: 10 }, 10)
    const kept = repeat([highRisk, valued('F', 11, { effort: 10 })], step([highRisk]), LATER, LATER_SAME_DAY)
    expect(moves(kept)).toEqual([['added', 'F', null, '2026-Q2']])
    expect(deferralCounts(kept.ledger).size).toBe(0)

    // The first build of a period: the baseline and the roll-overs, once.
    const open = [valued('R', 8, { effort: 5 }), valued('S', 7, { effort: 5 })]
    const atStart = repeat(open, step(open), APR, '2026-04-06T17:00:00.000Z')
    expect(moves(atStart)).toEqual([
      ['rolled_over', 'R', '2026-Q1', '2026-Q2'],
      ['rolled_over', 'S', '2026-Q1', '2026-Q2'],
    ])
  })

  it('rolls over only work committed at the period start: work pulled in later goes back without a deferral', () => {
    const january = step([
      valued('A', 9, { effort: 5 }),
      valued('R', 8, { effort: 5 }),
      valued('B', 7, { effort: 5 }),
    ])
    expect(january.roadmap.entries.map((e) => [e.key, e.period, e.commitment])).toEqual([
      ['A', '2026-Q1', '2026-Q1'],
      ['R', '2026-Q1', '2026-Q1'],
      ['B', '2026-Q2', '2026-Q2'],
    ])
    // A ships early; B is pulled into the room it left, still committed to Q2 only.
    const february = step(
      [
        valued('A', 9, { effort: 5, status: 'done' }),
        valued('R', 8, { effort: 5 }),
        valued('B', 7, { effort: 5 }),
      ],
      { after: january, now: '2026-02-10T09:00:00.000Z' },
    )
    expect(moves(february)).toEqual([
      ['pulled_in', 'B', '2026-Q2', '2026-Q1'],
      ['completed', 'A', '2026-Q1', null],
    ])
    expect(entryOf(february.roadmap, 'B')).toMatchObject({ period: '2026-Q1', commitment: '2026-Q2' })
    // Q1 ends with R and B unfinished: R broke its commitment, B goes back to the quarter it was promised for.
    const april = step([valued('R', 8, { effort: 5 }), valued('B', 7, { effort: 5 })], {
      after: february,
      now: APR,
    })
    expect(eventFor(april.events, id('R'))).toMatchObject({
      kind: 'rolled_over',
      fromPeriod: '2026-Q1',
      toPeriod: '2026-Q2',
      committed: Q1,
      cause: { kind: 'period_ended', period: '2026-Q1' },
      projectedCost: 8,
      deferralCount: 1,
    })
    expect(eventFor(april.events, id('B'))).toMatchObject({
      kind: 'replanned',
      fromPeriod: '2026-Q1',
      toPeriod: '2026-Q2',
      committed: null,
      cause: { kind: 'period_ended', period: '2026-Q1' },
      projectedCost: 0,
      deferralCount: 0,
    })
    expect(deferralCounts(april.ledger)).toEqual(new Map([[id('R'), 1]]))
  })

  it('counts out, in and out again of one committed period as one deferral', () => {
    const a = valued('A', 5, { effort: 6 })
    const january = step([a])
    const out = step([a, valued('X', 100, { effort: 10 })], {
      after: january,
      now: '2026-01-20T09:00:00.000Z',
    })
    const back = step([a, valued('X', 100, { effort: 10, status: 'canceled' })], {
      after: out,
      now: '2026-02-03T09:00:00.000Z',
    })
    const outAgain = step([a, valued('Y', 100, { effort: 10, title: 'Closes a deal' })], {
      after: back,
      now: '2026-02-17T09:00:00.000Z',
    })
    const april = step([a, valued('Y', 100, { effort: 10, status: 'done' })], { after: outAgain, now: APR })
    expect(eventFor(out.events, id('A'))).toMatchObject({
      kind: 'deferred',
      fromPeriod: '2026-Q1',
      deferralCount: 1,
    })
    expect(eventFor(back.events, id('A'))).toMatchObject({ kind: 'pulled_in', toPeriod: '2026-Q1' })
    expect(eventFor(outAgain.events, id('A'))).toMatchObject({
      kind: 'replanned',
      fromPeriod: '2026-Q1',
      toPeriod: '2026-Q2',
      committed: null,
      cause: { kind: 'capacity', team: 'core', period: '2026-Q1' },
      displacedBy: [{ epicId: id('Y'), title: 'Closes a deal' }],
      projectedCost: 0,
      deferralCount: 1,
    })
    // Nor is the end of the quarter another deferral: that commitment is already broken.
    expect(april.events.filter((e) => e.epicId === id('A'))).toEqual([])
    const deferrals = april.ledger.filter((e) => e.epicId === id('A') && isDeferral(e.kind))
    expect(deferrals.map((e) => e.fromPeriod)).toEqual(['2026-Q1'])
    expect(deferralCounts(april.ledger).get(id('A'))).toBe(1)
    // One call to make: one epic awaiting sign-off, with its one deferral.
    const report = buildReport({
      roadmap: april.roadmap,
      ledger: april.ledger,
      overrides: [],
      settings: { chronicThreshold: 3, minCostOfDelay: 0, costUnit: 'points' },
      now: '2026-04-07T09:00:00.000Z',
      signOff: { acknowledged: new Set(), decisions: [] },
    })
    expect(report.awaitingSignOff.map((a) => [a.key, a.deferrals.map((e) => e.id)])).toEqual([
      ['A', deferrals.map((e) => e.id)],
    ])
  })

  it('never gives accrued cost back on a pull-in, and keeps it after the epic ships', () => {
    // A: value 5, risk 4 (interest 25%): cost of delay 9, then 10 after one deferral, 11.25 after two.
    const a = (status: Epic['status'] = 'todo') => valued('A', 5, { effort: 5, status }, 4)
    const big = (key: string, status: Epic['status'] = 'todo') => valued(key, 100, { effort: 10, status })
    const january = step([a()])
    const february = step([a(), big('F1')], { after: january, now: '2026-02-10T09:00:00.000Z' })
    const april = step([a(), big('F1', 'done')], { after: february, now: APR })
    const lateApril = step([a(), big('F2')], { after: april, now: '2026-04-20T09:00:00.000Z' })
    const may = step([a(), big('F2', 'canceled')], { after: lateApril, now: '2026-05-04T09:00:00.000Z' })
    const shipped = step([a('done')], { after: may, now: '2026-05-18T09:00:00.000Z' })
    const steps = [january, february, april, lateApril, may, shipped]
    expect(steps.map((s) => s.events.filter((e) => e.epicId === id('A')).map((e) => e.kind))).toEqual([
      ['added'],
      ['deferred'],
      [],
      ['deferred'],
      ['pulled_in'],
      ['completed'],
    ])
    expect(eventFor(may.events, id('A')).projectedCost).toBe(0)
    const rates = new Map([[id('A'), ratesOf(steps, id('A'))]])
    expect(rates.get(id('A'))?.map((r) => r.costOfDelay)).toEqual([9, 10, 10, 11.25, 11.25])

    // Accrued as the ledger stood at each build, and long after.
    const asOf = (at: Step, now: string) => accruedCosts(at.ledger, rates, now).get(id('A')) ?? 0
    const seen = [
      asOf(january, january.roadmap.builtAt),
      asOf(february, february.roadmap.builtAt),
      asOf(april, april.roadmap.builtAt),
      asOf(lateApril, lateApril.roadmap.builtAt),
      asOf(may, may.roadmap.builtAt),
      asOf(shipped, shipped.roadmap.builtAt),
      asOf(shipped, '2026-12-01T00:00:00.000Z'),
    ]
    // Late from the end of Q1 (90 days): 19.375 days at 10, then 28 days at 11.25 until it shipped.
    const final = (10 * 19.375 + 11.25 * 28) / 90
    expect(seen[0]).toBe(0)
    expect(seen[1]).toBe(0)
    expect(seen[2]).toBeCloseTo((10 * 5.375) / 90, 9)
    expect(seen[3]).toBeCloseTo((10 * 19.375) / 90, 9)
    expect(seen[4]).toBeCloseTo((10 * 19.375 + 11.25 * 14) / 90, 9)
    expect(seen[5]).toBeCloseTo(final, 9)
    expect(seen[6]).toBeCloseTo(final, 9)
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1] as number)
  })

  it('moves of work planned beyond the commitment horizon are replans, never deferrals', () => {
    const epics = [
      valued('A', 9, { effort: 10 }),
      valued('B', 8, { effort: 10 }),
      valued('C', 7, { effort: 10 }),
    ]
    const withNew = [...epics, valued('NEW', 100, { effort: 10 })]
    const run = (s: RoadmapSettings) =>
      step(withNew, { after: step(epics, { settings: s }), now: '2026-01-20T09:00:00.000Z', settings: s })
    const kinds = (at: Step) => Object.fromEntries(at.events.map((e) => [e.epic.key, e.kind]))

    // Default horizon 1: Q1 and Q2 are committed; C, planned in Q3, only moves to Q4.
    const one = run(settings())
    expect(kinds(one)).toEqual({ NEW: 'added', A: 'deferred', B: 'deferred', C: 'replanned' })
    expect(eventFor(one.events, id('C'))).toMatchObject({
      fromPeriod: '2026-Q3',
      toPeriod: '2026-Q4',
      committed: null,
      cause: { kind: 'capacity', team: 'core', period: '2026-Q3' },
      projectedCost: 0,
      deferralCount: 0,
    })
    expect(deferralCounts(one.ledger)).toEqual(
      new Map([
        [id('A'), 1],
        [id('B'), 1],
      ]),
    )
    // Horizon 0: only the current period is a promise. Horizon 2: Q3 is one too.
    expect(kinds(run(settings({ commitHorizon: 0 })))).toEqual({
      NEW: 'added',
      A: 'deferred',
      B: 'replanned',
      C: 'replanned',
    })
    expect(kinds(run(settings({ commitHorizon: 2 })))).toEqual({
      NEW: 'added',
      A: 'deferred',
      B: 'deferred',
      C: 'deferred',
    })
  })
})
