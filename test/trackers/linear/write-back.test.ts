import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LinearSimulator } from '../../../src/sandbox/linear/index.ts'
import type { WriteBackItem, WriteBackValues } from '../../../src/trackers/types.ts'
import { closeSimulators, connector, expectValidQueries, PUBLIC_URL, startSimulator } from './helpers.ts'

afterAll(async () => {
  expectValidQueries()
  await closeSimulators()
})

const signal = () => AbortSignal.timeout(10_000)

function values(id: string, patch: Partial<WriteBackValues> = {}): WriteBackValues {
  return {
    score: 12.5,
    rank: 3,
    period: '2027-Q1',
    deferrals: 0,
    costOfDelay: 25,
    note: 'planned in 2027-Q1',
    pageUrl: `${PUBLIC_URL}/epics/lin:${id}`,
    chronic: false,
    ...patch,
  }
}

function item(id: string, now: WriteBackValues, previous: WriteBackValues | null = null): WriteBackItem {
  return { epicId: `lin:${id}`, externalId: id, values: now, previous }
}

describe('write-back on projects', () => {
  let sim: LinearSimulator
  const ids: string[] = []
  beforeAll(async () => {
    sim = await startSimulator()
    sim.state.addTeam({ key: 'PLAT' })
    sim.state.addTeam({ key: 'WEB' })
    for (let i = 0; i < 30; i++) ids.push(sim.state.addProject({ name: `P${i}`, teams: ['PLAT'] }).id)
  })

  const source = { writeBack: { chronicLabel: 'Chronically deferred' } }

  it('writes one onetrack link per project, batching 30 projects into a few requests', async () => {
    const { connector: linear } = connector(sim, source)
    sim.state.createExternalLink({
      projectId: ids[0] as string,
      label: 'Design doc',
      url: 'https://docs.example/d',
    })
    const before = sim.requestCount()
    const outcome = await linear.writeBack(
      ids.map((id, i) => item(id, values(id, { rank: i + 1 }))),
      signal(),
    )
    expect(outcome.failed).toEqual([])
    expect(outcome.written).toHaveLength(30)
    // One read of the 30 projects (links + chronic label), then 30 link creations in two batches of 20.
    expect(outcome.requests).toBe(3)
    expect(sim.requestCount() - before).toBe(3)
    const links = sim.state.externalLinksOf(ids[1] as string)
    expect(links).toHaveLength(1)
    expect(links[0]).toMatchObject({
      url: `${PUBLIC_URL}/epics/lin:${ids[1]}`,
      label: 'onetrack · #2 · 2027-Q1 · score 12.5 · deferred 0×',
    })
    expect(
      sim.state
        .externalLinksOf(ids[0] as string)
        .map((l) => l.label)
        .sort(),
    ).toEqual(['Design doc', 'onetrack · #1 · 2027-Q1 · score 12.5 · deferred 0×'])
    // Not chronic anywhere: the label is neither created nor applied.
    expect([...sim.state.projectLabels.values()].map((l) => l.name)).not.toContain('Chronically deferred')
  })

  it('makes no request at all when nothing changed', async () => {
    const { connector: linear } = connector(sim, source)
    const before = sim.requestCount()
    const unchanged = ids.map((id, i) => item(id, values(id, { rank: i + 1 }), values(id, { rank: i + 1 })))
    // A change too small to show in the link's text is no change either.
    const tiny = item(
      ids[2] as string,
      values(ids[2] as string, { rank: 3, costOfDelay: 25.01 }),
      values(ids[2] as string, { rank: 3 }),
    )
    const outcome = await linear.writeBack(
      [...unchanged.slice(3), unchanged[0] as WriteBackItem, tiny],
      signal(),
    )
    expect(outcome).toEqual({ written: expect.any(Array), failed: [], requests: 0 })
    expect(outcome.written).toHaveLength(29)
    expect(sim.requestCount()).toBe(before)
  })

  it('updates only the changed epics, in place, leaving links onetrack did not create alone', async () => {
    const { connector: linear } = connector(sim, source)
    const id = ids[0] as string
    const previous = values(id, { rank: 1 })
    const now = values(id, { rank: 7, period: '2027-Q2', deferrals: 1 })
    const outcome = await linear.writeBack(
      [
        item(id, now, previous),
        item(ids[5] as string, values(ids[5] as string, { rank: 6 }), values(ids[5] as string, { rank: 6 })),
      ],
      signal(),
    )
    expect(outcome).toMatchObject({ failed: [], requests: 2 })
    expect(outcome.written.sort()).toEqual([`lin:${id}`, `lin:${ids[5]}`].sort())
    const links = sim.state.externalLinksOf(id)
    expect(links.map((l) => l.label).sort()).toEqual([
      'Design doc',
      'onetrack · #7 · 2027-Q2 · score 12.5 · deferred 1×',
    ])
    expect(links.find((l) => l.label === 'Design doc')?.url).toBe('https://docs.example/d')
  })

  it('adds the chronic label (creating it once) and removes it again, touching no other label', async () => {
    const { connector: linear } = connector(sim, source)
    const [a, b] = [ids[10] as string, ids[11] as string]
    const theirs = sim.state.projectLabel('customer-facing')
    sim.state.updateProject(a, { labelIds: [theirs] })
    const base = (id: string) => values(id, { rank: 11 })
    const chronic = await linear.writeBack(
      [
        item(a, values(a, { rank: 11, chronic: true }), base(a)),
        item(b, values(b, { rank: 11, chronic: true }), base(b)),
      ],
      signal(),
    )
    expect(chronic.failed).toEqual([])
    const label = [...sim.state.projectLabels.values()].filter((l) => l.name === 'Chronically deferred')
    expect(label).toHaveLength(1)
    expect(sim.state.project(a).labelIds.sort()).toEqual([theirs, label[0]?.id].sort())
    expect(sim.state.project(b).labelIds).toEqual([label[0]?.id])
    // lookup (label missing) + create the label + one batch of two projectAddLabel
    expect(chronic.requests).toBe(3)

    const cured = await linear.writeBack([item(a, base(a), values(a, { rank: 11, chronic: true }))], signal())
    expect(cured).toMatchObject({ written: [`lin:${a}`], failed: [], requests: 2 })
    expect(sim.state.project(a).labelIds).toEqual([theirs])
  })

  it('repairs a missing link when told nothing was written before, without duplicating an existing one', async () => {
    const { connector: linear } = connector(sim, source)
    const id = ids[20] as string
    const now = values(id, { rank: 21 })
    // previous === null: a first write (or a lost record) — the existing link is found by its URL.
    const outcome = await linear.writeBack([item(id, now, null)], signal())
    expect(outcome.failed).toEqual([])
    expect(sim.state.externalLinksOf(id)).toHaveLength(1)
    sim.state.deleteExternalLink(sim.state.externalLinksOf(id)[0]?.id as string)
    await linear.writeBack([item(id, now, null)], signal())
    expect(sim.state.externalLinksOf(id)).toHaveLength(1)
  })

  it('reports a deleted or archived project as failed and writes the rest', async () => {
    const { connector: linear } = connector(sim, source)
    const [gone, archived, fine] = [ids[25] as string, ids[26] as string, ids[27] as string]
    sim.state.trashProject(gone)
    sim.state.archiveProject(archived)
    const outcome = await linear.writeBack(
      [gone, archived, fine].map((id) => item(id, values(id, { rank: 99 }), values(id, { rank: 1 }))),
      signal(),
    )
    expect(outcome.written).toEqual([`lin:${fine}`])
    expect(outcome.failed.map((f) => f.epicId).sort()).toEqual([`lin:${gone}`, `lin:${archived}`].sort())
    expect(outcome.failed[0]?.reason).toContain('not found')
  })

  it('fails with TRACKER_AUTH_FAILED naming the write scope for a read-only key', async () => {
    const readOnly = await startSimulator({ apiKeys: [{ key: 'lin_api_read_only', scopes: ['read'] }] })
    readOnly.state.addTeam({ key: 'PLAT' })
    const project = readOnly.state.addProject({ name: 'R', teams: ['PLAT'] })
    const { connector: linear } = connector(readOnly, {})
    await expect(linear.writeBack([item(project.id, values(project.id))], signal())).rejects.toMatchObject({
      code: 'TRACKER_AUTH_FAILED',
      message: expect.stringContaining('"write" scope'),
    })
  })
})

describe('write-back on issue epics', () => {
  let sim: LinearSimulator
  const ids: string[] = []
  beforeAll(async () => {
    sim = await startSimulator()
    sim.state.addTeam({ key: 'PLAT' })
    for (let i = 0; i < 3; i++) ids.push(sim.state.addIssue({ team: 'PLAT', title: `Epic ${i}` }).id)
  })
  const source = { teams: ['PLAT'], epics: 'parent-issues', writeBack: { chronicLabel: 'chronic' } }

  it('upserts one attachment per issue with title, subtitle and metadata, only when they change', async () => {
    const { connector: linear } = connector(sim, source)
    const id = ids[0] as string
    const first = await linear.writeBack([item(id, values(id))], signal())
    // The attachment upsert, and (never written before) a look for the chronic label to make sure it is off.
    expect(first).toMatchObject({ written: [`lin:${id}`], failed: [], requests: 2 })
    const [attachment] = sim.state.attachmentsOf(id)
    expect(attachment).toMatchObject({
      url: `${PUBLIC_URL}/epics/lin:${id}`,
      title: 'onetrack · #3 · 2027-Q1',
      subtitle: 'score 12.5 · cost of delay 25 · deferred 0× — planned in 2027-Q1',
      metadata: {
        source: 'onetrack',
        rank: 3,
        period: '2027-Q1',
        score: 12.5,
        costOfDelay: 25,
        deferrals: 0,
      },
    })
    const same = await linear.writeBack([item(id, values(id), values(id))], signal())
    expect(same.requests).toBe(0)
    const moved = await linear.writeBack(
      [item(id, values(id, { period: null, note: 'no capacity' }), values(id))],
      signal(),
    )
    expect(moved.requests).toBe(1)
    expect(sim.state.attachmentsOf(id)).toHaveLength(1)
    expect(sim.state.attachmentsOf(id)[0]?.title).toBe('onetrack · #3 · unplanned')
  })

  it('labels chronic issues, fails an issue that does not exist, and still writes those after it', async () => {
    const { connector: linear } = connector(sim, source)
    const [a, c] = [ids[1] as string, ids[2] as string]
    const missing = '00000000-0000-0000-0000-000000000000'
    const before = sim.requestCount()
    const outcome = await linear.writeBack(
      [item(a, values(a, { chronic: true })), item(missing, values(missing)), item(c, values(c))],
      signal(),
    )
    expect(outcome.written.sort()).toEqual([`lin:${a}`, `lin:${c}`].sort())
    expect(outcome.failed).toEqual([{ epicId: `lin:${missing}`, reason: expect.stringContaining('Issue') }])
    const label = [...sim.state.issueLabels.values()].find((l) => l.name === 'chronic')
    expect(sim.state.issue(a).labelIds).toEqual([label?.id])
    expect(sim.state.attachmentsOf(c)).toHaveLength(1)
    // label lookup, label creation, the batch Linear stops at the missing issue, the rest again.
    expect(outcome.requests).toBe(4)
    expect(sim.requestCount() - before).toBe(4)
  })
})

describe('progress as Linear accepts the writes', () => {
  let sim: LinearSimulator
  beforeAll(async () => {
    sim = await startSimulator()
    sim.state.addTeam({ key: 'PLAT' })
  })

  it('onWritten reports each batch’s epics as Linear accepts them', async () => {
    const ids = Array.from(
      { length: 28 },
      (_, i) => sim.state.addProject({ name: `B${i}`, teams: ['PLAT'] }).id,
    )
    const [gone, ...rest] = ids as [string, ...string[]]
    sim.state.trashProject(gone)
    const unchanged = rest.slice(0, 2)
    const changed = rest.slice(2)
    const { connector: linear } = connector(sim, {})
    const reports: string[][] = []
    const outcome = await linear.writeBack(
      [
        ...unchanged.map((id) => item(id, values(id), values(id))),
        item(gone, values(gone)),
        ...changed.map((id) => item(id, values(id))),
      ],
      signal(),
      async (epicIds) => {
        // Reported only once Linear holds the write: every reported project has its link by now.
        for (const epicId of epicIds) {
          const id = epicId.replace(/^lin:/, '')
          if (!unchanged.includes(id)) expect(sim.state.externalLinksOf(id)).toHaveLength(1)
        }
        reports.push(epicIds)
      },
    )
    // The unchanged first (no request), then the 25 links in a batch of 20 and one of 5.
    expect(reports.map((r) => r.length)).toEqual([2, 20, 5])
    expect(reports[0]?.sort()).toEqual(unchanged.map((id) => `lin:${id}`).sort())
    expect(reports.flat().sort()).toEqual(outcome.written.sort())
    expect(reports.flat()).not.toContain(`lin:${gone}`)
    expect(outcome.failed.map((f) => f.epicId)).toEqual([`lin:${gone}`])

    // Issues: an epic Linear refuses is never reported; those its refusal left unknown are, once written.
    const issues = Array.from(
      { length: 3 },
      (_, i) => sim.state.addIssue({ team: 'PLAT', title: `I${i}` }).id,
    )
    const [a, b, c] = issues as [string, string, string]
    const missing = '00000000-0000-0000-0000-000000000000'
    const issueReports: string[][] = []
    const issuesOutcome = await connector(sim, { epics: 'parent-issues' }).connector.writeBack(
      [item(a, values(a)), item(b, values(b)), item(missing, values(missing)), item(c, values(c))],
      signal(),
      async (epicIds) => {
        issueReports.push(epicIds)
      },
    )
    expect(issueReports).toEqual([[`lin:${a}`, `lin:${b}`], [`lin:${c}`]])
    expect(issuesOutcome.failed.map((f) => f.epicId)).toEqual([`lin:${missing}`])
    expect(issuesOutcome.written.sort()).toEqual([a, b, c].map((id) => `lin:${id}`).sort())
  })
})
