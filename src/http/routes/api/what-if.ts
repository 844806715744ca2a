import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { reportSettings } from '../../../config/index.ts'
import { DomainError, describeDeferral, periodNames, type WhatIfChange } from '../../../domain/index.ts'
import { OnetrackError } from '../../../errors.ts'
import { runWhatIf } from '../../../pipeline/index.ts'
import type { ApiDeps } from './index.ts'
import { WhatIfResponse } from './responses.ts'
import { errors, FreeText, Nullable, Text, Track } from './schemas.ts'
import { withWords } from './sentences.ts'

const EpicId = Text({ minLength: 1, description: 'an epic id, source:externalId' })
const PeriodId = Text({ minLength: 1, description: 'a configured period id, e.g. 2027-Q2' })
const Rationale = Type.Optional(
  FreeText({ description: 'shown as the hypothetical override’s rationale (default `what-if`)' }),
)
const InputValue = Nullable(Type.Number({ minimum: 0 }))

export const WhatIfChangeSchema = Type.Union(
  [
    Type.Object(
      { kind: Type.Literal('defer'), epicId: EpicId, period: Type.Optional(PeriodId), rationale: Rationale },
      { additionalProperties: false, description: 'defer to an open period; without one, out of the plan' },
    ),
    Type.Object(
      { kind: Type.Literal('exclude'), epicId: EpicId, rationale: Rationale },
      { additionalProperties: false, description: 'take it out of the plan; epics it blocks stay blocked' },
    ),
    Type.Object(
      { kind: Type.Literal('pin'), epicId: EpicId, period: PeriodId, rationale: Rationale },
      { additionalProperties: false, description: 'plan it in an open period whatever its rank' },
    ),
    Type.Object(
      {
        kind: Type.Literal('input'),
        epicId: EpicId,
        input: Type.Enum(['value', 'timeCriticality', 'risk', 'effort']),
        value: InputValue,
      },
      { additionalProperties: false, description: 'change a scoring input or the effort; null = not given' },
    ),
    Type.Object(
      {
        kind: Type.Literal('capacity'),
        team: Text({ minLength: 1 }),
        period: PeriodId,
        capacity: Type.Number({ minimum: 0 }),
      },
      { additionalProperties: false, description: 'set a team’s capacity for one open period' },
    ),
    Type.Object(
      {
        kind: Type.Literal('add'),
        epic: Type.Object(
          {
            id: Type.Optional(Text({ description: 'default what-if:<key>' })),
            key: Text({ minLength: 1 }),
            title: Text({ minLength: 1, maxLength: 1000 }),
            team: Text({ minLength: 1 }),
            track: Type.Optional(Track),
            status: Type.Optional(Type.Enum(['todo', 'in_progress'])),
            value: Type.Optional(InputValue),
            timeCriticality: Type.Optional(InputValue),
            risk: Type.Optional(InputValue),
            effort: Type.Optional(InputValue),
            blockers: Type.Optional(Type.Array(EpicId, { description: 'epics that block it' })),
            blocks: Type.Optional(Type.Array(EpicId, { description: 'epics it blocks' })),
          },
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false, description: 'add an epic that is not in any tracker yet' },
    ),
  ],
  { description: 'one hypothetical change' },
)

/**
 * The what-if's problems with the API's field paths (`['changes', 0, 'epicId']` →
 * `body/changes/0/epicId`); a problem not tied to a field is put on `body/changes`.
 */
function fieldDetails(error: DomainError): Array<{ path: string; message: string }> {
  if (error.fields.length === 0) return error.problems.map((message) => ({ path: 'body/changes', message }))
  return error.fields.map((f) => ({ path: ['body', ...f.path].join('/'), message: f.message }))
}

/** What-if: a hypothetical build from the current state plus the changes, never saved. */
export const whatIfRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  app.post(
    '/what-if',
    {
      schema: {
        tags: ['api'],
        summary: 'What would these changes do to the plan? Nothing is saved',
        description:
          'Applies hypothetical changes — defer, exclude or pin an epic (as an override by `what-if`, replacing the one in force), change a scoring input or the effort, change a team’s capacity for one period, add an epic — to what a build would read now, runs that build against the current roadmap and returns what it would record: the epics that move, the deferrals with their causes and projected cost of delay (cost per period × periods slipped) per committed period, the epics newly blocked. It is the same build a real change followed by a build gives; nothing is written. Needs a token (any role): each call runs a whole build. 400 names each bad field, e.g. `body/changes/0/epicId: no epic jira-shop:X`.',
        security: [{ bearer: [] }],
        body: Type.Object({
          changes: Type.Array(WhatIfChangeSchema, { minItems: 1, maxItems: 100 }),
        }),
        response: { 200: WhatIfResponse, ...errors(400, 401, 403) },
      },
      // A read that changes nothing, but each call costs a whole build: never open to anonymous callers.
      onRequest: app.requireRole('viewer'),
    },
    async (request) => {
      let outcome: Awaited<ReturnType<typeof runWhatIf>>
      try {
        outcome = await runWhatIf(deps, request.body.changes as WhatIfChange[])
      } catch (error) {
        if (!(error instanceof DomainError)) throw error
        const details = fieldDetails(error)
        throw new OnetrackError(
          'ONETRACK_BAD_REQUEST',
          details.map((d) => `${d.path}: ${d.message}`).join('; '),
          { details },
        )
      }
      const { result, basedOnVersion, periods } = outcome
      const names = periodNames(periods)
      return {
        basedOn:
          basedOnVersion === null || result.basedOn === null
            ? null
            : { versionId: basedOnVersion, builtAt: result.basedOn },
        now: result.now,
        moved: result.moved,
        deferrals: withWords(result.deferrals, periods).map((event) => ({
          ...event,
          description: describeDeferral(event, names),
        })),
        events: result.events,
        projectedCostByPeriod: result.projectedCostByPeriod,
        projectedCost: result.projectedCost,
        unit: reportSettings(deps.config).costUnit,
        newlyBlocked: result.newlyBlocked,
        summary: result.summary,
        problems: result.problems,
      }
    },
  )
}
