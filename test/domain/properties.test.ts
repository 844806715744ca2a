import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  buildRoadmap,
  type DeferralEvent,
  deferralCounts,
  diffRoadmaps,
  type Epic,
  isDeferral,
  type Override,
  type Roadmap,
  type RoadmapSettings,
} from '../../src/domain/index.ts'
import { epic, settings } from './fixtures.ts'

const TEAMS = ['core', 'web', 'data'] as const
const CLOCKS = [
  '2026-01-05T09:00:00.000Z',
  '2026-02-10T09:00:00.000Z',
  '2026-04-06T09:00:00.000Z',
  '2026-07-06T09:00:00.000Z',
]

const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arb, { nil: undefined, freq: 6 })
const amount = fc.integer({ min: 0, max: 24 }).map((x) => x / 2)

/** A world of up to 24 epics with random inputs, teams, statuses and blockers (cycles included). */
const epicsArb: fc.Arbitrary<Epic[]> = fc.integer({ min: 1, max: 24 }).chain((n) =>
  fc
    .array(
      fc.record({
        team: fc.constantFrom(...TEAMS, 'nobody'),
        track: fc.constantFrom('product' as const, 'technical' as const),
        status: fc.constantFrom(
          'todo' as const,
          'todo' as const,
          'in_progress' as const,
          'done' as const,
          'canceled' as const,
        ),
        value: maybe(amount),
        timeCriticality: maybe(amount),
        risk: maybe(amount),
        effort: maybe(fc.integer({ min: 0, max: 30 }).map((x) => x / 2)),
        blockers: fc.uniqueArray(fc.integer({ min: 0, max: n }), { maxLength: 3 }),
      }),
      { minLength: n, maxLength: n },
    )
    .map((rows) =>
      rows.map((row, i) => {
        const inputs: Epic['inputs'] = {}
        if (row.value !== undefined) inputs.value = row.value
        if (row.timeCriticality !== undefined) inputs.timeCriticality = row.timeCriticality
        if (row.risk !== undefined) inputs.risk = row.risk
        return epic(`E${i}`, {
          team: row.team,
          track: row.track,
          status: row.status,
          inputs,
          effort: row.effort,
          // Index n is a blocker that matches no epic.
          blockers: row.blockers.filter((b) => b !== i).map((b) => `jira:E${b}`),
        })
      }),
    ),
)

const settingsArb: fc.Arbitrary<RoadmapSettings> = fc
  .record({
    capacities: fc.tuple(...TEAMS.map(() => fc.integer({ min: 0, max: 20 }))),
    cut: fc.option(
      fc.record({
        team: fc.constantFrom(...TEAMS),
        period: fc.constantFrom('2026-Q1', '2026-Q2', '2026-Q3'),
        to: fc.integer({ min: 0, max: 5 }),
      }),
    ),
    span: fc.constantFrom('spread' as const, 'whole' as const),
    keepInProgress: fc.boolean(),
    riskInterest: fc.constantFrom(0, 0.25, 1),
  })
  .map(({ capacities, cut, span, keepInProgress, riskInterest }) =>
    settings({
      span,
      keepInProgress,
      scoring: { riskInterest },
      capacities: TEAMS.map((team, i) => ({
        team,
        perPeriod: capacities[i] as number,
        ...(cut !== null && cut.team === team ? { byPeriod: { [cut.period]: cut.to } } : {}),
      })),
    }),
  )

const overridesArb = (epics: Epic[]): fc.Arbitrary<Override[]> =>
  fc
    .array(
      fc.record({
        epic: fc.integer({ min: 0, max: epics.length - 1 }),
        kind: fc.constantFrom('pin' as const, 'defer' as const, 'exclude' as const),
        period: fc.option(fc.constantFrom('2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4')),
        day: fc.integer({ min: 1, max: 28 }),
      }),
      { maxLength: 4 },
    )
    .map((rows) =>
      rows.map((row, i) => ({
        id: `ov-${i}`,
        epicId: `jira:E${row.epic}`,
        kind: row.kind,
        ...(row.period === null ? {} : { period: row.period }),
        rationale: 'owner call',
        author: 'owner',
        createdAt: `2026-01-${String(row.day).padStart(2, '0')}T00:00:00.000Z`,
      })),
    )

/** Three builds over time: a world, then the same world changed, with overrides and a moving clock. */
const historyArb = fc
  .tuple(epicsArb, settingsArb, fc.integer({ min: 0, max: 2 }))
  .chain(([epics, s, clock]) =>
    fc.tuple(
      fc.constant(epics),
      fc.constant(s),
      fc.constant(clock),
      overridesArb(epics),
      epicsArb,
      fc.integer({ min: clock, max: 3 }),
    ),
  )

interface History {
  builds: Array<{ roadmap: Roadmap; events: DeferralEvent[]; ledger: DeferralEvent[] }>
}

function runHistory([epics, s, clock, overrides, laterEpics, laterClock]: [
  Epic[],
  RoadmapSettings,
  number,
  Override[],
  Epic[],
  number,
]): History {
  const first = buildRoadmap({
    epics,
    overrides: [],
    settings: s,
    previous: null,
    ledger: [],
    now: CLOCKS[clock] as string,
  })
  const ledger1 = first.events
  const second = buildRoadmap({
    epics,
    overrides,
    settings: s,
    previous: first.roadmap,
    ledger: ledger1,
    now: CLOCKS[clock] as string,
  })
  const ledger2 = [...ledger1, ...second.events]
  const third = buildRoadmap({
    epics: laterEpics,
    overrides,
    settings: s,
    previous: second.roadmap,
    ledger: ledger2,
    now: CLOCKS[laterClock] as string,
  })
  const ledger3 = [...ledger2, ...third.events]
  return {
    builds: [
      { ...first, ledger: ledger1 },
      { ...second, ledger: ledger2 },
      { ...third, ledger: ledger3 },
    ],
  }
}

const EPSILON = 1e-9

describe('invariants (property-based)', () => {
  it('never books ranked work past a team capacity; only pins and kept work may overbook', () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        for (const { roadmap } of runHistory(h).builds) {
          for (const load of roadmap.load) {
            let forced = 0
            let ranked = 0
            for (const entry of roadmap.entries) {
              if (entry.team !== load.team) continue
              for (const span of entry.spans) {
                if (span.period !== load.period) continue
                if (entry.placement === 'ranked') ranked += span.effort
                else forced += span.effort
              }
            }
            expect(ranked + forced).toBeCloseTo(load.planned, 9)
            expect(ranked).toBeLessThanOrEqual(Math.max(0, load.capacity - forced) + EPSILON)
            if (forced === 0) expect(load.overbooked).toBe(0)
          }
        }
      }),
      { numRuns: 300 },
    )
  })

  it('never plans a ranked epic before one of its blockers, nor without them', () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        for (const { roadmap } of runHistory(h).builds) {
          const order = new Map(roadmap.openPeriods.map((p, i) => [p, i]))
          const byId = new Map(roadmap.entries.map((e) => [e.epicId, e]))
          for (const entry of roadmap.entries) {
            if (entry.placement !== 'ranked' || entry.period === null) continue
            const start = order.get(entry.period) as number
            for (const blockerId of entry.blockers) {
              const blocker = byId.get(blockerId)
              expect(blocker?.period).not.toBeNull()
              const last = blocker?.spans.at(-1)?.period as string
              expect(order.get(last)).toBeLessThanOrEqual(start)
            }
          }
          for (const entry of roadmap.entries) {
            for (let i = 1; i < entry.spans.length; i++) {
              // Spans are in calendar order.
              expect(order.get(entry.spans[i]?.period as string)).toBeGreaterThan(
                order.get(entry.spans[i - 1]?.period as string) as number,
              )
            }
          }
        }
      }),
      { numRuns: 300 },
    )
  })

  it('gives the same output for the same input in any order', () => {
    fc.assert(
      fc.property(historyArb, fc.integer(), (h, seed) => {
        const [epics, s, clock, overrides, laterEpics, laterClock] = h
        const shuffle = <T>(items: readonly T[]): T[] => seededShuffle(items, seed)
        const reordered = runHistory([
          shuffle(epics).map((e) => ({ ...e, blockers: shuffle(e.blockers) })),
          { ...s, capacities: shuffle(s.capacities) },
          clock,
          shuffle(overrides),
          shuffle(laterEpics),
          laterClock,
        ])
        const original = runHistory(h)
        expect(JSON.stringify(reordered.builds.map((b) => [b.roadmap, b.events]))).toBe(
          JSON.stringify(original.builds.map((b) => [b.roadmap, b.events])),
        )
        // The ledger read in another order gives the same next build.
        const last = original.builds[2]
        const second = original.builds[1]
        if (last === undefined || second === undefined) throw new Error('three builds expected')
        const again = buildRoadmap({
          epics: laterEpics,
          overrides,
          settings: s,
          previous: second.roadmap,
          ledger: shuffle(second.ledger),
          now: CLOCKS[laterClock] as string,
        })
        expect(JSON.stringify({ roadmap: again.roadmap, events: again.events })).toBe(
          JSON.stringify({ roadmap: last.roadmap, events: last.events }),
        )
      }),
      { numRuns: 150 },
    )
  })

  it('finds no event between a roadmap and itself', () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        for (const { roadmap, ledger } of runHistory(h).builds) {
          expect(diffRoadmaps(roadmap, roadmap)).toEqual([])
          expect(diffRoadmaps(roadmap, roadmap, { ledger })).toEqual([])
        }
      }),
      { numRuns: 200 },
    )
  })

  it('never lowers a deferral count as builds go on, and prices only deferrals', () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        let before = new Map<string, number>()
        for (const { events, ledger } of runHistory(h).builds) {
          const after = deferralCounts(ledger)
          for (const [epicId, count] of before) expect(after.get(epicId) ?? 0).toBeGreaterThanOrEqual(count)
          for (const event of events) {
            expect(event.deferralCount).toBeGreaterThanOrEqual(before.get(event.epicId) ?? 0)
            expect(event.deferralCount).toBe(after.get(event.epicId) ?? 0)
            // Only a deferral is priced, never below zero; nothing else (a pull-in) gives cost back.
            expect(event.projectedCost).toBeGreaterThanOrEqual(0)
            if (!isDeferral(event.kind)) expect(event.projectedCost).toBe(0)
          }
          before = after
        }
      }),
      { numRuns: 200 },
    )
  })

  it('lists every open epic once, ranked 1..n, with a reason for each unplanned one', () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        const [epics] = h
        const { roadmap } = runHistory(h).builds[1] as { roadmap: Roadmap }
        const open = epics.filter((e) => e.status === 'todo' || e.status === 'in_progress').map((e) => e.id)
        expect(roadmap.entries.map((e) => e.epicId).sort()).toEqual(open.sort())
        expect(roadmap.entries.map((e) => e.rank)).toEqual(open.map((_, i) => i + 1))
        for (const entry of roadmap.entries) {
          expect(entry.period === null).toBe(entry.unplannedReason !== null)
          expect(entry.period === null).toBe(entry.spans.length === 0)
        }
      }),
      { numRuns: 200 },
    )
  })
})

/** A deterministic shuffle from a seed (mulberry32), so a failing case replays. */
function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[copy[i], copy[j]] = [copy[j] as T, copy[i] as T]
  }
  return copy
}
