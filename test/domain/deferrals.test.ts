import { describe, expect, it } from 'vitest'
import { type DeferralEvent, deferralCounts, diffRoadmaps, type Epic } from '../../src/domain/index.ts'
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
      cause: { kind: 'capacity', team: 'core', period: '2026-Q1' },
      displacedBy: [{ epicId: id('HIGH'), title: 'Closes three enterprise deals', rank: 1, score: 10 }],
      periodsSlipped: 1,
      costOfDelay: 6,
      costOfDelayAdded: 6,
      costOfDelayAccumulated: 6,
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
        blockers: [{ epicId: id('BL'), fromPeriod: '2026-Q1', toPeriod: '2026-Q2' }],
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
      costOfDelayAdded: 20,
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
    expect(eventFor(next.events, id('A')).cause).toEqual({ kind: 'cycle', cycle: [id('A'), id('B')] })
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
      cause: { kind: 'unscored', missing: ['value'] },
      costOfDelay: null,
      costOfDelayAdded: 0,
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
      cause: { kind: 'period_ended', period: '2026-Q1' },
      periodsSlipped: 1,
      costOfDelayAdded: 5,
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
    const replay = diffRoadmaps(first.roadmap, april.roadmap, { ledger: april.ledger })
    expect(replay).toEqual([])
    const again = step([valued('A', 5)], { after: first, now: APR })
    expect(again.events.map((e) => e.id)).toEqual(april.events.map((e) => e.id))
  })

  it('records completion, not a roll-over, for work done by the end of its period', () => {
    const first = step([valued('A', 5)])
    const april = step([valued('A', 5, { status: 'done' })], { after: first, now: APR })
    expect(april.events.map((e) => e.kind)).toEqual(['completed'])
  })
})

describe('deferral counts and accumulated cost', () => {
  const event = (fields: Partial<DeferralEvent>): DeferralEvent => ({
    id: `ev-${fields.kind}-${fields.fromPeriod}-${fields.toPeriod}-${fields.at}`,
    kind: 'deferred',
    epicId: id('A'),
    epic: { key: 'A', title: 'A', url: '', team: 'core', track: 'technical' },
    at: JAN,
    previousBuiltAt: null,
    fromPeriod: '2026-Q1',
    toPeriod: '2026-Q2',
    cause: null,
    displacedBy: [],
    periodsSlipped: 1,
    costOfDelay: 2,
    costOfDelayAdded: 2,
    costOfDelayAccumulated: 2,
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

  it('gives slipped periods back on a pull-in, never going below zero', () => {
    const first = step([valued('A', 3, { effort: 6 })])
    const pushed = step([valued('A', 3, { effort: 6 }), valued('X', 100, { effort: 10 })], {
      after: first,
      now: LATER,
    })
    const a1 = eventFor(pushed.events, id('A'))
    expect(a1).toMatchObject({ kind: 'deferred', periodsSlipped: 1, costOfDelayAccumulated: 3 })
    const back = step([valued('A', 3, { effort: 6 })], { after: pushed, now: '2026-01-25T09:00:00.000Z' })
    expect(eventFor(back.events, id('A'))).toMatchObject({
      kind: 'pulled_in',
      periodsSlipped: -1,
      costOfDelayAdded: -3,
      costOfDelayAccumulated: 0,
      deferralCount: 1,
    })
  })
})
