import { describe, expect, it } from 'vitest'
import { accruedCosts, buildReport, type Epic } from '../../src/domain/index.ts'
import { APR, entryOf, epic, id, JAN, JUL, OCT, periodsOf, settings } from './fixtures.ts'
import { contentOf, eventFor, ratesOf, type Step, step } from './helpers.ts'

/**
 * The failure onetrack exists for: platform work, written down as an abstract item, loses every
 * quarter to a concrete feature. Each quarter starts with the platform epic committed (the first
 * build of the quarter takes the baseline); a feature arriving a couple of weeks later takes its
 * slot, and it is deferred out of the committed quarter. Its risk compounds with each deferral
 * (interest 25%), in the build that records it, until in the fourth quarter it outranks the
 * feature of the day — and the ledger shows why it slipped each time, what each call was priced at,
 * and what the wait has cost since the first committed quarter ended.
 */
describe('story: a platform epic that keeps losing to features', () => {
  const platform = (status: Epic['status'] = 'todo'): Epic =>
    epic('PLAT', {
      title: 'Platform stability work',
      track: 'technical',
      inputs: { value: 2, timeCriticality: 1, risk: 5 },
      effort: 10,
      status,
    })
  // A feature scores (10 + 2) / 10 = 1.2; Q3's is a bigger deal: (13 + 2) / 10 = 1.5.
  const feature = (n: number, status: Epic['status'] = 'todo', value = 10): Epic =>
    epic(`F${n}`, {
      title: `Feature ${n}: closes enterprise deals`,
      inputs: { value, timeCriticality: 2, risk: 0 },
      effort: 10,
      status,
    })
  // One team, 10 units a quarter: room for exactly one of these epics per quarter.
  const s = settings({ quarters: 5, scoring: { riskInterest: 0.25 } })
  const build = (epics: Epic[], now: string, after: Step | null): Step =>
    step(epics, { after, now, settings: s })

  const LATE_JAN = '2026-01-20T09:00:00.000Z'
  const LATE_APR = '2026-04-20T09:00:00.000Z'
  const LATE_JUL = '2026-07-20T09:00:00.000Z'
  const SHIPPED = '2026-12-01T09:00:00.000Z'

  // Each quarter: the first build commits the platform epic, then a feature arrives and takes its slot.
  const january = build([platform()], JAN, null)
  const lateJanuary = build([platform(), feature(1)], LATE_JAN, january)
  const april = build([platform(), feature(1, 'done')], APR, lateJanuary)
  const lateApril = build([platform(), feature(2)], LATE_APR, april)
  const july = build([platform(), feature(2, 'done')], JUL, lateApril)
  const lateJuly = build([platform(), feature(3, 'todo', 13)], LATE_JUL, july)
  const october = build([platform(), feature(3, 'done', 13), feature(4)], OCT, lateJuly)
  const december = build([platform('done'), feature(4)], SHIPPED, october)
  const steps = [january, lateJanuary, april, lateApril, july, lateJuly, october, december]
  const rates = new Map([[id('PLAT'), ratesOf(steps, id('PLAT'))]])

  const platformScore = (at: Step): number => {
    const score = entryOf(at.roadmap, 'PLAT').score
    if (score.status !== 'scored') throw new Error('PLAT should be scored')
    return score.score
  }

  it('plans the platform epic first, while nothing competes with it, and commits it', () => {
    expect(periodsOf(january.roadmap)).toEqual({ PLAT: '2026-Q1' })
    expect(entryOf(january.roadmap, 'PLAT').commitment).toBe('2026-Q1')
  })

  it('is committed again at the start of each quarter it is planned in', () => {
    expect([april, july, october].map((at) => entryOf(at.roadmap, 'PLAT').commitment)).toEqual([
      '2026-Q2',
      '2026-Q3',
      '2026-Q4',
    ])
  })

  it('loses Q1, Q2 and Q3 to a feature each time, its score rising with each deferral', () => {
    expect(periodsOf(lateJanuary.roadmap)).toEqual({ F1: '2026-Q1', PLAT: '2026-Q2' })
    expect(periodsOf(lateApril.roadmap)).toEqual({ F2: '2026-Q2', PLAT: '2026-Q3' })
    expect(periodsOf(lateJuly.roadmap)).toEqual({ F3: '2026-Q3', PLAT: '2026-Q4' })
    // CoD = 2 + 1 + 5 × 1.25^d, counted in the build that records the d-th deferral; score = CoD / 10.
    expect(platformScore(january)).toBeCloseTo(0.8)
    expect(platformScore(lateJanuary)).toBeCloseTo(0.925)
    expect(platformScore(lateApril)).toBeCloseTo(1.08125)
    expect(platformScore(lateJuly)).toBeCloseTo(1.2765625)
  })

  it('keeps its committed Q3 against an ordinary feature once the third deferral would compound its risk', () => {
    // 1.08125 loses to 1.2, but deferring it would make it 1.2765625: it stays, and nothing is recorded.
    const ordinary = build([platform(), feature(3)], LATE_JUL, july)
    expect(periodsOf(ordinary.roadmap)).toEqual({ PLAT: '2026-Q3', F3: '2026-Q4' })
    expect(ordinary.events.filter((e) => e.epicId === id('PLAT'))).toEqual([])
    const nextDay = build([platform(), feature(3)], '2026-07-21T09:00:00.000Z', ordinary)
    expect(nextDay.events).toEqual([])
    expect(contentOf(nextDay.roadmap)).toEqual(contentOf(ordinary.roadmap))
  })

  it('outranks the feature in Q4 once its risk has compounded three times', () => {
    expect(periodsOf(october.roadmap)).toEqual({ PLAT: '2026-Q4', F4: '2027-Q1' })
    const plat = entryOf(october.roadmap, 'PLAT')
    expect(plat.rank).toBe(1)
    expect(plat.score.breakdown).toMatchObject({
      deferrals: 3,
      riskEffective: 9.765625,
      costOfDelay: 12.765625,
    })
    expect(platformScore(october)).toBeGreaterThan(1.2)
    expect(october.events.filter((e) => e.epicId === id('PLAT'))).toEqual([])
  })

  it('would have kept losing without compounding risk', () => {
    const flat = settings({ quarters: 5, scoring: { riskInterest: 0 } })
    const noInterest = step([platform(), feature(3, 'done', 13), feature(4)], {
      after: lateJuly,
      now: OCT,
      settings: flat,
    })
    expect(periodsOf(noInterest.roadmap)).toEqual({ F4: '2026-Q4', PLAT: '2027-Q1' })
  })

  it('keeps a ledger naming each deferral cause, who took the slot, and the price of each call', () => {
    const deferrals = december.ledger.filter((e) => e.epicId === id('PLAT') && e.kind === 'deferred')
    expect(
      deferrals.map((e) => ({
        from: e.fromPeriod,
        to: e.toPeriod,
        committed: e.committed,
        cause: e.cause,
        displacedBy: e.displacedBy.map((d) => [d.title, d.score]),
        costOfDelay: e.costOfDelay,
        projected: e.projectedCost,
        count: e.deferralCount,
      })),
    ).toEqual([
      {
        from: '2026-Q1',
        to: '2026-Q2',
        committed: { period: '2026-Q1', start: '2026-01-01', end: '2026-04-01' },
        cause: { kind: 'capacity', team: 'core', period: '2026-Q1' },
        displacedBy: [['Feature 1: closes enterprise deals', 1.2]],
        costOfDelay: 9.25,
        projected: 9.25,
        count: 1,
      },
      {
        from: '2026-Q2',
        to: '2026-Q3',
        committed: { period: '2026-Q2', start: '2026-04-01', end: '2026-07-01' },
        cause: { kind: 'capacity', team: 'core', period: '2026-Q2' },
        displacedBy: [['Feature 2: closes enterprise deals', 1.2]],
        costOfDelay: 10.8125,
        projected: 10.8125,
        count: 2,
      },
      {
        from: '2026-Q3',
        to: '2026-Q4',
        committed: { period: '2026-Q3', start: '2026-07-01', end: '2026-10-01' },
        cause: { kind: 'capacity', team: 'core', period: '2026-Q3' },
        displacedBy: [['Feature 3: closes enterprise deals', 1.5]],
        costOfDelay: 12.765625,
        projected: 12.765625,
        count: 3,
      },
    ])
    expect(december.ledger.filter((e) => e.epicId === id('PLAT')).map((e) => e.kind)).toEqual([
      'added',
      'deferred',
      'deferred',
      'deferred',
      'completed',
    ])
    expect(eventFor(april.events, id('F1')).kind).toBe('completed')
  })

  // Late since Q1 2026 ended (2026-04-01, a 90-day quarter), at the rate in force each day.
  const accruedByJuly22 = (9.25 * 19.375 + 10.8125 * 91 + 12.765625 * 2) / 90

  it('shows up in the weekly report as a chronic deferral of the technical track', () => {
    const report = buildReport({
      roadmap: lateJuly.roadmap,
      ledger: lateJuly.ledger,
      rates,
      overrides: [],
      settings: { chronicThreshold: 3, minCostOfDelay: 0, costUnit: 'EUR k' },
      now: '2026-07-22T09:00:00.000Z',
    })
    expect(report.quiet).toBe(false)
    expect(report.newDeferrals.map((e) => [e.epic.key, e.fromPeriod, e.toPeriod, e.projectedCost])).toEqual([
      ['PLAT', '2026-Q3', '2026-Q4', 12.765625],
    ])
    expect(report.chronic).toEqual([
      {
        epicId: id('PLAT'),
        key: 'PLAT',
        title: 'Platform stability work',
        url: 'https://jira.example/browse/PLAT',
        team: 'core',
        track: 'technical',
        deferrals: 3,
        periodsLeft: ['2026-Q1', '2026-Q2', '2026-Q3'],
        accruedCost: expect.closeTo(accruedByJuly22, 9),
        period: '2026-Q4',
        open: true,
      },
    ])
    expect(report.accruedCostByTrack.product).toBe(0)
    expect(report.accruedCostByTrack.technical).toBeCloseTo(accruedByJuly22, 9)
    expect(report.accruedOpenCostByTrack).toEqual(report.accruedCostByTrack)
    expect(report.asymmetry.technical).toMatchObject({
      epics: 1,
      deferredEpics: 1,
      deferrals: 3,
      deferralsPerEpic: 3,
    })
    expect(report.asymmetry.product).toMatchObject({ epics: 1, deferrals: 0, deferralsPerEpic: 0 })
    expect(report.asymmetry.trend).toEqual([
      { period: '2026-Q1', deferrals: { product: 0, technical: 1 } },
      { period: '2026-Q2', deferrals: { product: 0, technical: 1 } },
      { period: '2026-Q3', deferrals: { product: 0, technical: 1 } },
    ])
    expect(report.costUnit).toBe('EUR k')
  })

  it('keeps what the wait cost with the technical track after it ships', () => {
    expect(eventFor(december.events, id('PLAT')).kind).toBe('completed')
    // From July 22 until it shipped on December 1 (132 days), at the rate of its third deferral.
    const atShipping = accruedByJuly22 + (12.765625 * 132) / 90
    const report = buildReport({
      roadmap: december.roadmap,
      ledger: december.ledger,
      rates,
      overrides: [],
      settings: { chronicThreshold: 3, minCostOfDelay: 0, costUnit: 'EUR k' },
      now: '2026-12-21T09:00:00.000Z',
    })
    expect(report.accruedCostByTrack.technical).toBeCloseTo(atShipping, 9)
    expect(report.accruedOpenCostByTrack.technical).toBe(0)
    expect(report.chronic).toMatchObject([{ key: 'PLAT', deferrals: 3, period: null, open: false }])
    expect(accruedCosts(december.ledger, rates, '2027-06-01T00:00:00.000Z').get(id('PLAT'))).toBeCloseTo(
      atShipping,
      9,
    )
  })
})
