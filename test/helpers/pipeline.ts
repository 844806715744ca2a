import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import type { ChannelOptions } from '../../src/channels/index.ts'
import type { OnetrackConfig } from '../../src/config/index.ts'
import { type AppDeps, buildApp } from '../../src/http/app.ts'
import type { SlackRouteDeps } from '../../src/http/routes/slack.ts'
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
  options: {
    database?: 'postgres' | 'pglite'
    /** Where the app asks Slack (users.info for the report buttons), e.g. the simulator. */
    channels?: ChannelOptions
    /** The app's port (default: any free one). */
    port?: number
  } = {},
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
  // buildApp hands its deps to the Slack routes, channels included.
  const appDeps: AppDeps & Pick<SlackRouteDeps, 'channels'> = {
    ...deps,
    redis,
    now: clock,
    ...(options.channels === undefined ? {} : { channels: options.channels }),
  }
  const app = await buildApp(appDeps)
  const url = await app.listen({ port: options.port ?? 0, host: '127.0.0.1' })
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
