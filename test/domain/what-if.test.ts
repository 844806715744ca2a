import { describe, expect, it } from 'vitest'
import {
  buildRoadmap,
  type DeferralEvent,
  DomainError,
  describeDeferral,
  type Epic,
  type Override,
  periodNames,
  resolveEpicKey,
  type WhatIfChange,
  whatIf,
} from '../../src/domain/index.ts'
import { epic, id, JAN, override, settings } from './fixtures.ts'
import { step } from './helpers.ts'

const LATER = '2026-01-20T09:00:00.000Z'

/**
 * Team core, 10 per quarter. A (best) and B fill Q1; C goes to Q2 with E; D waits on A; F is done.
 *   A value 10, effort 5 · B value 8, effort 5 · C value 6, effort 5 · D value 4, effort 5, blocked by A
 *   E value 3, effort 5, team core · F done
 */
function world(): Epic[] {
  return [
    epic('A', { inputs: { value: 10, timeCriticality: 0, risk: 0 }, effort: 5 }),
    epic('B', { inputs: { value: 8, timeCriticality: 0, risk: 0 }, effort: 5 }),
    epic('C', { inputs: { value: 6, timeCriticality: 0, risk: 0 }, effort: 5 }),
    epic('D', { inputs: { value: 4, timeCriticality: 0, risk: 0 }, effort: 5, blockers: [id('A')] }),
    epic('E', { inputs: { value: 3, timeCriticality: 0, risk: 0 }, effort: 5 }),
    epic('F', { status: 'done' }),
  ]
}

function current(epics = world(), overrides: Override[] = []) {
  return step(epics, { overrides, now: JAN })
}

function run(changes: WhatIfChange[], epics = world(), overrides: Override[] = []) {
  const base = current(epics, overrides)
  const input = {
    epics,
    overrides,
    settings: settings(),
    previous: base.roadmap,
    ledger: base.ledger,
    now: LATER,
    changes,
  }
  return { base, input, result: whatIf(input) }
}

/** The build a real change gives: the same inputs with the change made for real. */
function realBuild(base: ReturnType<typeof current>, epics: Epic[], overrides: Override[], s = settings()) {
  return buildRoadmap({
    epics,
    overrides,
    settings: s,
    previous: base.roadmap,
    ledger: base.ledger,
    now: LATER,
  })
}

const periods = (moves: Array<{ key: string; fromPeriod: string | null; toPeriod: string | null }>) =>
  Object.fromEntries(moves.map((m) => [m.key, `${m.fromPeriod} → ${m.toPeriod}`]))

describe('what-if', () => {
  it('starts from a roadmap where nothing changes without a change', () => {
    const base = current()
    const again = buildRoadmap({
      epics: world(),
      overrides: [],
      settings: settings(),
      previous: base.roadmap,
      ledger: base.ledger,
      now: LATER,
    })
    expect(again.events).toEqual([])
    expect(Object.fromEntries(base.roadmap.entries.map((e) => [e.key, e.period]))).toEqual({
      A: '2026-Q1',
      B: '2026-Q1',
      C: '2026-Q2',
      D: '2026-Q2',
      E: '2026-Q3',
    })
  })

  it('defer: the epic and what waits on it move, with the cause, the cost of delay and nothing changed in the input', () => {
    const epics = world()
    const frozen = JSON.stringify(epics)
    const { result, base, input } = run(
      [{ kind: 'defer', epicId: id('A'), period: '2026-Q3', rationale: 'waiting for the vendor' }],
      epics,
    )
    expect(JSON.stringify(epics)).toBe(frozen)
    expect(input.overrides).toEqual([])
    expect(periods(result.moved)).toEqual({
      A: '2026-Q1 → 2026-Q3',
      C: '2026-Q2 → 2026-Q1',
      D: '2026-Q2 → 2026-Q3',
      E: '2026-Q3 → 2026-Q2',
    })
    const a = result.deferrals.find((e) => e.epicId === id('A'))
    expect(a?.cause).toEqual({
      kind: 'override',
      overrideId: 'what-if-0',
      override: 'defer',
      period: '2026-Q3',
      rationale: 'waiting for the vendor',
      author: 'what-if',
    })
    expect(describeDeferral(a as DeferralEvent, periodNames(settings().periods))).toBe(
      'Q1 2026 → Q3 2026: if deferred to Q3 2026',
    )
    const d = result.deferrals.find((e) => e.epicId === id('D'))
    expect(d?.cause?.kind).toBe('blocker_slipped')
    // Projected: A (value 10 + enablement 4 × 0.5) × 2 periods out of Q1; D: 4 × 1 period out of Q2.
    expect(result.projectedCostByPeriod).toEqual({ '2026-Q1': 24, '2026-Q2': 4 })
    expect(result.projectedCost).toBe(28)
    expect(result.newlyBlocked).toEqual([])
    expect(result.summary.before).toEqual({ epics: 5, planned: 5, unplanned: 0, unscored: 0 })
    expect(result.basedOn).toBe(JAN)
    // The same events as the real override followed by a build.
    const real = realBuild(base, epics, [
      override('A', 'defer', {
        id: 'ov-real',
        period: '2026-Q3',
        rationale: 'waiting for the vendor',
        createdAt: LATER,
      }),
    ])
    const strip = (events: typeof real.events) =>
      events.map((e) => ({
        ...e,
        cause: e.cause?.kind === 'override' ? { ...e.cause, overrideId: '', author: '' } : e.cause,
      }))
    expect(strip(result.events)).toEqual(strip(real.events))
  })

  it('defer without a period and exclude take the epic out of the plan; its dependents become blocked', () => {
    for (const change of [
      { kind: 'defer', epicId: id('A') },
      { kind: 'exclude', epicId: id('A') },
    ] as WhatIfChange[]) {
      const { result } = run([change])
      expect(result.moved.find((m) => m.key === 'A')?.toPeriod).toBeNull()
      expect(result.newlyBlocked).toEqual([
        { epicId: id('D'), key: 'D', title: 'Epic D', team: 'core', blockedBy: [id('A')] },
      ])
      expect(result.summary.after.unplanned).toBe(2)
    }
  })

  it('replaces the override in force for the epic, as recording one does', () => {
    const pinned = override('E', 'pin', { period: '2026-Q1' })
    const { result } = run([{ kind: 'exclude', epicId: id('E') }], world(), [pinned])
    expect(result.moved.find((m) => m.key === 'E')).toMatchObject({ fromPeriod: '2026-Q1', toPeriod: null })
  })

  it('pin: plans the epic in the period whatever its rank', () => {
    const { result } = run([{ kind: 'pin', epicId: id('E'), period: '2026-Q1' }])
    expect(result.moved.find((m) => m.key === 'E')).toMatchObject({
      fromPeriod: '2026-Q3',
      toPeriod: '2026-Q1',
    })
    expect(result.roadmap.entries.find((e) => e.key === 'E')?.placement).toBe('pinned')
  })

  it('input: a lower value re-ranks the epic, with a score drop as the cause; equal to the real change', () => {
    const { result, base } = run([{ kind: 'input', epicId: id('B'), input: 'value', value: 1 }])
    const b = result.deferrals.find((e) => e.epicId === id('B'))
    expect(b?.cause).toMatchObject({ kind: 'score_drop', changed: [{ input: 'value', from: 8, to: 1 }] })
    const changed = world().map((e) => (e.key === 'B' ? { ...e, inputs: { ...e.inputs, value: 1 } } : e))
    expect(result.events).toEqual(realBuild(base, changed, []).events)
  })

  it('input: null makes the epic unscored; effort can change too', () => {
    const unscored = run([{ kind: 'input', epicId: id('A'), input: 'risk', value: null }]).result
    expect(unscored.roadmap.entries.find((e) => e.key === 'A')?.score.status).toBe('unscored')
    const bigger = run([{ kind: 'input', epicId: id('A'), input: 'effort', value: 10 }]).result
    expect(bigger.roadmap.entries.find((e) => e.key === 'A')?.effort).toBe(10)
    expect(bigger.moved.length).toBeGreaterThan(0)
  })

  it('capacity: a cut for one period pushes work out, with the cut as the cause', () => {
    const { result, base } = run([{ kind: 'capacity', team: 'core', period: '2026-Q1', capacity: 5 }])
    const b = result.deferrals.find((e) => e.epicId === id('B'))
    expect(b?.cause).toEqual({ kind: 'capacity_cut', team: 'core', period: '2026-Q1', from: 10, to: 5 })
    const real = realBuild(
      base,
      world(),
      [],
      settings({ capacities: [{ team: 'core', perPeriod: 10, byPeriod: { '2026-Q1': 5 } }] }),
    )
    expect(result.events).toEqual(real.events)
  })

  it('add: a new epic takes its place by score, and can block existing ones', () => {
    const { result } = run([
      {
        kind: 'add',
        epic: {
          key: 'NEW-1',
          title: 'Compliance audit',
          team: 'core',
          value: 50,
          timeCriticality: 0,
          risk: 0,
          effort: 10,
          blocks: [id('B')],
        },
      },
    ])
    const added = result.events.find((e) => e.epicId === 'what-if:NEW-1')
    expect(added).toMatchObject({ kind: 'added', toPeriod: '2026-Q1' })
    expect(result.moved.find((m) => m.key === 'B')?.fromPeriod).toBe('2026-Q1')
    expect(result.roadmap.entries.find((e) => e.key === 'B')?.blockers).toEqual(['what-if:NEW-1'])
  })

  it('combines changes, later ones referring to an added epic', () => {
    const { result } = run([
      {
        kind: 'add',
        epic: { key: 'N', title: 'N', team: 'core', value: 1, timeCriticality: 0, risk: 0, effort: 1 },
      },
      { kind: 'pin', epicId: 'what-if:N', period: '2026-Q4' },
    ])
    expect(result.roadmap.entries.find((e) => e.key === 'N')?.period).toBe('2026-Q4')
  })

  it('refuses invalid changes, naming each field', () => {
    const base = current()
    const attempt = (changes: WhatIfChange[]) => {
      try {
        whatIf({
          epics: world(),
          overrides: [],
          settings: settings(),
          previous: base.roadmap,
          ledger: base.ledger,
          now: '2026-04-06T09:00:00.000Z',
          changes,
        })
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError)
        return (error as DomainError).problems
      }
      throw new Error('expected a DomainError')
    }
    expect(attempt([])).toEqual(['changes: give at least one change'])
    expect(
      attempt([
        { kind: 'defer', epicId: 'jira:NOPE', period: '2026-Q3' },
        { kind: 'pin', epicId: id('A'), period: '2031-Q1' },
        { kind: 'pin', epicId: id('A'), period: '2026-Q1' },
        { kind: 'exclude', epicId: id('F') },
        { kind: 'capacity', team: 'nobody', period: '2026-Q3', capacity: 3 },
        { kind: 'capacity', team: 'core', period: '2026-Q3', capacity: -1 },
        { kind: 'input', epicId: id('A'), input: 'value', value: -2 },
        { kind: 'add', epic: { key: 'A', title: 'dup', team: 'core', id: id('A') } },
        { kind: 'add', epic: { key: 'X', title: 'x', team: 'core', blockers: ['jira:missing'] } },
      ]),
    ).toEqual([
      'changes[0].epicId: no epic jira:NOPE',
      "changes[1].period: unknown period '2031-Q1'; the configured ones are 2026-Q1, 2026-Q2, 2026-Q3, 2026-Q4",
      'changes[2].period: Q1 2026 has ended',
      'changes[3].epicId: F (jira:F) is done; only open epics are planned',
      "changes[4].team: unknown team 'nobody'; the teams are core",
      'changes[5].capacity: must be a number >= 0',
      'changes[6].value: must be a number >= 0, or null for "not given"',
      'changes[7].epic.id: jira:A already exists',
      'changes[8].epic.blockers[0]: no epic jira:missing',
    ])
  })

  it('resolves keys to ids, and says when a key is ambiguous across sources', () => {
    const epics = [...world(), { ...epic('A'), id: 'linear:A', source: 'linear' }]
    expect(resolveEpicKey(epics, 'b')).toEqual({ ok: true, epicId: id('B') })
    expect(resolveEpicKey(epics, 'linear:A')).toEqual({ ok: true, epicId: 'linear:A' })
    expect(resolveEpicKey(epics, 'Z')).toEqual({ ok: false, problem: 'no epic with key or id Z' })
    expect(resolveEpicKey(epics, 'A')).toEqual({
      ok: false,
      problem: 'key A is ambiguous: jira:A, linear:A — give the epic id instead',
    })
  })
})
