import { readFileSync } from 'node:fs'
import { parseEnv } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/index.ts'
import { enqueue, jobNames } from '../../src/jobs/index.ts'
import { type DemoTrackers, HISTORY_STEPS, startDemoTrackers } from '../../src/sandbox/demo/trackers.ts'
import { latestVersion, loadLedger } from '../../src/store/index.ts'
import { createHandlers } from '../../workers/handlers.ts'
import { startWorkerPool, type WorkerPool } from '../../workers/runtime.ts'
import { type Pipeline, startPipeline } from '../helpers/pipeline.ts'
import { dropPrefix, testRedis } from '../helpers/redis.ts'

const vars = parseEnv(readFileSync('config/demo.env', 'utf8'))
let trackers: DemoTrackers
let p: Pipeline
let pool: WorkerPool
const workerRedis = testRedis()

/** Waits until no job of any queue is waiting, delayed or running, twice in a row. */
async function idle(): Promise<void> {
  let quiet = 0
  const deadline = Date.now() + 60_000
  while (quiet < 2) {
    if (Date.now() > deadline) throw new Error('the pipeline did not settle within a minute')
    await new Promise((r) => setTimeout(r, 300))
    const counts = await Promise.all(
      jobNames.map((n) => p.queues[n].getJobCounts('waiting', 'active', 'delayed', 'prioritized')),
    )
    const busy = counts.reduce((sum, c) => sum + Object.values(c).reduce((a, b) => a + b, 0), 0)
    quiet = busy === 0 ? quiet + 1 : 0
  }
}

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
  trackers = await startDemoTrackers({
    jiraEmail: 'onetrack-bot@acme.example',
    jiraToken: vars.DEMO_JIRA_API_TOKEN ?? '',
    jiraWebhookSecret: vars.DEMO_JIRA_WEBHOOK_SECRET ?? '',
    linearApiKey: vars.DEMO_LINEAR_API_KEY ?? '',
    linearWebhookSecret: vars.DEMO_LINEAR_WEBHOOK_SECRET ?? '',
  })
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
    // The lowest-ranked scored Jira epic jumps to the top: every epic ranked above it, in Jira and
    // in Linear, moves down one place and gets its new rank written back.
    const before = await latestVersion(p.deps.database.db)
    const entries = before?.roadmap.entries ?? []
    const last = entries.filter((e) => e.source === 'jira-shop' && e.score.status === 'scored').at(-1)
    const linearAbove = entries.find((e) => e.source === 'linear-platform' && e.rank < (last?.rank ?? 0))
    const externalId = last?.epicId.split(':')[1] ?? ''
    const linearWrites = trackers.linear.requestCount()
    trackers.jira.state.updateIssue(externalId, { fields: { [trackers.scoringFields.value.id]: 1000 } })
    await trackers.jira.webhooks.settled()
    await idle()

    const after = await latestVersion(p.deps.database.db)
    expect(after?.id).not.toBe(before?.id)
    const entry = after?.roadmap.entries.find((e) => e.epicId === last?.epicId)
    expect(entry?.rank).toBe(1)
    const score = entry?.score.status === 'scored' ? Math.round(entry.score.score * 100) / 100 : null
    const issue = trackers.jira.state.find(externalId)
    const field = (name: string) =>
      [...trackers.jira.state.fields.values()].find((f) => f.name === name)?.id ?? ''
    expect(issue?.values[field('onetrack score')]).toBe(score)
    expect(issue?.values[field('onetrack rank')]).toBe(1)
    expect(linearAbove).toBeDefined()
    const moved = after?.roadmap.entries.find((e) => e.epicId === linearAbove?.epicId)
    expect(moved?.rank).toBe((linearAbove?.rank ?? 0) + 1)
    expect(trackers.linear.requestCount()).toBeGreaterThan(linearWrites)
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
