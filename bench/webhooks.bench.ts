/**
 * Webhook ingestion: signed Jira deliveries through the whole app — rate limit, HMAC check on the
 * raw body, parsing, de-duplication recorded in Postgres and a targeted sync enqueued in Redis
 * (group-committed: what arrives together shares one transaction and one addBulk) — against a bare
 * Fastify POST route that answers 202, in the same run, at each --connections level. Each request carries a
 * fresh body, signature and delivery id (bench/webhook-load.ts), so none is a duplicate; 500
 * distinct issues, so the enqueue coalesces per epic as under a real burst. Then a soak: a
 * steady rate for --minutes, with the server's heap sampled after a forced GC.
 *
 *   node bench/webhooks.bench.ts [--seconds 5] [--rounds 3] [--connections 20,100] [--minutes 1] [--rate 200]
 */
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { promisify } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import Fastify from 'fastify'
import pg from 'pg'
import { parseConfig, Secret } from '../src/config/index.ts'
import { buildApp } from '../src/http/app.ts'
import { closeQueues, createQueues } from '../src/jobs/index.ts'
import { createLogger } from '../src/logger.ts'
import { createMetrics } from '../src/metrics.ts'
import { createRedis } from '../src/redis.ts'
import { migrate, openDatabase, registerSources } from '../src/store/index.ts'
import { connectorRegistry } from '../src/trackers/index.ts'
import { argNumber, argNumbers, median, printTable } from './report.ts'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const run = promisify(execFile)
const seconds = argNumber('seconds', 5)
const rounds = argNumber('rounds', 3)
const connectionLevels = argNumbers('connections', [20])
const minutes = argNumber('minutes', 1)
const rate = argNumber('rate', 200)
const SECRET = 'bench-webhook-secret'
const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

interface Result {
  rps: number
  p50: number
  p99: number
  non2xx: number
}

async function load(url: string, conns: number, secs: number, perSecond?: number): Promise<Result> {
  const args = [join(import.meta.dirname, 'webhook-load.ts'), url, SECRET, String(conns), String(secs)]
  if (perSecond !== undefined) args.push(String(perSecond))
  const { stdout } = await run(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 })
  const r = JSON.parse(stdout) as {
    requests: { average: number }
    latency: { p50: number; p99: number }
    non2xx: number
  }
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx }
}

const bare = Fastify()
bare.post('/webhooks/jira/shop', async (_request, reply) => reply.code(202).send({ status: 'queued' }))

const schema = `bench_${randomUUID().replaceAll('-', '')}`
const database = await openDatabase({
  databaseUrl: new Secret(DATABASE_URL, 'TEST_DATABASE_URL'),
  dataDir: 'unused',
  schema,
  poolSize: 10,
})
await migrate(database)
const redis = createRedis(new Secret(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'REDIS_URL'), 'api')
const prefix = `bench-webhooks-${randomUUID().slice(0, 8)}`
const queues = createQueues({ connection: redis, prefix })
const config = parseConfig(
  `server: { webhookRateLimit: { max: 100000000, windowSeconds: 60 } }
roadmap:
  periods: { quarters: { start: 2027-Q1, count: 4 } }
  teams: [{ id: t, capacity: 1 }]
sources:
  - { id: shop, kind: jira, baseUrl: "http://127.0.0.1:9", email: b@example.com, apiToken: "\${T}", webhookSecret: "\${H}", jql: project = S, team: t }
`,
  'bench.yaml',
  { T: 'bench-token', H: SECRET },
)
await registerSources(database.db, config.sources)
const discard = new Writable({ write: (_c, _e, done) => done() })
const logger = createLogger({ level: 'info', destination: discard })
const metrics = createMetrics()
const app = await buildApp({
  config,
  database,
  redis,
  queues,
  logger,
  metrics,
  connectorFor: connectorRegistry(config.sources, { logger, publicUrl: config.server.publicUrl }),
  now: () => new Date(),
})
const bareUrl = `${await bare.listen({ port: 0, host: '127.0.0.1' })}/webhooks/jira/shop`
const appUrl = `${await app.listen({ port: 0, host: '127.0.0.1' })}/webhooks/jira/shop`

const summary = (runs: Result[]) => ({
  rps: median(runs.map((r) => r.rps)),
  p50: median(runs.map((r) => r.p50)),
  p99: median(runs.map((r) => r.p99)),
  non2xx: runs.reduce((a, r) => a + r.non2xx, 0),
})
const rows = [['connections', 'server', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'ratio to bare']]
for (const connections of connectionLevels) {
  await load(bareUrl, connections, seconds) // warm-up
  await load(appUrl, connections, seconds)
  const bareRuns: Result[] = []
  const appRuns: Result[] = []
  for (let round = 0; round < rounds; round++) {
    bareRuns.push(await load(bareUrl, connections, seconds))
    appRuns.push(await load(appUrl, connections, seconds))
  }
  const b = summary(bareRuns)
  const a = summary(appRuns)
  const row = (server: string, r: typeof a, ratio: string) => [
    String(connections),
    server,
    r.rps.toFixed(0),
    String(r.p50),
    String(r.p99),
    String(r.non2xx),
    ratio,
  ]
  rows.push(row('bare Fastify route (202)', b, '1.00'))
  rows.push(row('onetrack: verify, record, enqueue', a, (a.rps / b.rps).toFixed(2)))
}
const deliveries = await database.db
  .selectFrom('webhook_deliveries')
  .select((eb) => eb.fn.countAll<number>().as('n'))
  .executeTakeFirst()
  .catch(() => null)
const batches = (await metrics.webhookBatchSize.get()).values
const batchCount = batches.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0
const batchSum = batches.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0
printTable(`POST /webhooks/jira/:source, signed, ${rounds} rounds of ${seconds} s per level (medians)`, rows)
console.log(`deliveries per committed batch (mean): ${(batchSum / Math.max(1, batchCount)).toFixed(1)}`)
if (deliveries !== null) console.log(`deliveries recorded: ${(deliveries as { n: number }).n}`)

// Soak: a steady rate, the heap sampled after a GC every tenth of the run.
const samples: Array<{ at: number; heapMb: number; rssMb: number }> = []
const sample = (at: number) => {
  gc()
  const m = process.memoryUsage()
  samples.push({ at, heapMb: m.heapUsed / 1_048_576, rssMb: m.rss / 1_048_576 })
}
sample(0)
const soakSeconds = Math.round(minutes * 60)
const started = Date.now()
const timer = setInterval(() => sample((Date.now() - started) / 1000), (soakSeconds * 1000) / 10)
const soak = await load(appUrl, 10, soakSeconds, rate)
clearInterval(timer)
sample((Date.now() - started) / 1000)
const first = samples[1] ?? samples[0]
const last = samples.at(-1)
printTable(`soak: ${rate} signed deliveries/s for ${minutes} min (heap after GC)`, [
  ['req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'heap MB (first sample → last)', 'RSS MB (first → last)'],
  [
    soak.rps.toFixed(0),
    String(soak.p50),
    String(soak.p99),
    String(soak.non2xx),
    `${first?.heapMb.toFixed(1)} → ${last?.heapMb.toFixed(1)}`,
    `${first?.rssMb.toFixed(0)} → ${last?.rssMb.toFixed(0)}`,
  ],
])
console.log(`heap samples (MB): ${samples.map((s) => s.heapMb.toFixed(1)).join(', ')}`)

await Promise.all([bare.close(), app.close()])
await closeQueues(queues)
let cursor = '0'
do {
  const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
  if (keys.length > 0) await redis.del(...keys)
  cursor = next
} while (cursor !== '0')
redis.disconnect()
await database.close()
const client = new pg.Client({ connectionString: DATABASE_URL })
await client.connect()
await client.query(`drop schema if exists ${schema} cascade`)
await client.end()
