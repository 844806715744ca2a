import { createHmac } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type GraphQLObjectType, isNonNullType } from 'graphql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createLinearSimulator,
  type LinearSimulator,
  linearSchema,
} from '../../../src/sandbox/linear/index.ts'

const SECRET = 'lin_wh_simulator_test'
const got: Array<{ headers: IncomingHttpHeaders; raw: string }> = []
let server: Server
let sim: LinearSimulator

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      got.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') })
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  sim = createLinearSimulator({
    webhook: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, secret: SECRET },
  })
  sim.state.addTeam({ key: 'PLAT' })
})

afterAll(async () => {
  await sim.close()
  await new Promise((resolve) => server.close(resolve))
})

/** The schema's description of a payload type: every field it may carry, and those it must. */
function shapeOf(typeName: string) {
  const type = linearSchema().getType(typeName) as GraphQLObjectType
  const fields = type.getFields()
  return {
    allowed: Object.keys(fields),
    required: Object.values(fields)
      .filter((f) => isNonNullType(f.type))
      .map((f) => f.name),
  }
}

describe('simulated Linear webhooks', () => {
  it('sends every change signed, with delivery and event headers, shaped as the schema says', async () => {
    const project = sim.state.addProject({ name: 'Checkout', teams: ['PLAT'] })
    sim.state.updateProject(project.id, { priority: 2 })
    const issue = sim.state.addIssue({ team: 'PLAT', title: 'Task', projectId: project.id, estimate: 3 })
    sim.state.upsertAttachment({ issueId: issue.id, url: 'https://x.example', title: 'link' })
    sim.state.projectLabel('Roadmap')
    const customer = sim.state.addCustomer({ name: 'Acme', revenue: 5 })
    sim.state.addCustomerNeed({ customerId: customer.id, projectId: project.id })
    await sim.webhooks.settled()

    expect(got.map((d) => `${d.headers['linear-event']}`)).toEqual([
      'Project',
      'Project',
      'Issue',
      'Attachment',
      'ProjectLabel',
      'CustomerNeed',
    ])
    const ids = new Set<string>()
    for (const delivery of got) {
      expect(delivery.headers['linear-signature']).toBe(
        createHmac('sha256', SECRET).update(delivery.raw).digest('hex'),
      )
      expect(delivery.headers['linear-delivery']).toMatch(/^[0-9a-f-]{36}$/)
      ids.add(String(delivery.headers['linear-delivery']))
      const body = JSON.parse(delivery.raw) as Record<string, unknown>
      const envelope = shapeOf('EntityWebhookPayload')
      for (const key of Object.keys(body)) expect(envelope.allowed).toContain(key)
      for (const key of envelope.required) expect(body[key], key).not.toBeUndefined()
      expect(body.type).toBe(delivery.headers['linear-event'])
      const shape = shapeOf(`${String(body.type)}WebhookPayload`)
      const data = body.data as Record<string, unknown>
      for (const key of Object.keys(data)) expect(shape.allowed, `${String(body.type)}.${key}`).toContain(key)
      for (const key of shape.required) expect(data[key], `${String(body.type)}.${key}`).not.toBeNull()
      const actor = shapeOf('UserActorWebhookPayload')
      for (const key of Object.keys(body.actor as object)) expect(actor.allowed).toContain(key)
      expect(Math.abs((body.webhookTimestamp as number) - Date.now())).toBeLessThan(5_000)
    }
    expect(ids.size).toBe(got.length)
    const update = JSON.parse(got[1]?.raw ?? '{}') as {
      action: string
      updatedFrom: object
      data: { priority: number }
    }
    expect(update).toMatchObject({ action: 'update', updatedFrom: { priority: 0 }, data: { priority: 2 } })
    expect(Object.keys(update.updatedFrom).sort()).toEqual(['priority', 'updatedAt'])
  })

  it('replays a delivery byte for byte and re-sends one as stale, re-signed', async () => {
    const first = got[0] as (typeof got)[number]
    const id = String(first.headers['linear-delivery'])
    got.length = 0
    await sim.webhooks.replay(id)
    expect(got[0]?.raw).toBe(first.raw)
    expect(got[0]?.headers['linear-signature']).toBe(first.headers['linear-signature'])
    await sim.webhooks.sendStale(id, 600_000)
    const stale = got[1] as (typeof got)[number]
    expect(stale.headers['linear-delivery']).toBe(id)
    expect(stale.headers['linear-signature']).toBe(
      createHmac('sha256', SECRET).update(stale.raw).digest('hex'),
    )
    const timestamp = (JSON.parse(stale.raw) as { webhookTimestamp: number }).webhookTimestamp
    expect(Date.now() - timestamp).toBeGreaterThanOrEqual(600_000)
    expect(sim.webhooks.deliveries().every((d) => d.status === 200)).toBe(true)
  })

  it('sends nothing for relations and external links, for which Linear has no webhook', async () => {
    got.length = 0
    const [a, b] = [
      sim.state.addProject({ name: 'A', teams: ['PLAT'] }),
      sim.state.addProject({ name: 'B', teams: ['PLAT'] }),
    ]
    await sim.webhooks.settled()
    got.length = 0
    sim.state.relateProjects(a.id, b.id)
    sim.state.createExternalLink({ projectId: a.id, label: 'doc', url: 'https://doc.example' })
    await sim.webhooks.settled()
    expect(got).toEqual([])
  })
})
