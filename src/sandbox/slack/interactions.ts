import { createHmac, randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from './routes.ts'
import type { PostedMessage } from './workspace.ts'

/**
 * Slack interactivity, from the workspace's side: a person presses a button in a posted message,
 * Slack POSTs a signed `block_actions` payload to the app's Request URL, and the app answers
 * through the `response_url` it was given (in the channel or thread, or ephemerally).
 * @see https://docs.slack.dev/interactivity/handling-user-interaction
 * @see https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
 * @see https://docs.slack.dev/authentication/verifying-requests-from-slack
 */
export interface ClickOptions {
  /** The app's Request URL, e.g. http://127.0.0.1:3000/slack/interactions. */
  requestUrl: string
  /** The app's signing secret (what Slack signs with). */
  signingSecret: string
  /** ts of the message holding the button. */
  messageTs: string
  actionId: string
  /** The button's value: it must be a button of that message. */
  value: string
  userId: string
  /** Text typed into the message's plain_text_input boxes, by action_id. */
  typed?: Record<string, string>
  /** Seconds since the epoch to sign with (default: the simulator's clock); for stale requests. */
  timestamp?: number
  /** Sent instead of the computed signature; for forged requests. */
  signature?: string
}

export interface ClickResult {
  status: number
  body: string
  /** The response_url given with the payload. */
  responseUrl: string
}

/** POST /actions/…: the response_url. A message in the channel (in a thread), or an ephemeral one. */
export function responseUrlRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post('/actions/*', async (request, reply) => {
    const route = 'POST /actions/:response'
    const target = ctx.workspace.responseUrls.get(request.url.split('?')[0] ?? '')
    const channel = target === undefined ? undefined : ctx.workspace.channels.get(target.channel)
    if (target === undefined || channel === undefined) {
      ctx.record({ route, status: 404, error: 'expired_url' })
      return reply.code(404).type('text/plain; charset=utf-8').send('expired_url')
    }
    const body = request.body as Record<string, unknown> | null
    if (typeof body !== 'object' || body === null || typeof body.text !== 'string' || body.text === '') {
      ctx.record({ route, status: 400, error: 'invalid_payload' })
      return reply.code(400).type('text/plain; charset=utf-8').send('invalid_payload')
    }
    if (body.response_type === 'in_channel') {
      const thread = typeof body.thread_ts === 'string' ? body.thread_ts : undefined
      ctx.workspace.post(channel, {
        via: 'response_url',
        text: body.text,
        ...(thread === undefined ? {} : { thread_ts: thread }),
      })
    } else {
      ctx.workspace.ephemeral.push({
        channel: channel.id,
        userId: target.userId,
        text: body.text,
        at: ctx.workspace.now(),
      })
    }
    ctx.record({ route, status: 200, error: null })
    return reply.code(200).type('text/plain; charset=utf-8').send('ok')
  })
}

/** What a press of a button sends: the signed form body to the app's Request URL. */
export async function click(ctx: RouteContext, baseUrl: string, options: ClickOptions): Promise<ClickResult> {
  const found = findMessage(ctx, options.messageTs)
  if (found === undefined) throw new Error(`no message ${options.messageTs}`)
  const { message } = found
  const button = buttonsOf(message).find((b) => b.action_id === options.actionId && b.value === options.value)
  if (button === undefined) {
    throw new Error(
      `message ${options.messageTs} has no button ${options.actionId} with value ${options.value}`,
    )
  }
  const responsePath = `/actions/${ctx.workspace.teamId}/${randomBytes(6).toString('hex')}/${randomBytes(12).toString('base64url')}`
  ctx.workspace.responseUrls.set(responsePath, {
    channel: message.channel,
    messageTs: message.ts,
    userId: options.userId,
  })
  const responseUrl = `${baseUrl}${responsePath}`
  const member = ctx.workspace.users.get(options.userId)
  const payload = {
    type: 'block_actions',
    team: { id: ctx.workspace.teamId },
    user: {
      id: options.userId,
      ...(member === undefined ? {} : { username: member.name, name: member.name }),
      team_id: ctx.workspace.teamId,
    },
    api_app_id: 'A0ONETRACK',
    container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
    channel: { id: message.channel },
    message: { type: 'message', ts: message.ts, text: message.text, blocks: message.blocks ?? [] },
    state: { values: stateValues(message, options.typed ?? {}) },
    response_url: responseUrl,
    trigger_id: `${Date.now()}.${randomBytes(4).toString('hex')}`,
    actions: [
      {
        type: 'button',
        action_id: button.action_id,
        block_id: button.block_id,
        value: button.value,
        text: button.text,
        action_ts: (ctx.workspace.now() / 1000).toFixed(6),
      },
    ],
  }
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString()
  const timestamp = String(options.timestamp ?? Math.floor(ctx.workspace.now() / 1000))
  const signature =
    options.signature ??
    `v0=${createHmac('sha256', options.signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`
  const res = await fetch(options.requestUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signature,
    },
    body,
  })
  return { status: res.status, body: await res.text(), responseUrl }
}

function findMessage(ctx: RouteContext, ts: string): { message: PostedMessage } | undefined {
  for (const channel of ctx.workspace.channels.values()) {
    const message = channel.messages.find((m) => m.ts === ts)
    if (message !== undefined) return { message }
  }
  return undefined
}

interface Button {
  action_id: string
  block_id: string
  value: string
  text: unknown
}

/** The buttons of a message's actions blocks. */
export function buttonsOf(message: PostedMessage): Button[] {
  const buttons: Button[] = []
  for (const raw of message.blocks ?? []) {
    const block = raw as { type?: string; block_id?: string; elements?: unknown[] }
    if (block.type !== 'actions') continue
    for (const e of block.elements ?? []) {
      const element = e as { type?: string; action_id?: string; value?: string; text?: unknown }
      if (element.type !== 'button' || element.action_id === undefined) continue
      buttons.push({
        action_id: element.action_id,
        block_id: block.block_id ?? '',
        value: element.value ?? '',
        text: element.text,
      })
    }
  }
  return buttons
}

/** state.values as Slack sends it: every input of the message, by block_id and action_id. */
function stateValues(
  message: PostedMessage,
  typed: Record<string, string>,
): Record<string, Record<string, { type: string; value: string | null }>> {
  const values: Record<string, Record<string, { type: string; value: string | null }>> = {}
  for (const raw of message.blocks ?? []) {
    const block = raw as { type?: string; block_id?: string; element?: { type?: string; action_id?: string } }
    if (block.type !== 'input' || block.element?.type !== 'plain_text_input') continue
    const actionId = block.element.action_id ?? ''
    values[block.block_id ?? ''] = {
      [actionId]: { type: 'plain_text_input', value: typed[actionId] ?? null },
    }
  }
  return values
}
