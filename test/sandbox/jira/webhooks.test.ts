import { createHmac } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { addScoringFields, createJiraSimulator, type JiraSimulator } from '../../../src/sandbox/jira/index.ts'

interface Received {
  headers: IncomingHttpHeaders
  body: string
}

/** A receiver that answers the given statuses in turn (then 200). */
async function receiver(
  statuses: number[] = [],
): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (c: Buffer) => chunks.push(c))
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') })
      response.statusCode = statuses.shift() ?? 200
      response.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, server }
}

describe('Jira simulator webhooks', () => {
  let sim: JiraSimulator
  let server: Server | undefined

  afterEach(async () => {
    await sim.close()
    server?.close()
  })

  it('sends a signed jira:issue_updated with the changelog of what changed', async () => {
    const hook = await receiver()
    server = hook.server
    sim = createJiraSimulator({ webhooks: { url: hook.url, secret: 'hook-secret' } })
    const fields = addScoringFields(sim.state)
    sim.state.addProject({ key: 'SHOP' })
    const epic = sim.state.addIssue({ project: 'SHOP', summary: 'Checkout' })
    sim.state.updateIssue(epic.id, { status: 'In Progress', fields: { 'Business Value': 8 } })
    await sim.webhooks.settled()

    expect(hook.received.map((r) => JSON.parse(r.body).webhookEvent)).toEqual([
      'jira:issue_created',
      'jira:issue_updated',
    ])
    const update = hook.received[1] as Received
    const expected = `sha256=${createHmac('sha256', 'hook-secret').update(update.body).digest('hex')}`
    expect(update.headers['x-hub-signature']).toBe(expected)
    expect(update.headers['x-atlassian-webhook-identifier']).not.toBe(
      hook.received[0]?.headers['x-atlassian-webhook-identifier'],
    )
    const body = JSON.parse(update.body)
    expect(body.issue).toMatchObject({
      id: epic.id,
      key: 'SHOP-1',
      fields: { issuetype: { hierarchyLevel: 1 } },
    })
    expect(body.changelog.items).toEqual([
      expect.objectContaining({
        field: 'status',
        fieldtype: 'jira',
        fromString: 'To Do',
        toString: 'In Progress',
      }),
      expect.objectContaining({
        field: 'Business Value',
        fieldtype: 'custom',
        fieldId: fields.value.id,
        toString: '8',
      }),
    ])
  })

  it('retries a failed delivery with the same identifier and replays on demand', async () => {
    const hook = await receiver([503, 429])
    server = hook.server
    sim = createJiraSimulator({ webhooks: { url: hook.url, retryDelaysMs: [5, 5, 5] } })
    sim.state.addProject({ key: 'SHOP' })
    sim.state.addIssue({ project: 'SHOP' })
    await sim.webhooks.settled()
    const [delivery] = sim.webhooks.deliveries()
    expect(delivery?.statuses).toEqual([503, 429, 200])
    expect(hook.received.map((r) => r.headers['x-atlassian-webhook-retry'])).toEqual(['0', '1', '2'])
    expect(new Set(hook.received.map((r) => r.headers['x-atlassian-webhook-identifier']))).toEqual(
      new Set([delivery?.id]),
    )
    expect(hook.received[0]?.headers['x-hub-signature']).toBeUndefined()

    await sim.webhooks.replay(delivery?.id as string)
    expect(hook.received).toHaveLength(4)
    expect(hook.received[3]?.body).toBe(hook.received[0]?.body)
    expect(hook.received[3]?.headers['x-atlassian-webhook-identifier']).toBe(delivery?.id)
  })
})
