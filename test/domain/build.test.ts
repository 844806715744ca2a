import { describe, expect, it } from 'vitest'
import { buildRoadmap, DomainError } from '../../src/domain/index.ts'
import { epic, id, JAN, settings } from './fixtures.ts'

describe('buildRoadmap', () => {
  it('scores, plans and diffs in one call, returning plain JSON data', () => {
    const { roadmap, events } = buildRoadmap({
      epics: [
        epic('A', { effort: 4 }),
        epic('B', { blockers: [id('A')], status: 'in_progress' }),
        epic('C', { status: 'done' }),
      ],
      overrides: [],
      settings: settings(),
      previous: null,
      ledger: [],
      now: JAN,
    })
    expect(roadmap.builtAt).toBe(JAN)
    expect(roadmap.entries.map((e) => [e.key, e.period])).toEqual([
      ['B', '2026-Q1'],
      ['A', '2026-Q1'],
    ])
    expect(events.map((e) => e.kind)).toEqual(['added', 'added'])
    expect(JSON.parse(JSON.stringify({ roadmap, events }))).toEqual({ roadmap, events })
  })

  it('takes deferral counts from the ledger into the risk term', () => {
    const input = {
      epics: [epic('A', { inputs: { value: 0, timeCriticality: 0, risk: 4 } })],
      overrides: [],
      settings: settings({ scoring: { riskInterest: 0.5 } }),
      previous: null,
      now: JAN,
    }
    const first = buildRoadmap({ ...input, ledger: [] })
    const deferral = { ...first.events[0], kind: 'deferred' as const, fromPeriod: '2025-Q4', id: 'ev_x' }
    const { roadmap } = buildRoadmap({ ...input, ledger: [deferral as (typeof first.events)[number]] })
    expect(roadmap.entries[0]?.score.breakdown.riskEffective).toBe(6)
  })

  it('refuses duplicate epic ids and a clock that is not a timestamp', () => {
    const base = { overrides: [], settings: settings(), previous: null, ledger: [], now: JAN }
    expect(() => buildRoadmap({ ...base, epics: [epic('A'), epic('A')] })).toThrow(
      /'jira:A' appears more than once/,
    )
    expect(() => buildRoadmap({ ...base, epics: [epic('A')], now: 'soon' })).toThrow(DomainError)
  })
})
