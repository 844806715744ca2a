import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { reportSettings, roadmapSettings } from '../../../config/index.ts'
import { DEFERRAL_KINDS, type DeferralEventKind, isDeferral, type Track } from '../../../domain/index.ts'
import {
  accruedCostsAsOf,
  costOfDelayByVersion,
  type LedgerPosition,
  ledgerPage,
  withAcknowledgements,
} from '../../../store/index.ts'
import { type ApiDeps, readSecurity } from './index.ts'
import { decodeCursor, encodeCursor, instantParam, invalidField, isKeysetPosition } from './params.ts'
import { CostOverTime, LedgerPage } from './responses.ts'
import { Cursor, errors, Text, Track as TrackSchema } from './schemas.ts'
import { withWords } from './sentences.ts'

const KINDS: readonly DeferralEventKind[] = [
  'deferred',
  'rolled_over',
  'replanned',
  'pulled_in',
  'added',
  'removed',
  'completed',
]

/** `kind=` as given: absent = deferrals only, `all` = every kind, else a comma-separated list of kinds. */
function kindsParam(value: string | undefined): readonly DeferralEventKind[] | undefined {
  if (value === undefined || value === '' || value === 'deferrals') return DEFERRAL_KINDS
  if (value === 'all') return undefined
  const kinds = value.split(',').map((k) => k.trim())
  const unknown = kinds.filter((k) => !KINDS.includes(k as DeferralEventKind))
  if (unknown.length > 0) {
    throw invalidField(
      'querystring/kind',
      `unknown kind ${unknown.map((k) => `'${k}'`).join(', ')}; use all, deferrals or any of ${KINDS.join(', ')}`,
    )
  }
  return kinds as DeferralEventKind[]
}

const isLedgerPosition = (value: unknown): value is LedgerPosition => isKeysetPosition(value)

/** The deferral ledger: filtered pages of events, and the projected cost of the deferrals over time. */
export const deferralRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const db = deps.database.db
  const secured = readSecurity(deps.config)

  app.get(
    '/deferrals',
    {
      schema: {
        tags: ['api'],
        summary: 'The deferral ledger, newest first, filtered and paged',
        description: `Keyset pages: pass \`nextCursor\` back as \`cursor\` until it is null; a walk sees every event once even while builds add new ones. \`kind\` defaults to deferrals (${DEFERRAL_KINDS.join(', ')}): committed work that slipped, the only events counted and signed off; \`replanned\` lists the other moves later (work planned beyond the commitment, or moved again after its deferral), never counted; \`all\` gives every kind; a comma-separated list picks kinds. Team and track are the epic’s at the time of the event. Each deferral carries its \`acknowledgement\` (null while unacknowledged); \`acknowledged=false\` lists the open ones. \`from\` is inclusive, \`to\` exclusive.`,
        ...secured,
        querystring: Type.Object({
          epic: Type.Optional(Text({ description: 'an epic id, source:externalId' })),
          team: Type.Optional(Text()),
          track: Type.Optional(TrackSchema),
          source: Type.Optional(Text()),
          kind: Type.Optional(
            Text({ description: `all, deferrals (default), or a list of ${KINDS.join(', ')}` }),
          ),
          from: Type.Optional(Text({ description: 'YYYY-MM-DD or an ISO timestamp; inclusive' })),
          to: Type.Optional(Text({ description: 'YYYY-MM-DD or an ISO timestamp; exclusive' })),
          acknowledged: Type.Optional(
            Type.Enum(['true', 'false'], {
              description: 'deferrals signed off (true) or still open (false); only deferrals then',
            }),
          ),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          cursor: Type.Optional(Cursor()),
        }),
        response: {
          200: LedgerPage,
          ...errors(400, 401),
        },
      },
    },
    async (request) => {
      const q = request.query
      const requested = kindsParam(q.kind)
      // Only deferrals are signed off: the acknowledged filter keeps to them.
      const kinds =
        q.acknowledged === undefined ? requested : (requested ?? DEFERRAL_KINDS).filter(isDeferral)
      const from = instantParam('from', q.from)
      const to = instantParam('to', q.to)
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, isLedgerPosition)
      // Replans and the other kinds are never signed off: asked with `acknowledged`, there are none.
      if (kinds !== undefined && kinds.length === 0) return { events: [], nextCursor: null, total: 0 }
      const page = await ledgerPage(
        db,
        {
          ...(q.epic === undefined ? {} : { epicId: q.epic }),
          ...(q.team === undefined ? {} : { team: q.team }),
          ...(q.track === undefined ? {} : { track: q.track }),
          ...(q.source === undefined ? {} : { source: q.source }),
          ...(kinds === undefined ? {} : { kinds }),
          ...(from === undefined ? {} : { from }),
          ...(to === undefined ? {} : { to }),
          ...(q.acknowledged === undefined ? {} : { acknowledged: q.acknowledged === 'true' }),
        },
        { limit: q.limit, ...(after === undefined ? {} : { after }) },
      )
      const events = await withAcknowledgements(db, page.events)
      return {
        events: withWords(events, roadmapSettings(deps.config).periods),
        nextCursor: page.next === null ? null : encodeCursor(page.next),
        total: page.total,
      }
    },
  )

  app.get(
    '/deferrals/cost',
    {
      schema: {
        tags: ['api'],
        summary: 'Projected cost of the deferrals over time, across the whole ledger',
        description:
          'One point per version that recorded deferrals: the projected cost of the deferrals it recorded (cost of delay per period × periods slipped, at the call; replans and pull-ins are not priced, nothing is given back), the running total, and the running total per track (the epic’s track at the time). `accrued` is the cost of delay accrued by now by every epic ever late, shipped ones included; each epic’s is served as `accruedCost` on /api/roadmap and /api/epics/{id}.',
        ...secured,
        response: {
          200: CostOverTime,
          ...errors(401),
        },
      },
    },
    async () => {
      const [rows, accrued] = await Promise.all([
        costOfDelayByVersion(db),
        accruedCostsAsOf(db, deps.now().toISOString()),
      ])
      const points: Array<{
        at: string
        versionId: number
        added: number
        accumulated: number
        byTrack: Record<Track, number>
      }> = []
      const running: Record<Track, number> = { product: 0, technical: 0 }
      let accumulated = 0
      for (const row of rows) {
        let point = points.at(-1)
        if (point === undefined || point.versionId !== row.versionId) {
          point = {
            at: row.builtAt,
            versionId: row.versionId,
            added: 0,
            accumulated,
            byTrack: { ...running },
          }
          points.push(point)
        }
        point.added += row.added
        accumulated += row.added
        point.accumulated = accumulated
        if (row.track === 'product' || row.track === 'technical') {
          running[row.track] += row.added
          point.byTrack = { ...running }
        }
      }
      let total = 0
      for (const cost of accrued.values()) total += cost
      return { unit: reportSettings(deps.config).costUnit, accrued: total, points }
    },
  )
}
