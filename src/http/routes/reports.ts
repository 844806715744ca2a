import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { renderMarkdown } from '../../channels/index.ts'
import type { OnetrackConfig } from '../../config/index.ts'
import { OnetrackError } from '../../errors.ts'
import { loadChannelReport } from '../../pipeline/index.ts'
import { type Database, listPostedReports } from '../../store/index.ts'
import { Text } from './api/schemas.ts'

export interface ReportRouteDeps {
  config: OnetrackConfig
  database: Database
  now(): Date
}

const Delivery = Type.Object({
  channelId: Type.String(),
  week: Type.String(),
  status: Type.Enum(['posting', 'posted', 'failed', 'skipped']),
  attempts: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
  versionId: Type.Union([Type.Integer(), Type.Null()]),
  postedAt: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.String(),
})

/** The weekly report as Markdown, and each channel's delivery record (failures included). */
export const reportRoutes: FastifyPluginAsyncTypebox<ReportRouteDeps> = async (app, deps) => {
  if (deps.config.auth.protectReads) app.addHook('onRequest', app.requireRole('viewer'))

  app.get(
    '/reports/preview',
    {
      schema: {
        tags: ['reports'],
        summary:
          'This week’s deferral report as Markdown: of the whole roadmap, or as a channel would get it',
        querystring: Type.Object({ channel: Type.Optional(Text({ description: 'a channel id' })) }),
        produces: ['text/markdown'],
      },
    },
    async (request, reply) => {
      const channelId = request.query.channel
      const channel = channelId === undefined ? null : deps.config.channels.find((c) => c.id === channelId)
      if (channel === undefined) throw new OnetrackError('ONETRACK_NOT_FOUND', `no channel ${channelId}`)
      const loaded = await loadChannelReport(deps, channel)
      if (loaded === null) throw new OnetrackError('ONETRACK_NOT_FOUND', 'no roadmap has been built yet')
      return reply.type('text/markdown; charset=utf-8').send(renderMarkdown(loaded.report, loaded.context))
    },
  )

  app.get(
    '/reports',
    {
      schema: {
        tags: ['reports'],
        summary: 'Report deliveries per channel and week, newest first, with the error of a failed one',
        querystring: Type.Object({
          channel: Type.Optional(Text({ description: 'a channel id' })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
        }),
        response: { 200: Type.Object({ deliveries: Type.Array(Delivery) }) },
      },
    },
    async (request) => {
      const { channel, limit } = request.query
      return {
        deliveries: await listPostedReports(deps.database.db, {
          limit,
          ...(channel === undefined ? {} : { channelId: channel }),
        }),
      }
    },
  )
}
