import { describe, expect, it } from 'vitest'
import { buildReport, type Epic } from '../../src/domain/index.ts'
import { APR, entryOf, epic, id, JAN, JUL, OCT, periodsOf, settings } from './fixtures.ts'
import { eventFor, type Step, step } from './helpers.ts'

/**
 * The failure onetrack exists for: platform work, written down as an abstract item, loses every
 * quarter to a concrete feature. Here its risk compounds with each deferral (interest 25%) until,
 * in the fourth quarter, it outranks the feature of the day — and the ledger shows why it slipped
 * each time, and what the wait cost.
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
  const feature = (n: number, status: Epic['status'] = 'todo'): Epic =>
    epic(`F${n}`, {
      title: `Feature ${n}: closes enterprise deals`,
      inputs: { value: 10, timeCriticality: 2, risk: 0 },
      effort: 10,
      status,
    })
  // One team, 10 units a quarter: room for exactly one of these epics per quarter.
  const s = settings({ quarters: 5, scoring: { riskInterest: 0.25 } })
  const build = (epics: Epic[], now: string, after: Step | null): Step =>
    step(epics, { after, now, settings: s })

  const january = build([platform()], JAN, null)
  const lateJanuary = build([platform(), feature(1)], '2026-01-20T09:00:00.000Z', january)
  const april = build([platform(), feature(1, 'done'), feature(2)], APR, lateJanuary)
  const july = build([platform(), feature(2, 'done'), feature(3)], JUL, april)
  const october = build([platform(), feature(3, 'done'), feature(4)], OCT, july)

  const platformScore = (at: Step): number => {
    const score = entryOf(at.roadmap, 'PLAT').score
    if (score.status !== 'scored') throw new Error('PLAT should be scored')
    return score.score
  }

  it('plans the platform epic first, while nothing competes with it', () => {
    expect(periodsOf(january.roadmap)).toEqual({ PLAT: '2026-Q1' })
  })

  it('loses Q1, Q2 and Q3 to a feature each time, its score rising with each deferral', () => {
    expect(periodsOf(lateJanuary.roadmap)).toEqual({ F1: '2026-Q1', PLAT: '2026-Q2' })
    expect(periodsOf(april.roadmap)).toEqual({ F2: '2026-Q2', PLAT: '2026-Q3' })
    expect(periodsOf(july.roadmap)).toEqual({ F3: '2026-Q3', PLAT: '2026-Q4' })
    // CoD = 2 + 1 + 5 × 1.25^d; score = CoD / 10. A feature scores (10 + 2) / 10 = 1.2.
    expect(platformScore(lateJanuary)).toBeCloseTo(0.8)
    expect(platformScore(april)).toBeCloseTo(0.925)
    expect(platformScore(july)).toBeCloseTo(1.08125)
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
    const noInterest = step([platform(), feature(3, 'done'), feature(4)], {
      after: july,
      now: OCT,
      settings: flat,
    })
    expect(periodsOf(noInterest.roadmap)).toEqual({ F4: '2026-Q4', PLAT: '2027-Q1' })
  })

  it('keeps a ledger naming each deferral cause, who took the slot, and the cost accumulated', () => {
    const deferrals = october.ledger.filter((e) => e.epicId === id('PLAT') && e.kind === 'deferred')
    expect(
      deferrals.map((e) => ({
        from: e.fromPeriod,
        to: e.toPeriod,
        cause: e.cause,
        displacedBy: e.displacedBy.map((d) => [d.title, d.score]),
        costOfDelay: e.costOfDelay,
        accumulated: e.costOfDelayAccumulated,
        count: e.deferralCount,
      })),
    ).toEqual([
      {
        from: '2026-Q1',
        to: '2026-Q2',
        cause: { kind: 'capacity', team: 'core', period: '2026-Q1' },
        displacedBy: [['Feature 1: closes enterprise deals', 1.2]],
        costOfDelay: 8,
        accumulated: 8,
        count: 1,
      },
      {
        from: '2026-Q2',
        to: '2026-Q3',
        cause: { kind: 'capacity', team: 'core', period: '2026-Q2' },
        displacedBy: [['Feature 2: closes enterprise deals', 1.2]],
        costOfDelay: 9.25,
        accumulated: 17.25,
        count: 2,
      },
      {
        from: '2026-Q3',
        to: '2026-Q4',
        cause: { kind: 'capacity', team: 'core', period: '2026-Q3' },
        displacedBy: [['Feature 3: closes enterprise deals', 1.2]],
        costOfDelay: 10.8125,
        accumulated: 28.0625,
        count: 3,
      },
    ])
    expect(eventFor(april.events, id('F1')).kind).toBe('completed')
  })

  it('shows up in the weekly report as a chronic deferral of the technical track', () => {
    const report = buildReport({
      roadmap: july.roadmap,
      ledger: july.ledger,
      overrides: [],
      settings: { chronicThreshold: 3, minCostOfDelay: 0, costUnit: 'EUR k' },
      now: '2026-07-08T09:00:00.000Z',
    })
    expect(report.quiet).toBe(false)
    expect(report.newDeferrals.map((e) => [e.epic.key, e.fromPeriod, e.toPeriod])).toEqual([
      ['PLAT', '2026-Q3', '2026-Q4'],
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
        costOfDelayAccumulated: 28.0625,
        period: '2026-Q4',
      },
    ])
    expect(report.accumulatedCostByTrack).toEqual({ product: 0, technical: 28.0625 })
    expect(report.asymmetry.technical).toMatchObject({
      epics: 1,
      deferredEpics: 1,
      deferrals: 3,
      deferralsPerEpic: 3,
    })
    expect(report.asymmetry.product).toMatchObject({ epics: 1, deferrals: 0, deferralsPerEpic: 0 })
    expect(report.costUnit).toBe('EUR k')
  })
})
