import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import Type from 'typebox'
import { ownsTeam, roadmapSettings } from '../../../config/index.ts'
import { OnetrackError } from '../../../errors.ts'
import { enqueue } from '../../../jobs/index.ts'
import { createOverride, epicDetails, listOverrides, revokeOverride } from '../../../store/index.ts'
import { queueWriteback, sourceOf } from '../../owned-calls.ts'
import { type ApiDeps, readSecurity } from './index.ts'
import { invalidField } from './params.ts'
import { errors, OverrideKind, OverrideView } from './schemas.ts'

const BuildQueued = Type.Object(
  {
    status: Type.Enum(['queued', 'coalesced', 'not_queued']),
    trigger: Type.String(),
  },
  {
    description:
      'the build that applies the change: queued, merged into one already waiting, or not queued (Redis unreachable: the next scheduled build applies it)',
  },
)

/** The owner's decisions: list them, record one (it replaces the epic's previous one), revoke one. */
export const overrideRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const db = deps.database.db
  const secured = readSecurity(deps.config)

  /** Asks for a build that applies the change; the change is recorded whatever Redis says. */
  async function queueBuild(trigger: string, log: FastifyBaseLogger) {
    try {
      const outcome = await enqueue(deps.queues, 'build', { trigger, requestedAt: deps.now().toISOString() })
      return { status: outcome.status, trigger }
    } catch (err) {
      log.error({ err, trigger }, 'override recorded, but the build could not be queued')
      return { status: 'not_queued' as const, trigger }
    }
  }

  function author(request: FastifyRequest): string {
    // requireRole('editor') ran first, so there is a caller.
    if (request.caller === null)
      throw new OnetrackError('ONETRACK_UNAUTHORIZED', 'a bearer token is required')
    return request.caller.name
  }

  app.get(
    '/overrides',
    {
      schema: {
        tags: ['api'],
        summary: 'Overrides, newest first: in force (default), revoked, or all',
        ...secured,
        querystring: Type.Object({
          active: Type.Enum(['true', 'false', 'all'], { default: 'true' }),
          epic: Type.Optional(Type.String({ description: 'an epic id, source:externalId' })),
        }),
        response: { 200: Type.Object({ overrides: Type.Array(OverrideView) }), ...errors(400, 401) },
      },
    },
    async (request) => {
      const { active, epic } = request.query
      return {
        overrides: await listOverrides(db, {
          ...(active === 'all' ? {} : { active: active === 'true' }),
          ...(epic === undefined ? {} : { epicId: epic }),
        }),
      }
    },
  )

  app.post(
    '/overrides',
    {
      onRequest: app.requireRole('editor'),
      schema: {
        tags: ['api'],
        summary: 'Record an override (pin, defer, exclude) with its rationale, and rebuild',
        description:
          'Needs an editor token or above; the author is the token’s name. `rationale` is required and not blank. `period` is required for pin (an open period) and defer (any configured period) and not allowed for exclude. An epic has one override in force: a new one revokes the previous (listed in `replaced`). A build is queued with trigger `override:<id>`. A pin by an owner of the epic’s team (see README, Owned calls) answers the epic’s unacknowledged deferrals (listed in `answered`).',
        security: [{ bearer: [] }],
        body: Type.Object({
          epicId: Type.String({ minLength: 1, description: 'source:externalId' }),
          kind: OverrideKind,
          period: Type.Optional(Type.String({ description: 'a configured period id, e.g. 2027-Q2' })),
          rationale: Type.String({ description: 'why: shown in reports and the history' }),
        }),
        response: {
          201: Type.Object({
            override: OverrideView,
            replaced: Type.Array(OverrideView, { description: 'the overrides of the epic this one revoked' }),
            answered: Type.Array(Type.String(), {
              description:
                'the epic’s unacknowledged deferrals this pin answered (a pin by an owner of the epic’s team rejects them)',
            }),
            build: BuildQueued,
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const { epicId, kind } = request.body
      const rationale = request.body.rationale.trim()
      const period = request.body.period?.trim() || undefined
      if (rationale === '') {
        throw invalidField(
          'body/rationale',
          'must not be blank: say why, so the decision reads on its own in reports and the history',
        )
      }
      if (kind === 'exclude' && period !== undefined) {
        throw invalidField('body/period', 'an exclude takes no period')
      }
      if (kind !== 'exclude') {
        if (period === undefined) throw invalidField('body/period', `is required for a ${kind}`)
        const periods = roadmapSettings(deps.config).periods
        const target = periods.find((p) => p.id === period)
        if (target === undefined) {
          throw invalidField(
            'body/period',
            `unknown period '${period}'; the configured ones are ${periods.map((p) => p.id).join(', ')}`,
          )
        }
        const today = deps.now().toISOString().slice(0, 10)
        if (kind === 'pin' && target.end <= today) {
          throw invalidField('body/period', `${target.name} has ended; a pin needs an open period`)
        }
      }
      const epic = await epicDetails(db, epicId)
      if (epic === null || epic.deleted) {
        const message = epic === null ? `no epic ${epicId}` : `epic ${epicId} is no longer in its tracker`
        throw new OnetrackError('ONETRACK_NOT_FOUND', `body/epicId: ${message}`, {
          details: [{ path: 'body/epicId', message }],
        })
      }
      const id = randomUUID().replaceAll('-', '').slice(0, 12)
      const caller = request.caller
      const owner = caller !== null && epic.team !== null && ownsTeam(deps.config, caller, epic.team)
      const { override, replaced, answered } = await createOverride(db, {
        id,
        epicId,
        kind,
        period: period ?? null,
        rationale,
        author: author(request),
        now: deps.now(),
        answersDeferrals: owner,
      })
      request.log.info(
        { overrideId: id, epicId, kind, replaced: replaced.map((r) => r.id), answered },
        'override recorded',
      )
      const build = await queueBuild(`override:${id}`, request.log)
      if (answered.length > 0) await queueWriteback(deps, sourceOf(epicId), request.log)
      return reply.code(201).send({ override, replaced, answered, build })
    },
  )

  app.delete(
    '/overrides/:id',
    {
      onRequest: app.requireRole('editor'),
      schema: {
        tags: ['api'],
        summary: 'Revoke an override, and rebuild',
        description:
          'Needs an editor token or above. The override keeps its row with revokedAt and revokedBy. 404 for an unknown id, 409 when it was already revoked.',
        security: [{ bearer: [] }],
        params: Type.Object({ id: Type.String({ minLength: 1 }) }),
        response: {
          200: Type.Object({ override: OverrideView, build: BuildQueued }),
          ...errors(401, 403, 404, 409),
        },
      },
    },
    async (request) => {
      const { id } = request.params
      const outcome = await revokeOverride(db, id, author(request), deps.now())
      if (outcome.status === 'not_found') throw new OnetrackError('ONETRACK_NOT_FOUND', `no override ${id}`)
      if (outcome.status === 'already_revoked') {
        const { revokedBy, revokedAt } = outcome.override
        throw new OnetrackError(
          'ONETRACK_CONFLICT',
          `override ${id} was already revoked by ${revokedBy ?? 'someone'} at ${revokedAt}`,
        )
      }
      request.log.info({ overrideId: id, epicId: outcome.override.epicId }, 'override revoked')
      const build = await queueBuild(`override:${id}:revoked`, request.log)
      return { override: outcome.override, build }
    },
  )
}
