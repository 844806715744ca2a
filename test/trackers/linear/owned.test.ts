import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LinearSimulator } from '../../../src/sandbox/linear/index.ts'
import type {
  OwnedValues,
  SyncedEpic,
  TrackerConnector,
  WriteBackItem,
  WriteBackValues,
} from '../../../src/trackers/types.ts'
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

const signal = () => AbortSignal.timeout(10_000)

/** The epic's page as the pipeline builds it. */
const pageUrl = (id: string) => `${PUBLIC_URL}/epics/${encodeURIComponent(`lin:${id}`)}`

function values(id: string, patch: Partial<WriteBackValues> = {}): WriteBackValues {
  return {
    score: 12.5,
    rank: 3,
    period: '2027-Q1',
    deferrals: 2,
    costOfDelay: 25,
    note: 'Last deferred from 2026-Q4.',
    pageUrl: pageUrl(id),
    chronic: false,
    unacknowledged: 1,
    ...patch,
  }
}

function item(id: string, now: WriteBackValues): WriteBackItem {
  return { epicId: `lin:${id}`, externalId: id, values: now, previous: null }
}

async function syncOne(linear: TrackerConnector, id: string): Promise<SyncedEpic> {
  const { epics } = await collect(linear, { mode: 'epic', cursor: null, externalId: id })
  const epic = epics[0]
  if (epic === undefined) throw new Error(`epic ${id} not read`)
  return epic
}

/** The keys where what the ticket shows differs from what was written (what the pipeline rewrites). */
function differing(owned: OwnedValues | undefined, expected: OwnedValues): string[] {
  if (owned === undefined) throw new Error('owned not read')
  return Object.keys(owned).filter((key) => owned[key] !== expected[key])
}

describe('onetrack’s own link on projects', () => {
  let sim: LinearSimulator
  beforeAll(async () => {
    sim = await startSimulator()
    sim.state.addTeam({ key: 'PLAT' })
  })

  it('a synced project carries onetrack’s link label as owned', async () => {
    const project = sim.state.addProject({ name: 'Failover drills', teams: ['PLAT'] })
    sim.state.createExternalLink({
      projectId: project.id,
      label: 'Design doc',
      url: 'https://docs.example/d',
    })
    sim.state.createExternalLink({
      projectId: project.id,
      label: 'onetrack · another epic',
      url: pageUrl('someone-else'),
    })
    const { connector: linear } = connector(sim, { teams: ['PLAT'] })
    const written = await linear.writeBack([item(project.id, values(project.id))], signal())
    expect(written.failed).toEqual([])

    const epic = await syncOne(linear, project.id)
    expect(epic.owned).toEqual({
      link: 'onetrack · #3 · 2027-Q1 · score 12.5 · deferred 2× · 1 awaiting sign-off',
    })
    expect(epic.links).toEqual([])

    // Read even when no dependency prefix is configured: the links are selected for write-back.
    const noPrefixes = connector(sim, { teams: ['PLAT'], dependencyLinks: { blockedBy: [], blocks: [] } })
    expect((await syncOne(noPrefixes.connector, project.id)).owned).toEqual(epic.owned)
    // Write-back off: nothing to compare, nothing read.
    const off = connector(sim, { teams: ['PLAT'], writeBack: { enabled: false } }).connector
    expect((await syncOne(off, project.id)).owned).toBeUndefined()
  })

  it('a project whose onetrack link was deleted reads owned link null', async () => {
    const project = sim.state.addProject({ name: 'Search revamp', teams: ['PLAT'] })
    const { connector: linear } = connector(sim, { teams: ['PLAT'] })
    await linear.writeBack([item(project.id, values(project.id))], signal())
    const own = sim.state.externalLinksOf(project.id).find((l) => l.url === pageUrl(project.id))
    sim.state.deleteExternalLink(own?.id as string)
    sim.state.createExternalLink({ projectId: project.id, label: 'Spec', url: 'https://docs.example/s' })
    expect((await syncOne(linear, project.id)).owned).toEqual({ link: null })

    // More links than the page's selection: the complete list is read before the link is called gone.
    for (let i = 0; i < 9; i++)
      sim.state.createExternalLink({
        projectId: project.id,
        label: `doc ${i}`,
        url: `https://docs.example/${i}`,
      })
    const crowded = await collect(linear, { mode: 'epic', cursor: null, externalId: project.id })
    expect(crowded.epics[0]?.owned).toEqual({ link: null })
    expect(crowded.outcome.requests).toBe(2)
    // Written again, after the ninth link: found past the first page too.
    await linear.writeBack([item(project.id, values(project.id, { rank: 4 }))], signal())
    expect((await syncOne(linear, project.id)).owned).toEqual({
      link: 'onetrack · #4 · 2027-Q1 · score 12.5 · deferred 2× · 1 awaiting sign-off',
    })
  })

  it('reads two links to the epic’s page as a value no single write equals', async () => {
    const project = sim.state.addProject({ name: 'Twice linked', teams: ['PLAT'] })
    const { connector: linear } = connector(sim, { teams: ['PLAT'] })
    const now = values(project.id)
    await linear.writeBack([item(project.id, now)], signal())
    sim.state.createExternalLink({
      projectId: project.id,
      label: 'onetrack (copy)',
      url: pageUrl(project.id),
    })
    const epic = await syncOne(linear, project.id)
    expect(differing(epic.owned, linear.ownedValues(`lin:${project.id}`, now))).toEqual(['link'])
    // The rewrite removes the copy, and the two agree again.
    await linear.writeBack([item(project.id, now)], signal())
    const again = await syncOne(linear, project.id)
    expect(differing(again.owned, linear.ownedValues(`lin:${project.id}`, now))).toEqual([])
  })
})

describe('onetrack’s own attachment on issue epics', () => {
  let sim: LinearSimulator
  beforeAll(async () => {
    sim = await startSimulator()
    sim.state.addTeam({ key: 'PLAT' })
  })

  function parentIssue(title: string) {
    const parent = sim.state.addIssue({ team: 'PLAT', title })
    sim.state.addIssue({ team: 'PLAT', title: `${title} child`, parentId: parent.id, estimate: 1 })
    return parent
  }

  it('a synced issue carries onetrack’s attachment text as owned', async () => {
    const parent = parentIssue('Queue backpressure')
    const bare = parentIssue('Nothing written yet')
    sim.state.upsertAttachment({
      issueId: parent.id,
      title: 'Blocked by SHOP-1',
      url: 'https://acme.atlassian.net/browse/SHOP-1',
    })
    sim.state.upsertAttachment({
      issueId: parent.id,
      title: 'Pull request #12',
      url: 'https://github.example/acme/queue/pull/12',
    })
    const source = { teams: ['PLAT'], epics: 'parent-issues' }
    const { connector: linear } = connector(sim, source)
    await linear.writeBack([item(parent.id, values(parent.id))], signal())

    const epic = await syncOne(linear, parent.id)
    expect(epic.owned).toEqual({
      attachment:
        'onetrack · #3 · 2027-Q1\nscore 12.5 · cost of delay 25 · deferred 2× · 1 awaiting sign-off — Last deferred from 2026-Q4.',
    })
    // onetrack's attachment is never a dependency, whatever its title.
    expect(epic.links).toEqual([{ url: 'https://acme.atlassian.net/browse/SHOP-1', relation: 'blocked_by' }])
    expect((await syncOne(linear, bare.id)).owned).toEqual({ attachment: null })

    // No dependency prefixes: onetrack's attachment is still selected, by its URL.
    const noPrefixes = connector(sim, { ...source, dependencyLinks: { blockedBy: [], blocks: [] } }).connector
    const read = await syncOne(noPrefixes, parent.id)
    expect(read.owned).toEqual(epic.owned)
    expect(read.links).toEqual([])
    const off = connector(sim, { ...source, writeBack: { enabled: false } }).connector
    expect((await syncOne(off, parent.id)).owned).toBeUndefined()
  })
})

describe('what sync reads against what was written', () => {
  let sim: LinearSimulator
  beforeAll(async () => {
    sim = await startSimulator()
    sim.state.addTeam({ key: 'PLAT' })
  })

  it('ownedValues equals what sync reads after a write-back', async () => {
    const project = sim.state.addProject({ name: 'Checkout v2', teams: ['PLAT'] })
    const other = sim.state.addProject({ name: 'Checkout v3', teams: ['PLAT'] })
    const parent = sim.state.addIssue({ team: 'PLAT', title: 'Parent' })
    sim.state.addIssue({ team: 'PLAT', title: 'Child', parentId: parent.id })
    const cases = [
      { id: project.id, source: { teams: ['PLAT'] } },
      { id: parent.id, source: { teams: ['PLAT'], epics: 'parent-issues' } },
    ]
    for (const { id, source } of cases) {
      for (const chronicLabel of [undefined, 'Chronically deferred']) {
        const config = { ...source, writeBack: chronicLabel === undefined ? {} : { chronicLabel } }
        const { connector: linear } = connector(sim, config)
        for (const now of [
          values(id),
          values(id, { chronic: true, period: null, score: null, note: '', unacknowledged: 0 }),
          values(id, { rank: 1, costOfDelay: 7.25 }),
        ]) {
          const outcome = await linear.writeBack([item(id, now)], signal())
          expect(outcome.failed).toEqual([])
          const expected = linear.ownedValues(`lin:${id}`, now)
          const epic = await syncOne(linear, id)
          expect(epic.owned).toEqual(expected)
          expect(differing(epic.owned, expected)).toEqual([])
          expect(Object.keys(expected).sort()).toEqual(
            [
              chronicLabel === undefined ? [] : ['chronic'],
              source.epics === undefined ? 'link' : 'attachment',
            ]
              .flat()
              .sort(),
          )
        }
      }
    }

    // A person's edits show as differences, key by key.
    const { connector: linear } = connector(sim, {
      teams: ['PLAT'],
      writeBack: { chronicLabel: 'Chronically deferred' },
    })
    const now = values(other.id, { chronic: true })
    await linear.writeBack([item(other.id, now)], signal())
    const link = sim.state.externalLinksOf(other.id).find((l) => l.url === pageUrl(other.id))
    sim.state.updateExternalLink(link?.id as string, { label: 'onetrack · edited by hand' })
    sim.state.updateProject(other.id, { labelIds: [] })
    const edited = await syncOne(linear, other.id)
    expect(differing(edited.owned, linear.ownedValues(`lin:${other.id}`, now)).sort()).toEqual([
      'chronic',
      'link',
    ])
    await linear.writeBack([item(other.id, now)], signal())
    const repaired = await syncOne(linear, other.id)
    expect(differing(repaired.owned, linear.ownedValues(`lin:${other.id}`, now))).toEqual([])

    const issues = connector(sim, { teams: ['PLAT'], epics: 'parent-issues' }).connector
    const issueValues = values(parent.id)
    await issues.writeBack([item(parent.id, issueValues)], signal())
    const attachment = sim.state.attachmentsOf(parent.id).find((a) => a.url === pageUrl(parent.id))
    sim.state.upsertAttachment({
      issueId: parent.id,
      url: attachment?.url as string,
      title: attachment?.title as string,
      subtitle: 'cleared',
    })
    const changed = await syncOne(issues, parent.id)
    expect(differing(changed.owned, issues.ownedValues(`lin:${parent.id}`, issueValues))).toEqual([
      'attachment',
    ])
  })
})
