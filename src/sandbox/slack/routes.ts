import type { FastifyInstance, FastifyReply } from 'fastify'
import { messageProblem } from './block-kit.ts'
import type { RequestRecord, SimUser, Workspace } from './workspace.ts'

export interface RouteContext {
  workspace: Workspace
  botToken: string
  /** The OAuth scopes granted to the bot token, in the order Slack lists them in `provided`. */
  botScopes: string[]
  record(entry: Omit<RequestRecord, 'at'>): void
}

/**
 * Incoming webhooks: POST a JSON body (or a form with `payload=<json>`) to the webhook's secret
 * path. Answers `200 ok`, or a 4xx with Slack's plain-text error string.
 * @see https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks
 * @see https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks
 */
export function webhookRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post('/services/*', async (request, reply) => {
    const route = 'POST /services/:webhook'
    const fail = (status: number, error: string, messages?: string[]) => {
      ctx.record({ route, status, error, ...(messages === undefined ? {} : { messages }) })
      return reply.code(status).type('text/plain; charset=utf-8').send(error)
    }
    const channelId = ctx.workspace.webhooks.get(request.url.split('?')[0] ?? '')
    const channel = channelId === undefined ? undefined : ctx.workspace.channels.get(channelId)
    if (channel === undefined) return fail(404, 'no_service')
    if (channel.archived) return fail(410, 'channel_is_archived')
    const body = formPayload(request.body)
    if (body === undefined) return fail(400, 'invalid_payload')
    const problem = messageProblem(body)
    if (problem !== null) return fail(400, problem.error, problem.messages)
    const message = body as { text: string; blocks?: unknown[] }
    ctx.workspace.post(channel, {
      via: 'webhook',
      text: message.text,
      ...(message.blocks === undefined ? {} : { blocks: message.blocks }),
    })
    ctx.record({ route, status: 200, error: null })
    return reply.code(200).type('text/plain; charset=utf-8').send('ok')
  })
}

/**
 * The Web API methods a bot uses to post, to look back and to know who pressed a button:
 * chat.postMessage, conversations.history and users.info. Errors are HTTP 200 with
 * `{ok: false, error}`; bad tokens and missing scopes included.
 * @see https://docs.slack.dev/reference/methods/chat.postMessage
 * @see https://docs.slack.dev/reference/methods/conversations.history
 * @see https://docs.slack.dev/reference/methods/users.info
 */
export function webApiRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post('/api/chat.postMessage', async (request, reply) => {
    const route = 'POST /api/chat.postMessage'
    const args = argsOf(request.body)
    const auth = authError(request.headers.authorization, args.token, ctx.botToken)
    if (auth !== null) return answer(reply, ctx, route, { ok: false, error: auth })
    const channel = typeof args.channel === 'string' ? ctx.workspace.find(args.channel) : undefined
    if (channel === undefined) return answer(reply, ctx, route, { ok: false, error: 'channel_not_found' })
    if (channel.archived) return answer(reply, ctx, route, { ok: false, error: 'is_archived' })
    const message = { ...args, blocks: typeof args.blocks === 'string' ? parse(args.blocks) : args.blocks }
    const problem = messageProblem(message)
    if (problem !== null) {
      return answer(reply, ctx, route, {
        ok: false,
        error: problem.error,
        response_metadata: { messages: problem.messages },
      })
    }
    const metadata = typeof args.metadata === 'string' ? parse(args.metadata) : args.metadata
    if (metadata !== undefined && !isMetadata(metadata)) {
      return answer(reply, ctx, route, { ok: false, error: 'invalid_metadata_format' })
    }
    const posted = ctx.workspace.post(channel, {
      via: 'chat.postMessage',
      text: args.text as string,
      ...(Array.isArray(message.blocks) ? { blocks: message.blocks } : {}),
      ...(metadata === undefined ? {} : { metadata }),
    })
    return answer(reply, ctx, route, {
      ok: true,
      channel: channel.id,
      ts: posted.ts,
      message: {
        ...messageJson(posted, true),
        subtype: 'bot_message',
        bot_id: 'B0SIMULATOR',
      },
    })
  })

  const history = async (
    args: Record<string, unknown>,
    authorization: string | undefined,
    reply: FastifyReply,
  ) => {
    const route = 'conversations.history'
    const auth = authError(authorization, args.token, ctx.botToken)
    if (auth !== null) return answer(reply, ctx, route, { ok: false, error: auth })
    // Only ids: the method does not take channel names.
    const channel = typeof args.channel === 'string' ? ctx.workspace.channels.get(args.channel) : undefined
    if (channel === undefined) return answer(reply, ctx, route, { ok: false, error: 'channel_not_found' })
    const oldest = Number(args.oldest ?? 0)
    const latest = args.latest === undefined ? Number.POSITIVE_INFINITY : Number(args.latest)
    const limit = Math.min(Math.max(Number(args.limit ?? 100) || 100, 1), 999)
    const offset =
      typeof args.cursor === 'string' && args.cursor !== '' ? Number(atob(args.cursor).slice(7)) : 0
    const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true'
    // Thread replies are not in a channel's history (conversations.replies lists them).
    const matching = channel.messages
      .filter((m) => m.thread_ts === undefined && Number(m.ts) > oldest && Number(m.ts) < latest)
      .reverse()
    const page = matching.slice(offset, offset + limit)
    const hasMore = offset + limit < matching.length
    return answer(reply, ctx, route, {
      ok: true,
      messages: page.map((m) => messageJson(m, withMetadata)),
      has_more: hasMore,
      pin_count: 0,
      response_metadata: { next_cursor: hasMore ? btoa(`offset:${offset + limit}`) : '' },
    })
  }
  app.get('/api/conversations.history', async (request, reply) =>
    history(request.query as Record<string, unknown>, request.headers.authorization, reply),
  )
  app.post('/api/conversations.history', async (request, reply) =>
    history(argsOf(request.body), request.headers.authorization, reply),
  )

  // users.info needs users:read; without users:read.email it still answers, leaving profile.email out.
  const usersInfo = async (
    args: Record<string, unknown>,
    authorization: string | undefined,
    reply: FastifyReply,
  ) => {
    const route = 'users.info'
    const auth = authError(authorization, args.token, ctx.botToken)
    if (auth !== null) return answer(reply, ctx, route, { ok: false, error: auth })
    const scope = scopeError(ctx, 'users:read')
    if (scope !== null) return answer(reply, ctx, route, scope)
    const user = typeof args.user === 'string' ? ctx.workspace.users.get(args.user) : undefined
    if (user === undefined) return answer(reply, ctx, route, { ok: false, error: 'user_not_found' })
    return answer(reply, ctx, route, {
      ok: true,
      user: userJson(user, ctx.workspace.teamId, ctx.botScopes.includes('users:read.email')),
    })
  }
  app.get('/api/users.info', async (request, reply) =>
    usersInfo(request.query as Record<string, unknown>, request.headers.authorization, reply),
  )
  // A form only: users.info does not read a JSON body, so its arguments count as absent.
  app.post('/api/users.info', async (request, reply) =>
    usersInfo(
      request.body instanceof FormBody ? request.body.fields : {},
      request.headers.authorization,
      reply,
    ),
  )
}

/** Slack's answer to a token without the method's scope: what it needed, and what it has. */
function scopeError(ctx: RouteContext, needed: string): Record<string, unknown> | null {
  if (ctx.botScopes.includes(needed)) return null
  return { ok: false, error: 'missing_scope', needed, provided: ctx.botScopes.join(',') }
}

/** A user object as users.info returns it; `profile.email` only with users:read.email. */
function userJson(user: SimUser, teamId: string, withEmail: boolean) {
  return {
    id: user.id,
    team_id: teamId,
    name: user.name,
    deleted: false,
    real_name: user.realName,
    is_bot: user.isBot,
    profile: {
      real_name: user.realName,
      display_name: user.displayName,
      real_name_normalized: user.realName,
      display_name_normalized: user.displayName,
      ...(withEmail && user.email !== undefined ? { email: user.email } : {}),
    },
  }
}

function messageJson(
  m: { text: string; ts: string; blocks?: unknown[]; metadata?: unknown; thread_ts?: string },
  withMetadata: boolean,
) {
  return {
    type: 'message',
    text: m.text,
    ts: m.ts,
    ...(m.thread_ts === undefined ? {} : { thread_ts: m.thread_ts }),
    ...(m.blocks === undefined ? {} : { blocks: m.blocks }),
    ...(withMetadata && m.metadata !== undefined ? { metadata: m.metadata } : {}),
  }
}

function answer(reply: FastifyReply, ctx: RouteContext, route: string, body: Record<string, unknown>) {
  const messages = (body.response_metadata as { messages?: string[] } | undefined)?.messages
  ctx.record({
    route,
    status: 200,
    error: body.ok === true ? null : (body.error as string),
    ...(body.ok === true || messages === undefined ? {} : { messages }),
  })
  return reply.code(200).send(body)
}

/** Tokens come as `Authorization: Bearer …` or, in a form, as `token`. */
function authError(header: string | undefined, token: unknown, expected: string): string | null {
  const given =
    header?.startsWith('Bearer ') === true ? header.slice(7) : typeof token === 'string' ? token : undefined
  if (given === undefined) return 'not_authed'
  return given === expected ? null : 'invalid_auth'
}

function isMetadata(value: unknown): value is { event_type: string; event_payload: Record<string, unknown> } {
  const m = value as { event_type?: unknown; event_payload?: unknown } | null
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.event_type === 'string' &&
    typeof m.event_payload === 'object' &&
    m.event_payload !== null
  )
}

/** A webhook body: JSON, or the legacy form field `payload` holding JSON. Undefined when unreadable. */
function formPayload(body: unknown): unknown {
  if (body instanceof FormBody)
    return body.fields.payload === undefined ? undefined : parse(body.fields.payload)
  return typeof body === 'object' && body !== null && !(body instanceof RawBody) ? body : undefined
}

/** Web API arguments: a JSON object or form fields. */
function argsOf(body: unknown): Record<string, unknown> {
  if (body instanceof FormBody) return body.fields
  return typeof body === 'object' && body !== null && !(body instanceof RawBody)
    ? (body as Record<string, unknown>)
    : {}
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** A body sent as application/x-www-form-urlencoded. */
export class FormBody {
  readonly fields: Record<string, string>
  constructor(text: string) {
    this.fields = Object.fromEntries(new URLSearchParams(text))
  }
}

/** A body of a content type Slack does not read; kept so routes can refuse it. */
export class RawBody {
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
}
