import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify'
import { SLACK_ACTIONS, slackSignatureProblem } from '../../channels/slack/index.ts'
import { type OnetrackConfig, type Person, personBySlackUser } from '../../config/index.ts'
import { isOnetrackError, OnetrackError } from '../../errors.ts'
import type { Queues } from '../../jobs/index.ts'
import { acceptDeferral, keepPlanned } from '../../pipeline/index.ts'
import type { Database } from '../../store/index.ts'

export interface SlackRouteDeps {
  config: OnetrackConfig
  database: Database
  queues: Queues
  now(): Date
  /** For the follow-up through response_url; default the global fetch. */
  fetch?: typeof fetch
}

/**
 * The signing secrets of the Slack channels with buttons: any of them may have signed a request
 * (one Slack app per channel, or one app for all).
 */
function signingSecrets(config: OnetrackConfig): string[] {
  return config.channels.flatMap((c) =>
    c.kind === 'slack' && c.signingSecret !== undefined ? [c.signingSecret.reveal()] : [],
  )
}

interface BlockActions {
  type: 'block_actions'
  user?: { id?: string; name?: string }
  actions?: Array<{ action_id?: string; value?: string }>
  response_url?: string
  container?: { message_ts?: string; thread_ts?: string }
  message?: { ts?: string; thread_ts?: string }
  state?: { values?: Record<string, Record<string, { type?: string; value?: string | null }>> }
}

/**
 * Slack interactivity: the weekly report's "Accept deferral" and "Keep it planned" buttons.
 * The signature is verified on the raw bytes before anything is parsed; a forged or stale request
 * gets 401 and changes nothing. The Slack user must map to a configured person
 * (auth.tokens[].slackUserId) who owns the epic's team; anyone else gets an ephemeral answer and
 * nothing is recorded. The answer is 200 at once; the outcome follows in the thread via
 * response_url.
 */
export const slackRoutes: FastifyPluginAsync<SlackRouteDeps> = async (app, deps) => {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
  const send = deps.fetch ?? fetch

  app.post(
    '/slack/interactions',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Slack interactivity: the weekly report’s sign-off buttons',
        description:
          'Signed by Slack (X-Slack-Signature, v0 HMAC-SHA256 with a slack channel’s signingSecret, timestamp within 5 minutes). 200 with an empty body once handled (the outcome is posted to response_url); 401 when the request cannot be verified; 404 when no channel has a signingSecret.',
      },
    },
    async (request, reply) => {
      const secrets = signingSecrets(deps.config)
      if (secrets.length === 0) {
        throw new OnetrackError(
          'ONETRACK_NOT_FOUND',
          'Slack interactivity is off: no slack channel has a signingSecret',
        )
      }
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
      const problem = slackSignatureProblem(secrets, request.headers, raw, deps.now())
      if (problem !== null) {
        request.log.warn({ reason: problem }, 'Slack interaction rejected')
        throw new OnetrackError('ONETRACK_UNAUTHORIZED', `Slack request rejected: ${problem}`)
      }
      const payload = parsePayload(raw)
      if (payload === null || payload.type !== 'block_actions') return reply.code(200).send()
      const action = (payload.actions ?? []).find(
        (a) => a.action_id === SLACK_ACTIONS.accept || a.action_id === SLACK_ACTIONS.keep,
      )
      if (action === undefined || typeof action.value !== 'string') return reply.code(200).send()
      const respond = responder(payload, send, request.log)
      const userId = payload.user?.id ?? ''
      const person = personBySlackUser(deps.config, userId)
      if (person === null) {
        request.log.warn({ userId }, 'Slack action by a user onetrack does not know: nothing recorded')
        respond.ephemeral(
          `onetrack does not know Slack user ${userId}, so nothing was recorded. Ask the roadmap owner to add your Slack user id (slackUserId) to your token in auth.tokens.`,
        )
        return reply.code(200).send()
      }
      try {
        const text = await decide(
          person,
          action.action_id ?? '',
          action.value,
          rationaleOf(payload),
          request.log,
        )
        respond.inThread(text)
      } catch (error) {
        if (!isOnetrackError(error)) throw error
        if (error.code === 'ONETRACK_INTERNAL' || error.code === 'ONETRACK_STORE_UNAVAILABLE') throw error
        respond.ephemeral(`Nothing recorded: ${error.message}`)
      }
      return reply.code(200).send()
    },
  )

  async function decide(
    person: Person,
    actionId: string,
    eventId: string,
    rationale: string | null,
    log: FastifyBaseLogger,
  ): Promise<string> {
    if (actionId === SLACK_ACTIONS.accept) {
      const reason = rationale ?? `accepted in Slack by ${person.name}`
      const { event } = await acceptDeferral(deps, { person, eventId, reason, via: 'slack' }, log)
      return `${person.name} accepted the deferral of ${event.epic.key} ${event.epic.title}: “${reason}”`
    }
    const text = rationale ?? `kept planned in Slack by ${person.name}`
    const kept = await keepPlanned(deps, { person, eventId, rationale: text, via: 'slack' }, log)
    return `${person.name} kept it planned: pinned to ${kept.period} (“${text}”); ${kept.answered.length === 1 ? '1 open deferral' : `${kept.answered.length} open deferrals`} answered. The roadmap is rebuilding.`
  }
}

function parsePayload(raw: Buffer): BlockActions | null {
  try {
    const field = new URLSearchParams(raw.toString('utf8')).get('payload')
    if (field === null) return null
    const value = JSON.parse(field) as unknown
    return typeof value === 'object' && value !== null ? (value as BlockActions) : null
  } catch {
    return null
  }
}

/** The text typed into the report's "why" box, if any. */
function rationaleOf(payload: BlockActions): string | null {
  for (const block of Object.values(payload.state?.values ?? {})) {
    const input = block[SLACK_ACTIONS.rationale]
    const text = typeof input?.value === 'string' ? input.value.trim() : ''
    if (text !== '') return text.slice(0, 1000)
  }
  return null
}

/** Follow-ups through response_url: in the report's thread, or only to the person who clicked. */
function responder(payload: BlockActions, send: typeof fetch, log: FastifyBaseLogger) {
  const url = payload.response_url
  const threadTs =
    payload.container?.thread_ts ??
    payload.message?.thread_ts ??
    payload.container?.message_ts ??
    payload.message?.ts
  const post = (body: Record<string, unknown>) => {
    if (url === undefined || !/^https?:\/\//.test(url)) return
    // Not awaited: Slack wants the 200 within 3 seconds; a failed follow-up is logged.
    void send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    })
      .then((res) => {
        if (!res.ok) log.warn({ status: res.status }, 'Slack response_url refused the follow-up')
      })
      .catch((err: unknown) => log.warn({ err }, 'Slack response_url did not answer'))
  }
  return {
    inThread: (text: string) =>
      post({
        response_type: 'in_channel',
        replace_original: false,
        text,
        ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
      }),
    ephemeral: (text: string) => post({ response_type: 'ephemeral', replace_original: false, text }),
  }
}
