/**
 * Webhook-to-written-back latency of the whole pipeline — Jira edit → signed webhook → targeted
 * sync → build → write-back visible on the ticket — with 10,000 epics on the roadmap: for single
 * edits one at a time, and under a steady load of edits per second; plus builds per minute under
 * that load. Real Postgres and Redis, the Jira simulator, the API and the workers in this process.
 *
 *   node bench/pipeline-latency.bench.ts [--epics 10000] [--singles 15] [--rate 100] [--seconds 20]
 */
import { stringify } from 'yaml'
import { parseConfig, Secret } from '../src/config/index.ts'
import { enqueue, jobNames } from '../src/jobs/index.ts'
import { createRedis } from '../src/redis.ts'
import { addScoringFields, createJiraSimulator, seedEpics } from '../src/sandbox/jira/index.ts'
import { loadLedger } from '../src/store/index.ts'
import { startPipeline } from '../test/helpers/pipeline.ts'
import { createHandlers } from '../workers/handlers.ts'
import { startWorkerPool } from '../workers/runtime.ts'
import { jiraCompany } from './jira-company.ts'
import { argNumber, percentile, printTable } from './report.ts'

const epicCount = argNumber('epics', 10_000)
const singles = argNumber('singles', 15)
const rate = argNumber('rate', 100)
const seconds = argNumber('seconds', 20)
const TOKEN = 'bench-token'
const SECRET = 'bench-secret'

const sim = createJiraSimulator({ account: { apiToken: TOKEN } })
const fields = addScoringFields(sim.state)
const seeded = seedEpics(sim.state, fields, { count: epicCount, projects: ['SHOP', 'PAY'] })
// Edits go to open epics: done ones are not on the roadmap, so nothing would be written back.
const issues = seeded.filter((issue) => sim.state.statuses.get(issue.statusId)?.category !== 'done')
const simUrl = await sim.listen()
const config = parseConfig(
  stringify(
    jiraCompany({
      simUrl,
      email: sim.account.email,
      jql: 'project in (SHOP, PAY)',
      writeBack: { createFields: true },
    }),
  ),
  'bench.yaml',
  { TOKEN, SECRET },
)
const p = await startPipeline(config)
const workerRedis = createRedis(
  new Secret(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'REDIS_URL'),
  'worker',
)
const pool = await startWorkerPool({
  connection: workerRedis,
  prefix: p.prefix,
  handlers: createHandlers(p.deps),
  logger: p.deps.logger,
  metrics: p.metrics,
  concurrency: { sync: 8 },
})
sim.webhooks.configure({ url: `${p.url}/webhooks/jira/jira-shop`, secret: SECRET, retryDelaysMs: [] })

/** Nothing queued in onetrack, and no webhook (the echoes of its own writes included) still to arrive. */
async function idle(): Promise<void> {
  await sim.webhooks.settled()
  let quiet = 0
  while (quiet < 2) {
    await new Promise((r) => setTimeout(r, 200))
    let busy = 0
    for (const name of jobNames) {
      const c = await p.queues[name].getJobCounts('waiting', 'active', 'delayed', 'prioritized')
      busy += Object.values(c).reduce((a, b) => a + b, 0)
    }
    quiet = busy === 0 ? quiet + 1 : 0
  }
}

const scoreField = () => [...sim.state.fields.values()].find((f) => f.name === 'onetrack score')?.id ?? ''
const started = performance.now()
await enqueue(p.queues, 'sync', { sourceId: 'jira-shop', mode: 'full', reason: 'manual' })
await idle()
console.log(
  `initial sync, build and write-back of ${epicCount} epics: ${((performance.now() - started) / 1000).toFixed(1)} s`,
)

interface Pending {
  issue: (typeof issues)[number]
  field: string
  before: unknown
  t0: number
  timeoutMs: number
  resolve(ms: number | null): void
}
/** Edits waiting for their new score: one poller for all of them, so measuring costs next to nothing. */
const pending = new Set<Pending>()
const poller = setInterval(() => {
  const now = performance.now()
  for (const w of pending) {
    if (w.issue.values[w.field] !== w.before) w.resolve(now - w.t0)
    else if (now - w.t0 > w.timeoutMs) w.resolve(null)
    else continue
    pending.delete(w)
  }
}, 5)

/**
 * Edits one epic's Business Value one step along its 1–10 scale (as a person re-rating it would) and
 * resolves with the ms until its new score is on the ticket (or null).
 */
function edit(index: number, timeoutMs: number): Promise<number | null> {
  const issue = issues[index % issues.length]
  if (issue === undefined) return Promise.resolve(null)
  const field = scoreField()
  const before = issue.values[field]
  const current = Number(issue.values[fields.value.id] ?? 1)
  const t0 = performance.now()
  sim.state.updateIssue(issue.id, { fields: { [fields.value.id]: 1 + (current % 10) } })
  return new Promise((resolve) => pending.add({ issue, field, before, t0, timeoutMs, resolve }))
}

const single: number[] = []
const singlesStartedAt = Date.now()
for (let i = 0; i < singles; i++) {
  const ms = await edit(37 * i + 11, 60_000)
  if (ms !== null) single.push(ms)
  await idle()
}

/**
 * Median time a queue's jobs spent running (ms) and waiting before they ran, from BullMQ's own
 * timestamps, for the jobs started between two instants.
 */
async function jobMillis(name: 'sync' | 'build' | 'writeback', from: number, to = Infinity): Promise<string> {
  const jobs = await p.queues[name].getJobs(['completed'], 0, 5_000)
  const ran = jobs.filter(
    (j) => (j.processedOn ?? 0) >= from && (j.processedOn ?? 0) < to && j.finishedOn !== undefined,
  )
  const running = ran.map((j) => (j.finishedOn ?? 0) - (j.processedOn ?? 0))
  const waiting = ran.map((j) => (j.processedOn ?? 0) - j.timestamp)
  return `${ran.length} × ${percentile(running, 50).toFixed(0)} (waited ${percentile(waiting, 50).toFixed(0)})`
}
// Read now: the load's jobs would push these out of the completed lists BullMQ keeps.
const singleJobs = [
  ['sync', 'build', 'writeback'],
  [
    await jobMillis('sync', singlesStartedAt),
    await jobMillis('build', singlesStartedAt),
    await jobMillis('writeback', singlesStartedAt),
  ],
]

const buildsBefore = await p.queues.build.getCompletedCount()
const loadStarted = performance.now()
const loadStartedAt = Date.now()
const edits: Array<Promise<number | null>> = []
// --trace: queue depths every 5 s during the load, to see where a backlog builds up.
const tracer = process.argv.includes('--trace')
  ? setInterval(async () => {
      const depth = await Promise.all(
        jobNames.map(
          async (n) =>
            `${n} ${(await p.queues[n].getWaitingCount()) + (await p.queues[n].getDelayedCount())}`,
        ),
      )
      console.log(
        `${((performance.now() - loadStarted) / 1000).toFixed(0)} s: ${depth.join(', ')}; waiting edits ${pending.size}; webhooks in flight ${sim.webhooks.pending()}`,
      )
    }, 5_000)
  : undefined
const total = rate * seconds
for (let i = 0; i < total; i++) {
  const due = loadStarted + (i * 1000) / rate
  const wait = due - performance.now()
  if (wait > 0) await new Promise((r) => setTimeout(r, wait))
  edits.push(edit(7919 * i + 101, 180_000))
}
const loaded = (await Promise.all(edits).finally(() => clearInterval(tracer))).filter(
  (ms): ms is number => ms !== null,
)
await idle()
// From the first edit until everything is written back and the pipeline is idle again.
const loadMinutes = (performance.now() - loadStarted) / 60_000
const builds = (await p.queues.build.getCompletedCount()) - buildsBefore

const row = (name: string, values: number[], of: number) => [
  name,
  `${values.length}/${of}`,
  percentile(values, 50).toFixed(0),
  percentile(values, 95).toFixed(0),
  percentile(values, 99).toFixed(0),
]
printTable(`Webhook to written back, ${epicCount} epics on the roadmap (ms)`, [
  ['edits', 'written back', 'p50', 'p95', 'p99'],
  row('single edits, one at a time', single, singles),
  row(`${rate} edits/s for ${seconds} s`, loaded, total),
])
printTable('Jobs of the single edits (count × median ms running, and waiting before)', singleJobs)
printTable('Jobs under that load (count × median ms running, and waiting before)', [
  ['sync', 'build', 'writeback', 'ledger events'],
  [
    await jobMillis('sync', loadStartedAt),
    await jobMillis('build', loadStartedAt),
    await jobMillis('writeback', loadStartedAt),
    String((await loadLedger(p.deps.database.db)).length),
  ],
])
printTable('Builds under that load', [
  ['builds', 'minutes', 'builds per minute'],
  [String(builds), loadMinutes.toFixed(2), (builds / loadMinutes).toFixed(1)],
])

clearInterval(poller)
await pool.close()
workerRedis.disconnect()
await p.close()
await sim.close()
