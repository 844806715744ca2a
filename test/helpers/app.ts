import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import type { OnetrackConfig } from '../../src/config/index.ts'
import { buildApp } from '../../src/http/app.ts'
import { closeQueues, createQueues, type Queues } from '../../src/jobs/index.ts'
import type { Logger } from '../../src/logger.ts'
import { createMetrics } from '../../src/metrics.ts'
import { type Database, registerSources } from '../../src/store/index.ts'
import { connectorRegistry } from '../../src/trackers/index.ts'
import { testConfig } from './config.ts'
import { testDatabase } from './database.ts'
import { capturedLogger } from './logs.ts'
import { dropPrefix, testRedis, uniquePrefix } from './redis.ts'

export interface TestApp {
  app: FastifyInstance
  database: Database
  redis: Redis
  queues: Queues
  logs: () => string
  close(): Promise<void>
}

/**
 * The real app on a migrated database (Postgres by default, or PGlite) and the machine's Redis under a unique prefix. `redis` may
 * be replaced (e.g. by one pointing at a closed port) to test outages.
 */
export async function startTestApp(
  options: {
    redis?: Redis
    logger?: Logger
    database?: 'postgres' | 'pglite'
    config?: OnetrackConfig
    now?: () => Date
    /** Adds routes of the test's own before the app is ready. */
    extend?: (app: FastifyInstance) => void
  } = {},
): Promise<TestApp> {
  const captured = capturedLogger()
  const { database, dispose } = await testDatabase(options.database)
  const redis = options.redis ?? testRedis('api')
  const prefix = uniquePrefix()
  const queues = createQueues({ connection: redis, prefix })
  const config = options.config ?? testConfig()
  const logger = options.logger ?? captured.logger
  await registerSources(database.db, config.sources)
  const app = await buildApp({
    config,
    database,
    redis,
    queues,
    logger,
    metrics: createMetrics(),
    connectorFor: connectorRegistry(config.sources, { logger, publicUrl: config.server.publicUrl }),
    now: options.now ?? (() => new Date()),
  })
  options.extend?.(app)
  await app.ready()
  return {
    app,
    database,
    redis,
    queues,
    logs: captured.text,
    async close() {
      await app.close()
      await closeQueues(queues)
      if (redis.status === 'ready') await dropPrefix(redis, prefix)
      redis.disconnect()
      await dispose()
    },
  }
}
