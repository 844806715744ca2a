import rateLimit from '@fastify/rate-limit'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import type { OnetrackConfig } from '../../config/index.ts'
import { OnetrackError } from '../../errors.ts'
import { enqueue, type Queues } from '../../jobs/index.ts'
import type { Database } from '../../store/index.ts'
import { recordDelivery } from '../../store/index.ts'
import type { TrackerConnector } from '../../trackers/types.ts'

export interface WebhookRouteDeps {
  config: OnetrackConfig
  database: Database
  queues: Queues
  connectorFor(sourceId: string): TrackerConnector
  now(): Date
}

const Answer = Type.Object({
  status: Type.Enum(['queued', 'duplicate', 'ignored']),
  deliveryId: Type.String(),
  reason: Type.Optional(Type.String()),
  jobs: Type.Optional(Type.Integer()),
})

/**
 * Tracker webhooks: verify (the connector checks the signature on the raw bytes before parsing),
 * de-duplicate on the tracker's delivery id, enqueue a targeted sync, answer fast. The delivery is
 * recorded in the same transaction as the enqueue succeeds, so a failed enqueue (Redis down) leaves
 * no record and the tracker's retry is processed.
 */
export const webhookRoutes: FastifyPluginAsyncTypebox<WebhookRouteDeps> = async (app, deps) => {
  // Signatures are computed over the exact bytes sent: keep the body as a Buffer, whatever its type.
  // Per source, before the body is read or a signature computed: a flood (or a misconfigured
  // tracker retrying in a loop) costs a counter, not an HMAC and a database transaction. Deliveries
  // for sources that do not exist share one bucket, so random paths cannot grow the counters.
  const { max, windowSeconds } = deps.config.server.webhookRateLimit
  await app.register(rateLimit, {
    max,
    timeWindow: windowSeconds * 1000,
    hook: 'onRequest',
    keyGenerator: (request) => {
      const { kind, sourceId } = request.params as { kind?: string; sourceId?: string }
      const known = deps.config.sources.some((s) => s.id === sourceId && s.kind === kind)
      return known ? `${kind}:${sourceId}` : 'unknown-source'
    },
    errorResponseBuilder: (_request, context) =>
      new OnetrackError(
        'ONETRACK_RATE_LIMITED',
        `more than ${context.max} webhook deliveries in ${windowSeconds} s for this source; retry after ${context.after}`,
      ),
  })

  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))

  app.post(
    '/webhooks/:kind/:sourceId',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Receive a Jira or Linear webhook delivery',
        description:
          'Signed with the source’s webhookSecret (Jira: X-Hub-Signature, Linear: Linear-Signature). 202 when a sync was queued; 200 for a duplicate or an event that needs no sync; 401 when the delivery cannot be verified.',
        params: Type.Object({ kind: Type.Enum(['jira', 'linear']), sourceId: Type.String() }),
        response: { 200: Answer, 202: Answer },
      },
    },
    async (request, reply) => {
      const { kind, sourceId } = request.params
      const source = deps.config.sources.find((s) => s.id === sourceId && s.kind === kind)
      if (source === undefined) throw new OnetrackError('ONETRACK_NOT_FOUND', `no ${kind} source ${sourceId}`)
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
      const outcome = deps
        .connectorFor(source.id)
        .receiveWebhook({ headers: request.headers, rawBody, receivedAt: deps.now() })
      if (outcome.status === 'rejected') {
        request.log.warn({ sourceId, reason: outcome.reason }, 'webhook rejected')
        throw new OnetrackError('ONETRACK_UNAUTHORIZED', `webhook rejected: ${outcome.reason}`)
      }
      const log = request.log.child({ sourceId, deliveryId: outcome.deliveryId, event: outcome.event })
      if (outcome.status === 'ignored') {
        // Nothing to do, so nothing to record: a retry of it is ignored again. Most of these are
        // the echoes of onetrack's own write-back, which arrive by the thousand after a rank shift.
        log.debug({ reason: outcome.reason }, 'webhook ignored')
        return reply
          .code(200)
          .send({ status: 'ignored', deliveryId: outcome.deliveryId, reason: outcome.reason })
      }
      const result = await deps.database.db.transaction().execute(async (trx) => {
        const seen = await recordDelivery(trx, {
          sourceId,
          deliveryId: outcome.deliveryId,
          event: outcome.event,
        })
        if (seen === 'duplicate') return { duplicate: true, jobs: 0 }
        for (const externalId of outcome.externalIds) {
          await enqueue(deps.queues, 'sync', {
            sourceId,
            mode: 'epic',
            externalId,
            reason: 'webhook',
            deliveryId: outcome.deliveryId,
          })
        }
        return { duplicate: false, jobs: outcome.externalIds.length }
      })
      if (result.duplicate) {
        log.info('duplicate webhook delivery')
        return reply.code(200).send({ status: 'duplicate', deliveryId: outcome.deliveryId })
      }
      log.info({ jobs: result.jobs }, 'webhook queued')
      return reply.code(202).send({ status: 'queued', deliveryId: outcome.deliveryId, jobs: result.jobs })
    },
  )
}
