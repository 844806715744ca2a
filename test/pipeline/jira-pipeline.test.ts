import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config/index.ts'
import { runBuild, runSync, runWriteback } from '../../src/pipeline/index.ts'
import {
  addScoringFields,
  createJiraSimulator,
  type JiraSimulator,
  type SimIssue,
  seedEpics,
} from '../../src/sandbox/jira/index.ts'
import { latestVersion, loadEpics, writtenValues } from '../../src/store/index.ts'
import type { WriteBackValues } from '../../src/trackers/types.ts'
import { type Pipeline, startPipeline } from '../helpers/pipeline.ts'

const TOKEN = 'jira-token-pipeline'
const SECRET = 'jira-hook-pipeline'
const signal = AbortSignal.timeout(60_000)

let sim: JiraSimulator
let epics: SimIssue[]
let p: Pipeline

function config(baseUrl: string) {
  return parseConfig(
    `
server: { publicUrl: http://onetrack.test }
roadmap:
  periods: { quarters: { start: 2027-Q1, count: 4 } }
  teams: [{ id: checkout, capacity: 400 }, { id: growth, capacity: 400 }]
sources:
  - id: jira-shop
    kind: jira
    baseUrl: ${baseUrl}
    email: ${sim.account.email}
    apiToken: \${TOKEN}
    webhookSecret: \${SECRET}
    jql: project in (SHOP, PAY)
    team: checkout
    fields: { value: Business Value, timeCriticality: Time Criticality, risk: Risk Reduction, effort: Story Points, team: Team }
    teamMap: { Checkout: checkout, Growth: growth }
    track: { rules: [{ label: tech-debt, track: technical }] }
    writeBack: { createFields: true }
    requestsPerSecond: 1000
`,
    '/test/pipeline.yaml',
    { TOKEN, SECRET },
  )
}

beforeAll(async () => {
  sim = createJiraSimulator({ account: { apiToken: TOKEN } })
  const fields = addScoringFields(sim.state)
  epics = seedEpics(sim.state, fields, {
    count: 1000,
    projects: ['SHOP', 'PAY'],
    lastUpdated: sim.state.now() - 3_600_000,
  })
  const url = await sim.listen()
  p = await startPipeline(config(url))
  sim.webhooks.configure({ url: `${p.url}/webhooks/jira/jira-shop`, secret: SECRET, retryDelaysMs: [] })
})

afterAll(async () => {
  await p.close()
  await sim.close()
})

describe('Jira through the pipeline', () => {
  it('syncs 1,000 epics into the store in the fewest requests and builds a roadmap', async () => {
    const summary = await runSync(p.deps, { sourceId: 'jira-shop', mode: 'full', reason: 'manual' }, signal)
    expect(summary).toMatchObject({ fetched: 1000, changed: 1000, deleted: 0, buildQueued: true })
    expect(summary.requests).toBe(Math.ceil(1000 / 100) + 4)
    expect(await loadEpics(p.deps.database.db)).toHaveLength(1000)
    const build = await runBuild(p.deps, 'test')
    expect(build.epics).toBeGreaterThan(900)
  })

  it('picks up 10 edits incrementally, and notices a deleted and a moved epic on the next full sync', async () => {
    for (const issue of epics.slice(0, 10)) {
      sim.state.updateIssue(issue.id, { summary: `${issue.summary} (edited)` })
    }
    await sim.webhooks.settled()
    const incremental = await runSync(
      p.deps,
      { sourceId: 'jira-shop', mode: 'incremental', reason: 'manual' },
      signal,
    )
    expect(incremental).toMatchObject({ fetched: 10, changed: 10 })
    expect(incremental.requests).toBe(1)

    sim.state.addProject({ key: 'ARCHIVE' })
    sim.state.deleteIssue(epics[20]?.id ?? '')
    sim.state.moveIssue(epics[21]?.id ?? '', 'ARCHIVE')
    await sim.webhooks.settled()
    const full = await runSync(p.deps, { sourceId: 'jira-shop', mode: 'full', reason: 'schedule' }, signal)
    expect(full.deleted).toBe(2)
    const ids = new Set((await loadEpics(p.deps.database.db)).map((e) => e.id))
    expect(ids.has(`jira-shop:${epics[20]?.id}`)).toBe(false)
    expect(ids.has(`jira-shop:${epics[21]?.id}`)).toBe(false)
    expect(ids.size).toBe(998)
  })

  it('writes back only what changed: a second write-back makes no request', async () => {
    const build = await runBuild(p.deps, 'test')
    const versionId = build.versionId ?? 0
    const first = await runWriteback(p.deps, { sourceId: 'jira-shop', versionId }, signal)
    expect(first.written).toBeGreaterThan(900)
    expect(first.failed).toEqual([])
    const open = (await latestVersion(p.deps.database.db))?.roadmap.entries[0]
    const ticket = sim.state.find(open?.epicId.split(':')[1] ?? '')
    const scoreField = [...sim.state.fields.values()].find((f) => f.name === 'onetrack score')
    expect(ticket?.values[scoreField?.id ?? '']).toBe(
      open?.score.status === 'scored' ? Math.round(open.score.score * 100) / 100 : null,
    )
    await sim.webhooks.settled()

    const before = sim.requestCount()
    const second = await runWriteback(p.deps, { sourceId: 'jira-shop', versionId }, signal)
    expect(second).toMatchObject({ changed: 0, written: 0, requests: 0 })
    expect(sim.requestCount()).toBe(before)
  })

  it('restores owned fields edited by hand on the next full sync, and counts them in /metrics', async () => {
    const field = (name: string) => [...sim.state.fields.values()].find((f) => f.name === name)?.id ?? ''
    const [rankField, noteField] = [field('onetrack rank'), field('onetrack note')]
    const version = await latestVersion(p.deps.database.db)
    const [first, second] = version?.roadmap.entries ?? []
    const ticketOf = (epicId: string | undefined) => sim.state.find(epicId?.split(':')[1] ?? '')
    const note = ticketOf(second?.epicId)?.values[noteField]
    sim.state.updateIssue(ticketOf(first?.epicId)?.id ?? '', { fields: { [rankField]: 999 } })
    sim.state.updateIssue(ticketOf(second?.epicId)?.id ?? '', { fields: { [noteField]: 'edited by hand' } })
    await sim.webhooks.settled()
    await p.queues.writeback.obliterate({ force: true })

    const sync = await runSync(p.deps, { sourceId: 'jira-shop', mode: 'full', reason: 'manual' }, signal)
    expect(sync.drifted).toBe(2)
    const drift = await p.deps.metrics.writebackDrift.get()
    expect(drift.values.find((v) => v.labels.source === 'jira-shop')?.value).toBe(2)
    const queued = await p.queues.writeback.getJobs(['waiting', 'delayed'])
    expect(queued.map((j) => j.data)).toEqual([{ sourceId: 'jira-shop', versionId: version?.id }])

    const restore = await runWriteback(p.deps, { sourceId: 'jira-shop', versionId: version?.id ?? 0 }, signal)
    expect(restore).toMatchObject({ changed: 2, written: 2 })
    expect(ticketOf(first?.epicId)?.values[rankField]).toBe(first?.rank)
    expect(ticketOf(second?.epicId)?.values[noteField]).toBe(note)
    await sim.webhooks.settled()
    const again = await runSync(p.deps, { sourceId: 'jira-shop', mode: 'full', reason: 'manual' }, signal)
    expect(again.drifted).toBe(0)
  })

  it('records each ticket as Jira accepts it: a write-back stopped midway leaves the rest in doubt, written whole next time', async () => {
    const rankField = [...sim.state.fields.values()].find((f) => f.name === 'onetrack rank')?.id ?? ''
    const version = await latestVersion(p.deps.database.db)
    const entries = version?.roadmap.entries.filter((e) => e.period !== null).slice(0, 30) ?? []
    const externalId = (epicId: string) => epicId.split(':')[1] ?? ''
    for (const entry of entries)
      sim.state.updateIssue(externalId(entry.epicId), { fields: { [rankField]: 5_000 } })
    await sim.webhooks.settled()
    expect(
      (await runSync(p.deps, { sourceId: 'jira-shop', mode: 'full', reason: 'manual' }, signal)).drifted,
    ).toBe(30)

    // Stopped after a few writes, as a worker that dies or shuts down mid-job.
    const stop = new AbortController()
    const before = sim.requestCount()
    const watch = setInterval(() => {
      if (sim.requestCount() - before >= 6) stop.abort(new Error('stopped midway'))
    }, 1)
    sim.delayNext(30, 20, { route: 'PUT /rest/api/3/issue/:issueIdOrKey' })
    await expect(
      runWriteback(p.deps, { sourceId: 'jira-shop', versionId: version?.id ?? 0 }, stop.signal),
    ).rejects.toThrow()
    clearInterval(watch)
    sim.clearFaults()
    const records = await writtenValues<WriteBackValues>(
      p.deps.database.db,
      'jira-shop',
      entries.map((e) => e.epicId),
    )
    const onTicket = (epicId: string) => sim.state.find(externalId(epicId))?.values[rankField]
    const settled = entries.filter((e) => records.get(e.epicId)?.inDoubt === false)
    expect(settled.length).toBeGreaterThan(0)
    expect(settled.length).toBeLessThan(30)
    for (const entry of settled) expect(onTicket(entry.epicId)).toBe(entry.rank)

    const rest = await runWriteback(p.deps, { sourceId: 'jira-shop', versionId: version?.id ?? 0 }, signal)
    expect(rest.written).toBe(30 - settled.length)
    for (const entry of entries) expect(onTicket(entry.epicId)).toBe(entry.rank)
  })

  it('writes a jump to the top to a handful of tickets, and the rest of the shifted ranks once they settle', async () => {
    const rankField = [...sim.state.fields.values()].find((f) => f.name === 'onetrack rank')?.id ?? ''
    const rankOnTicket = (epicId: string) => sim.state.find(epicId.split(':')[1] ?? '')?.values[rankField]
    const before = await latestVersion(p.deps.database.db)
    const last = before?.roadmap.entries.filter((e) => e.score.status === 'scored').at(-1)
    const valueField = [...sim.state.fields.values()].find((f) => f.name === 'Business Value')?.id ?? ''
    sim.state.updateIssue(last?.epicId.split(':')[1] ?? '', { fields: { [valueField]: 10_000 } })
    await sim.webhooks.settled()
    await runSync(p.deps, { sourceId: 'jira-shop', mode: 'incremental', reason: 'manual' }, signal)
    const build = await runBuild(p.deps, 'test')
    const after = await latestVersion(p.deps.database.db)
    const shifted = after?.roadmap.entries.filter((e) => rankOnTicket(e.epicId) !== e.rank) ?? []

    const jump = await runWriteback(
      p.deps,
      { sourceId: 'jira-shop', versionId: build.versionId ?? 0 },
      signal,
    )

    // Hundreds of epics moved down one place; only the top of the roadmap is rewritten at once.
    expect(shifted.length).toBeGreaterThan(500)
    expect(jump.written).toBeGreaterThan(0)
    expect(jump.written).toBeLessThan(40)
    expect(rankOnTicket(last?.epicId ?? '')).toBe(1)
    for (const entry of after?.roadmap.entries.slice(0, 19) ?? [])
      expect(rankOnTicket(entry.epicId)).toBe(entry.rank)

    p.setNow(new Date(Date.now() + 25 * 3_600_000))
    try {
      const settled = await runWriteback(
        p.deps,
        { sourceId: 'jira-shop', versionId: build.versionId ?? 0 },
        signal,
      )
      expect(settled.written).toBeGreaterThan(500)
      for (const entry of after?.roadmap.entries ?? []) expect(rankOnTicket(entry.epicId)).toBe(entry.rank)
    } finally {
      p.setNow(undefined)
    }
  })

  it('turns a signed webhook into one targeted sync job, and a retried delivery into none', async () => {
    await p.queues.sync.obliterate({ force: true })
    const target = epics[30] as SimIssue
    sim.state.updateIssue(target.id, { summary: 'Renamed by a person' })
    await sim.webhooks.settled()
    const delivery = sim.webhooks.deliveries().at(-1)
    expect(delivery?.statuses).toEqual([202])
    const jobs = await p.queues.sync.getJobs(['waiting', 'delayed'])
    expect(jobs.map((j) => j.data)).toEqual([
      expect.objectContaining({
        sourceId: 'jira-shop',
        mode: 'epic',
        externalId: target.id,
        reason: 'webhook',
      }),
    ])

    await sim.webhooks.replay(delivery?.id ?? '')
    await sim.webhooks.settled()
    expect(await p.queues.sync.getJobs(['waiting', 'delayed'])).toHaveLength(1)
  })

  it('refuses forged and unsigned deliveries and queues nothing', async () => {
    await p.queues.sync.obliterate({ force: true })
    const body = JSON.stringify({
      webhookEvent: 'jira:issue_updated',
      timestamp: Date.now(),
      issue: { id: '1' },
    })
    const forged = createHmac('sha256', 'not-the-secret').update(body).digest('hex')
    for (const headers of [{ 'x-hub-signature': `sha256=${forged}` }, {}]) {
      const res = await p.app.inject({
        method: 'POST',
        url: '/webhooks/jira/jira-shop',
        headers: {
          'content-type': 'application/json',
          'x-atlassian-webhook-identifier': 'forged-1',
          ...headers,
        },
        payload: body,
      })
      expect(res.statusCode).toBe(401)
      expect(res.json().error.code).toBe('ONETRACK_UNAUTHORIZED')
    }
    expect(await p.queues.sync.getJobs(['waiting', 'delayed'])).toEqual([])
  })

  it('answers 404 for a source that is not configured', async () => {
    const res = await p.app.inject({ method: 'POST', url: '/webhooks/jira/nope', payload: '{}' })
    expect(res.statusCode).toBe(404)
  })
})
