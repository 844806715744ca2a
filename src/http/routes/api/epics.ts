import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { reportSettings, roadmapSettings } from '../../../config/index.ts'
import { deferralCounts, isDeferral } from '../../../domain/index.ts'
import { OnetrackError } from '../../../errors.ts'
import {
  accruedCostsAsOf,
  epicDetails,
  epicHistory,
  latestEntry,
  listOverrides,
  searchEpics,
  withAcknowledgements,
} from '../../../store/index.ts'
import { type ApiDeps, readSecurity } from './index.ts'
import { EpicDetail } from './responses.ts'
import { withCommitmentFields, withLedger } from './roadmap-view.ts'
import { errors, Nullable, Text, Track } from './schemas.ts'
import { withWords } from './sentences.ts'

const EpicHit = Type.Object({
  id: Type.String(),
  key: Type.String(),
  title: Type.String(),
  team: Nullable(Type.String()),
  track: Track,
  source: Type.String(),
})

/** Epics: a search for the page's search box, and one epic with its entry, history and overrides. */
export const epicRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const db = deps.database.db
  const secured = readSecurity(deps.config)

  app.get(
    '/epics',
    {
      schema: {
        tags: ['api'],
        summary: 'Search epics by key or title',
        description:
          'Epics still in their trackers whose key or title contains `search` (case-insensitive): an exact key first, then keys starting with it, then by key.',
        ...secured,
        querystring: Type.Object({
          search: Type.Optional(Text({ maxLength: 200 })),
          limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
        }),
        response: { 200: Type.Object({ epics: Type.Array(EpicHit) }), ...errors(400, 401) },
      },
    },
    async (request) => ({
      epics: await searchEpics(db, {
        limit: request.query.limit,
        ...(request.query.search === undefined ? {} : { search: request.query.search }),
      }),
    }),
  )

  app.get(
    '/epics/:id',
    {
      schema: {
        tags: ['api'],
        summary: 'One epic: as synced, its entry on the latest roadmap, its whole history and overrides',
        description:
          'The id is `source:externalId`, URL-encoded (`jira-shop%3A10042`). `entry` is null when the epic is not on the latest roadmap (closed, deleted, or no build yet). `history` is every ledger event of the epic, oldest first — deferrals (each with its `acknowledgement`, null while unacknowledged and its `projectedCost`) and replans (moves that are not deferrals: never counted, never signed off) among them; `overrides` every override of it, newest first, revoked ones included. `deferrals` and `accruedCost` (in `unit`, as of now, kept after the epic ships) are the epic’s, on the roadmap or not.',
        ...secured,
        params: Type.Object({ id: Text({ minLength: 1, description: 'an epic id, source:externalId' }) }),
        response: {
          200: EpicDetail,
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => {
      const { id } = request.params
      const epic = await epicDetails(db, id)
      if (epic === null) throw new OnetrackError('ONETRACK_NOT_FOUND', `no epic ${id}`)
      const [latest, events, overrides, accrued] = await Promise.all([
        latestEntry(db, id),
        epicHistory(db, id),
        listOverrides(db, { epicId: id }),
        accruedCostsAsOf(db, deps.now().toISOString(), [id]),
      ])
      const history = await withAcknowledgements(db, events)
      const open = history.filter((e) => isDeferral(e.kind) && e.acknowledgement === null).length
      const periods = [...roadmapSettings(deps.config).periods, ...(latest?.periods ?? [])]
      const entry = latest?.entry ?? undefined
      const figures = {
        deferrals: deferralCounts(history),
        accrued,
        unacknowledged: new Map([[id, open]]),
      }
      return {
        epic,
        // The planner words its unplanned reason with the epics' keys and titles.
        entry: entry === undefined ? null : withLedger(withCommitmentFields(entry), figures),
        periodNames: Object.fromEntries(periods.map((p) => [p.id, p.name])),
        history: withWords(history, periods),
        overrides,
        deferrals: figures.deferrals.get(id) ?? 0,
        accruedCost: accrued.get(id) ?? 0,
        unit: reportSettings(deps.config).costUnit,
      }
    },
  )
}
