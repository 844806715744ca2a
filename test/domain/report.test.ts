import { describe, expect, it } from 'vitest'
import { buildReport, type Epic, type ReportSettings } from '../../src/domain/index.ts'
import { epic, id, override } from './fixtures.ts'
import { ratesOf, step } from './helpers.ts'

const WEEK_START = '2026-01-13T09:00:00.000Z'
const REBUILD = '2026-01-20T09:00:00.000Z'
const REPORT = '2026-01-21T09:00:00.000Z'

const epics = (withNew: boolean): Epic[] => [
  epic('P1', { inputs: { value: 20, timeCriticality: 0, risk: 0 }, effort: 5 }),
  epic('T1', { track: 'technical', inputs: { value: 6, timeCriticality: 0, risk: 3 }, effort: 5 }),
  epic('P2', { inputs: { value: 4, timeCriticality: 0, risk: 0 }, effort: 5 }),
  epic('U', { track: 'technical', inputs: { value: 5 }, effort: 2 }),
  ...(withNew ? [epic('NEW', { inputs: { value: 100, timeCriticality: 0, risk: 0 }, effort: 5 })] : []),
]
const oldPin = override('P1', 'pin', { period: '2026-Q1', createdAt: '2026-01-02T10:00:00.000Z' })
const newPin = override('P2', 'pin', {
  period: '2026-Q2',
  rationale: 'promised to Acme',
  createdAt: '2026-01-19T10:00:00.000Z',
})
const first = step(epics(false), { overrides: [oldPin] })
const second = step(epics(true), { after: first, now: REBUILD, overrides: [oldPin, newPin] })
const reportSettings: ReportSettings = { chronicThreshold: 1, minCostOfDelay: 5, costUnit: 'points' }

describe('buildReport', () => {
  const report = buildReport({
    roadmap: second.roadmap,
    ledger: second.ledger,
    overrides: [oldPin, newPin],
    settings: reportSettings,
    now: REPORT,
  })

  it('covers the seven days before now', () => {
    expect(report.window).toEqual({ from: '2026-01-14T09:00:00.000Z', to: REPORT })
    expect(report.generatedAt).toBe(REPORT)
  })

  it('lists this week deferrals, most costly first, unscored ones last', () => {
    // T1's risk compounds in the build that defers it: 6 + 3 × 1.25.
    expect(
      report.newDeferrals.map((e) => [
        e.epic.key,
        e.costOfDelay,
        e.projectedCost,
        e.cause?.kind,
        e.displacedBy.map((d) => d.epicId),
      ]),
    ).toEqual([
      ['T1', 9.75, 9.75, 'capacity', [id('NEW')]],
      ['U', null, 0, 'capacity', [id('T1')]],
    ])
    expect(report.hiddenDeferrals).toBe(0)
    expect(report.quiet).toBe(false)
  })

  it('counts but does not list deferrals below the minimum cost of delay', () => {
    const strict = buildReport({
      roadmap: second.roadmap,
      ledger: second.ledger,
      overrides: [],
      settings: { ...reportSettings, minCostOfDelay: 10 },
      now: REPORT,
    })
    expect(strict.newDeferrals.map((e) => e.epic.key)).toEqual(['U'])
    expect(strict.hiddenDeferrals).toBe(1)
  })

  it('lists chronic deferrals with the periods they left', () => {
    // Nothing has accrued yet: neither committed period has ended.
    expect(
      report.chronic.map((c) => [c.key, c.deferrals, c.periodsLeft, c.accruedCost, c.period, c.open]),
    ).toEqual([
      ['T1', 1, ['2026-Q1'], 0, '2026-Q2', true],
      ['U', 1, ['2026-Q2'], 0, '2026-Q3', true],
    ])
  })

  it('sums the accrued cost of delay by track, shipped epics included, with the part still open', () => {
    expect(report.accruedCostByTrack).toEqual({ product: 0, technical: 0 })
    // May 1st: T1 shipped 30 days after Q1 (90 days) ended; P1 rolled over and is still open.
    const may = '2026-05-01T00:00:00.000Z'
    const third = step(
      [
        epic('P1', { inputs: { value: 20, timeCriticality: 0, risk: 0 }, effort: 5 }),
        epic('T1', {
          track: 'technical',
          inputs: { value: 6, timeCriticality: 0, risk: 3 },
          effort: 5,
          status: 'done',
        }),
        epic('P2', { inputs: { value: 4, timeCriticality: 0, risk: 0 }, effort: 5 }),
        epic('U', { track: 'technical', inputs: { value: 5 }, effort: 2 }),
        epic('NEW', { inputs: { value: 100, timeCriticality: 0, risk: 0 }, effort: 5, status: 'done' }),
      ],
      { after: second, now: may, overrides: [newPin] },
    )
    expect(third.events.map((e) => [e.kind, e.epic.key])).toEqual([
      ['rolled_over', 'P1'],
      ['completed', 'NEW'],
      ['completed', 'T1'],
    ])
    const steps = [first, second, third]
    const later = buildReport({
      roadmap: third.roadmap,
      ledger: third.ledger,
      rates: new Map([id('P1'), id('T1'), id('U')].map((epicId) => [epicId, ratesOf(steps, epicId)])),
      overrides: [],
      settings: reportSettings,
      now: may,
    })
    // T1 at 9.75 for 30 days; P1 at 20 for 30 days.
    expect(later.accruedCostByTrack.technical).toBeCloseTo(3.25, 9)
    expect(later.accruedCostByTrack.product).toBeCloseTo(20 / 3, 9)
    expect(later.accruedOpenCostByTrack.technical).toBe(0)
    expect(later.accruedOpenCostByTrack.product).toBeCloseTo(20 / 3, 9)
    expect(later.chronic.find((c) => c.key === 'T1')).toMatchObject({ open: false, period: null })
  })

  it('shows the planned capacity share of product and technical work per period', () => {
    expect(report.capacityShare).toEqual([
      {
        period: '2026-Q1',
        capacity: 10,
        planned: { product: 10, technical: 0 },
        share: { product: 1, technical: 0 },
      },
      {
        period: '2026-Q2',
        capacity: 10,
        planned: { product: 5, technical: 5 },
        share: { product: 0.5, technical: 0.5 },
      },
      {
        period: '2026-Q3',
        capacity: 10,
        planned: { product: 0, technical: 2 },
        share: { product: 0, technical: 1 },
      },
      {
        period: '2026-Q4',
        capacity: 10,
        planned: { product: 0, technical: 0 },
        share: { product: null, technical: null },
      },
    ])
  })

  it('measures how often each track slips', () => {
    expect(report.asymmetry).toEqual({
      product: { epics: 3, deferredEpics: 0, deferrals: 0, deferralsPerEpic: 0, deferralsThisWeek: 0 },
      technical: { epics: 2, deferredEpics: 2, deferrals: 2, deferralsPerEpic: 1, deferralsThisWeek: 2 },
      technicalToProduct: null,
      // Up to the current quarter: T1 left Q1; U's deferral out of Q2 counts when Q2 comes.
      trend: [{ period: '2026-Q1', deferrals: { product: 0, technical: 1 } }],
    })
  })

  it('names unscored epics and what they miss', () => {
    expect(report.unscored).toEqual([
      {
        epicId: id('U'),
        key: 'U',
        title: 'Epic U',
        url: 'https://jira.example/browse/U',
        team: 'core',
        track: 'technical',
        missing: ['timeCriticality', 'risk'],
      },
    ])
  })

  it('lists overrides made this week with their rationale', () => {
    expect(report.overrides).toEqual([{ ...newPin, epicTitle: 'Epic P2', inForce: true }])
  })

  it('states a quiet week, while still carrying the standing facts', () => {
    const quiet = buildReport({
      roadmap: second.roadmap,
      ledger: second.ledger,
      overrides: [oldPin, newPin],
      settings: reportSettings,
      now: '2026-02-20T09:00:00.000Z',
    })
    expect(quiet.quiet).toBe(true)
    expect(quiet.newDeferrals).toEqual([])
    expect(quiet.overrides).toEqual([])
    expect(quiet.chronic).toHaveLength(2)
  })

  it('asks for one sign-off per epic, with its open deferrals, their age and their cost', () => {
    const t1 = second.events.find((e) => e.epicId === id('T1'))
    const u = second.events.find((e) => e.epicId === id('U'))
    if (t1 === undefined || u === undefined) throw new Error('T1 and U were deferred')
    const signOff = (acknowledged: string[], now: string) =>
      buildReport({
        roadmap: second.roadmap,
        ledger: second.ledger,
        overrides: [],
        settings: reportSettings,
        now,
        signOff: { acknowledged: new Set(acknowledged), decisions: [] },
      }).awaitingSignOff
    expect(signOff([u.id], REPORT)).toEqual([
      {
        epicId: id('T1'),
        key: 'T1',
        title: 'Epic T1',
        url: 'https://jira.example/browse/T1',
        team: 'core',
        track: 'technical',
        deferrals: [t1],
        newThisWeek: true,
        ageDays: 1,
        projectedCost: 9.75,
        accruedCost: 0,
      },
    ])
    expect(signOff([], '2026-01-29T09:00:00.000Z').map((a) => [a.key, a.newThisWeek, a.ageDays])).toEqual([
      ['T1', false, 9],
      ['U', false, 9],
    ])
    expect(signOff([t1.id, u.id], REPORT)).toEqual([])
    expect(report.awaitingSignOff).toEqual([])
  })

  it('uses an explicit window start when given', () => {
    const fromStart = buildReport({
      roadmap: second.roadmap,
      ledger: second.ledger,
      overrides: [],
      settings: reportSettings,
      now: REPORT,
      since: REBUILD,
    })
    expect(fromStart.newDeferrals).toEqual([])
    expect(
      buildReport({
        roadmap: second.roadmap,
        ledger: second.ledger,
        overrides: [],
        settings: reportSettings,
        now: REPORT,
        since: WEEK_START,
      }).newDeferrals,
    ).toHaveLength(2)
  })
})
