import { describe, expect, it } from 'vitest'
import { type Score, scoreEpics } from '../../src/domain/index.ts'
import { epic, id, scoring } from './fixtures.ts'

const scored = (score: Score | undefined): Extract<Score, { status: 'scored' }> => {
  if (score?.status !== 'scored') throw new Error(`expected a scored epic, got ${JSON.stringify(score)}`)
  return score
}

describe('scoreEpics', () => {
  it('divides the weighted cost of delay by the effort, keeping each term', () => {
    const scores = scoreEpics([epic('A', { inputs: { value: 8, timeCriticality: 3, risk: 2 }, effort: 4 })], {
      ...scoring,
      weights: { value: 2, timeCriticality: 1, risk: 0.5, enablement: 1 },
    })
    const a = scored(scores.get(id('A')))
    // 2×8 + 1×3 + 0.5×2 + 0 = 20; 20 / 4 = 5
    expect(a.score).toBe(5)
    expect(a.costOfDelay).toBe(20)
    expect(a.breakdown.terms).toEqual({ value: 16, timeCriticality: 3, risk: 1, enablement: 0 })
    expect(a.breakdown.effortUsed).toBe(4)
  })

  it('never divides by less than minEffort', () => {
    const scores = scoreEpics(
      [epic('A', { inputs: { value: 6, timeCriticality: 0, risk: 0 }, effort: 0.5 })],
      {
        ...scoring,
        minEffort: 2,
      },
    )
    expect(scored(scores.get(id('A'))).score).toBe(3)
  })

  it('compounds risk with every deferral: risk × (1 + interest)^deferrals', () => {
    const scores = scoreEpics(
      [epic('A', { inputs: { value: 0, timeCriticality: 0, risk: 4 }, effort: 1 })],
      { ...scoring, riskInterest: 0.5 },
      new Map([[id('A'), 2]]),
    )
    const a = scored(scores.get(id('A')))
    expect(a.breakdown.deferrals).toBe(2)
    expect(a.breakdown.riskEffective).toBe(9) // 4 × 1.5²
    expect(a.score).toBe(9)
  })

  it('adds what it transitively unblocks, decaying by depth', () => {
    // A blocks B (value 4), B blocks C (value 8): enablement(A) = 4×0.5 + 8×0.25 = 4
    const scores = scoreEpics(
      [
        epic('A', { inputs: { value: 1, timeCriticality: 0, risk: 0 } }),
        epic('B', { inputs: { value: 4, timeCriticality: 0, risk: 0 }, blockers: [id('A')] }),
        epic('C', { inputs: { value: 8, timeCriticality: 0, risk: 0 }, blockers: [id('B')] }),
      ],
      scoring,
    )
    const a = scored(scores.get(id('A')))
    expect(a.breakdown.enablement.total).toBe(4)
    expect(a.breakdown.enablement.contributors).toEqual([
      { epicId: id('B'), depth: 1, value: 4, contribution: 2 },
      { epicId: id('C'), depth: 2, value: 8, contribution: 2 },
    ])
    expect(a.score).toBe(5)
    expect(scored(scores.get(id('B'))).breakdown.enablement.total).toBe(4)
    expect(scored(scores.get(id('C'))).breakdown.enablement.total).toBe(0)
  })

  it('counts an epic reached by several paths once, at its shortest depth', () => {
    // A blocks B and C; B blocks C; C blocks D. C is at depth 1 (not 2), D at depth 2.
    const scores = scoreEpics(
      [
        epic('A'),
        epic('B', { blockers: [id('A')] }),
        epic('C', { inputs: { value: 8, timeCriticality: 0, risk: 0 }, blockers: [id('A'), id('B')] }),
        epic('D', { inputs: { value: 4, timeCriticality: 0, risk: 0 }, blockers: [id('C')] }),
      ],
      scoring,
    )
    const enablement = scored(scores.get(id('A'))).breakdown.enablement
    expect(enablement.reach).toBe(3)
    // B: 1×0.5, C: 8×0.5, D: 4×0.25
    expect(enablement.total).toBe(5.5)
    expect(enablement.contributors.map((c) => [c.epicId, c.depth])).toEqual([
      [id('C'), 1],
      [id('D'), 2],
      [id('B'), 1],
    ])
  })

  it('ignores done dependents: finished work is not unblocked again', () => {
    const scores = scoreEpics([epic('A'), epic('B', { status: 'done', blockers: [id('A')] })], scoring)
    expect(scored(scores.get(id('A'))).breakdown.enablement.total).toBe(0)
    expect(scores.has(id('B'))).toBe(false)
  })

  it('marks an epic with missing inputs unscored and names them, never reading them as zero', () => {
    const scores = scoreEpics([epic('A', { inputs: { risk: 3 }, effort: undefined })], scoring)
    const a = scores.get(id('A'))
    expect(a?.status).toBe('unscored')
    expect(a?.status === 'unscored' && a.missing).toEqual(['value', 'timeCriticality', 'effort'])
    expect(a?.breakdown.terms).toEqual({ value: null, timeCriticality: null, risk: 3, enablement: 0 })
    expect(a?.breakdown.costOfDelay).toBeNull()
  })

  it('counts blocked epics without a value, so a lower enablement is visibly incomplete', () => {
    const scores = scoreEpics([epic('A'), epic('B', { inputs: { risk: 1 }, blockers: [id('A')] })], scoring)
    const enablement = scored(scores.get(id('A'))).breakdown.enablement
    expect(enablement).toMatchObject({ total: 0, reach: 1, withoutValue: 1 })
  })

  it('uses the same formula for technical and product epics', () => {
    const inputs = { value: 3, timeCriticality: 2, risk: 5 }
    const scores = scoreEpics(
      [
        epic('P', { inputs, effort: 2, track: 'product' }),
        epic('T', { inputs, effort: 2, track: 'technical' }),
      ],
      scoring,
    )
    expect(scored(scores.get(id('T'))).score).toBe(scored(scores.get(id('P'))).score)
  })

  it('stops the walk at the depth cap', () => {
    const chain = ['A', 'B', 'C', 'D'].map((k, i, all) =>
      epic(k, { blockers: i === 0 ? [] : [id(all[i - 1] as string)] }),
    )
    const scores = scoreEpics(chain, { ...scoring, enablementMaxDepth: 2 })
    const enablement = scored(scores.get(id('A'))).breakdown.enablement
    expect(enablement.reach).toBe(2)
    expect(enablement.total).toBe(0.75)
    expect(enablement.truncated).toBe(false)
  })

  it('stops at the reach cap breadth-first by id and says the sum is truncated', () => {
    const hub = [epic('H'), ...['D1', 'D2', 'D3', 'D4'].map((k) => epic(k, { blockers: [id('H')] }))]
    const scores = scoreEpics(hub, { ...scoring, enablementMaxReach: 3, enablementContributorsShown: 2 })
    const enablement = scored(scores.get(id('H'))).breakdown.enablement
    expect(enablement).toMatchObject({ reach: 3, total: 1.5, truncated: true })
    expect(enablement.contributors.map((c) => c.epicId)).toEqual([id('D1'), id('D2')])
  })

  it('does not count the epic itself when it is in a cycle', () => {
    const scores = scoreEpics(
      [epic('A', { blockers: [id('B')] }), epic('B', { blockers: [id('A')] })],
      scoring,
    )
    const enablement = scored(scores.get(id('A'))).breakdown.enablement
    expect(enablement.reach).toBe(1)
    expect(enablement.contributors.map((c) => c.epicId)).toEqual([id('B')])
  })
})
