import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import { Faults } from './faults.ts'
import { type ClickOptions, type ClickResult, click, responseUrlRoutes } from './interactions.ts'
import { FormBody, RawBody, type RouteContext, webApiRoutes, webhookRoutes } from './routes.ts'
import {
  type PostedMessage,
  type RequestRecord,
  type SimUser,
  type SimUserInput,
  Workspace,
} from './workspace.ts'

export { type MessageProblem, messageProblem, type SlackErrorCode } from './block-kit.ts'
export { buttonsOf, type ClickOptions, type ClickResult } from './interactions.ts'
export type { PostedMessage, RequestRecord, SimUser, SimUserInput } from './workspace.ts'

/**
 * What the bot token is granted unless told otherwise: posting, reading history, and seeing
 * members with their emails.
 * @see https://docs.slack.dev/reference/scopes
 */
export const DEFAULT_BOT_SCOPES: readonly string[] = [
  'chat:write',
  'channels:history',
  'groups:history',
  'users:read',
  'users:read.email',
]

export interface SlackSimulatorOptions {
  teamId?: string
  /** The one bot token the Web API accepts. */
  botToken?: string
  /** The bot token's scopes (default DEFAULT_BOT_SCOPES). */
  botScopes?: readonly string[]
  /** Members users.info knows, with their emails. */
  users?: SimUserInput[]
  /** Default: one channel, C0ENGLEADS '#eng-leads'. */
  channels?: Array<{ id: string; name: string }>
  /** Incoming webhooks with fixed paths (e.g. the demo's), bound to a channel id. */
  webhooks?: Array<{ path: string; channel: string }>
  clock?: () => number
}

/**
 * A Slack workspace in one process, for the demo and the tests: incoming webhooks and the Web API
 * methods onetrack uses, on Slack's paths, validating messages as Slack does (Block Kit limits,
 * text fallback) and answering with Slack's error strings. Faults (429 with Retry-After, 5xx) can
 * be injected for the next N requests.
 */
export interface SlackSimulator {
  app: FastifyInstance
  botToken: string
  /** Starts listening on 127.0.0.1 (port 0: any free port); returns the base URL. */
  listen(port?: number): Promise<string>
  url(): string
  /** The Web API base URL, e.g. http://127.0.0.1:PORT/api. */
  apiUrl(): string
  close(): Promise<void>
  /** A new incoming webhook URL for the channel (default: the first). Call after listen(). */
  createWebhook(channelId?: string): string
  /** A webhook URL no longer answers (404 no_service), as when its app is removed. */
  revokeWebhook(url: string): void
  archive(channelId: string): void
  /** A member users.info answers for (a new id, or one replaced). */
  addUser(user: SimUserInput): SimUser
  /** The bot token's scopes from now on, as when the app is reinstalled with others. */
  setBotScopes(scopes: readonly string[]): void
  /** Every accepted message, in the order they arrived. */
  received(): PostedMessage[]
  /** Every request answered, accepted or refused. */
  requests(): RequestRecord[]
  /** The next `count` requests get 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitNext(count: number, retryAfterSeconds: number): void
  /** The next `count` requests fail with `status` (default 500, Slack's rollup_error). */
  failNext(count: number, status?: number): void
  clearFaults(): void
  /**
   * A person presses a button of a posted message: the signed block_actions request goes to the
   * app's Request URL. Its answers through response_url land in `received()` (in the channel or
   * thread) or `ephemeral()`.
   */
  click(options: ClickOptions): Promise<ClickResult>
  /** Ephemeral answers, in the order they arrived. */
  ephemeral(): Array<{ channel: string; userId: string; text: string; at: number }>
}

export function createSlackSimulator(options: SlackSimulatorOptions = {}): SlackSimulator {
  const clock = options.clock ?? Date.now
  const workspace = new Workspace(options.teamId ?? 'T0ONETRACK', clock)
  for (const c of options.channels ?? [{ id: 'C0ENGLEADS', name: 'eng-leads' }])
    workspace.addChannel(c.id, c.name)
  for (const hook of options.webhooks ?? []) workspace.createWebhook(hook.channel, hook.path)
  for (const user of options.users ?? []) workspace.addUser(user)
  const botToken = options.botToken ?? 'xoxb-simulator-token'
  const faults = new Faults()
  const log: RequestRecord[] = []
  let baseUrl = 'http://127.0.0.1'
  const record = (entry: Omit<RequestRecord, 'at'>) => log.push({ at: clock(), ...entry })
  const ctx: RouteContext = {
    workspace,
    botToken,
    botScopes: [...(options.botScopes ?? DEFAULT_BOT_SCOPES)],
    record,
  }

  const app = Fastify({ logger: false, forceCloseConnections: true })
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, new FormBody(body as string)),
  )
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) =>
    done(null, new RawBody(body as string)),
  )
  app.addHook('onRequest', async (request, reply) => {
    const fault = faults.take()
    if (fault === null) return undefined
    const api = request.url.startsWith('/api/')
    const route = `${request.method} ${request.url.split('?')[0]}`
    if (fault.kind === 'rate_limited') {
      record({ route, status: 429, error: api ? 'ratelimited' : 'rate_limited' })
      reply.header('retry-after', String(fault.retryAfterSeconds))
      return api
        ? reply.code(429).send({ ok: false, error: 'ratelimited' })
        : reply.code(429).type('text/plain; charset=utf-8').send('rate_limited')
    }
    record({ route, status: fault.status, error: api ? 'internal_error' : 'rollup_error' })
    return api
      ? reply.code(fault.status).send({ ok: false, error: 'internal_error' })
      : reply.code(fault.status).type('text/plain; charset=utf-8').send('rollup_error')
  })
  // A body that is not JSON: the webhook's invalid_payload, the Web API's invalid_json.
  app.setErrorHandler((error: { statusCode?: number }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode < 500 ? 400 : 500
    const route = `${request.method} ${request.url.split('?')[0]}`
    if (request.url.startsWith('/api/')) {
      record({ route, status: 200, error: 'invalid_json' })
      return reply.code(200).send({ ok: false, error: 'invalid_json' })
    }
    record({ route, status, error: status === 400 ? 'invalid_payload' : 'rollup_error' })
    return reply
      .code(status)
      .type('text/plain; charset=utf-8')
      .send(status === 400 ? 'invalid_payload' : 'rollup_error')
  })
  app.setNotFoundHandler((request, reply) => {
    record({ route: `${request.method} ${request.url.split('?')[0]}`, status: 404, error: 'unknown_method' })
    return request.url.startsWith('/api/')
      ? reply.code(404).send({ ok: false, error: 'unknown_method' })
      : reply.code(404).type('text/plain; charset=utf-8').send('no_service')
  })
  webhookRoutes(app, ctx)
  webApiRoutes(app, ctx)
  responseUrlRoutes(app, ctx)

  return {
    app,
    botToken,
    async listen(port = 0) {
      await app.listen({ port, host: '127.0.0.1' })
      baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
      return baseUrl
    },
    url: () => baseUrl,
    apiUrl: () => `${baseUrl}/api`,
    close: () => app.close(),
    createWebhook(channelId) {
      const first = workspace.channels.keys().next().value
      return `${baseUrl}${workspace.createWebhook(channelId ?? first ?? '')}`
    },
    revokeWebhook(url) {
      workspace.webhooks.delete(new URL(url).pathname)
    },
    archive(channelId) {
      const channel = workspace.channels.get(channelId)
      if (channel === undefined) throw new Error(`no channel ${channelId}`)
      channel.archived = true
    },
    addUser: (user) => workspace.addUser(user),
    setBotScopes(scopes) {
      ctx.botScopes = [...scopes]
    },
    received: () =>
      [...workspace.channels.values()].flatMap((c) => c.messages).sort((a, b) => Number(a.ts) - Number(b.ts)),
    requests: () => [...log],
    rateLimitNext: (count, retryAfterSeconds) =>
      faults.add(count, { kind: 'rate_limited', retryAfterSeconds }),
    failNext: (count, status = 500) => faults.add(count, { kind: 'failure', status }),
    clearFaults: () => faults.clear(),
    click: (clickOptions) => click(ctx, baseUrl, clickOptions),
    ephemeral: () => [...workspace.ephemeral],
  }
}
