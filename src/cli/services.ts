import type { Redis } from 'ioredis'
import { createHandlers } from '../../workers/handlers.ts'
import { ensureReportSchedules } from '../../workers/report-schedules.ts'
import { startWorkerPool, type WorkerPool } from '../../workers/runtime.ts'
import type { Environment, OnetrackConfig } from '../config/index.ts'
import { closeQueues, createQueues, ensureSchedules, type Queues } from '../jobs/index.ts'
import { createLogger, type Logger } from '../logger.ts'
import { createMetrics, type Metrics } from '../metrics.ts'
import { createRedis, throttledErrorLog } from '../redis.ts'
import { type Database, migrate, openDatabase, registerSources } from '../store/index.ts'
import { connectorRegistry, type TrackerConnector } from '../trackers/index.ts'
import { clockOf } from './command.ts'
import { waitForDependencies } from './startup.ts'

/** Everything a long-running command needs, opened in order and closed in reverse. */
export interface Services {
  purpose: 'api' | 'worker'
  env: Environment
  config: OnetrackConfig
  logger: Logger
  metrics: Metrics
  database: Database
  redis: Redis
  queues: Queues
  /** The connector of each configured source, shared by the webhook route and the workers. */
  connectorFor(sourceId: string): TrackerConnector
  now(): Date
  close(): Promise<void>
}

export async function openServices(
  env: Environment,
  config: OnetrackConfig,
  purpose: 'api' | 'worker',
  logger = createLogger({ level: env.logLevel }),
): Promise<Services> {
  await waitForDependencies(env, { database: true, redis: true }, (line) => logger.warn(line))
  const database = await openDatabase({ databaseUrl: env.databaseUrl, dataDir: env.dataDir })
  try {
    const { applied } = await migrate(database)
    if (applied.length > 0) logger.info({ migrations: applied.map((m) => m.name) }, 'database migrated')
  } catch (error) {
    await database.close()
    throw error
  }
  await registerSources(database.db, config.sources)
  const redis = createRedis(env.redisUrl, purpose)
  const connectionLog = throttledErrorLog(logger, 'queue connection error')
  redis.on('ready', () => connectionLog.restored())
  const queues = createQueues({
    connection: redis,
    prefix: env.queuePrefix,
    onError: (err, queue) => connectionLog.error(err, { queue }),
  })
  return {
    purpose,
    env,
    config,
    logger,
    metrics: createMetrics(),
    database,
    redis,
    queues,
    connectorFor: connectorRegistry(config.sources, { logger, publicUrl: config.server.publicUrl }),
    // ONETRACK_NOW or a command's --as-of: the whole pipeline runs at that date.
    now: clockOf(env),
    async close() {
      await closeQueues(queues).catch(() => {})
      redis.disconnect()
      await database.close()
    },
  }
}

/**
 * Starts every queue's worker on a connection of its own (workers block on Redis; the API's
 * connection fails fast instead).
 */
export async function startWorkers(services: Services): Promise<WorkerPool & { close(): Promise<void> }> {
  const connection = purposeConnection(services)
  const schedules = [
    ...(await ensureSchedules(services.queues, services.config)),
    ...(await ensureReportSchedules(services.queues, services.config)),
  ]
  services.logger.info({ schedules }, 'schedules in place')
  const pool = await startWorkerPool({
    connection,
    prefix: services.env.queuePrefix,
    handlers: createHandlers(services),
    logger: services.logger,
    metrics: services.metrics,
    ...(services.env.jobLockMs === undefined ? {} : { lockDurationMs: services.env.jobLockMs }),
    ...(services.env.jobStalledCheckMs === undefined
      ? {}
      : { stalledCheckMs: services.env.jobStalledCheckMs }),
  })
  return {
    ...pool,
    async close() {
      await pool.close()
      if (connection !== services.redis) connection.disconnect()
    },
  }
}

function purposeConnection(services: Services): Redis {
  return services.purpose === 'worker' ? services.redis : createRedis(services.env.redisUrl, 'worker')
}

/** Runs `stop` once on the first SIGTERM or SIGINT; a second signal exits at once. */
export function onShutdown(logger: Logger, stop: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false
    const handle = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now')
        process.exit(1)
      }
      stopping = true
      logger.info({ signal }, 'shutting down')
      stop().then(
        () => resolve(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed')
          resolve(1)
        },
      )
    }
    process.on('SIGTERM', handle)
    process.on('SIGINT', handle)
  })
}
