import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import { renderMarkdown } from '../../../channels/index.ts'
import {
  isRoadmapOwner,
  type OnetrackConfig,
  reportSettings,
  roadmapSettings,
  teamsOwnedBy,
} from '../../../config/index.ts'
import { OnetrackError } from '../../../errors.ts'
import { loadChannelReport } from '../../../pipeline/index.ts'
import type { Caller } from '../../plugins/auth.ts'
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
    async (request, reply) => ({
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
      auth: {
        protectReads: config.auth.protectReads,
        signOn: config.auth.oidc !== undefined,
        caller: callerView(config, request.caller),
        csrfToken: csrfToken(request, reply),
      },
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

/** Who is calling, with what the page needs to show them only what they may do. */
function callerView(config: OnetrackConfig, caller: Caller | null) {
  if (caller === null) return null
  return {
    name: caller.name,
    role: caller.role,
    email: caller.email ?? null,
    via: caller.via,
    roadmapOwner: isRoadmapOwner(config, caller),
    teams: teamsOwnedBy(config, caller),
  }
}

/** A signed-in person's CSRF token, bound to their session; never cached with the answer. */
function csrfToken(request: FastifyRequest, reply: FastifyReply): string | null {
  if (request.caller?.via !== 'page' || request.sessionKey === null) return null
  void reply.header('cache-control', 'no-store')
  return reply.generateCsrf({ userInfo: request.sessionKey })
}
