import { createHmac } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { LinearSimulator } from '../../../src/sandbox/linear/index.ts'
import type { TrackerConnector, WebhookDelivery } from '../../../src/trackers/types.ts'
import {
  closeSimulators,
  collect,
  connector,
  expectValidQueries,
  PUBLIC_URL,
  STANDARD_INPUTS,
  startSimulator,
  WEBHOOK_SECRET,
} from './helpers.ts'

/** What onetrack's route hands the connector: raw bytes, headers, the time of receipt. */
const received: WebhookDelivery[] = []
let receiver: Server
let receiverUrl: string

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received.push({ headers: req.headers, rawBody: Buffer.concat(chunks), receivedAt: new Date() })
      res.writeHead(202).end()
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/linear/lin`
})

afterAll(async () => {
  expectValidQueries()
  await closeSimulators()
  await new Promise((resolve) => receiver.close(resolve))
})

function sign(body: string, secret = WEBHOOK_SECRET): string {
  return createHmac('sha256', secret).update(body).digest('hex')
}

describe('Linear webhooks', () => {
  let sim: LinearSimulator
  let linear: TrackerConnector
  const source = { ...STANDARD_INPUTS, writeBack: { chronicLabel: 'Chronically deferred' } }

  beforeAll(async () => {
    sim = await startSimulator()
    sim.state.addTeam({ key: 'PLAT' })
    sim.state.addTeam({ key: 'WEB' })
    sim.state.addTeam({ key: 'OPS' })
    sim.webhooks.configure({ url: receiverUrl, secret: WEBHOOK_SECRET })
    linear = connector(sim, source).connector
  })
  beforeEach(async () => {
    await sim.webhooks.settled()
    received.length = 0
  })

  async function next(): Promise<WebhookDelivery> {
    await sim.webhooks.settled()
    const delivery = received.at(-1)
    if (delivery === undefined) throw new Error('no delivery')
    return delivery
  }

  it('accepts a signed project change and names the project, with Linear-Delivery as the id', async () => {
    const project = sim.state.addProject({ name: 'Checkout', teams: ['PLAT'] })
    sim.state.updateProject(project.id, { priority: 2 })
    const delivery = await next()
    const body = JSON.parse(delivery.rawBody.toString()) as Record<string, unknown>
    expect(Object.keys(body).sort()).toEqual(
      [
        'action',
        'actor',
        'createdAt',
        'data',
        'organizationId',
        'type',
        'updatedFrom',
        'url',
        'webhookId',
        'webhookTimestamp',
      ].sort(),
    )
    expect(delivery.headers['linear-signature']).toBe(sign(delivery.rawBody.toString()))
    expect(linear.receiveWebhook(delivery)).toEqual({
      status: 'accepted',
      deliveryId: delivery.headers['linear-delivery'],
      event: 'Project.update',
      externalIds: [project.id],
    })
  })

  it('rejects a forged, unsigned or wrongly signed delivery before reading it', async () => {
    sim.state.addProject({ name: 'Search', teams: ['PLAT'] })
    const delivery = await next()
    const tampered = Buffer.from(delivery.rawBody.toString().replace('Search', 'Sea rch'))
    expect(linear.receiveWebhook({ ...delivery, rawBody: tampered })).toEqual({
      status: 'rejected',
      kind: 'bad_signature',
      reason: 'Linear-Signature does not match the body',
    })
    const { 'linear-signature': _, ...unsigned } = delivery.headers
    expect(linear.receiveWebhook({ ...delivery, headers: unsigned })).toEqual({
      status: 'rejected',
      kind: 'unsigned',
      reason: 'no Linear-Signature header',
    })
    const otherSecret = {
      ...delivery.headers,
      'linear-signature': sign(delivery.rawBody.toString(), 'not-the-secret'),
    }
    expect(linear.receiveWebhook({ ...delivery, headers: otherSecret }).status).toBe('rejected')
    const garbage = { ...delivery.headers, 'linear-signature': 'zz' }
    expect(linear.receiveWebhook({ ...delivery, headers: garbage }).status).toBe('rejected')
  })

  it('gives a replayed delivery the same id (the caller drops the duplicate) and rejects a stale one', async () => {
    const project = sim.state.addProject({ name: 'Billing', teams: ['WEB'] })
    const original = await next()
    const id = String(original.headers['linear-delivery'])
    await sim.webhooks.replay(id)
    const replayed = await next()
    expect(replayed.rawBody.equals(original.rawBody)).toBe(true)
    expect(linear.receiveWebhook(replayed)).toMatchObject({
      status: 'accepted',
      deliveryId: id,
      externalIds: [project.id],
    })

    await sim.webhooks.sendStale(id, 5 * 60_000)
    expect(linear.receiveWebhook(await next())).toEqual({
      status: 'rejected',
      kind: 'stale',
      reason: expect.stringMatching(/^stale: sent 300 s before it was received/),
    })
    // The same fresh delivery arriving two minutes late is stale as well.
    expect(
      linear.receiveWebhook({ ...original, receivedAt: new Date(original.receivedAt.getTime() + 120_000) })
        .status,
    ).toBe('rejected')
  })

  it('ignores the changes onetrack makes itself: its chronic label, the label created for it, its attachments', async () => {
    const project = sim.state.addProject({ name: 'Legacy auth', teams: ['PLAT'] })
    await sim.webhooks.settled()
    received.length = 0
    const pageUrl = `${PUBLIC_URL}/epics/lin:${project.id}`
    const values = {
      score: 3,
      rank: 40,
      period: null,
      deferrals: 4,
      costOfDelay: 9,
      note: 'no capacity',
      pageUrl,
      chronic: true,
    }
    const outcome = await linear.writeBack(
      [{ epicId: `lin:${project.id}`, externalId: project.id, values, previous: null }],
      AbortSignal.timeout(5000),
    )
    expect(outcome.failed).toEqual([])
    await sim.webhooks.settled()
    const events = received.map((d) => [d.headers['linear-event'], linear.receiveWebhook(d)])
    expect(events).toEqual([
      [
        'ProjectLabel',
        expect.objectContaining({ status: 'ignored', event: 'ProjectLabel.create', reason: 'own write' }),
      ],
      [
        'Project',
        expect.objectContaining({ status: 'ignored', event: 'Project.update', reason: 'own write' }),
      ],
    ])

    // Another connector of the same source (the web process) knows the label once it has synced.
    const webProcess = connector(sim, source).connector
    const labelEvent = received[1] as WebhookDelivery
    expect(webProcess.receiveWebhook(labelEvent).status).toBe('accepted')
    await collect(webProcess, { mode: 'epic', cursor: null, externalId: project.id })
    expect(webProcess.receiveWebhook(labelEvent)).toMatchObject({ status: 'ignored', reason: 'own write' })

    // A person adding another label is not onetrack's write.
    received.length = 0
    sim.state.updateProject(project.id, {
      labelIds: [...sim.state.project(project.id).labelIds, sim.state.projectLabel('urgent')],
    })
    await sim.webhooks.settled()
    expect(linear.receiveWebhook(received.at(-1) as WebhookDelivery)).toMatchObject({ status: 'accepted' })

    const issue = sim.state.addIssue({ team: 'PLAT', title: 'Epic issue' })
    received.length = 0
    sim.state.upsertAttachment({
      issueId: issue.id,
      url: `${PUBLIC_URL}/epics/lin:${issue.id}`,
      title: 'onetrack',
    })
    expect(linear.receiveWebhook(await next())).toMatchObject({
      status: 'ignored',
      event: 'Attachment.create',
      reason: 'own write',
    })
  })

  it('ignores other teams, other entity types and edits of fields onetrack does not read', async () => {
    const ops = sim.state.addProject({ name: 'Ops only', teams: ['OPS'] })
    await sim.webhooks.settled()
    received.length = 0
    await collect(linear, { mode: 'full', cursor: null })
    sim.state.updateProject(ops.id, { priority: 1 })
    expect(linear.receiveWebhook(await next())).toMatchObject({
      status: 'ignored',
      reason: 'project of another team',
    })

    // Moving a project out of a configured team is a change onetrack must hear of.
    const moving = sim.state.addProject({ name: 'Moving', teams: ['PLAT'] })
    sim.state.updateProject(moving.id, { teams: ['OPS'] })
    expect(linear.receiveWebhook(await next())).toMatchObject({
      status: 'accepted',
      externalIds: [moving.id],
    })

    const mine = sim.state.addProject({ name: 'Mine', teams: ['WEB'] })
    sim.state.updateProject(mine.id, { description: 'longer text' })
    expect(linear.receiveWebhook(await next())).toMatchObject({
      status: 'ignored',
      reason: 'no field onetrack reads changed',
    })

    sim.state.createLabel('IssueLabel', { name: 'bug' })
    expect(linear.receiveWebhook(await next())).toMatchObject({
      status: 'ignored',
      event: 'IssueLabel.create',
    })
  })

  it('maps an issue estimate change to its project (effort is the project scope) and ignores a retitle', async () => {
    const project = sim.state.addProject({ name: 'Scoped', teams: ['PLAT'] })
    const issue = sim.state.addIssue({ team: 'PLAT', title: 'Task', projectId: project.id, estimate: 2 })
    expect(linear.receiveWebhook(await next())).toMatchObject({
      status: 'accepted',
      event: 'Issue.create',
      externalIds: [project.id],
    })
    sim.state.updateIssue(issue.id, { estimate: 5 })
    expect(linear.receiveWebhook(await next())).toMatchObject({
      status: 'accepted',
      externalIds: [project.id],
    })
    sim.state.updateIssue(issue.id, { title: 'Task, renamed' })
    expect(linear.receiveWebhook(await next())).toMatchObject({
      status: 'ignored',
      reason: 'no field onetrack reads changed',
    })
    const other = sim.state.addProject({ name: 'Other', teams: ['PLAT'] })
    sim.state.updateIssue(issue.id, { projectId: other.id })
    const moved = linear.receiveWebhook(await next())
    expect(moved.status === 'accepted' && moved.externalIds.sort()).toEqual([project.id, other.id].sort())
  })

  it('derives a stable delivery id when Linear-Delivery is absent, and rejects malformed bodies', async () => {
    sim.state.addProject({ name: 'Derived', teams: ['WEB'] })
    const delivery = await next()
    const { 'linear-delivery': _, ...headers } = delivery.headers
    const a = linear.receiveWebhook({ ...delivery, headers })
    const b = linear.receiveWebhook({
      ...delivery,
      headers,
      receivedAt: new Date(delivery.receivedAt.getTime() + 1000),
    })
    expect(a.status).toBe('accepted')
    expect(a.status === 'accepted' && a.deliveryId).toMatch(/^derived-[0-9a-f]{32}$/)
    expect(a.status === 'accepted' && b.status === 'accepted' && a.deliveryId === b.deliveryId).toBe(true)

    const now = new Date()
    for (const [body, reason] of [
      ['not json', 'body is not JSON'],
      ['[1,2]', 'body is not a Linear data-change event'],
      [
        JSON.stringify({ type: 'Project', action: 'update', data: {} }),
        'body is not a Linear data-change event',
      ],
    ] as const) {
      const outcome = linear.receiveWebhook({
        headers: { 'linear-signature': sign(body) },
        rawBody: Buffer.from(body),
        receivedAt: now,
      })
      expect(outcome).toEqual({ status: 'rejected', kind: 'malformed', reason })
    }
  })

  it('refuses every delivery when the source has no webhook secret', async () => {
    sim.state.addProject({ name: 'Unsecured', teams: ['WEB'] })
    const delivery = await next()
    const noSecret = connector(sim, { webhookSecret: undefined }).connector
    expect(noSecret.receiveWebhook(delivery)).toEqual({
      status: 'rejected',
      kind: 'no_secret',
      reason: 'source lin has no webhookSecret to verify Linear webhooks with (and allowUnsigned is off)',
    })
    expect(noSecret.screenWebhook(delivery.headers)).toMatchObject({ kind: 'no_secret' })
    // With allowUnsigned, the delivery is taken as it is, its timestamp still checked.
    const open = connector(sim, { webhookSecret: undefined, allowUnsigned: true }).connector
    expect(open.screenWebhook({})).toBeNull()
    expect(open.receiveWebhook({ ...delivery, headers: {} })).toMatchObject({ status: 'accepted' })
    expect(
      open.receiveWebhook({ ...delivery, receivedAt: new Date(delivery.receivedAt.getTime() + 120_000) }),
    ).toMatchObject({ status: 'rejected', kind: 'stale' })
  })
})
