import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type LinearSimulator,
  type SeededWorkspace,
  seedWorkspace,
} from '../../../src/sandbox/linear/index.ts'
import {
  closeSimulators,
  collect,
  connector,
  expectValidQueries,
  manualClock,
  STANDARD_INPUTS,
  startSimulator,
} from './helpers.ts'

afterAll(async () => {
  expectValidQueries()
  await closeSimulators()
})

describe('full sync of 1,000 projects with relations', () => {
  let sim: LinearSimulator
  let seeded: SeededWorkspace
  beforeAll(async () => {
    sim = await startSimulator()
    seeded = seedWorkspace(sim.state, { projects: 1000, relationsPerProject: 2 })
  })

  it('reads every project with its blockers in the fewest requests pagination allows', async () => {
    const { connector: linear } = connector(sim, STANDARD_INPUTS)
    sim.resetCounters()
    const { epics, outcome, pages } = await collect(linear, { mode: 'full', cursor: null })
    // ceil(1000 / 250) pages; the label catalogue and team ids ride along on the first page.
    expect(outcome.requests).toBe(4)
    expect(sim.requestCount()).toBe(4)
    expect(pages).toBe(4)
    expect(epics).toHaveLength(1000)
    expect(outcome.inScope).toHaveLength(1000)
    expect(new Set(outcome.inScope)).toEqual(new Set(seeded.projectIds))
    for (const epic of epics) {
      const expected = (seeded.blockers.get(epic.externalId) ?? []).map((id) => `lin:${id}`)
      expect(epic.blockers.sort()).toEqual(expected.sort())
    }
    expect(epics.reduce((n, e) => n + e.blockers.length, 0)).toBe(seeded.relations)
    for (const q of sim.queries()) expect(q.complexity).toBeLessThanOrEqual(10_000)
  })

  it('maps Linear data to inputs, effort, team, track and status', async () => {
    const { connector: linear } = connector(sim, STANDARD_INPUTS)
    const { epics } = await collect(linear, { mode: 'full', cursor: null })
    const byId = new Map(epics.map((e) => [e.externalId, e]))
    for (const project of sim.state.projects.values()) {
      const epic = byId.get(project.id)
      if (epic === undefined) throw new Error(`missing ${project.name}`)
      const labels = project.labelIds.map((id) => sim.state.projectLabels.get(id))
      const inGroup = (group: string) =>
        labels.find(
          (l) => l?.parentId !== null && sim.state.projectLabels.get(l?.parentId ?? '')?.name === group,
        )
      expect(epic.inputs.value).toBe(Number(inGroup('Value')?.name))
      expect(epic.inputs.risk).toBe(Number(inGroup('Risk')?.name))
      expect(epic.inputs.timeCriticality).toBe(project.priority === 0 ? undefined : 5 - project.priority)
      expect(epic.effort).toBe(sim.state.scopeOf(project.id))
      expect(epic.team).toBe(project.teamIds[0] === sim.state.teamByKey('PLAT').id ? 'platform' : 'web')
      expect(epic.track).toBe(labels.some((l) => l?.name === 'tech-debt') ? 'technical' : 'product')
      const type = sim.state.projectStatuses.get(project.statusId)?.type
      const status = {
        backlog: 'todo',
        planned: 'todo',
        paused: 'todo',
        started: 'in_progress',
        completed: 'done',
        canceled: 'canceled',
      }
      expect(epic.status).toBe(status[type as keyof typeof status])
      expect(epic.key).toBe(project.slugId)
      expect(epic.url).toContain(project.slugId)
    }
  })
})

describe('incremental and targeted sync', () => {
  let sim: LinearSimulator
  let seeded: SeededWorkspace
  const clock = manualClock()
  beforeAll(async () => {
    sim = await startSimulator({ now: clock.now })
    seeded = seedWorkspace(sim.state, { projects: 300 })
    clock.advance(3_600_000)
  })

  it('reads only what changed since the cursor, and nothing when nothing did', async () => {
    const { connector: linear } = connector(sim, STANDARD_INPUTS)
    const full = await collect(linear, { mode: 'full', cursor: null })
    expect(full.epics).toHaveLength(300)
    const quiet = await collect(linear, { mode: 'incremental', cursor: full.outcome.cursor })
    expect(quiet.epics).toEqual([])
    expect(quiet.outcome.requests).toBe(1)
    expect(quiet.outcome.cursor).toBe(full.outcome.cursor)

    clock.advance(60_000)
    const [a, b] = [seeded.projectIds[10] as string, seeded.projectIds[200] as string]
    sim.state.updateProject(a, { priority: 1 })
    sim.state.updateProject(b, { name: 'Renamed' })
    clock.advance(60_000)
    const changed = await collect(linear, { mode: 'incremental', cursor: quiet.outcome.cursor })
    expect(changed.epics.map((e) => e.externalId).sort()).toEqual([a, b].sort())
    expect(changed.epics.find((e) => e.externalId === a)?.inputs.timeCriticality).toBe(4)
    expect(changed.outcome.inScope).toBeUndefined()
    expect(Date.parse(changed.outcome.cursor ?? '')).toBeGreaterThan(Date.parse(quiet.outcome.cursor ?? ''))

    const again = await collect(linear, { mode: 'incremental', cursor: changed.outcome.cursor })
    expect(again.epics).toEqual([])
  })

  it('never moves the cursor past a change made while the sync was reading', async () => {
    const { connector: linear } = connector(sim, STANDARD_INPUTS)
    clock.advance(60_000)
    const id = seeded.projectIds[42] as string
    // Changed within the second the server answers in: the next incremental sync must see it again.
    sim.state.updateProject(id, { priority: 2 })
    const first = await collect(linear, {
      mode: 'incremental',
      cursor: new Date(clock.now() - 30_000).toISOString(),
    })
    expect(first.epics.map((e) => e.externalId)).toEqual([id])
    expect(Date.parse(first.outcome.cursor ?? '')).toBeLessThan(Date.parse(sim.state.project(id).updatedAt))
    const second = await collect(linear, { mode: 'incremental', cursor: first.outcome.cursor })
    expect(second.epics.map((e) => e.externalId)).toEqual([id])
  })

  it('syncs one epic in one request, and says gone when it is archived, trashed or purged', async () => {
    const { connector: linear } = connector(sim, STANDARD_INPUTS)
    const [kept, archived, trashed, purged] = seeded.projectIds.slice(100, 104) as [
      string,
      string,
      string,
      string,
    ]
    const one = await collect(linear, { mode: 'epic', cursor: 'c0', externalId: kept })
    expect(one.epics.map((e) => e.externalId)).toEqual([kept])
    expect(one.outcome).toMatchObject({ gone: false, requests: 1, cursor: 'c0' })

    sim.state.archiveProject(archived)
    sim.state.trashProject(trashed)
    sim.state.purgeProject(purged)
    for (const id of [archived, trashed, purged, 'no-such-project']) {
      const result = await collect(linear, { mode: 'epic', cursor: 'c0', externalId: id })
      expect(result.epics).toEqual([])
      expect(result.outcome).toMatchObject({ gone: true, cursor: 'c0' })
    }
    const full = await collect(linear, { mode: 'full', cursor: null })
    expect(full.outcome.inScope).toContain(kept)
    for (const id of [archived, trashed, purged]) expect(full.outcome.inScope).not.toContain(id)
  })

  it('treats a project moved to another team as out of scope', async () => {
    const { connector: linear } = connector(sim, { ...STANDARD_INPUTS, teams: ['PLAT'] })
    const id = seeded.projectIds.find(
      (p) => sim.state.project(p).teamIds[0] === sim.state.teamByKey('PLAT').id,
    ) as string
    expect((await collect(linear, { mode: 'epic', cursor: null, externalId: id })).outcome.gone).toBe(false)
    sim.state.updateProject(id, { teams: ['WEB'] })
    expect((await collect(linear, { mode: 'epic', cursor: null, externalId: id })).outcome.gone).toBe(true)
  })
})

describe('missing and malformed inputs', () => {
  let sim: LinearSimulator
  beforeAll(async () => {
    sim = await startSimulator()
    sim.state.addTeam({ key: 'PLAT' })
    sim.state.addTeam({ key: 'WEB' })
    sim.state.addTeam({ key: 'OPS' })
  })

  it('leaves a missing input absent (never 0) and names it only when the config asks for it', async () => {
    const value = sim.state.projectLabel('high', 'Value')
    sim.state.projectLabel('3', 'Risk')
    const bare = sim.state.addProject({ name: 'No inputs', teams: ['PLAT'] })
    const wordy = sim.state.addProject({
      name: 'Wordy value',
      teams: ['PLAT'],
      labelIds: [value],
      priority: 0,
    })

    const asked = connector(sim, STANDARD_INPUTS).connector
    const { epics } = await collect(asked, { mode: 'full', cursor: null })
    const bareEpic = epics.find((e) => e.externalId === bare.id)
    expect(bareEpic?.inputs).toEqual({})
    expect(bareEpic?.effort).toBeNull()
    expect(bareEpic?.problems).toEqual([
      "value: no label from group 'Value'",
      'timeCriticality: no priority set',
      "risk: no label from group 'Risk'",
      'effort: no estimates (scope is 0): estimate its issues in Linear',
    ])
    expect(epics.find((e) => e.externalId === wordy.id)?.problems[0]).toBe(
      "value: label 'high' in group 'Value' is not a number",
    )

    const unasked = connector(sim, {}).connector
    const plain = (await collect(unasked, { mode: 'full', cursor: null })).epics.find(
      (e) => e.externalId === bare.id,
    )
    expect(plain?.inputs).toEqual({})
    expect(plain?.problems).toEqual([])
  })

  it('says when a configured label group does not exist, and falls back to the next source of an input', async () => {
    const project = sim.state.addProject({ name: 'Urgent', teams: ['WEB'], priority: 1 })
    const { connector: linear } = connector(sim, {
      inputs: { value: { labelGroup: 'Business value', priority: true } },
    })
    const epic = (await collect(linear, { mode: 'full', cursor: null })).epics.find(
      (e) => e.externalId === project.id,
    )
    expect(epic?.inputs.value).toBe(4)
    expect(epic?.problems).toEqual([])
    const other = sim.state.addProject({ name: 'No priority', teams: ['WEB'] })
    const none = (await collect(linear, { mode: 'full', cursor: null })).epics.find(
      (e) => e.externalId === other.id,
    )
    expect(none?.problems).toEqual([
      "value: label group 'Business value' does not exist in Linear; no priority set",
    ])
  })

  it('takes value from the revenue of the customers asking for the project', async () => {
    const project = sim.state.addProject({ name: 'Wanted', teams: ['PLAT'] })
    const acme = sim.state.addCustomer({ name: 'Acme', revenue: 120 })
    const globex = sim.state.addCustomer({ name: 'Globex', revenue: 80 })
    const unknown = sim.state.addCustomer({ name: 'Initech' })
    for (const customer of [acme, globex, acme, unknown]) {
      sim.state.addCustomerNeed({ customerId: customer.id, projectId: project.id })
    }
    // More requests than one page of needs holds: the connector completes them with a follow-up query.
    for (let i = 0; i < 6; i++) {
      const c = sim.state.addCustomer({ name: `Small ${i}`, revenue: 1 })
      sim.state.addCustomerNeed({ customerId: c.id, projectId: project.id })
    }
    const { connector: linear } = connector(sim, { inputs: { value: { customerRevenue: true } } })
    const epic = (await collect(linear, { mode: 'epic', cursor: null, externalId: project.id })).epics[0]
    expect(epic?.inputs.value).toBe(206)
  })

  it('gives the source team when the Linear team is not in teamMap, and a problem when neither says', async () => {
    const project = sim.state.addProject({ name: 'Ops work', teams: ['OPS'] })
    const withTeam = connector(sim, { teams: ['OPS'], teamMap: {}, team: 'platform' }).connector
    expect((await collect(withTeam, { mode: 'full', cursor: null })).epics[0]?.team).toBe('platform')
    const without = connector(sim, { teams: ['OPS'], teamMap: {} }).connector
    const epic = (await collect(without, { mode: 'full', cursor: null })).epics.find(
      (e) => e.externalId === project.id,
    )
    expect(epic?.team).toBeNull()
    expect(epic?.problems).toEqual(['team: none of OPS is in teamMap and the source has no team'])
  })

  it('completes blockers beyond the first page of relations', async () => {
    const blocked = sim.state.addProject({ name: 'Blocked by many', teams: ['PLAT'] })
    const blockers = Array.from({ length: 8 }, (_, i) =>
      sim.state.addProject({ name: `Blocker ${i}`, teams: ['WEB'] }),
    )
    for (const b of blockers) sim.state.relateProjects(b.id, blocked.id)
    const related = sim.state.addProject({ name: 'Merely related', teams: ['WEB'] })
    sim.state.relateProjects(related.id, blocked.id, 'related')
    const { connector: linear } = connector(sim, {})
    const result = await collect(linear, { mode: 'epic', cursor: null, externalId: blocked.id })
    expect(result.epics[0]?.blockers.sort()).toEqual(blockers.map((b) => `lin:${b.id}`).sort())
    expect(result.outcome.requests).toBe(2)
  })
})
