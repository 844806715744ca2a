import type { FastifyPluginAsync } from 'fastify'
import { jobNames, type Queues } from '../../jobs/index.ts'
import type { Metrics } from '../../metrics.ts'
import { type Database, unacknowledgedByTeam } from '../../store/index.ts'

const STATES = [
  'waiting',
  'active',
  'delayed',
  'failed',
  'completed',
  'prioritized',
  'waiting-children',
] as const

/** Prometheus text format; queue depth is read from Redis at scrape time. */
export const metricsRoutes: FastifyPluginAsync<{
  metrics: Metrics
  queues: Queues
  /** For the sign-off gauge; without it the gauge is not updated. */
  database?: Database
}> = async (app, { metrics, queues, database }) => {
  app.get(
    '/metrics',
    { schema: { tags: ['operations'], summary: 'Prometheus metrics', hide: false }, logLevel: 'warn' },
    async (request, reply) => {
      await Promise.all(
        jobNames.map(async (name) => {
          try {
            const counts = await queues[name].getJobCounts(...STATES)
            for (const state of STATES) metrics.queueDepth.set({ queue: name, state }, counts[state] ?? 0)
          } catch (error) {
            // Redis down: keep serving the process metrics; /readyz reports the outage.
            request.log.warn({ err: error, queue: name }, 'queue depth unavailable')
          }
        }),
      )
      if (database !== undefined) {
        try {
          const byTeam = await unacknowledgedByTeam(database.db)
          metrics.unacknowledgedDeferrals.reset()
          for (const [team, count] of byTeam) metrics.unacknowledgedDeferrals.set({ team }, count)
        } catch (error) {
          request.log.warn({ err: error }, 'unacknowledged deferrals unavailable')
        }
      }
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics())
    },
  )
}
