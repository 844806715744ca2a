import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify'
import { formatDay } from '../../channels/format.ts'
import { SLACK_ACTIONS, slackSignatureProblem } from '../../channels/slack/index.ts'
import {
  missingSlackScope,
  SLACK_EMAIL_SCOPE,
  type SlackUserIdentity,
  slackUserInfo,
} from '../../channels/slack/users.ts'
import type { ChannelOptions } from '../../channels/types.ts'
import {
  type ChannelConfig,
  type OnetrackConfig,
  type Person,
  personByEmail,
  personBySlackUser,
  roadmapSettings,
  type Secret,
  signOffRefusal,
} from '../../config/index.ts'
import { type DeferralEvent, epicLabel, isDeferral, parseEpicId, periodNames } from '../../domain/index.ts'
import { isOnetrackError, OnetrackError } from '../../errors.ts'
import type { Queues } from '../../jobs/index.ts'
import { acceptEpicDeferrals, keepPlanned } from '../../pipeline/index.ts'
import {
  type AcknowledgedEvent,
  type Database,
  deferralEvent,
  epicHistory,
  openDeferralsOf,
  withAcknowledgements,
} from '../../store/index.ts'

export interface SlackRouteDeps {
  config: OnetrackConfig
  database: Database
  queues: Queues
  now(): Date
  /** For the follow-up through response_url; default the global fetch. */
  fetch?: typeof fetch
  /** How users.info is asked (Slack's API URL, timeout, fetch); default Slack itself. */
  channels?: ChannelOptions
}

type InteractiveChannel = Extract<ChannelConfig, { kind: 'slack' }> & { signingSecret: Secret }

/**
 * The Slack channels with buttons: any of their signing secrets may have signed a request (one
 * Slack app per channel, or one app for all).
 */
function interactiveChannels(config: OnetrackConfig): InteractiveChannel[] {
  return config.channels.flatMap((c) =>
    c.kind === 'slack' && c.signingSecret !== undefined ? [{ ...c, signingSecret: c.signingSecret }] : [],
  )
}

/** users.info answers (found or not) are kept this long per Slack user, so a double click asks once. */
const LOOKUP_TTL_MS = 10 * 60_000
const LOOKUP_MAX_ENTRIES = 1000

/** Who pressed: a person, or why nobody (the presser's ephemeral answer). */
type Presser = { person: Person; text?: undefined } | { person: null; text: string }

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
 * Slack interactivity: the weekly report's "Accept the deferral" and "Keep it planned" buttons, one
 * pair per epic (the button's value is the epic id): one call answers all of the epic's open
 * deferrals. The signature is verified on the raw bytes before anything is parsed; a forged or
 * stale request gets 401 and changes nothing. The Slack user must map to a configured person who
 * owns the epic's team: by a `slackUserId` in auth.tokens or auth.people, else by the email of their
 * Slack profile (users.info, with the bot token of the channel whose secret signed the request) in
 * auth.people; anyone else gets an ephemeral answer and nothing is recorded. The answer is 200 at
 * once; the outcome follows in the thread via response_url. Pressing again (a double click, a
 * replay, the other button after the first) records nothing: the presser alone is told the first
 * outcome.
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
      const interactive = interactiveChannels(deps.config)
      const secrets = interactive.map((c) => c.signingSecret.reveal())
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
      // Only the channels whose own secret signed this request: their bot is in the presser's workspace.
      const signedBy = () =>
        interactive.filter(
          (c) => slackSignatureProblem([c.signingSecret.reveal()], request.headers, raw, deps.now()) === null,
        )
      const { person, text } = await presser(userId, signedBy, request.log)
      if (person === null) {
        respond.ephemeral(text)
        return reply.code(200).send()
      }
      try {
        const answer = await serialized(action.value, () =>
          decide(person, action.action_id ?? '', action.value ?? '', rationaleOf(payload), request.log),
        )
        if (answer.first) respond.inThread(answer.text)
        else respond.ephemeral(answer.text)
      } catch (error) {
        if (!isOnetrackError(error)) throw error
        if (error.code === 'ONETRACK_INTERNAL' || error.code === 'ONETRACK_STORE_UNAVAILABLE') throw error
        respond.ephemeral(`Nothing recorded: ${error.message}`)
      }
      return reply.code(200).send()
    },
  )

  /**
   * The presser: a configured slackUserId wins; else their Slack profile's email, looked up with the
   * bot token of a channel that signed the request, names a person in the config.
   */
  async function presser(
    userId: string,
    signedBy: () => InteractiveChannel[],
    log: FastifyBaseLogger,
  ): Promise<Presser> {
    const configured = personBySlackUser(deps.config, userId)
    if (configured !== null) return { person: configured }
    const bot = userId === '' ? undefined : signedBy().find((c) => c.botToken !== undefined)
    if (bot?.botToken === undefined) {
      log.warn({ userId }, 'Slack action by a user onetrack does not know: nothing recorded')
      return {
        person: null,
        text: `onetrack does not know Slack user ${userId}, so nothing was recorded. Ask the roadmap owner to add your email to auth.people, or your Slack user id there as slackUserId.`,
      }
    }
    let found: SlackUserIdentity | null
    try {
      found = await lookUp(bot.id, bot.botToken, userId)
    } catch (error) {
      if (!isOnetrackError(error)) throw error
      const scope = missingSlackScope(error)
      log.warn({ userId, channel: bot.id, err: error }, 'Slack users.info failed: nothing recorded')
      if (scope === null) {
        return {
          person: null,
          text: `Nothing recorded: onetrack could not ask Slack who you are (${error.message}). Try again in a moment; or ask the roadmap owner to add your slackUserId to auth.people.`,
        }
      }
      const scopes = [...new Set([...scope.split(','), SLACK_EMAIL_SCOPE])]
      return {
        person: null,
        text: `Nothing recorded: onetrack's Slack app needs the ${scopes.join(' and ')} scope${scopes.length === 1 ? '' : 's'} to know who you are; or add your slackUserId to auth.people.`,
      }
    }
    if (found === null) {
      log.warn(
        { userId, channel: bot.id },
        `Slack shows no email for the user (does the bot token have ${SLACK_EMAIL_SCOPE}?): nothing recorded`,
      )
      return {
        person: null,
        text: `onetrack does not know Slack user ${userId}: Slack shows onetrack no email for you, so nothing was recorded. onetrack's Slack app needs the ${SLACK_EMAIL_SCOPE} scope to know who you are; or add your slackUserId to auth.people.`,
      }
    }
    const person = personByEmail(deps.config, found.email, found.realName ?? found.email)
    if (person === null) {
      log.warn(
        { userId, email: found.email },
        'Slack action by a user onetrack does not know: nothing recorded',
      )
      return {
        person: null,
        text: `onetrack does not know Slack user ${userId} (${found.email}), so nothing was recorded. Ask the roadmap owner to add your email to auth.people, or your Slack user id there as slackUserId.`,
      }
    }
    return { person }
  }

  /**
   * users.info, answered from the cache when asked within LOOKUP_TTL_MS. The pending answer is
   * cached too, so presses arriving together share one request; a failure is dropped so the next
   * press asks again.
   */
  const lookups = new Map<string, { at: number; answer: Promise<SlackUserIdentity | null> }>()
  function lookUp(channelId: string, token: Secret, userId: string): Promise<SlackUserIdentity | null> {
    const key = `${channelId}/${userId}`
    const now = deps.now().getTime()
    const cached = lookups.get(key)
    if (cached !== undefined && now - cached.at < LOOKUP_TTL_MS) return cached.answer
    lookups.delete(key)
    if (lookups.size >= LOOKUP_MAX_ENTRIES) {
      for (const [k, entry] of lookups) if (now - entry.at >= LOOKUP_TTL_MS) lookups.delete(k)
      // Still full: the oldest go first (a Map keeps insertion order).
      for (const k of lookups.keys()) {
        if (lookups.size < LOOKUP_MAX_ENTRIES) break
        lookups.delete(k)
      }
    }
    const answer = slackUserInfo({ channel: channelId, token }, userId, deps.channels ?? {})
    lookups.set(key, { at: now, answer })
    answer.catch(() => {
      if (lookups.get(key)?.answer === answer) lookups.delete(key)
    })
    return answer
  }

  /**
   * Presses of one epic's buttons one after the other, in this process: a double click reads the
   * first press's outcome instead of racing it. Across processes the store decides: an accept
   * locks the epic's deferrals, and a keep finds the same person's pin made within the window.
   */
  const inFlight = new Map<string, Promise<unknown>>()
  async function serialized<T>(key: string, run: () => Promise<T>): Promise<T> {
    const before = inFlight.get(key) ?? Promise.resolve()
    const result = before.then(run, run)
    const tail = result.then(
      () => undefined,
      () => undefined,
    )
    inFlight.set(key, tail)
    try {
      return await result
    } finally {
      if (inFlight.get(key) === tail) inFlight.delete(key)
    }
  }

  /** The epic a button names: its value is an epic id (older reports' buttons named a ledger event). */
  async function epicOf(value: string): Promise<string> {
    if (parseEpicId(value) !== null) return value
    const found = await deferralEvent(deps.database.db, value)
    return found?.event.epicId ?? value
  }

  async function decide(
    person: Person,
    actionId: string,
    value: string,
    rationale: string | null,
    log: FastifyBaseLogger,
  ): Promise<{ first: boolean; text: string }> {
    const epicId = await epicOf(value)
    const name = periodNames(roadmapSettings(deps.config).periods)
    if (actionId === SLACK_ACTIONS.accept) {
      const reason = rationale ?? `accepted in Slack by ${person.name}`
      const outcome = await acceptEpicDeferrals(deps, { person, epicId, reason, via: 'slack' }, log)
      if (outcome.status === 'already') return { first: false, text: alreadyText(outcome.events, name) }
      const answered = outcome.events.filter((e) => e.acknowledgement?.decisionId === outcome.decision.id)
      const epic = (answered[0] ?? outcome.events[0])?.epic
      const periods = [...new Set(answered.map((e) => name(e.fromPeriod)))].join(', ')
      return {
        first: true,
        text: `${person.name} accepted ${answered.length === 1 ? 'the deferral' : `the ${answered.length} deferrals`} of ${epic === undefined ? 'the epic' : epicLabel(epic)} (committed ${periods}): “${reason}”`,
      }
    }
    const open = await openDeferralsOf(deps.database.db, epicId)
    const latest = open.at(-1)
    if (latest === undefined)
      return { first: false, text: alreadyText(await signedOff(person, epicId), name) }
    const text = rationale ?? `kept planned in Slack by ${person.name}`
    const kept = await keepPlanned(deps, { person, eventId: latest.id, rationale: text, via: 'slack' }, log)
    if (kept.repeated) return { first: false, text: alreadyText(await signedOff(person, epicId), name) }
    return {
      first: true,
      text: `${person.name} kept ${epicLabel(latest.epic)} planned: pinned to ${name(kept.period)} (“${text}”); ${kept.answered.length === 1 ? '1 open deferral' : `${kept.answered.length} open deferrals`} answered. The roadmap is rebuilding.`,
    }
  }

  /** An epic's deferrals with their sign-offs, once the presser is known to own its team. */
  async function signedOff(person: Person, epicId: string): Promise<AcknowledgedEvent[]> {
    const deferrals = (await epicHistory(deps.database.db, epicId)).filter((e) => isDeferral(e.kind))
    const last = deferrals.at(-1)
    if (last === undefined)
      throw new OnetrackError('ONETRACK_NOT_FOUND', `epic ${epicId} has no deferral to sign off`)
    const refusal = signOffRefusal(deps.config, person, last.epic.team)
    if (refusal !== null) throw new OnetrackError('ONETRACK_FORBIDDEN', refusal)
    return withAcknowledgements(deps.database.db, deferrals)
  }
}

/** The first outcome, for a press that finds nothing left open: who answered the epic's deferrals, how and why. */
function alreadyText(events: readonly AcknowledgedEvent[], name: (period: string | null) => string): string {
  const signed = events.filter((e) => e.acknowledgement !== null)
  const last = [...signed]
    .sort((a, b) => (a.acknowledgement?.at ?? '').localeCompare(b.acknowledgement?.at ?? ''))
    .at(-1)
  const epic: DeferralEvent['epic'] | undefined = (last ?? events.at(-1))?.epic
  const label = epic === undefined ? 'this epic' : epicLabel(epic)
  const ack = last?.acknowledgement
  if (ack === undefined || ack === null)
    return `Nothing recorded: ${label} has no deferral awaiting sign-off.`
  const same = signed.filter((e) => e.acknowledgement?.decisionId === ack.decisionId)
  const periods = [...new Set(same.map((e) => name(e.fromPeriod)))].join(', ')
  const day = formatDay(ack.at)
  const how =
    ack.via === 'override'
      ? `${ack.by} kept it planned with a pin on ${day}`
      : `${ack.by} accepted ${same.length === 1 ? 'the deferral' : `the ${same.length} deferrals`} (committed ${periods}) on ${day}${ack.via === 'slack' ? ' in Slack' : ''}`
  return `Already decided, nothing new recorded: ${how}: “${ack.reason}”. ${label} has no deferral awaiting sign-off.`
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
