import { createHash } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import type { OnetrackConfig, SourceConfig } from '../../config/index.ts'
import { OnetrackError } from '../../errors.ts'
import type { Queues } from '../../jobs/index.ts'
import type { Metrics } from '../../metrics.ts'
import type { Database } from '../../store/index.ts'
import type { TrackerConnector, WebhookRejection } from '../../trackers/types.ts'
import { DeliveryIngest } from '../webhook-ingest.ts'
import { WindowCounters } from '../webhook-limits.ts'
import { RejectionLog, type RejectionReason } from '../webhook-rejections.ts'

export interface WebhookRouteDeps {
  config: OnetrackConfig
  database: Database
  queues: Queues
  metrics: Metrics
  connectorFor(sourceId: string): TrackerConnector
  now(): Date
}

const Answer = Type.Object({
  status: Type.Enum(['queued', 'duplicate', 'ignored']),
  deliveryId: Type.String(),
  reason: Type.Optional(Type.String()),
  jobs: Type.Optional(Type.Integer()),
})

/** The metrics and log label of requests whose path names no configured source. */
const UNKNOWN_SOURCE = 'unknown'

/**
 * The refusals that count against the client address. A correctly signed delivery refused as
 * stale or malformed does not: it comes from the tracker (late, or with a skewed clock), and a
 * 429 would only make the tracker send it again.
 */
const UNAUTHENTICATED = new Set<RejectionReason>(['unknown_source', 'no_secret', 'unsigned', 'bad_signature'])

/**
 * Tracker webhooks: verify (the connector checks the signature on the raw bytes before parsing),
 * de-duplicate on the tracker's delivery id and on the body, enqueue a targeted sync, answer fast.
 * Deliveries are recorded and their syncs queued in group-committed batches (DeliveryIngest), each
 * answered once its batch is committed; a failed enqueue (Redis down) leaves no record, so the
 * tracker's retry is processed.
 *
 * Two limits, per API process. A source's budget counts verified deliveries only, charged after
 * verification, so no amount of unsigned traffic refuses a signed delivery. Requests that fail
 * authentication (no such source, no or a wrong signature) count per client address instead and,
 * over that limit, are answered 429 rather than 401; a plausibly signed request is still verified
 * whatever its address has sent.
 */
export const webhookRoutes: FastifyPluginAsyncTypebox<WebhookRouteDeps> = async (app, deps) => {
  const { max, windowSeconds, unverifiedPerAddress } = deps.config.server.webhookRateLimit
  const perSource = new WindowCounters({ max, windowMs: windowSeconds * 1000 })
  const perAddress = new WindowCounters({ max: unverifiedPerAddress, windowMs: windowSeconds * 1000 })
  const rejections = new RejectionLog({
    logger: app.log,
    counter: deps.metrics.webhookRejections,
    intervalMs: windowSeconds * 1000,
  })
  const ingest = new DeliveryIngest({
    database: deps.database,
    queues: deps.queues,
    batchSizes: deps.metrics.webhookBatchSize,
  })
  app.addHook('onClose', async () => {
    rejections.close()
    await ingest.close()
  })

  for (const source of deps.config.sources.filter((s) => s.allowUnsigned)) {
    app.log.warn(
      { sourceId: source.id },
      `source ${source.id} takes unsigned webhooks (allowUnsigned: true): anyone who can reach /webhooks/${source.kind}/${source.id} can queue syncs; give it a webhookSecret instead`,
    )
  }

  /**
   * Refuses a request: counted, logged sampled, and, when it failed authentication, 429 once its
   * address is over the limit.
   */
  function refuse(
    request: FastifyRequest,
    reply: FastifyReply,
    source: string,
    rejection: { kind: RejectionReason; reason: string },
    error: OnetrackError,
  ): never {
    const address = UNAUTHENTICATED.has(rejection.kind) ? perAddress.hit(request.ip) : undefined
    if (address?.limited) {
      rejections.record(source, 'address_limit', { message: rejection.reason, address: request.ip })
      void reply.header('retry-after', String(address.retryAfterSeconds))
      throw new OnetrackError(
        'ONETRACK_RATE_LIMITED',
        `more than ${unverifiedPerAddress} unverified webhook requests in ${windowSeconds} s from this address; retry after ${address.retryAfterSeconds} s`,
      )
    }
    rejections.record(source, rejection.kind, { message: rejection.reason, address: request.ip })
    throw error
  }

  const unauthorized = (rejection: WebhookRejection) =>
    new OnetrackError('ONETRACK_UNAUTHORIZED', `webhook rejected: ${rejection.reason}`)

  function sourceOf(params: unknown): SourceConfig | undefined {
    const { kind, sourceId } = (params ?? {}) as { kind?: string; sourceId?: string }
    return deps.config.sources.find((s) => s.id === sourceId && s.kind === kind)
  }

  // Before the body is read: what the path and the headers tell. A request refused here costs
  // no body, no HMAC and no database.
  app.addHook('onRequest', async (request, reply) => {
    const source = sourceOf(request.params)
    if (source === undefined) {
      const { kind, sourceId } = (request.params ?? {}) as { kind?: string; sourceId?: string }
      const reason = `no ${kind} source ${sourceId}`
      refuse(
        request,
        reply,
        UNKNOWN_SOURCE,
        { kind: 'unknown_source', reason },
        new OnetrackError('ONETRACK_NOT_FOUND', reason),
      )
    }
    const screened = deps.connectorFor(source.id).screenWebhook(request.headers)
    if (screened !== null) refuse(request, reply, source.id, screened, unauthorized(screened))
  })

  // Signatures are computed over the exact bytes sent: keep the body as a Buffer, whatever its type.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))

  app.post(
    '/webhooks/:kind/:sourceId',
    {
      // Fastify's own line per request would undo the sampling of rejections under a flood; each
      // delivery that gets through logs its own line below.
      logLevel: 'warn',
      schema: {
        tags: ['webhooks'],
        summary: 'Receive a Jira or Linear webhook delivery',
        description:
          'Signed with the source’s webhookSecret (Jira: X-Hub-Signature, Linear: Linear-Signature) and dated by its signed timestamp. 202 when a sync was queued; 200 for a duplicate (the same delivery id, or the same body) or an event that needs no sync; 401 when the delivery cannot be verified or is stale; 429 when the source’s verified deliveries or the address’s unverified requests are over their limit.',
        params: Type.Object({ kind: Type.Enum(['jira', 'linear']), sourceId: Type.String() }),
        response: { 200: Answer, 202: Answer },
      },
    },
    async (request, reply) => {
      const { sourceId } = request.params
      const source = sourceOf(request.params)
      if (source === undefined) throw new OnetrackError('ONETRACK_NOT_FOUND', `no source ${sourceId}`)
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
      const outcome = deps
        .connectorFor(source.id)
        .receiveWebhook({ headers: request.headers, rawBody, receivedAt: deps.now() })
      if (outcome.status === 'rejected') refuse(request, reply, source.id, outcome, unauthorized(outcome))

      // Verified: only now does it count against the source's budget.
      const budget = perSource.hit(source.id)
      if (budget.limited) {
        rejections.record(source.id, 'source_limit', {
          message: `over ${max} verified deliveries in ${windowSeconds} s`,
          address: request.ip,
        })
        void reply.header('retry-after', String(budget.retryAfterSeconds))
        throw new OnetrackError(
          'ONETRACK_RATE_LIMITED',
          `more than ${max} webhook deliveries in ${windowSeconds} s for this source; retry after ${budget.retryAfterSeconds} s`,
        )
      }

      // One line per delivery, its fields passed with it: a child logger per request would
      // serialise them twice.
      const fields = { reqId: request.id, sourceId, deliveryId: outcome.deliveryId, event: outcome.event }
      if (outcome.status === 'ignored') {
        // Nothing to do, so nothing to record: a retry of it is ignored again. Most of these are
        // the echoes of onetrack's own write-back, which arrive by the thousand after a rank shift.
        app.log.debug({ ...fields, reason: outcome.reason }, 'webhook ignored')
        return reply
          .code(200)
          .send({ status: 'ignored', deliveryId: outcome.deliveryId, reason: outcome.reason })
      }
      const result = await ingest.submit({
        sourceId,
        deliveryId: outcome.deliveryId,
        event: outcome.event,
        contentHash: createHash('sha256').update(rawBody).digest('hex'),
        externalIds: outcome.externalIds,
      })
      if (result.status === 'duplicate') {
        app.log.info(fields, 'duplicate webhook delivery')
        return reply.code(200).send({ status: 'duplicate', deliveryId: outcome.deliveryId })
      }
      app.log.info({ ...fields, jobs: result.jobs }, 'webhook queued')
      return reply.code(202).send({ status: 'queued', deliveryId: outcome.deliveryId, jobs: result.jobs })
    },
  )
}
