import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/index.ts'
import { enqueue } from '../../src/jobs/index.ts'
import { type DemoTrackers, HISTORY_STEPS } from '../../src/sandbox/demo/trackers.ts'
import { latestVersion, loadLedger } from '../../src/store/index.ts'
import { createHandlers } from '../../workers/handlers.ts'
import { startWorkerPool, type WorkerPool } from '../../workers/runtime.ts'
import { queuesIdle, startTestDemoTrackers, demoVars as vars } from '../helpers/demo.ts'
import { type Pipeline, startPipeline } from '../helpers/pipeline.ts'
import { dropPrefix, testRedis } from '../helpers/redis.ts'

let trackers: DemoTrackers
let p: Pipeline
let pool: WorkerPool
const workerRedis = testRedis()

const idle = () => queuesIdle(p.queues)

async function startWorkers() {
  pool = await startWorkerPool({
    connection: workerRedis,
    prefix: p.prefix,
    handlers: createHandlers(p.deps),
    logger: p.deps.logger,
    metrics: p.metrics,
    shutdownGraceMs: 2_000,
  })
}

function jiraValue(ref: string, field: string): unknown {
  const issue = trackers.jira.state.find(trackers.trackerId(ref) ?? '')
  const id = [...trackers.jira.state.fields.values()].find((f) => f.name === field)?.id ?? ''
  return issue?.values[id]
}

beforeAll(async () => {
  trackers = await startTestDemoTrackers()
  trackers.applyStep(HISTORY_STEPS.length)
  const config = loadConfig('config/demo.yaml', {
    ...vars,
    DEMO_JIRA_URL: trackers.jiraUrl,
    DEMO_LINEAR_URL: trackers.linearUrl,
  })
  p = await startPipeline({
    ...config,
    sources: config.sources.map((s) => ({ ...s, requestsPerSecond: 500 })),
  })
  trackers.jira.webhooks.configure({
    url: `${p.url}/webhooks/jira/jira-shop`,
    secret: vars.DEMO_JIRA_WEBHOOK_SECRET ?? '',
    retryDelaysMs: [],
  })
  trackers.linear.webhooks.configure({
    url: `${p.url}/webhooks/linear/linear-platform`,
    secret: vars.DEMO_LINEAR_WEBHOOK_SECRET ?? '',
  })
  await startWorkers()
  for (const sourceId of ['jira-shop', 'linear-platform']) {
    await enqueue(p.queues, 'sync', { sourceId, mode: 'full', reason: 'manual' })
  }
  await idle()
})

afterAll(async () => {
  await pool.close()
  workerRedis.disconnect()
  await p.close()
  await trackers.close()
})

describe('the pipeline end to end', () => {
  it('synced both trackers, built once and wrote the values to the tickets', async () => {
    const version = await latestVersion(p.deps.database.db)
    expect(version?.roadmap.entries.length).toBeGreaterThan(50)
    const top = version?.roadmap.entries.find((e) => e.source === 'jira-shop' && e.score.status === 'scored')
    const issue = trackers.jira.state.find(top?.epicId.split(':')[1] ?? '')
    const rankField = [...trackers.jira.state.fields.values()].find((f) => f.name === 'onetrack rank')
    expect(issue?.values[rankField?.id ?? '']).toBe(top?.rank)
  })

  it('plans work blocked from the other tracker no earlier than its blocker', async () => {
    const version = await latestVersion(p.deps.database.db)
    const roadmap = version?.roadmap
    const periods = roadmap?.periods.map((period) => period.id) ?? []
    const byId = new Map(roadmap?.entries.map((e) => [e.epicId, e]))
    const sourceOf = (id: string) => id.slice(0, id.indexOf(':'))
    const crossed = (roadmap?.entries ?? []).filter((e) => e.blockers.some((b) => sourceOf(b) !== e.source))
    // Declared in both trackers, in both directions: Linear projects holding Jira epics back (the
    // Jira field, a "Blocks" link), and a Jira epic holding the event bus back ("Depends on").
    expect(new Set(crossed.map((e) => e.source))).toEqual(new Set(['jira-shop', 'linear-platform']))
    const region = byId.get(`jira-shop:${trackers.trackerId('SHOP-MULTIREGION')}`)
    expect(region?.blockers).toContain(`linear-platform:${trackers.trackerId('PLAT-FAILOVER')}`)
    const bus = byId.get(`linear-platform:${trackers.trackerId('PLAT-EVENTS')}`)
    expect(bus?.blockers).toContain(`jira-shop:${trackers.trackerId('GROW-013')}`)
    let checked = 0
    for (const entry of crossed) {
      if (entry.period === null) continue
      for (const blockerId of entry.blockers) {
        const blocker = byId.get(blockerId)
        const last = blocker?.spans.at(-1)?.period ?? null
        expect(last).not.toBeNull()
        expect(periods.indexOf(entry.period)).toBeGreaterThanOrEqual(periods.indexOf(last ?? ''))
        checked += 1
      }
    }
    expect(checked).toBeGreaterThan(0)
    expect(roadmap?.problems.filter((problem) => problem.includes('not a synced epic'))).toEqual([])
  })

  it('turns 50 webhooks in one second into one or two builds', async () => {
    const before = await p.queues.build.getCompletedCount()
    const open = trackers.epics.filter((e) => e.tracker === 'jira' && e.doneAt === undefined).slice(0, 50)
    const started = Date.now()
    for (const epic of open) {
      trackers.jira.state.updateIssue(trackers.trackerId(epic.ref) ?? '', {
        summary: `${epic.title} (reviewed)`,
      })
    }
    expect(Date.now() - started).toBeLessThan(1_000)
    await trackers.jira.webhooks.settled()
    await idle()
    const builds = (await p.queues.build.getCompletedCount()) - before
    expect(builds).toBeGreaterThanOrEqual(1)
    expect(builds).toBeLessThanOrEqual(2)
  })

  it('writes a new score back to both trackers after an edited value arrives by webhook', async () => {
    // A Jira epic waits for a Linear platform project (a cross-tracker link). Raising the Jira
    // epic's value raises what the Linear project unblocks: both get new scores on their tickets.
    const before = await latestVersion(p.deps.database.db)
    const entries = before?.roadmap.entries ?? []
    const waiting = entries.find(
      (e) => e.source === 'jira-shop' && e.blockers.some((b) => b.startsWith('linear-platform:')),
    )
    const blockerId = waiting?.blockers.find((b) => b.startsWith('linear-platform:'))
    const blockerBefore = entries.find((e) => e.epicId === blockerId)
    expect(blockerBefore, 'the demo has a Jira epic blocked by a Linear project').toBeDefined()
    const externalId = waiting?.epicId.split(':')[1] ?? ''
    const linearWrites = trackers.linear.requestCount()
    trackers.jira.state.updateIssue(externalId, { fields: { [trackers.scoringFields.value.id]: 1000 } })
    await trackers.jira.webhooks.settled()
    await idle()

    const after = await latestVersion(p.deps.database.db)
    expect(after?.id).not.toBe(before?.id)
    const entry = after?.roadmap.entries.find((e) => e.epicId === waiting?.epicId)
    expect(entry?.rank).toBe(1)
    const scoreOf = (e: typeof entry) =>
      e?.score.status === 'scored' ? Math.round(e.score.score * 100) / 100 : null
    const issue = trackers.jira.state.find(externalId)
    const field = (name: string) =>
      [...trackers.jira.state.fields.values()].find((f) => f.name === name)?.id ?? ''
    expect(issue?.values[field('onetrack score')]).toBe(scoreOf(entry))
    expect(issue?.values[field('onetrack rank')]).toBe(1)

    const blocker = after?.roadmap.entries.find((e) => e.epicId === blockerId)
    expect(scoreOf(blocker)).toBeGreaterThan(scoreOf(blockerBefore) ?? 0)
    expect(trackers.linear.requestCount()).toBeGreaterThan(linearWrites)
    const written = await p.deps.database.db
      .selectFrom('writeback_state')
      .select('fields')
      .where('epic_id', '=', blockerId ?? '')
      .executeTakeFirst()
    expect((written?.fields as { score: number } | undefined)?.score).toBe(scoreOf(blocker))
    const metrics = await p.metrics.registry.getSingleMetricAsString('onetrack_webhook_to_writeback_seconds')
    expect(metrics).toMatch(/onetrack_webhook_to_writeback_seconds_count\{source="jira-shop"\} [1-9]/)
  })

  it('heals from a Redis that lost its queues on the next reconcile, with nothing lost from the store', async () => {
    const ledgerBefore = (await loadLedger(p.deps.database.db)).length
    await pool.close()
    await dropPrefix(p.redis, p.prefix)
    // A change made while the queues are gone, whose webhook is lost too.
    trackers.jira.webhooks.configure(null)
    const valueField = trackers.scoringFields.value.id
    trackers.jira.state.updateIssue(trackers.trackerId('SHOP-TRACKING') ?? '', {
      fields: { [valueField]: 90 },
    })
    await startWorkers()
    // What the reconcile schedule enqueues every few minutes.
    await enqueue(p.queues, 'sync', { sourceId: 'jira-shop', mode: 'incremental', reason: 'schedule' })
    await idle()
    const version = await latestVersion(p.deps.database.db)
    const entry = version?.roadmap.entries.find((e) =>
      e.epicId.endsWith(`:${trackers.trackerId('SHOP-TRACKING')}`),
    )
    const score = entry?.score.status === 'scored' ? Math.round(entry.score.score * 100) / 100 : null
    expect(jiraValue('SHOP-TRACKING', 'onetrack score')).toBe(score)
    expect((await loadLedger(p.deps.database.db)).length).toBeGreaterThanOrEqual(ledgerBefore)
  })
})
