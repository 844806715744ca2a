import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import type { OnetrackConfig } from '../../src/config/index.ts'
import { buildApp } from '../../src/http/app.ts'
import { closeQueues, createQueues, type Queues } from '../../src/jobs/index.ts'
import { createMetrics, type Metrics } from '../../src/metrics.ts'
import type { PipelineDeps } from '../../src/pipeline/index.ts'
import { registerSources } from '../../src/store/index.ts'
import { connectorRegistry } from '../../src/trackers/index.ts'
import { type TestDatabase, testDatabase } from './database.ts'
import { capturedLogger } from './logs.ts'
import { dropPrefix, testRedis, uniquePrefix } from './redis.ts'

export interface Pipeline {
  deps: PipelineDeps
  app: FastifyInstance
  /** Where the app listens (for simulators' webhooks). */
  url: string
  queues: Queues
  metrics: Metrics
  redis: Redis
  prefix: string
  db: TestDatabase
  logs: () => string
  /** Moves the clock the handlers and the app see; undefined goes back to the real one. */
  setNow(date: Date | undefined): void
  close(): Promise<void>
}

/**
 * The service as the CLI wires it — real connectors, store, queues and HTTP app — over a migrated
 * test database and a unique queue prefix, with the app listening on a free port. No workers run:
 * tests call the handlers themselves or start a pool.
 */
export async function startPipeline(
  config: OnetrackConfig,
  options: { database?: 'postgres' | 'pglite' } = {},
): Promise<Pipeline> {
  const db = await testDatabase(options.database ?? 'postgres')
  await registerSources(db.database.db, config.sources)
  const redis = testRedis()
  const prefix = uniquePrefix()
  const queues = createQueues({ connection: redis, prefix })
  const { logger, text } = capturedLogger('debug')
  const metrics = createMetrics()
  let now: Date | undefined
  const clock = () => now ?? new Date()
  const deps: PipelineDeps = {
    config,
    database: db.database,
    queues,
    logger,
    metrics,
    connectorFor: connectorRegistry(config.sources, { logger, publicUrl: config.server.publicUrl }),
    now: clock,
  }
  const app = await buildApp({ ...deps, redis, now: clock })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return {
    deps,
    app,
    url,
    queues,
    metrics,
    redis,
    prefix,
    db,
    logs: text,
    setNow(date) {
      now = date
    },
    async close() {
      await app.close()
      await closeQueues(queues)
      await dropPrefix(redis, prefix)
      redis.disconnect()
      await db.dispose()
    },
  }
}
