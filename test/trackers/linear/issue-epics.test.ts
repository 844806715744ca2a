import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { IssueRecord, LinearSimulator } from '../../../src/sandbox/linear/index.ts'
import {
  closeSimulators,
  collect,
  connector,
  expectValidQueries,
  startSimulator,
  WEBHOOK_SECRET,
} from './helpers.ts'

afterAll(async () => {
  expectValidQueries()
  await closeSimulators()
})

describe('issues as epics', () => {
  let sim: LinearSimulator
  let parent: IssueRecord
  let labelled: IssueRecord
  let blocker: IssueRecord
  let lonely: IssueRecord
  beforeAll(async () => {
    sim = await startSimulator()
    sim.state.addTeam({ key: 'PLAT' })
    sim.state.addTeam({ key: 'OPS' })
    const epicLabel = sim.state.issueLabel('Epic')
    const value = sim.state.issueLabel('8', 'Value')
    const project = sim.state.addProject({ name: 'Platform 2027', teams: ['PLAT'] })
    parent = sim.state.addIssue({
      team: 'PLAT',
      title: 'Parent',
      labelIds: [value],
      state: 'started',
      projectId: project.id,
    })
    for (const estimate of [3, 5, null])
      sim.state.addIssue({ team: 'PLAT', title: 'Child', parentId: parent.id, estimate })
    labelled = sim.state.addIssue({
      team: 'PLAT',
      title: 'Labelled epic',
      labelIds: [epicLabel],
      estimate: 8,
      priority: 2,
    })
    blocker = sim.state.addIssue({ team: 'PLAT', title: 'Blocker', labelIds: [epicLabel] })
    sim.state.addIssue({ team: 'PLAT', title: 'Blocker child', parentId: blocker.id, estimate: 1 })
    sim.state.relateIssues(blocker.id, parent.id)
    sim.state.relateIssues(labelled.id, parent.id, 'related')
    lonely = sim.state.addIssue({ team: 'PLAT', title: 'Plain issue', estimate: 2 })
    const other = sim.state.addIssue({ team: 'OPS', title: 'Ops parent' })
    sim.state.addIssue({ team: 'OPS', title: 'Ops child', parentId: other.id })
  })

  it('takes parent issues of the configured teams, effort from their sub-issues, blockers from "blocks" relations', async () => {
    const { connector: linear } = connector(sim, {
      teams: ['PLAT'],
      epics: 'parent-issues',
      inputs: { value: { labelGroup: 'Value' }, effort: { from: 'scope' } },
      track: { default: 'technical', rules: [{ project: 'Platform 2027', track: 'product' }] },
    })
    const { epics, outcome } = await collect(linear, { mode: 'full', cursor: null })
    expect(outcome.requests).toBe(1)
    expect(epics.map((e) => e.title).sort()).toEqual(['Blocker', 'Parent'])
    const epic = epics.find((e) => e.externalId === parent.id)
    expect(epic).toMatchObject({
      key: 'PLAT-1',
      status: 'in_progress',
      inputs: { value: 8 },
      effort: 8,
      blockers: [`lin:${blocker.id}`],
      team: 'platform',
      track: 'product',
      problems: [],
    })
    expect(epic?.url).toContain('/issue/PLAT-1/')
    expect(epics.find((e) => e.externalId === blocker.id)?.track).toBe('technical')
  })

  it('takes issues with the epic label, whatever their case, using their own estimate', async () => {
    const { connector: linear } = connector(sim, {
      teams: ['PLAT'],
      epics: 'label',
      epicLabel: 'epic',
      inputs: { timeCriticality: { priority: true }, effort: { from: 'scope' } },
    })
    const { epics } = await collect(linear, { mode: 'full', cursor: null })
    expect(epics.map((e) => e.externalId).sort()).toEqual([labelled.id, blocker.id].sort())
    expect(epics.find((e) => e.externalId === labelled.id)).toMatchObject({
      effort: 8,
      inputs: { timeCriticality: 3 },
    })
    // No estimate of its own: its sub-issues' estimates; no priority: the input is missing, and named.
    expect(epics.find((e) => e.externalId === blocker.id)).toMatchObject({
      effort: 1,
      inputs: {},
      problems: ['timeCriticality: no priority set'],
    })
    expect((await collect(linear, { mode: 'epic', cursor: null, externalId: lonely.id })).outcome.gone).toBe(
      true,
    )
  })

  it('routes a sub-issue change to its parent epic', async () => {
    const { connector: linear } = connector(sim, {
      teams: ['PLAT'],
      epics: 'parent-issues',
      inputs: { effort: { from: 'scope' } },
    })
    const child = [...sim.state.issues.values()].find((i) => i.parentId === parent.id) as IssueRecord
    const received: Buffer[] = []
    const server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        received.push(Buffer.concat(chunks))
        res.end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as AddressInfo).port
    sim.webhooks.configure({ url: `http://127.0.0.1:${port}/`, secret: WEBHOOK_SECRET })
    sim.state.updateIssue(child.id, { estimate: 13 })
    await sim.webhooks.settled()
    const delivery = sim.webhooks.deliveries().at(-1)
    if (delivery === undefined) throw new Error('no delivery')
    const outcome = linear.receiveWebhook({
      headers: delivery.headers,
      rawBody: received.at(-1) as Buffer,
      receivedAt: new Date(),
    })
    expect(outcome).toMatchObject({ status: 'accepted', event: 'Issue.update' })
    expect(outcome.status === 'accepted' && outcome.externalIds.sort()).toEqual([child.id, parent.id].sort())
    sim.webhooks.configure(null)
    await new Promise((resolve) => server.close(resolve))
  })
})
