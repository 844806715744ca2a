import { describe, expect, it } from 'vitest'
import {
  dependencyGraph,
  type Epic,
  type Override,
  planRoadmap,
  type Roadmap,
  type RoadmapSettings,
  scoreEpics,
} from '../../src/domain/index.ts'
import { APR, entryOf, epic, id, JAN, override, periodsOf, settings } from './fixtures.ts'

/** value = the score when effort is 1 and nothing else is given. */
const valued = (externalId: string, value: number, fields: Parameters<typeof epic>[1] = {}): Epic =>
  epic(externalId, { inputs: { value, timeCriticality: 0, risk: 0 }, ...fields })

function plan(
  epics: Epic[],
  options: {
    settings?: RoadmapSettings
    overrides?: Override[]
    previous?: Roadmap | null
    now?: string
  } = {},
): Roadmap {
  const s = options.settings ?? settings()
  const graph = dependencyGraph(epics)
  return planRoadmap({
    epics,
    scores: scoreEpics(epics, s.scoring, new Map(), graph),
    overrides: options.overrides ?? [],
    settings: s,
    previous: options.previous ?? null,
    now: options.now ?? JAN,
    graph,
  })
}

describe('planRoadmap: ranking and capacity', () => {
  it('defers the epic when a higher score takes the capacity', () => {
    const roadmap = plan([valued('LOW', 10, { effort: 6 }), valued('HIGH', 30, { effort: 6 })])
    expect(roadmap.entries.map((e) => [e.key, e.rank, e.period])).toEqual([
      ['HIGH', 1, '2026-Q1'],
      ['LOW', 2, '2026-Q2'],
    ])
  })

  it('fills a period up to its capacity exactly, then moves on', () => {
    // Scores: A 40/4 = 10, B 54/6 = 9, C 4/max(0.5, minEffort 1) = 4.
    const roadmap = plan([
      valued('A', 40, { effort: 4 }),
      valued('B', 54, { effort: 6 }),
      valued('C', 4, { effort: 0.5 }),
    ])
    expect(periodsOf(roadmap)).toEqual({ A: '2026-Q1', B: '2026-Q1', C: '2026-Q2' })
    expect(roadmap.load.filter((l) => l.period === '2026-Q1')).toEqual([
      { team: 'core', period: '2026-Q1', capacity: 10, planned: 10, overbooked: 0 },
    ])
  })

  it('breaks score ties by epic id', () => {
    const roadmap = plan([valued('B', 5), valued('C', 5), valued('A', 5)])
    expect(roadmap.entries.map((e) => e.key)).toEqual(['A', 'B', 'C'])
  })

  it('plans each team against its own capacity, with per-period cuts and boosts', () => {
    const s = settings({
      capacities: [
        { team: 'core', perPeriod: 10, byPeriod: { '2026-Q1': 2 } },
        { team: 'web', perPeriod: 5 },
      ],
    })
    const roadmap = plan([valued('A', 9, { effort: 5 }), valued('W', 8, { team: 'web', effort: 5 })], {
      settings: s,
    })
    expect(periodsOf(roadmap)).toEqual({ A: '2026-Q2', W: '2026-Q1' })
    expect(roadmap.load.find((l) => l.team === 'core' && l.period === '2026-Q1')?.capacity).toBe(2)
  })

  it('plans nothing into periods that have ended', () => {
    const roadmap = plan([valued('A', 9, { effort: 5 })], { now: APR })
    expect(roadmap.openPeriods).toEqual(['2026-Q2', '2026-Q3', '2026-Q4'])
    expect(periodsOf(roadmap)).toEqual({ A: '2026-Q2' })
    expect(roadmap.periods).toHaveLength(4)
  })

  it('leaves an epic unplanned with "no capacity" when the horizon is full', () => {
    const roadmap = plan([valued('A', 100, { effort: 10 }), valued('B', 8, { effort: 3 })], {
      settings: settings({ quarters: 1 }),
    })
    expect(entryOf(roadmap, 'B')).toMatchObject({
      period: null,
      unplanned: { code: 'no_capacity' },
      unplannedReason: 'no capacity',
    })
  })

  it('plans unscored epics after every scored one, and names the missing inputs', () => {
    const roadmap = plan([epic('U', { inputs: { value: 100 }, effort: 2 }), valued('S', 0.1, { effort: 2 })])
    expect(roadmap.entries.map((e) => [e.key, e.rank, e.period])).toEqual([
      ['S', 1, '2026-Q1'],
      ['U', 2, '2026-Q1'],
    ])
    const u = entryOf(roadmap, 'U').score
    expect(u.status === 'unscored' && u.missing).toEqual(['timeCriticality', 'risk'])
  })

  it('cannot place an epic without an effort estimate, or of a team without capacity', () => {
    const roadmap = plan([valued('E', 5, { effort: undefined }), valued('T', 5, { team: 'nobody' })])
    expect(entryOf(roadmap, 'E').unplannedReason).toBe('no effort estimate')
    expect(entryOf(roadmap, 'T').unplannedReason).toBe('no capacity configured for team nobody')
  })
})

describe('planRoadmap: dependencies', () => {
  it('never plans an epic before its blocker, but allows the same period', () => {
    // Scores: FILL 100, SAME 30, BLOCKER (2 + 30×0.5) / 2 = 8.5.
    const roadmap = plan([
      valued('FILL', 900, { effort: 9 }),
      valued('BLOCKER', 2, { effort: 2 }),
      valued('SAME', 30, { effort: 1, blockers: [id('BLOCKER')] }),
    ])
    // FILL leaves 1 in Q1; SAME would fit there but its blocker only fits in Q2.
    expect(periodsOf(roadmap)).toEqual({ FILL: '2026-Q1', SAME: '2026-Q2', BLOCKER: '2026-Q2' })
    expect(entryOf(roadmap, 'SAME')).toMatchObject({ notBefore: '2026-Q2', boundBy: [id('BLOCKER')] })
  })

  it('places a low-ranked blocker at the turn of the high-ranked epic waiting on it', () => {
    // Enablement off, so BASE really ranks last: TOP 33.3, MID1 16.7, MID2 13.3, BASE 0.3.
    const roadmap = plan(
      [
        valued('TOP', 100, { effort: 3, blockers: [id('BASE')] }),
        valued('MID1', 50, { effort: 3 }),
        valued('MID2', 40, { effort: 3 }),
        valued('BASE', 1, { effort: 3 }),
      ],
      {
        settings: settings({
          scoring: { weights: { value: 1, timeCriticality: 1, risk: 1, enablement: 0 } },
        }),
      },
    )
    // Without inheritance BASE would come last and push TOP to Q2.
    expect(periodsOf(roadmap)).toEqual({ TOP: '2026-Q1', MID1: '2026-Q1', MID2: '2026-Q2', BASE: '2026-Q1' })
    expect(entryOf(roadmap, 'BASE').rank).toBe(4)
    // It says whose turn it took: the displacers of a deferral name it (deferral-causes.ts).
    expect(roadmap.entries.map((e) => [e.key, e.pulledForwardFor])).toEqual([
      ['TOP', null],
      ['MID1', null],
      ['MID2', null],
      ['BASE', id('TOP')],
    ])
  })

  it('leaves an epic unplanned, blocked by the blocker that could not be placed', () => {
    const roadmap = plan([valued('BIG', 1, { effort: 50 }), valued('NEXT', 9, { blockers: [id('BIG')] })], {
      settings: settings({ span: 'whole' }),
    })
    expect(entryOf(roadmap, 'BIG')).toMatchObject({
      unplanned: { code: 'too_large', effort: 50, largestCapacity: 10 },
      unplannedReason: 'too large: effort 50, at most 10 per period',
    })
    expect(entryOf(roadmap, 'NEXT')).toMatchObject({
      period: null,
      unplanned: { code: 'blocked', blockers: [id('BIG')] },
      unplannedReason: 'blocked by Epic BIG',
    })
  })

  it('reports a cycle, plans none of its epics and blocks what they block', () => {
    const roadmap = plan([
      valued('A', 5, { blockers: [id('B')] }),
      valued('B', 5, { blockers: [id('A')] }),
      valued('C', 5, { blockers: [id('A')] }),
      valued('D', 1),
    ])
    expect(roadmap.cycles).toEqual([[id('A'), id('B')]])
    expect(entryOf(roadmap, 'A').unplannedReason).toBe('cycle: Epic A, Epic B')
    expect(entryOf(roadmap, 'C').unplannedReason).toBe('blocked by Epic A')
    expect(entryOf(roadmap, 'D').period).toBe('2026-Q1')
  })

  it('ignores done blockers and reports blockers that match no epic', () => {
    const roadmap = plan([
      valued('A', 5, { status: 'done' }),
      valued('B', 5, { blockers: [id('A'), 'jira:GONE'] }),
    ])
    expect(entryOf(roadmap, 'B')).toMatchObject({ period: '2026-Q1', blockers: [] })
    expect(roadmap.problems).toEqual(['Epic B: its blocker jira:GONE matches no epic (ignored)'])
    expect(roadmap.closed).toEqual([{ epicId: id('A'), status: 'done' }])
  })
})

describe('planRoadmap: large epics span consecutive periods', () => {
  it('spreads an epic larger than a period over consecutive periods, the rest in the last', () => {
    const roadmap = plan([valued('HUGE', 9, { effort: 25 })])
    expect(entryOf(roadmap, 'HUGE')).toMatchObject({
      period: '2026-Q1',
      spans: [
        { period: '2026-Q1', effort: 10 },
        { period: '2026-Q2', effort: 10 },
        { period: '2026-Q3', effort: 5 },
      ],
    })
  })

  it('prefers a later period where the epic fits whole over splitting it earlier', () => {
    const roadmap = plan([valued('FIRST', 9, { effort: 5 }), valued('EIGHT', 5, { effort: 8 })])
    expect(entryOf(roadmap, 'EIGHT').spans).toEqual([{ period: '2026-Q2', effort: 8 }])
  })

  it('starts a spread at the earliest run of periods with room, using what is left', () => {
    const roadmap = plan([valued('FIRST', 9, { effort: 4 }), valued('HUGE', 5, { effort: 12 })])
    expect(entryOf(roadmap, 'HUGE').spans).toEqual([
      { period: '2026-Q1', effort: 6 },
      { period: '2026-Q2', effort: 6 },
    ])
  })

  it('lets an epic blocked by a spanning one start in its last period', () => {
    const roadmap = plan([
      valued('HUGE', 9, { effort: 15 }),
      valued('AFTER', 1, { effort: 2, blockers: [id('HUGE')] }),
    ])
    expect(entryOf(roadmap, 'AFTER')).toMatchObject({ period: '2026-Q2', notBefore: '2026-Q2' })
  })

  it('leaves a spread that runs past the horizon unplanned', () => {
    const roadmap = plan([valued('HUGE', 9, { effort: 41 })])
    expect(entryOf(roadmap, 'HUGE').unplannedReason).toBe('no capacity')
  })
})

describe('planRoadmap: in-progress work and overrides', () => {
  const previousWith = (epics: Epic[], now = JAN): Roadmap => plan(epics, { now })

  it('keeps an in-progress epic in its previous period even when a higher score arrives', () => {
    const previous = previousWith([valued('WIP', 5, { effort: 8 })])
    const epics = [valued('WIP', 5, { effort: 8, status: 'in_progress' }), valued('NEW', 50, { effort: 8 })]
    const kept = plan(epics, { previous })
    expect(periodsOf(kept)).toEqual({ NEW: '2026-Q2', WIP: '2026-Q1' })
    expect(entryOf(kept, 'WIP').placement).toBe('kept')

    const ranked = plan(epics, { previous, settings: settings({ keepInProgress: false }) })
    expect(periodsOf(ranked)).toEqual({ NEW: '2026-Q1', WIP: '2026-Q2' })
  })

  it('keeps work whose period has ended going in the current period, where the next build keeps it too', () => {
    const previous = previousWith([valued('WIP', 5, { effort: 8 })])
    const wip = [valued('WIP', 5, { effort: 8, status: 'in_progress' })]
    const roadmap = plan(wip, { previous, now: APR })
    expect(entryOf(roadmap, 'WIP')).toMatchObject({ period: '2026-Q2', placement: 'kept' })
    const again = plan(wip, { previous: roadmap, now: APR })
    expect(entryOf(again, 'WIP')).toEqual(entryOf(roadmap, 'WIP'))
  })

  it('shows a pinned epic of a team without capacity as overbooking, without giving the team capacity', () => {
    const roadmap = plan(
      [valued('PIN', 5, { team: 'ops', effort: 3 }), valued('OTHER', 5, { team: 'ops' })],
      {
        overrides: [override('PIN', 'pin', { period: '2026-Q2' })],
      },
    )
    expect(entryOf(roadmap, 'PIN').period).toBe('2026-Q2')
    expect(entryOf(roadmap, 'OTHER').unplannedReason).toBe('no capacity configured for team ops')
    expect(roadmap.load.find((l) => l.team === 'ops' && l.period === '2026-Q2')).toEqual({
      team: 'ops',
      period: '2026-Q2',
      capacity: 0,
      planned: 3,
      overbooked: 3,
    })
  })

  it('pins an epic to its period with the rationale, showing the overbooking it causes', () => {
    const roadmap = plan([valued('A', 50, { effort: 8 }), valued('PIN', 1, { effort: 8 })], {
      overrides: [override('PIN', 'pin', { period: '2026-Q1', rationale: 'contractual date' })],
    })
    expect(entryOf(roadmap, 'PIN')).toMatchObject({
      period: '2026-Q1',
      placement: 'pinned',
      override: { id: 'ov-PIN-pin', kind: 'pin', period: '2026-Q1', rationale: 'contractual date' },
    })
    expect(entryOf(roadmap, 'A').period).toBe('2026-Q2')
    const overbooked = plan([valued('A', 50, { effort: 8 }), valued('PIN', 1, { effort: 8 })], {
      overrides: [override('PIN', 'pin', { period: '2026-Q1' }), override('A', 'pin', { period: '2026-Q1' })],
    })
    expect(overbooked.load.find((l) => l.period === '2026-Q1')).toEqual({
      team: 'core',
      period: '2026-Q1',
      capacity: 10,
      planned: 16,
      overbooked: 6,
    })
  })

  it('warns when a pin puts an epic before its blocker', () => {
    // A is pinned first (1 of Q1), FILL takes the other 9, so A's blocker B only fits in Q2.
    const roadmap = plan(
      [
        valued('FILL', 900, { effort: 9 }),
        valued('B', 9, { effort: 2 }),
        valued('A', 1, { blockers: [id('B')] }),
      ],
      {
        overrides: [override('A', 'pin', { period: '2026-Q1' })],
      },
    )
    expect(entryOf(roadmap, 'A').warnings).toEqual([
      'pinned before its blocker Epic B, planned until 2026-Q2',
    ])
  })

  it('defers an epic to a period, or out of the plan, with its rationale', () => {
    const roadmap = plan([valued('LATER', 9), valued('OUT', 9)], {
      overrides: [
        override('LATER', 'defer', { period: '2026-Q3', rationale: 'waits for the new pricing' }),
        override('OUT', 'defer', { rationale: 'parked until the reorg' }),
      ],
    })
    expect(entryOf(roadmap, 'LATER').period).toBe('2026-Q3')
    expect(entryOf(roadmap, 'OUT')).toMatchObject({
      period: null,
      unplanned: { code: 'deferred', overrideId: 'ov-OUT-defer', rationale: 'parked until the reorg' },
      unplannedReason: 'deferred: parked until the reorg',
    })
  })

  it('excludes an epic with its rationale and blocks what depends on it', () => {
    const roadmap = plan([valued('X', 9), valued('D', 9, { blockers: [id('X')] })], {
      overrides: [override('X', 'exclude', { rationale: 'superseded by vendor tool' })],
    })
    expect(entryOf(roadmap, 'X').unplannedReason).toBe('excluded: superseded by vendor tool')
    expect(entryOf(roadmap, 'D').unplannedReason).toBe('blocked by Epic X')
  })

  it('applies the latest override per epic and reports the ones it cannot apply', () => {
    const roadmap = plan(
      [valued('A', 9), valued('B', 9), valued('C', 9), valued('D', 9, { status: 'done' })],
      {
        now: APR,
        overrides: [
          override('A', 'exclude', { createdAt: '2026-01-01T00:00:00Z' }),
          override('A', 'pin', { period: '2026-Q4', createdAt: '2026-02-01T00:00:00Z' }),
          override('B', 'exclude', { rationale: '  ' }),
          override('C', 'pin', { period: '2026-Q1' }),
          override('C', 'defer', { period: '2031-Q1' }),
          override('Z', 'exclude'),
          override('D', 'exclude'),
        ],
      },
    )
    expect(entryOf(roadmap, 'A')).toMatchObject({ period: '2026-Q4', placement: 'pinned' })
    expect(entryOf(roadmap, 'B').placement).toBe('ranked')
    expect(entryOf(roadmap, 'C').placement).toBe('ranked')
    expect(roadmap.problems).toEqual([
      'override ov-B-exclude (exclude jira:B): ignored, it has no rationale',
      `override ov-C-defer (defer jira:C): ignored, unknown period '2031-Q1'`,
      `override ov-C-pin (pin jira:C): ignored, period '2026-Q1' has ended`,
      'override ov-Z-exclude (exclude jira:Z): ignored, no such epic',
    ])
  })

  it('books a pinned epic larger than its period over the following periods at full capacity', () => {
    const roadmap = plan([valued('BIG', 1, { effort: 25 })], {
      overrides: [override('BIG', 'pin', { period: '2026-Q3' })],
    })
    expect(entryOf(roadmap, 'BIG').spans).toEqual([
      { period: '2026-Q3', effort: 10 },
      { period: '2026-Q4', effort: 15 },
    ])
    const whole = plan([valued('BIG', 1, { effort: 25 })], {
      overrides: [override('BIG', 'pin', { period: '2026-Q3' })],
      settings: settings({ span: 'whole' }),
    })
    expect(entryOf(whole, 'BIG').spans).toEqual([{ period: '2026-Q3', effort: 25 }])
  })
})
