import { describe, expect, it } from 'vitest'
import { dependencyGraph, topologicalOrder } from '../../src/domain/index.ts'
import { epic, id } from './fixtures.ts'

const blockersOf = (graph: ReturnType<typeof dependencyGraph>, externalId: string): string[] => {
  const i = graph.indexOf.get(id(externalId)) as number
  return Array.from(
    graph.blockerIdx.subarray(graph.blockerStart[i], graph.blockerStart[i + 1]),
    (b) => graph.ids[b] as string,
  )
}
const dependentsOf = (graph: ReturnType<typeof dependencyGraph>, externalId: string): string[] => {
  const i = graph.indexOf.get(id(externalId)) as number
  return Array.from(
    graph.dependentIdx.subarray(graph.dependentStart[i], graph.dependentStart[i + 1]),
    (d) => graph.ids[d] as string,
  )
}

describe('dependencyGraph', () => {
  it('links epics across sources, whatever order they come in', () => {
    const linear = { ...epic('X'), id: 'linear:PRJ-1', source: 'linear', key: 'PRJ-1' }
    const jira = epic('A', { blockers: ['linear:PRJ-1'] })
    const graph = dependencyGraph([jira, linear])
    expect(graph.ids).toEqual(['jira:A', 'linear:PRJ-1'])
    expect(blockersOf(graph, 'A')).toEqual(['linear:PRJ-1'])
    expect(graph.cycles).toEqual([])
  })

  it('drops blockers that are done or canceled: they no longer block', () => {
    const graph = dependencyGraph([
      epic('A', { status: 'done' }),
      epic('B', { status: 'canceled' }),
      epic('C', { blockers: [id('A'), id('B'), id('D')] }),
      epic('D'),
    ])
    expect(graph.ids).toEqual([id('C'), id('D')])
    expect(blockersOf(graph, 'C')).toEqual([id('D')])
    expect(graph.unknownBlockers).toEqual([])
  })

  it('reports blockers that match no epic, and ignores them', () => {
    const graph = dependencyGraph([epic('A', { blockers: ['jira:GONE', id('B')] }), epic('B')])
    expect(graph.unknownBlockers).toEqual([{ epicId: id('A'), blockerId: 'jira:GONE' }])
    expect(blockersOf(graph, 'A')).toEqual([id('B')])
    expect(dependentsOf(graph, 'B')).toEqual([id('A')])
  })

  it('detects cycles with the epics in them, and a self-block, without looping', () => {
    const graph = dependencyGraph([
      epic('A', { blockers: [id('C')] }),
      epic('B', { blockers: [id('A')] }),
      epic('C', { blockers: [id('B')] }),
      epic('D', { blockers: [id('C')] }),
      epic('E', { blockers: [id('F')] }),
      epic('F', { blockers: [id('E')] }),
      epic('S', { blockers: [id('S')] }),
      epic('Z'),
    ])
    expect(graph.cycles).toEqual([[id('A'), id('B'), id('C')], [id('E'), id('F')], [id('S')]])
    expect(Array.from(graph.cycleOf)).toEqual([0, 0, 0, -1, 1, 1, 2, -1])
  })

  it('handles a chain of 100,000 epics without overflowing the stack', () => {
    const n = 100_000
    const pad = (i: number): string => String(i).padStart(6, '0')
    const epics = Array.from({ length: n }, (_, i) =>
      epic(pad(i), { blockers: i === 0 ? [id(pad(n - 1))] : [id(pad(i - 1))] }),
    )
    const graph = dependencyGraph(epics)
    expect(graph.cycles).toHaveLength(1)
    expect(graph.cycles[0]).toHaveLength(n)
  })

  it('orders blockers before dependents, leaving cycle members out', () => {
    const graph = dependencyGraph([
      epic('A', { blockers: [id('B')] }),
      epic('B', { blockers: [id('C')] }),
      epic('C'),
      epic('D', { blockers: [id('E'), id('A')] }),
      epic('E', { blockers: [id('F')] }),
      epic('F', { blockers: [id('E')] }),
    ])
    const order = Array.from(topologicalOrder(graph), (i) => graph.ids[i])
    expect(order).toEqual([id('C'), id('B'), id('A'), id('D')])
  })
})
