import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import Type from 'typebox'
import { OnetrackError } from '../../../errors.ts'
import { recordOverride, revokeOverride } from '../../../pipeline/index.ts'
import { listOverrides } from '../../../store/index.ts'
import type { Caller } from '../../plugins/auth.ts'
import { type ApiDeps, readSecurity } from './index.ts'
import { invalidField } from './params.ts'
import { errors, FreeText, OverrideKind, OverrideView, Text } from './schemas.ts'

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

const OverrideRecorded = Type.Object({
  override: OverrideView,
  replaced: Type.Array(OverrideView, { description: 'the overrides of the epic this one revoked' }),
  answered: Type.Array(Type.String(), {
    description:
      'the epic’s unacknowledged deferrals this pin answered (a pin by an owner of the epic’s team rejects them)',
  }),
  build: BuildQueued,
})

/** The owner's decisions: list them, record one (it replaces the epic's previous one), revoke one. */
export const overrideRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const db = deps.database.db
  const secured = readSecurity(deps.config)

  function author(request: FastifyRequest): Caller {
    // requireRole('editor') ran first, so there is a caller.
    if (request.caller === null)
      throw new OnetrackError('ONETRACK_UNAUTHORIZED', 'sign in, or send a bearer token')
    return request.caller
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
          epic: Type.Optional(Text({ description: 'an epic id, source:externalId' })),
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
          'Needs an editor token or above; the author is the token’s name. `rationale` is required and not blank. `period` is required for pin (an open period) and defer (any configured period) and not allowed for exclude. An epic has one override in force: a new one revokes the previous (listed in `replaced`); the same one again by the same person within 5 minutes (a double press) is answered 200 with the first, recording nothing. A build is queued with trigger `override:<id>`. A pin by an owner of the epic’s team (see README, Owned calls) answers the epic’s unacknowledged deferrals (listed in `answered`).',
        security: [{ bearer: [] }],
        body: Type.Object({
          epicId: Text({ minLength: 1, description: 'source:externalId' }),
          kind: OverrideKind,
          period: Type.Optional(Text({ description: 'a configured period id, e.g. 2027-Q2' })),
          rationale: FreeText({ description: 'why: shown in reports and the history' }),
        }),
        response: {
          201: OverrideRecorded,
          200: Type.Object(OverrideRecorded.properties, {
            description:
              'the same override (epic, kind, period, rationale) by the same person within the last 5 minutes, a repeated press: nothing recorded, no new build; the answer is the first one’s',
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const outcome = await recordOverride(
        deps,
        { person: author(request), via: author(request).via, ...request.body },
        request.log,
      )
      if (outcome.status === 'invalid') throw invalidField(`body/${outcome.field}`, outcome.message)
      if (outcome.status === 'no_epic') {
        throw new OnetrackError('ONETRACK_NOT_FOUND', `body/epicId: ${outcome.message}`, {
          details: [{ path: 'body/epicId', message: outcome.message }],
        })
      }
      const { override, replaced, answered, build } = outcome
      return reply
        .code(outcome.status === 'repeated' ? 200 : 201)
        .send({ override, replaced, answered, build })
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
        params: Type.Object({ id: Text({ minLength: 1, description: 'an override id' }) }),
        response: {
          200: Type.Object({ override: OverrideView, build: BuildQueued }),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) =>
      revokeOverride(
        deps,
        { person: author(request), via: author(request).via, id: request.params.id },
        request.log,
      ),
  )
}
