import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import Type from 'typebox'
import { roadmapSettings } from '../../../config/index.ts'
import { DEFERRAL_KINDS, epicLabel } from '../../../domain/index.ts'
import { OnetrackError } from '../../../errors.ts'
import { acceptDeferral, acceptEpicDeferrals, approveProposal } from '../../../pipeline/index.ts'
import { type DecisionKind, type DecisionPosition, decisionPage } from '../../../store/index.ts'
import type { Caller } from '../../plugins/auth.ts'
import { type ApiDeps, readSecurity } from './index.ts'
import { decodeCursor, encodeCursor, instantParam, invalidField, isKeysetPosition } from './params.ts'
import { AckResponse, ApproveResponse, EpicAckResponse } from './responses.ts'
import { Cursor, DecisionView, errors, FreeText, Nullable, RowId, Text } from './schemas.ts'
import { eventWithWords, withWords } from './sentences.ts'

const KINDS: readonly DecisionKind[] = ['acknowledgement', 'override', 'revocation', 'approval']

function kindsParam(value: string | undefined): readonly DecisionKind[] | undefined {
  if (value === undefined || value === '' || value === 'all') return undefined
  const kinds = value.split(',').map((k) => k.trim())
  const unknown = kinds.filter((k) => !KINDS.includes(k as DecisionKind))
  if (unknown.length > 0) {
    throw invalidField(
      'querystring/kind',
      `unknown kind ${unknown.map((k) => `'${k}'`).join(', ')}; use all or any of ${KINDS.join(', ')}`,
    )
  }
  return kinds as DecisionKind[]
}

const isPosition = (value: unknown): value is DecisionPosition => isKeysetPosition(value)

function caller(request: FastifyRequest): Caller {
  if (request.caller === null)
    throw new OnetrackError('ONETRACK_UNAUTHORIZED', 'sign in, or send a bearer token')
  return request.caller
}

/** The reason of a sign-off, trimmed; a 400 naming the field when blank. */
function reasonOf(body: { reason: string }): string {
  const reason = body.reason.trim()
  if (reason === '')
    throw invalidField('body/reason', 'must not be blank: say why the deferral is acceptable')
  return reason
}

/** Owned calls: sign off a deferral or an epic's deferrals, approve a proposed version, read the decision log. */
export const decisionRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const db = deps.database.db
  const secured = readSecurity(deps.config)

  app.post(
    '/deferrals/:id/ack',
    {
      onRequest: app.requireRole('editor'),
      schema: {
        tags: ['api'],
        summary: 'Accept a deferral with a reason (sign it off)',
        description: `Needs a roadmap owner (an owner-role token, or a name in roadmap.owners) or an owner of the epic’s team (roadmap.teams[].owners); a viewer gets 403 with the reason. \`reason\` is required and not blank. 404 for an unknown event, 400 for an event that is not a deferral (${DEFERRAL_KINDS.join(', ')}), 409 when it was already signed off. To reject a deferral instead, pin the epic (POST /api/overrides): an owner’s pin answers the epic’s open deferrals. The written-back values of the epic’s ticket are refreshed.`,
        security: [{ bearer: [] }],
        params: Type.Object({ id: Text({ minLength: 1, description: 'a ledger event id' }) }),
        body: Type.Object({ reason: FreeText({ description: 'why the deferral is acceptable' }) }),
        response: {
          201: AckResponse,
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const reason = reasonOf(request.body)
      const result = await acceptDeferral(
        deps,
        { person: caller(request), eventId: request.params.id, reason, via: caller(request).via },
        request.log,
      )
      const event = eventWithWords(result.event, roadmapSettings(deps.config).periods)
      return reply.code(201).send({ ...result, event })
    },
  )

  app.post(
    '/epics/:id/ack',
    {
      onRequest: app.requireRole('editor'),
      schema: {
        tags: ['api'],
        summary: 'Accept all of an epic’s open deferrals with one reason (sign the epic off)',
        description:
          'One owner call answers every deferral of the epic still awaiting a sign-off: one decision, recorded once, whose id each answered deferral’s `acknowledgement` carries. The same rules as POST /api/deferrals/{id}/ack: a roadmap owner or an owner of the epic’s team (a viewer gets 403 with the reason); `reason` required and not blank (400); 404 for an unknown epic or one never deferred; 409 when nothing is left to sign off, naming who signed the epic’s deferrals off (a second press records no second decision). Replans are never signed off. `events` are all of the epic’s deferrals, oldest first, with their sign-offs. The id is `source:externalId`, URL-encoded.',
        security: [{ bearer: [] }],
        params: Type.Object({
          id: Text({ minLength: 1, description: 'an epic id, source:externalId' }),
        }),
        body: Type.Object({ reason: FreeText({ description: 'why the deferrals are acceptable' }) }),
        response: {
          201: EpicAckResponse,
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const reason = reasonOf(request.body)
      const epicId = request.params.id
      const result = await acceptEpicDeferrals(
        deps,
        { person: caller(request), epicId, reason, via: caller(request).via },
        request.log,
      )
      if (result.status === 'already') {
        const signed = result.events.flatMap((e) => (e.acknowledgement === null ? [] : [e.acknowledgement]))
        const last = signed.reduce<(typeof signed)[number] | undefined>(
          (latest, ack) => (latest === undefined || ack.at > latest.at ? ack : latest),
          undefined,
        )
        const epic = result.events[0]?.epic
        const name = epic === undefined ? epicId : epicLabel(epic)
        throw new OnetrackError(
          'ONETRACK_CONFLICT',
          `the deferrals of ${name} were already signed off by ${last?.by ?? 'someone'} at ${last?.at ?? '?'} (${last?.via ?? '?'}): ${last?.reason ?? ''}`,
          { details: { acknowledgement: last ?? null } },
        )
      }
      const events = withWords(result.events, roadmapSettings(deps.config).periods)
      return reply.code(201).send({ status: result.status, events, decision: result.decision })
    },
  )

  app.post(
    '/versions/:id/approve',
    {
      onRequest: app.requireRole('editor'),
      schema: {
        tags: ['api'],
        summary: 'Approve the newest proposed version (publish mode on-approval), and write it back',
        description:
          'Needs a roadmap owner. Only the newest proposal can be approved: an older one answers 409 naming the newest; a version that is not a proposal (approved, published) answers 409 too. The approved version is written back to every source once; it reads `published` after that.',
        security: [{ bearer: [] }],
        params: Type.Object({ id: RowId({ description: 'a roadmap version id' }) }),
        body: Type.Optional(
          Type.Object({ note: Type.Optional(FreeText({ description: 'why, for the decision log' })) }),
        ),
        response: {
          200: ApproveResponse,
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => {
      const note = request.body?.note?.trim() || null
      return approveProposal(
        deps,
        { person: caller(request), id: request.params.id, note, via: caller(request).via },
        request.log,
      )
    },
  )

  app.get(
    '/decisions',
    {
      schema: {
        tags: ['api'],
        summary: 'The decision log: acknowledgements, overrides, revocations and approvals, newest first',
        description:
          'Keyset pages like /api/deferrals: pass `nextCursor` back as `cursor` until it is null. `kind` is all (default) or a comma-separated list; `author` is a token name; `epic` an epic id (approvals have none). `from` inclusive, `to` exclusive.',
        ...secured,
        querystring: Type.Object({
          kind: Type.Optional(Text({ description: `all, or a list of ${KINDS.join(', ')}` })),
          author: Type.Optional(Text({ description: 'a token name' })),
          epic: Type.Optional(Text({ description: 'an epic id, source:externalId' })),
          from: Type.Optional(Text({ description: 'YYYY-MM-DD or an ISO timestamp; inclusive' })),
          to: Type.Optional(Text({ description: 'YYYY-MM-DD or an ISO timestamp; exclusive' })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          cursor: Type.Optional(Cursor()),
        }),
        response: {
          200: Type.Object({
            decisions: Type.Array(DecisionView),
            nextCursor: Nullable(Type.String()),
            total: Type.Integer(),
          }),
          ...errors(400, 401),
        },
      },
    },
    async (request) => {
      const q = request.query
      const kinds = kindsParam(q.kind)
      const from = instantParam('from', q.from)
      const to = instantParam('to', q.to)
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, isPosition)
      const page = await decisionPage(
        db,
        {
          ...(kinds === undefined ? {} : { kinds }),
          ...(q.author === undefined ? {} : { author: q.author }),
          ...(q.epic === undefined ? {} : { epicId: q.epic }),
          ...(from === undefined ? {} : { from }),
          ...(to === undefined ? {} : { to }),
        },
        { limit: q.limit, ...(after === undefined ? {} : { after }) },
      )
      return {
        decisions: page.decisions,
        nextCursor: page.next === null ? null : encodeCursor(page.next),
        total: page.total,
      }
    },
  )
}
