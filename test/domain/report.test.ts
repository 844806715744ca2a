import { describe, expect, it } from 'vitest'
import { buildReport, type Epic, type ReportSettings } from '../../src/domain/index.ts'
import { epic, id, override } from './fixtures.ts'
import { step } from './helpers.ts'

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
    expect(
      report.newDeferrals.map((e) => [
        e.epic.key,
        e.costOfDelay,
        e.cause?.kind,
        e.displacedBy.map((d) => d.epicId),
      ]),
    ).toEqual([
      ['T1', 9, 'capacity', [id('NEW')]],
      ['U', null, 'capacity', [id('T1')]],
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
    expect(
      report.chronic.map((c) => [c.key, c.deferrals, c.periodsLeft, c.costOfDelayAccumulated, c.period]),
    ).toEqual([
      ['T1', 1, ['2026-Q1'], 9, '2026-Q2'],
      ['U', 1, ['2026-Q2'], 0, '2026-Q3'],
    ])
  })

  it('sums the accumulated cost of delay of open epics by track', () => {
    expect(report.accumulatedCostByTrack).toEqual({ product: 0, technical: 9 })
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
