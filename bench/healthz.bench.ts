/**
 * Requests per second of onetrack's GET /healthz (the whole app: plugins, hooks, metrics, auth)
 * against a bare Fastify hello-world in the same run. The load comes from autocannon in a child
 * process, so the server under test has its own core. Rounds alternate bare/app to spread noise.
 *
 *   node bench/healthz.bench.ts [--seconds 5] [--rounds 3] [--connections 20]
 */
import { execFile } from 'node:child_process'
import { Writable } from 'node:stream'
import { promisify } from 'node:util'
import Fastify, { type FastifyInstance } from 'fastify'
import { parseConfig, Secret } from '../src/config/index.ts'
import { buildApp } from '../src/http/app.ts'
import { closeQueues, createQueues } from '../src/jobs/index.ts'
import { createLogger } from '../src/logger.ts'
import { createMetrics } from '../src/metrics.ts'
import { createRedis } from '../src/redis.ts'
import { migrate, openDatabase } from '../src/store/index.ts'
import { connectorRegistry } from '../src/trackers/index.ts'
import { argNumber, median, printTable } from './report.ts'

const run = promisify(execFile)
const seconds = argNumber('seconds', 5)
const rounds = argNumber('rounds', 3)
const connections = argNumber('connections', 20)

async function load(url: string): Promise<number> {
  const { stdout } = await run(
    'node_modules/.bin/autocannon',
    ['--json', '-c', String(connections), '-d', String(seconds), url],
    { maxBuffer: 64 * 1024 * 1024 },
  )
  return (JSON.parse(stdout) as { requests: { average: number } }).requests.average
}

async function listen(app: FastifyInstance): Promise<string> {
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  return `${address}/healthz`
}

const bare = Fastify()
bare.get('/healthz', async () => ({ status: 'ok' }))

const discard = new Writable({ write: (_c, _e, done) => done() })
const database = await openDatabase({ dataDir: 'memory://' })
await migrate(database)
const redis = createRedis(new Secret(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'REDIS_URL'), 'api')
const queues = createQueues({ connection: redis, prefix: 'bench-healthz' })
const config = parseConfig(
  'roadmap:\n  periods: { quarters: { start: 2027-Q1, count: 4 } }\n  teams: [{ id: t, capacity: 1 }]\n',
  'bench.yaml',
  {},
)
const logger = createLogger({ level: 'info', destination: discard })
const app = await buildApp({
  config,
  database,
  redis,
  queues,
  logger,
  metrics: createMetrics(),
  connectorFor: connectorRegistry(config.sources, { logger, publicUrl: config.server.publicUrl }),
  now: () => new Date(),
})

const bareUrl = await listen(bare)
const appUrl = await listen(app)
const bareRps: number[] = []
const appRps: number[] = []
await load(bareUrl) // warm-up: JIT and connection setup
await load(appUrl)
for (let round = 0; round < rounds; round++) {
  bareRps.push(await load(bareUrl))
  appRps.push(await load(appUrl))
}
await Promise.all([bare.close(), app.close()])
await closeQueues(queues)
redis.disconnect()
await database.close()

const b = median(bareRps)
const a = median(appRps)
printTable(`GET /healthz, ${connections} connections, ${rounds} rounds of ${seconds} s (median req/s)`, [
  ['server', 'req/s', 'ratio to bare'],
  ['bare Fastify hello-world', b.toFixed(0), '1.00'],
  ['onetrack app', a.toFixed(0), (a / b).toFixed(2)],
])
