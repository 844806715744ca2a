import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Redis } from 'ioredis'
import Type from 'typebox'
import { isOnetrackError } from '../../errors.ts'
import { pingRedis } from '../../redis.ts'
import type { Database } from '../../store/index.ts'

const Check = Type.Object({ ok: Type.Boolean(), error: Type.Optional(Type.String()) })
const Readiness = Type.Object({
  ready: Type.Boolean(),
  checks: Type.Object({ database: Check, redis: Check }),
})

/** Liveness says the process answers; readiness says it can do its work (database and Redis reachable). */
export const healthRoutes: FastifyPluginAsyncTypebox<{ database: Database; redis: Redis }> = async (
  app,
  { database, redis },
) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process is up',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
      logLevel: 'warn',
    },
    async () => ({ status: 'ok' as const }),
  )

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: the database and Redis answer (503 otherwise)',
        response: { 200: Readiness, 503: Readiness },
      },
      logLevel: 'warn',
    },
    async (_request, reply) => {
      const [db, queue] = await Promise.all([check(() => database.ping()), check(() => pingRedis(redis))])
      const ready = db.ok && queue.ok
      return reply.code(ready ? 200 : 503).send({ ready, checks: { database: db, redis: queue } })
    },
  )
}

async function check(probe: () => Promise<void>): Promise<{ ok: boolean; error?: string }> {
  try {
    await probe()
    return { ok: true }
  } catch (error) {
    return { ok: false, error: isOnetrackError(error) ? error.message : 'unreachable' }
  }
}
