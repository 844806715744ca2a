import { describe, expect, it } from 'vitest'
import {
  type DeferralEvent,
  deferralCounts,
  describeDeferral,
  diffRoadmaps,
  type Epic,
  isDeferral,
  periodNames,
} from '../../src/domain/index.ts'
import { APR, epic, id, JAN, override, settings } from './fixtures.ts'
import { eventFor, step } from './helpers.ts'

const LATER = '2026-01-20T09:00:00.000Z'

const valued = (externalId: string, value: number, fields: Parameters<typeof epic>[1] = {}): Epic =>
  epic(externalId, { inputs: { value, timeCriticality: 0, risk: 0 }, ...fields })

describe('diffRoadmaps: what happened to each epic', () => {
  it('records every epic of the first build as added', () => {
    const first = step([valued('A', 5, { effort: 6 }), valued('B', 1, { effort: 6 })])
    expect(first.events.map((e) => [e.kind, e.epicId, e.fromPeriod, e.toPeriod, e.cause])).toEqual([
      ['added', id('A'), null, '2026-Q1', null],
      ['added', id('B'), null, '2026-Q2', null],
    ])
    expect(first.events[0]?.previousBuiltAt).toBeNull()
  })

  it('finds nothing between a roadmap and itself', () => {
    const first = step([
      valued('A', 5, { effort: 6 }),
      valued('B', 1, { effort: 6 }),
      valued('C', 1, { effort: 60 }),
    ])
    expect(diffRoadmaps(first.roadmap, first.roadmap)).toEqual([])
  })

  it('defers the epic when a higher score takes the capacity, naming who took it', () => {
    const first = step([valued('LOW', 6, { effort: 6 })])
    const next = step(
      [
        valued('LOW', 6, { effort: 6 }),
        valued('HIGH', 60, { effort: 6, title: 'Closes three enterprise deals' }),
      ],
      {
        after: first,
        now: LATER,
      },
    )
    const event = eventFor(next.events, id('LOW'))
    expect(event).toMatchObject({
      kind: 'deferred',
      fromPeriod: '2026-Q1',
      toPeriod: '2026-Q2',
      committed: { period: '2026-Q1', start: '2026-01-01', end: '2026-04-01' },
      cause: { kind: 'capacity', team: 'core', period: '2026-Q1' },
      displacedBy: [
        {
          epicId: id('HIGH'),
          key: 'HIGH',
          title: 'Closes three enterprise deals',
          rank: 1,
          score: 10,
          pulledForwardFor: null,
        },
      ],
      periodsSlipped: 1,
      costOfDelay: 6,
      projectedCost: 6,
      deferralCount: 1,
      at: LATER,
      previousBuiltAt: JAN,
      epic: { key: 'LOW', title: 'Epic LOW', team: 'core', track: 'product' },
    })
    expect(eventFor(next.events, id('HIGH')).kind).toBe('added')
  })

  it('blames the epic own score drop, with the input that changed, when it let others pass', () => {
    const first = step([valued('A', 10, { effort: 6 }), valued('B', 9, { effort: 6 })])
    const next = step([valued('A', 5, { effort: 6 }), valued('B', 9, { effort: 6 })], {
      after: first,
      now: LATER,
    })
    const event = eventFor(next.events, id('A'))
    expect(event.cause).toEqual({
      kind: 'score_drop',
      from: 10 / 6,
      to: 5 / 6,
      changed: [{ input: 'value', from: 10, to: 5 }],
      settingsChanged: false,
    })
    expect(event.displacedBy.map((d) => d.epicId)).toEqual([id('B')])
    expect(eventFor(next.events, id('B')).kind).toBe('pulled_in')
  })

  it('blames capacity, not a small score drop, when the newcomer would have won anyway', () => {
    const first = step([valued('A', 10, { effort: 6 })])
    const next = step([valued('A', 9, { effort: 6 }), valued('NEW', 90, { effort: 6 })], {
      after: first,
      now: LATER,
    })
    expect(eventFor(next.events, id('A')).cause).toEqual({
      kind: 'capacity',
      team: 'core',
      period: '2026-Q1',
    })
  })

  it('counts an epic that grew in the same period as one that took the room', () => {
    const first = step([valued('A', 100, { effort: 4 }), valued('B', 12, { effort: 6 })])
    const next = step([valued('A', 100, { effort: 8 }), valued('B', 12, { effort: 6 })], {
      after: first,
      now: LATER,
    })
    expect(eventFor(next.events, id('B'))).toMatchObject({
      cause: { kind: 'capacity' },
      displacedBy: [{ epicId: id('A'), rank: 1 }],
    })
  })

  it('blames effort growth when the epic no longer fits', () => {
    const first = step([valued('A', 100, { effort: 4 }), valued('FILL', 1000, { effort: 6 })])
    const next = step([valued('A', 100, { effort: 5 }), valued('FILL', 1000, { effort: 6 })], {
      after: first,
      now: LATER,
    })
    expect(eventFor(next.events, id('A'))).toMatchObject({
      kind: 'deferred',
      toPeriod: '2026-Q2',
      cause: { kind: 'effort_growth', from: 4, to: 5 },
      displacedBy: [],
    })
  })

  it('blames the blocker that slipped, with where it was and where it went', () => {
    const epics = (withNew: boolean): Epic[] => [
      valued('BL', 1, { effort: 2 }),
      valued('D', 5, { effort: 2, blockers: [id('BL')] }),
      ...(withNew ? [valued('NEW', 1000, { effort: 9 })] : []),
    ]
    const first = step(epics(false))
    const next = step(epics(true), { after: first, now: LATER })
    expect(eventFor(next.events, id('BL')).cause).toEqual({
      kind: 'capacity',
      team: 'core',
      period: '2026-Q1',
    })
    expect(eventFor(next.events, id('D'))).toMatchObject({
      toPeriod: '2026-Q2',
      cause: {
        kind: 'blocker_slipped',
        blockers: [
          { epicId: id('BL'), key: 'BL', title: 'Epic BL', fromPeriod: '2026-Q1', toPeriod: '2026-Q2' },
        ],
      },
    })
  })

  it('blames the override with its rationale and author, and counts the slip to the end of the horizon', () => {
    const first = step([valued('A', 5, { effort: 2 })])
    const next = step([valued('A', 5, { effort: 2 })], {
      after: first,
      now: LATER,
      overrides: [
        override('A', 'exclude', { rationale: 'replaced by the vendor tool', author: 'cto@example.com' }),
      ],
    })
    expect(eventFor(next.events, id('A'))).toMatchObject({
      kind: 'deferred',
      fromPeriod: '2026-Q1',
      toPeriod: null,
      cause: {
        kind: 'override',
        overrideId: 'ov-A-exclude',
        override: 'exclude',
        rationale: 'replaced by the vendor tool',
        author: 'cto@example.com',
      },
      periodsSlipped: 4,
      projectedCost: 20,
    })
  })

  it('blames a capacity cut', () => {
    const first = step([valued('A', 5, { effort: 6 })])
    const cut = settings({ capacities: [{ team: 'core', perPeriod: 10, byPeriod: { '2026-Q1': 4 } }] })
    const next = step([valued('A', 5, { effort: 6 })], { after: first, now: LATER, settings: cut })
    expect(eventFor(next.events, id('A')).cause).toEqual({
      kind: 'capacity_cut',
      team: 'core',
      period: '2026-Q1',
      from: 10,
      to: 4,
    })
  })

  it('blames a new dependency cycle', () => {
    const first = step([valued('A', 5), valued('B', 5)])
    const next = step([valued('A', 5, { blockers: [id('B')] }), valued('B', 5, { blockers: [id('A')] })], {
      after: first,
      now: LATER,
    })
    expect(eventFor(next.events, id('A')).cause).toEqual({
      kind: 'cycle',
      cycle: [id('A'), id('B')],
      names: [
        { epicId: id('A'), key: 'A', title: 'Epic A' },
        { epicId: id('B'), key: 'B', title: 'Epic B' },
      ],
    })
  })

  it('blames a missing input when the epic becomes unscored', () => {
    const first = step([valued('A', 5, { effort: 6 }), valued('B', 1, { effort: 6 })])
    const next = step(
      [epic('A', { inputs: { timeCriticality: 0, risk: 0 }, effort: 6 }), valued('B', 1, { effort: 6 })],
      {
        after: first,
        now: LATER,
      },
    )
    expect(eventFor(next.events, id('A'))).toMatchObject({
      kind: 'deferred',
      cause: { kind: 'unscored', missing: ['value'] },
      costOfDelay: null,
      projectedCost: 0,
    })
  })

  it('blames a move to another team', () => {
    const s = settings({
      capacities: [
        { team: 'core', perPeriod: 10 },
        { team: 'web', perPeriod: 10, byPeriod: { '2026-Q1': 0 } },
      ],
    })
    const first = step([valued('A', 5)], { settings: s })
    const next = step([valued('A', 5, { team: 'web' })], { after: first, now: LATER, settings: s })
    expect(eventFor(next.events, id('A')).cause).toEqual({ kind: 'team_changed', from: 'core', to: 'web' })
  })

  it('flags a score drop that comes from changed scoring settings rather than inputs', () => {
    const epics = [
      valued('A', 10, { effort: 6 }),
      epic('B', { inputs: { value: 0, timeCriticality: 9, risk: 0 }, effort: 6 }),
    ]
    const first = step(epics)
    const halfValue = settings({
      scoring: { weights: { value: 0.5, timeCriticality: 1, risk: 1, enablement: 1 } },
    })
    const next = step(epics, { after: first, now: LATER, settings: halfValue })
    expect(eventFor(next.events, id('A')).cause).toEqual({
      kind: 'score_drop',
      from: 10 / 6,
      to: 5 / 6,
      changed: [],
      settingsChanged: true,
    })
  })

  it('blames a calendar change when the period left the configuration before it ended', () => {
    const first = step([valued('A', 5)])
    const next = step([valued('A', 5)], {
      after: first,
      now: LATER,
      settings: settings({ start: '2026-Q2', quarters: 3 }),
    })
    expect(eventFor(next.events, id('A'))).toMatchObject({
      kind: 'deferred',
      fromPeriod: '2026-Q1',
      toPeriod: '2026-Q2',
      cause: { kind: 'calendar_changed', period: '2026-Q1' },
    })
  })

  it('records pull-ins, completions and removals', () => {
    const first = step([
      valued('A', 9, { effort: 10 }),
      valued('B', 5, { effort: 10 }),
      valued('C', 0.1),
      valued('D', 0.1),
    ])
    const next = step(
      [
        valued('A', 9, { effort: 10, status: 'done' }),
        valued('B', 5, { effort: 10 }),
        valued('C', 0.1, { status: 'canceled' }),
      ],
      { after: first, now: LATER },
    )
    expect(next.events.map((e) => [e.kind, e.epicId, e.fromPeriod, e.toPeriod, e.cause])).toEqual([
      ['pulled_in', id('B'), '2026-Q2', '2026-Q1', null],
      ['completed', id('A'), '2026-Q1', null, null],
      ['removed', id('C'), '2026-Q3', null, { kind: 'canceled' }],
      ['removed', id('D'), '2026-Q3', null, { kind: 'no_longer_synced' }],
    ])
  })
})

describe('diffRoadmaps: periods that end', () => {
  it('rolls an unfinished epic over when its period ends, once', () => {
    const first = step([valued('A', 5, { effort: 6, status: 'in_progress' })])
    const april = step([valued('A', 5, { effort: 6, status: 'in_progress' })], { after: first, now: APR })
    expect(april.events).toHaveLength(1)
    expect(april.events[0]).toMatchObject({
      kind: 'rolled_over',
      fromPeriod: '2026-Q1',
      toPeriod: '2026-Q2',
      committed: { period: '2026-Q1', start: '2026-01-01', end: '2026-04-01' },
      cause: { kind: 'period_ended', period: '2026-Q1' },
      periodsSlipped: 1,
      projectedCost: 5,
      deferralCount: 1,
    })
    const laterInApril = step([valued('A', 5, { effort: 6, status: 'in_progress' })], {
      after: april,
      now: '2026-04-20T09:00:00.000Z',
    })
    expect(laterInApril.events).toEqual([])
  })

  it('records a roll-over once even when the build is replayed (same id, already in the ledger)', () => {
    const first = step([valued('A', 5)])
    const april = step([valued('A', 5)], { after: first, now: APR })
    expect(april.events.map((e) => e.kind)).toEqual(['rolled_over'])
    const replay = diffRoadmaps(first.roadmap, april.roadmap, { ledger: april.ledger })
    expect(replay.filter((e) => isDeferral(e.kind))).toEqual([])
    const again = step([valued('A', 5)], { after: first, now: APR })
    expect(again.events.map((e) => e.id)).toEqual(april.events.map((e) => e.id))
  })

  it('records completion, not a roll-over, for work done by the end of its period', () => {
    const first = step([valued('A', 5)])
    const april = step([valued('A', 5, { status: 'done' })], { after: first, now: APR })
    expect(april.events.map((e) => e.kind)).toEqual(['completed'])
  })
})

describe('deferral counts and projected cost', () => {
  const event = (fields: Partial<DeferralEvent>): DeferralEvent => ({
    id: `ev-${fields.kind}-${fields.fromPeriod}-${fields.toPeriod}-${fields.at}`,
    kind: 'deferred',
    epicId: id('A'),
    epic: { key: 'A', title: 'A', url: '', team: 'core', track: 'technical' },
    at: JAN,
    previousBuiltAt: null,
    fromPeriod: '2026-Q1',
    toPeriod: '2026-Q2',
    committed: null,
    cause: null,
    displacedBy: [],
    periodsSlipped: 1,
    costOfDelay: 2,
    projectedCost: 2,
    deferralCount: 1,
    ...fields,
  })

  it('counts distinct periods left unfinished: flapping inside one period counts once', () => {
    const ledger = [
      event({ kind: 'deferred', fromPeriod: '2026-Q1', toPeriod: '2026-Q2', at: '2026-01-02T00:00:00Z' }),
      event({ kind: 'pulled_in', fromPeriod: '2026-Q2', toPeriod: '2026-Q1', at: '2026-01-03T00:00:00Z' }),
      event({ kind: 'deferred', fromPeriod: '2026-Q1', toPeriod: '2026-Q2', at: '2026-01-04T00:00:00Z' }),
    ]
    expect(deferralCounts(ledger).get(id('A'))).toBe(1)
    const rolled = [
      ...ledger,
      event({ kind: 'rolled_over', fromPeriod: '2026-Q2', toPeriod: '2026-Q3', at: APR }),
    ]
    expect(deferralCounts(rolled).get(id('A'))).toBe(2)
    expect(deferralCounts([event({ kind: 'added', fromPeriod: null })]).has(id('A'))).toBe(false)
  })

  it('prices a deferral at the call and gives nothing back on a pull-in: the deferral stays counted', () => {
    const first = step([valued('A', 3, { effort: 6 })])
    const pushed = step([valued('A', 3, { effort: 6 }), valued('X', 100, { effort: 10 })], {
      after: first,
      now: LATER,
    })
    const a1 = eventFor(pushed.events, id('A'))
    expect(a1).toMatchObject({ kind: 'deferred', periodsSlipped: 1, projectedCost: 3, deferralCount: 1 })
    const back = step([valued('A', 3, { effort: 6 })], { after: pushed, now: '2026-01-25T09:00:00.000Z' })
    expect(eventFor(back.events, id('A'))).toMatchObject({
      kind: 'pulled_in',
      periodsSlipped: -1,
      committed: null,
      projectedCost: 0,
      deferralCount: 1,
    })
    expect(deferralCounts(back.ledger).get(id('A'))).toBe(1)
  })
})

describe('who and what the ledger names', () => {
  it('names a blocker pulled forward among the displacers', () => {
    // No enablement term: the blocker's own score stays low, so only H's turn brings it forward.
    const s = settings({ scoring: { weights: { value: 1, timeCriticality: 1, risk: 1, enablement: 0 } } })
    const first = step([valued('M', 6, { effort: 5 }), valued('N', 5, { effort: 5 })], { settings: s })
    const next = step(
      [
        valued('M', 6, { effort: 5 }),
        valued('N', 5, { effort: 5 }),
        valued('H', 50, { effort: 5, blockers: [id('BL')] }),
        valued('BL', 1, { effort: 5, title: 'Queue migration' }),
      ],
      { after: first, now: LATER, settings: s },
    )
    expect(next.roadmap.entries.map((e) => [e.key, e.rank, e.period, e.pulledForwardFor])).toEqual([
      ['H', 1, '2026-Q1', null],
      ['M', 2, '2026-Q2', null],
      ['N', 3, '2026-Q2', null],
      ['BL', 4, '2026-Q1', id('H')],
    ])
    expect(eventFor(next.events, id('M'))).toMatchObject({
      kind: 'deferred',
      fromPeriod: '2026-Q1',
      cause: { kind: 'capacity', team: 'core', period: '2026-Q1' },
      displacedBy: [
        { epicId: id('H'), key: 'H', title: 'Epic H', rank: 1, score: 10, pulledForwardFor: null },
        {
          epicId: id('BL'),
          key: 'BL',
          title: 'Queue migration',
          rank: 4,
          score: 0.2,
          pulledForwardFor: id('H'),
        },
      ],
    })
  })

  it('names epics by key and title in sentences, never by id', () => {
    const names = periodNames(settings().periods)
    const keysId = 'linear:5b1f0e4a-8c2d-4f7e-9a3b-2d6c1e0f4a7b'
    // A Linear project's key is its slug hash: people know it by its title.
    const keys = (blockers: string[] = []): Epic =>
      valued('KEYS', 5, {
        id: keysId,
        key: 'c21eca6f3195',
        title: 'Customer-managed keys',
        source: 'linear',
        effort: 4,
        blockers,
      })
    const audit = valued('SEC-12', 3, { title: 'Audit log export', effort: 4, blockers: [keysId] })
    const deals = valued('SALES-7', 1000, { title: 'Closes three enterprise deals', effort: 8 })
    const first = step([keys(), audit])
    const slipped = step([keys(), audit, deals], { after: first, now: LATER })
    const cycle = step([keys([id('SEC-12')]), audit], { after: first, now: LATER })
    const excluded = step([keys(), audit], {
      after: first,
      now: LATER,
      overrides: [
        override('KEYS', 'exclude', {
          epicId: keysId,
          rationale: 'the vendor ships it',
          author: 'cto@example.com',
        }),
      ],
    })
    const sentences = [slipped, cycle, excluded].flatMap((s) =>
      s.events.filter((e) => isDeferral(e.kind)).map((e) => describeDeferral(e, names)),
    )
    expect(sentences).toEqual([
      "Q1 2026 → Q2 2026: higher-scored work took team core's capacity in Q1 2026",
      'Q1 2026 → Q2 2026: its blocker slipped: Customer-managed keys (Q1 2026 → Q2 2026)',
      'Q1 2026 → unplanned: it is in a dependency cycle (SEC-12 Audit log export → Customer-managed keys)',
      'Q1 2026 → unplanned: it is in a dependency cycle (SEC-12 Audit log export → Customer-managed keys)',
      'Q1 2026 → unplanned: cto@example.com decided to exclude it: “the vendor ships it”',
      'Q1 2026 → unplanned: its blocker slipped: Customer-managed keys (Q1 2026 → unplanned)',
    ])
    expect(eventFor(slipped.events, keysId).displacedBy.map((d) => [d.key, d.title])).toEqual([
      ['SALES-7', 'Closes three enterprise deals'],
    ])
    const reasons = [cycle, excluded].flatMap((s) => s.roadmap.entries.map((e) => e.unplannedReason ?? ''))
    expect(reasons).toEqual([
      'cycle: SEC-12 Audit log export, Customer-managed keys',
      'cycle: SEC-12 Audit log export, Customer-managed keys',
      'excluded: the vendor ships it',
      'blocked by Customer-managed keys',
    ])
    for (const text of [...sentences, ...reasons]) {
      expect(text).not.toMatch(/jira:|linear:|c21eca6f3195|5b1f0e4a/)
    }
  })
})
