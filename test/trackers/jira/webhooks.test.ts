import { createHmac } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { TrackerConnector, WebhookDelivery } from '../../../src/trackers/types.ts'
import { connectorFor, envRef, HOOK_SECRET, type Site, startSite, writeValues } from './site.ts'

/** Receives the simulator's deliveries as a web server would: headers and the raw body bytes. */
async function receiver(): Promise<{ url: string; deliveries: WebhookDelivery[]; server: Server }> {
  const deliveries: WebhookDelivery[] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (c: Buffer) => chunks.push(c))
    request.on('end', () => {
      deliveries.push({ headers: request.headers, rawBody: Buffer.concat(chunks), receivedAt: new Date() })
      response.statusCode = 202
      response.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/jira/jira-shop`,
    deliveries,
    server,
  }
}

function sign(body: string | Buffer, secret = HOOK_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

describe('Jira webhooks', () => {
  let site: Site
  let hook: Awaited<ReturnType<typeof receiver>>
  let connector: TrackerConnector

  beforeAll(async () => {
    hook = await receiver()
    site = await startSite({ epics: 3, simulator: { webhooks: { url: hook.url, secret: HOOK_SECRET } } })
    await site.sim.webhooks.settled()
  })
  afterAll(async () => {
    await site.close()
    hook.server.close()
  })
  beforeEach(async () => {
    await site.sim.webhooks.settled()
    hook.deliveries.length = 0
    connector = connectorFor(site, {
      webhookSecret: envRef('JIRA_HOOK'),
      writeBack: { createFields: true },
    }).connector
  })

  async function next(): Promise<WebhookDelivery> {
    await site.sim.webhooks.settled()
    const delivery = hook.deliveries.shift()
    if (delivery === undefined) throw new Error('no delivery')
    return delivery
  }

  it('accepts a signed change to an epic, keyed by Jira’s delivery id, the same when Jira sends it again', async () => {
    const epic = site.epics[0]?.id as string
    site.sim.state.updateIssue(epic, { fields: { 'Business Value': 3 } })
    const delivery = await next()
    const id = delivery.headers['x-atlassian-webhook-identifier']
    expect(connector.receiveWebhook(delivery)).toEqual({
      status: 'accepted',
      deliveryId: id,
      event: 'jira:issue_updated',
      externalIds: [epic],
    })
    const [sent] = site.sim.webhooks.deliveries().slice(-1)
    await site.sim.webhooks.replay(sent?.id as string)
    expect(connector.receiveWebhook(await next())).toMatchObject({ status: 'accepted', deliveryId: id })
  })

  it('rejects unsigned, forged and tampered deliveries before reading them', () => {
    const body = Buffer.from(
      JSON.stringify({ webhookEvent: 'jira:issue_updated', timestamp: Date.now(), issue: { id: '1' } }),
    )
    const deliver = (headers: Record<string, string>, rawBody = body) =>
      connector.receiveWebhook({
        headers: { 'x-atlassian-webhook-identifier': 'd-1', ...headers },
        rawBody,
        receivedAt: new Date(),
      })
    expect(deliver({})).toEqual({
      status: 'rejected',
      kind: 'unsigned',
      reason: 'unsigned delivery: X-Hub-Signature is missing',
    })
    expect(deliver({ 'x-hub-signature': sign(body, 'not-the-secret') })).toEqual({
      status: 'rejected',
      kind: 'bad_signature',
      reason: 'X-Hub-Signature does not match the body',
    })
    expect(deliver({ 'x-hub-signature': sign(body) }, Buffer.from(`${body.toString()} `))).toMatchObject({
      status: 'rejected',
    })
    expect(deliver({ 'x-hub-signature': 'sha1=abc' })).toEqual({
      status: 'rejected',
      kind: 'bad_signature',
      reason: 'X-Hub-Signature is not sha256=<64 hex digits>',
    })
    expect(deliver({ 'X-Hub-Signature': sign(body) })).toMatchObject({
      status: 'accepted',
      deliveryId: 'd-1',
    })
  })

  it('rejects malformed bodies without throwing, signed or not', () => {
    const deliver = (text: string) => {
      const rawBody = Buffer.from(text)
      return connector.receiveWebhook({
        headers: { 'x-hub-signature': sign(rawBody) },
        rawBody,
        receivedAt: new Date(),
      })
    }
    expect(deliver('{"webhookEvent": "jira:issue_updated", ')).toEqual({
      status: 'rejected',
      kind: 'malformed',
      reason: 'malformed JSON',
    })
    expect(deliver('[1, 2]')).toMatchObject({
      status: 'rejected',
      reason: 'not a Jira webhook: webhookEvent is missing',
    })
    expect(
      deliver(`{"webhookEvent": "jira:issue_updated", "timestamp": ${Date.now()}, "issue": {}}`),
    ).toEqual({
      status: 'rejected',
      kind: 'malformed',
      reason: 'jira:issue_updated without issue.id',
    })
    const old = JSON.stringify({
      webhookEvent: 'jira:issue_updated',
      timestamp: Date.now() - 7 * 3_600_000,
      issue: { id: '1' },
    })
    expect(deliver(old)).toMatchObject({
      status: 'rejected',
      kind: 'stale',
      reason: 'stale: sent 25200 s before it was received (at most 1800 s apart)',
    })
    const unsigned = connectorFor(site, { allowUnsigned: true }).connector
    expect(
      unsigned.receiveWebhook({
        headers: {},
        rawBody: Buffer.from(
          `{"webhookEvent": "jira:issue_deleted", "timestamp": ${Date.now()}, "issue": {"id": 7}}`,
        ),
        receivedAt: new Date(),
      }),
    ).toMatchObject({
      status: 'accepted',
      externalIds: ['7'],
      deliveryId: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    })
  })

  it('ignores the echo of its own write-back, but not a person’s edit next to it', async () => {
    const epic = site.epics[1]?.id as string
    const outcome = await connector.writeBack(
      [{ epicId: `jira-shop:${epic}`, externalId: epic, values: writeValues(), previous: null }],
      AbortSignal.timeout(5_000),
    )
    expect(outcome.failed).toEqual([])
    const echo = await next()
    expect(JSON.parse(echo.rawBody.toString()).changelog.items).toHaveLength(6)
    expect(connector.receiveWebhook(echo)).toMatchObject({ status: 'ignored', reason: 'own write' })
    // A fresh connector (nothing resolved yet) knows its fields by name.
    const fresh = connectorFor(site, { webhookSecret: envRef('JIRA_HOOK') }).connector
    expect(fresh.receiveWebhook(echo)).toMatchObject({ status: 'ignored', reason: 'own write' })

    site.sim.state.updateIssue(epic, { summary: 'Renamed', fields: { 'onetrack rank': 1 } })
    expect(connector.receiveWebhook(await next())).toMatchObject({ status: 'accepted', externalIds: [epic] })
  })

  it('ignores issues that are not epics, unless a child’s estimate makes its epic’s effort', async () => {
    const epic = site.epics[2]?.id as string
    const story = site.sim.state.addIssue({ project: 'SHOP', type: 'Story', parent: epic })
    expect(connector.receiveWebhook(await next())).toMatchObject({ status: 'ignored', reason: 'not an epic' })

    const summing = connectorFor(site, {
      webhookSecret: envRef('JIRA_HOOK'),
      effortFromChildren: true,
    }).connector
    site.sim.state.updateIssue(story.id, { summary: 'Only the title' })
    expect(summing.receiveWebhook(await next())).toMatchObject({ status: 'ignored', reason: 'not an epic' })
    site.sim.state.updateIssue(story.id, { fields: { 'Story Points': 5 } })
    expect(summing.receiveWebhook(await next())).toMatchObject({ status: 'accepted', externalIds: [epic] })
    const other = site.epics[0]?.id as string
    site.sim.state.updateIssue(story.id, { parent: other })
    expect(summing.receiveWebhook(await next())).toMatchObject({
      status: 'accepted',
      externalIds: expect.arrayContaining([epic, other]),
    })
  })

  it('still accepts an epic turned into a story, and ignores comments', async () => {
    const epic = site.epics[0]?.id as string
    const delivery = (body: unknown): WebhookDelivery => {
      const rawBody = Buffer.from(JSON.stringify(body))
      return { headers: { 'x-hub-signature': sign(rawBody) }, rawBody, receivedAt: new Date() }
    }
    const story = { id: epic, fields: { issuetype: { id: '10002', name: 'Story', hierarchyLevel: 0 } } }
    const retyped = {
      webhookEvent: 'jira:issue_updated',
      timestamp: Date.now(),
      issue: story,
      changelog: {
        items: [{ field: 'issuetype', fieldtype: 'jira', fromString: 'Epic', toString: 'Story' }],
      },
    }
    expect(connector.receiveWebhook(delivery(retyped))).toMatchObject({
      status: 'accepted',
      externalIds: [epic],
    })
    const commented = {
      webhookEvent: 'jira:issue_updated',
      issue_event_type_name: 'issue_commented',
      timestamp: Date.now(),
      issue: { id: epic, fields: { issuetype: { hierarchyLevel: 1 } } },
      comment: { body: 'Any news?' },
    }
    expect(connector.receiveWebhook(delivery(commented))).toMatchObject({
      status: 'ignored',
      reason: 'no field changed',
    })
  })

  it('accepts the deletion of an epic (the targeted sync then finds it gone)', async () => {
    const extra = site.sim.state.addIssue({ project: 'PAY', summary: 'Short-lived' })
    await next()
    site.sim.state.deleteIssue(extra.id)
    expect(connector.receiveWebhook(await next())).toMatchObject({
      status: 'accepted',
      event: 'jira:issue_deleted',
      externalIds: [extra.id],
    })
  })
})
