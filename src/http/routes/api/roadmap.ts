import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import Type from 'typebox'
import { OnetrackError } from '../../../errors.ts'
import { eventsBetweenVersions, listVersions, previousVersionId, versionById } from '../../../store/index.ts'
import { type ApiDeps, readSecurity } from './index.ts'
import { decodeCursor, encodeCursor } from './params.ts'
import { VersionDiff, VersionsPage } from './responses.ts'
import { capacityView, loadVersion, loadVersionMeta, roadmapView } from './roadmap-view.ts'
import {
  Cursor,
  errors,
  MAX_ROW_ID,
  PerTrack,
  RoadmapQuery,
  RoadmapTimeline,
  RoadmapView,
  RowId,
  TeamLoad,
  VersionMeta,
} from './schemas.ts'
import { withWords } from './sentences.ts'
import { cachedEncoding, cachedTimeline, etagMatches } from './timeline-cache.ts'
import { versionChanges } from './version-diff.ts'

const VersionId = RowId({ description: 'a roadmap version id' })

const PeriodCapacity = Type.Object({
  period: Type.String(),
  name: Type.String(),
  capacity: Type.Number({ description: 'all teams together' }),
  planned: Type.Number(),
  overbooked: Type.Number({
    description: 'summed per team: one team’s slack does not offset another’s excess',
  }),
  byTeam: Type.Array(TeamLoad),
  byTrack: PerTrack,
  technicalShare: Type.Number({ description: 'technical / all booked effort; 0 when nothing is booked' }),
})

/** A versions cursor: the last id of the page before. */
function isVersionPosition(value: unknown): value is { before: number } {
  const before = (value as { before?: unknown } | null)?.before
  return typeof before === 'number' && Number.isInteger(before) && before > 0 && before <= MAX_ROW_ID
}

/** The roadmap, its versions, what changed between two of them, and capacity. */
export const roadmapApiRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const db = deps.database.db
  const secured = readSecurity(deps.config)

  app.get(
    '/roadmap',
    {
      schema: {
        tags: ['api'],
        summary: 'The merged roadmap: the latest version, or the one asked for, with filters',
        description:
          'Every open epic, best rank first, with its score breakdown, period, commitment, deferral count (replans not counted) and accrued cost of delay (in `unit`; as of now for the newest version, as of its build for an older one). `baseline` is the commitment in force, and `commitments` sets, per open period of it, what was committed at the period’s start against what is planned now. Filters narrow the entries only. 404 before the first build.',
        ...secured,
        querystring: Type.Object({ ...RoadmapQuery.properties, version: Type.Optional(VersionId) }),
        response: { 200: RoadmapView, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const { version, ...filter } = request.query
      return roadmapView(deps, version, filter)
    },
  )

  app.get(
    '/roadmap/timeline',
    {
      schema: {
        tags: ['api'],
        summary: 'The merged roadmap as the timeline draws it: /api/roadmap with shorter entries',
        description:
          'The answer of /api/roadmap, same filters, with each entry cut to what a timeline card shows: rank, key, title, team, track, status, effort, score, period and spans, the override’s kind and rationale, the unplanned reason in words, deferrals, accrued cost and open sign-offs. The score breakdown, links, blockers and warnings of an epic are in /api/epics/{id}. A fifth of the size of the whole answer: what the web page loads.',
        ...secured,
        querystring: Type.Object({ ...RoadmapQuery.properties, version: Type.Optional(VersionId) }),
        response: {
          200: RoadmapTimeline,
          304: Type.Null({ description: 'Unchanged: the answer still has the ETag sent in If-None-Match' }),
          ...errors(400, 401, 404),
        },
      },
    },
    async (request, typedReply) => {
      // The body goes out as text or compressed bytes, already serialised with this route's schema.
      const reply = typedReply as unknown as FastifyReply
      const { version, ...filter } = request.query
      const body = await cachedTimeline(deps, version, filter, (answer) =>
        String(typedReply.serialize(answer)),
      )
      reply.header('etag', body.etag)
      if (etagMatches(request.headers['if-none-match'], body.etag)) return reply.code(304).send()
      reply.type('application/json; charset=utf-8')
      const encoding = cachedEncoding(request.headers['accept-encoding'])
      if (encoding === null) return reply.send(body.text)
      // Already compressed: the compress plugin passes a body with a Content-Encoding through.
      reply.header('content-encoding', encoding).header('vary', 'accept-encoding')
      return reply.send(await body.encoded(encoding))
    },
  )

  app.get(
    '/versions',
    {
      schema: {
        tags: ['api'],
        summary: 'Roadmap versions, newest first',
        ...secured,
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          cursor: Type.Optional(Cursor()),
        }),
        response: {
          200: VersionsPage,
          ...errors(400, 401),
        },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query
      const before = cursor === undefined ? undefined : decodeCursor(cursor, isVersionPosition).before
      const versions = await listVersions(db, {
        limit: limit + 1,
        ...(before === undefined ? {} : { before }),
      })
      const shown = versions.slice(0, limit)
      const last = shown.at(-1)
      return {
        versions: shown,
        nextCursor: versions.length > limit && last !== undefined ? encodeCursor({ before: last.id }) : null,
      }
    },
  )

  app.get(
    '/versions/:id',
    {
      schema: {
        tags: ['api'],
        summary: 'One roadmap version, in the same shape as /api/roadmap',
        ...secured,
        params: Type.Object({ id: VersionId }),
        querystring: RoadmapQuery,
        response: { 200: RoadmapView, ...errors(400, 401, 404) },
      },
    },
    async (request) => roadmapView(deps, request.params.id, request.query),
  )

  app.get(
    '/versions/:id/diff',
    {
      schema: {
        tags: ['api'],
        summary: 'What changed between two versions, and the ledger events recorded in between',
        description:
          'Compares the entries of version `against` (default: the version before :id) with those of :id: added, removed, moved (the period differs) and rescored (same period, score differs by ≥ 0.01). Entries that only changed rank are counted in rankChanges. `events` are the ledger events recorded by the versions after the older one up to the newer one, oldest first.',
        ...secured,
        params: Type.Object({ id: VersionId }),
        querystring: Type.Object({ against: Type.Optional(VersionId) }),
        response: {
          200: VersionDiff,
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => {
      const { id } = request.params
      const to = await loadVersion(db, id)
      const againstId = request.query.against ?? (await previousVersionId(db, id))
      if (againstId === null) {
        throw new OnetrackError(
          'ONETRACK_NOT_FOUND',
          `version ${id} is the first one: there is no earlier version to compare it with`,
        )
      }
      const from = await versionById(db, againstId)
      if (from === null) {
        const message = `no roadmap version ${againstId}`
        throw new OnetrackError('ONETRACK_NOT_FOUND', `querystring/against: ${message}`, {
          details: [{ path: 'querystring/against', message }],
        })
      }
      const [fromMeta, toMeta, events] = await Promise.all([
        loadVersionMeta(db, from.id),
        loadVersionMeta(db, to.id),
        eventsBetweenVersions(db, Math.min(from.id, to.id), Math.max(from.id, to.id)),
      ])
      return {
        from: fromMeta,
        to: toMeta,
        ...versionChanges(from.roadmap, to.roadmap),
        events: withWords(events, [...from.roadmap.periods, ...to.roadmap.periods]),
      }
    },
  )

  app.get(
    '/capacity',
    {
      schema: {
        tags: ['api'],
        summary: 'Capacity and booked effort per open period, per team and per track',
        ...secured,
        querystring: Type.Object({ version: Type.Optional(VersionId) }),
        response: {
          200: Type.Object({ version: VersionMeta, periods: Type.Array(PeriodCapacity) }),
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => {
      const version = await loadVersion(db, request.query.version)
      return { version: await loadVersionMeta(db, version.id), periods: capacityView(version.roadmap) }
    },
  )
}
