import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LinearSimulator } from '../../../src/sandbox/linear/index.ts'
import type { WriteBackValues } from '../../../src/trackers/types.ts'
import {
  closeSimulators,
  collect,
  connector,
  expectValidQueries,
  PUBLIC_URL,
  startSimulator,
} from './helpers.ts'

afterAll(async () => {
  expectValidQueries()
  await closeSimulators()
})

const SHOP_1 = 'https://acme.atlassian.net/browse/SHOP-1'
const SHOP_2 = 'https://acme.atlassian.net/browse/SHOP-2'
const GROW_3 = 'https://acme.atlassian.net/browse/GROW-3'
const GROW_4 = 'https://acme.atlassian.net/jira/software/projects/GROW/boards/2?selectedIssue=GROW-4'

type Link = { url: string; relation: string }
const sorted = (links: Link[] | undefined) =>
  [...(links ?? [])].sort((a, b) => `${a.relation} ${a.url}`.localeCompare(`${b.relation} ${b.url}`))

const written = (id: string): WriteBackValues => ({
  score: 3,
  rank: 7,
  period: '2027-Q2',
  deferrals: 1,
  costOfDelay: 12,
  note: 'Blocked by SHOP-9',
  pageUrl: `${PUBLIC_URL}/epics/lin:${id}`,
  chronic: false,
})

describe('Linear: dependencies declared by link', () => {
  let sim: LinearSimulator
  beforeAll(async () => {
    sim = await startSimulator()
    sim.state.addTeam({ key: 'PLAT' })
  })

  it('reads project resource links by label prefix, ignoring other links and onetrack’s own', async () => {
    const project = sim.state.addProject({ name: 'Failover drills', teams: ['PLAT'] })
    const link = (label: string, url: string) =>
      sim.state.createExternalLink({ projectId: project.id, label, url })
    link('Blocked by SHOP-1: Checkout in a second region', SHOP_1)
    link('depends on: the growth events clean-up', GROW_3)
    link('BLOCKS SHOP-2', SHOP_2)
    link('Unblocks GROW-4', GROW_4)
    link('Blockchain notes', 'https://docs.example/chain')
    link('Design doc', 'https://docs.example/design')
    link('Blocked by onetrack?', `${PUBLIC_URL}/epics/anything`)
    const { connector: linear } = connector(sim, { teams: ['PLAT'] })
    // onetrack's own write-back link, as the connector writes it.
    const out = await linear.writeBack(
      [{ epicId: `lin:${project.id}`, externalId: project.id, values: written(project.id), previous: null }],
      AbortSignal.timeout(5000),
    )
    expect(out.failed).toEqual([])
    expect(sim.state.externalLinksOf(project.id)).toHaveLength(8)

    const { epics, outcome } = await collect(linear, { mode: 'epic', cursor: null, externalId: project.id })
    expect(sorted(epics[0]?.links)).toEqual([
      { url: GROW_3, relation: 'blocked_by' },
      { url: SHOP_1, relation: 'blocked_by' },
      { url: SHOP_2, relation: 'blocks' },
      { url: GROW_4, relation: 'blocks' },
    ])
    // Eight links fill the page's selection: one follow-up read them all.
    expect(outcome.requests).toBe(2)
  })

  it('takes the prefixes from the source’s config', async () => {
    const project = sim.state.addProject({ name: 'Custom prefixes', teams: ['PLAT'] })
    sim.state.createExternalLink({ projectId: project.id, label: 'Needs SHOP-1', url: SHOP_1 })
    sim.state.createExternalLink({ projectId: project.id, label: 'Blocked by SHOP-2', url: SHOP_2 })
    sim.state.createExternalLink({ projectId: project.id, label: 'Enables: GROW-3', url: GROW_3 })
    const { connector: linear } = connector(sim, {
      teams: ['PLAT'],
      dependencyLinks: { blockedBy: ['Needs'], blocks: ['Enables'] },
    })
    const { epics, outcome } = await collect(linear, { mode: 'epic', cursor: null, externalId: project.id })
    expect(sorted(epics[0]?.links)).toEqual([
      { url: SHOP_1, relation: 'blocked_by' },
      { url: GROW_3, relation: 'blocks' },
    ])
    expect(outcome.requests).toBe(1)
    // Both lists emptied and no write-back to compare: links are not even asked for.
    sim.resetCounters()
    const off = connector(sim, {
      teams: ['PLAT'],
      dependencyLinks: { blockedBy: [], blocks: [] },
      writeBack: { enabled: false },
    }).connector
    const none = await collect(off, { mode: 'epic', cursor: null, externalId: project.id })
    expect(none.epics[0]?.links).toEqual([])
    expect(
      sim
        .queries()
        .map((q) => q.query)
        .join('\n'),
    ).not.toContain('externalLinks')
  })

  it('reads issue epics’ attachments by title, asking Linear only for the matching ones', async () => {
    const parent = sim.state.addIssue({ team: 'PLAT', title: 'Queue backpressure' })
    sim.state.addIssue({ team: 'PLAT', title: 'Child', parentId: parent.id, estimate: 2 })
    const attach = (title: string, url: string) =>
      sim.state.upsertAttachment({ issueId: parent.id, title, url })
    attach('Blocked by SHOP-1', SHOP_1)
    attach('Blocks GROW-3 (lifecycle notifications)', GROW_3)
    attach('Pull request #12: add backpressure', 'https://github.example/acme/queue/pull/12')
    for (let i = 0; i < 6; i++)
      attach(`Depends on SHOP-${10 + i}`, `https://acme.atlassian.net/browse/SHOP-${10 + i}`)
    const { connector: linear } = connector(sim, { teams: ['PLAT'], epics: 'parent-issues' })
    await linear.writeBack(
      [{ epicId: `lin:${parent.id}`, externalId: parent.id, values: written(parent.id), previous: null }],
      AbortSignal.timeout(5000),
    )
    sim.resetCounters()
    const { epics, outcome } = await collect(linear, { mode: 'epic', cursor: null, externalId: parent.id })
    const links = sorted(epics[0]?.links)
    expect(links).toEqual([
      { url: SHOP_1, relation: 'blocked_by' },
      ...[10, 11, 12, 13, 14, 15].map((n) => ({
        url: `https://acme.atlassian.net/browse/SHOP-${n}`,
        relation: 'blocked_by',
      })),
      { url: GROW_3, relation: 'blocks' },
    ])
    // The page asked for 5 matching attachments and got 5: one follow-up, with the same filter.
    expect(outcome.requests).toBe(2)
    const queries = sim.queries().map((q) => q.query)
    expect(queries).toHaveLength(2)
    expect(queries.every((q) => /attachments\([^)]*filter: \$linkFilter\)/.test(q))).toBe(true)
  })
})
