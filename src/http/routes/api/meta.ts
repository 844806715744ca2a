import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { renderMarkdown } from '../../../channels/index.ts'
import { reportSettings, roadmapSettings } from '../../../config/index.ts'
import { OnetrackError } from '../../../errors.ts'
import { loadChannelReport } from '../../../pipeline/index.ts'
import { type ApiDeps, readSecurity } from './index.ts'
import { MetaResponse } from './responses.ts'
import { errors, Text } from './schemas.ts'

/** What the page needs to draw its filters, and the weekly report as it would be posted. */
export const metaRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const secured = readSecurity(deps.config)
  const { config } = deps

  app.get(
    '/meta',
    {
      schema: {
        tags: ['api'],
        summary: 'Teams, sources, channels, periods and the cost unit, for filters; who is calling',
        ...secured,
        response: {
          200: MetaResponse,
          ...errors(401),
        },
      },
    },
    async (request) => ({
      name: config.roadmap.name,
      teams: config.roadmap.teams.map((t) => ({
        id: t.id,
        ...(t.name === undefined ? {} : { name: t.name }),
      })),
      sources: config.sources.map((s) => ({ id: s.id, kind: s.kind })),
      channels: config.channels.map((c) => ({ id: c.id, kind: c.kind })),
      tracks: ['product' as const, 'technical' as const],
      periods: roadmapSettings(config).periods,
      unit: reportSettings(config).costUnit,
      chronicThreshold: config.roadmap.chronicDeferralThreshold,
      auth: { protectReads: config.auth.protectReads, caller: request.caller },
    }),
  )

  app.get(
    '/reports/preview',
    {
      schema: {
        tags: ['api'],
        summary: 'This week’s deferral report as Markdown, of the whole roadmap or as a channel gets it',
        ...secured,
        querystring: Type.Object({ channel: Type.Optional(Text({ description: 'a channel id' })) }),
        response: { 200: Type.Object({ markdown: Type.String() }), ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const channelId = request.query.channel
      const channel = channelId === undefined ? null : config.channels.find((c) => c.id === channelId)
      if (channel === undefined) throw new OnetrackError('ONETRACK_NOT_FOUND', `no channel ${channelId}`)
      const loaded = await loadChannelReport(deps, channel)
      if (loaded === null) throw new OnetrackError('ONETRACK_NOT_FOUND', 'no roadmap has been built yet')
      return { markdown: renderMarkdown(loaded.report, loaded.context) }
    },
  )
}
