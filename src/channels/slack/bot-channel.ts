import type { Secret } from '../../config/index.ts'
import { OnetrackError } from '../../errors.ts'
import { answerFailure, type ChannelFailureDetails, type HttpAnswer, request } from '../http.ts'
import type { Channel, ChannelOptions, DeliveryKey } from '../types.ts'
import { renderSlackMessage, type SlackMessage } from './blocks.ts'
import { SLACK_MAYBE_POSTED, SLACK_TRANSIENT, slackHint } from './errors.ts'

/** The metadata event type onetrack marks its reports with, so it can find them again. */
export const SLACK_REPORT_EVENT = 'onetrack_weekly_report'

const DEFAULT_API_URL = 'https://slack.com/api'
/** conversations.history pages read when looking for an earlier post (200 messages each). */
const HISTORY_PAGES = 3

/**
 * Slack through a bot token: chat.postMessage with the report's delivery key in the message
 * metadata. After an attempt whose outcome is unknown, conversations.history (with
 * include_all_metadata) tells whether the report is already there, so it is posted exactly once.
 * That needs the channel's id (C…): Slack's history method does not take names, so with a
 * '#name' the bot falls back to at most once, like a webhook.
 * @see https://docs.slack.dev/reference/methods/chat.postMessage
 * @see https://docs.slack.dev/messaging/message-metadata
 * @see https://docs.slack.dev/reference/methods/conversations.history
 */
export function slackBotChannel(
  id: string,
  bot: { token: Secret; channel: string; interactive?: boolean },
  options: ChannelOptions,
): Channel<SlackMessage> {
  const target = { channel: id, service: 'Slack' }
  const api = (options.slackApiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '')
  const auth = () => ({ authorization: `Bearer ${bot.token.reveal()}` })
  const byId = /^[CGD][A-Z0-9]{2,}$/.test(bot.channel)

  return {
    id,
    kind: 'slack',
    onUnknownOutcome: byId ? 'confirm' : 'give_up',
    render: (report, context) =>
      renderSlackMessage(report, context, { interactive: bot.interactive === true }),
    async post(message, key) {
      const answer = await request(
        { ...target, url: `${api}/chat.postMessage` },
        {
          method: 'POST',
          headers: { ...auth(), 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify({
            channel: bot.channel,
            ...message,
            metadata: {
              event_type: SLACK_REPORT_EVENT,
              event_payload: { delivery_id: key.id, channel_id: key.channelId, week: key.week },
            },
          }),
        },
        options,
      )
      webApiResult(answer, 'chat.postMessage')
    },
    async delivered(key: DeliveryKey, since: Date) {
      let cursor: string | undefined
      for (let page = 0; page < HISTORY_PAGES; page++) {
        const query = new URLSearchParams({
          channel: bot.channel,
          oldest: (since.getTime() / 1000).toFixed(6),
          limit: '200',
          include_all_metadata: 'true',
          ...(cursor === undefined ? {} : { cursor }),
        })
        const answer = await request(
          { ...target, url: `${api}/conversations.history?${query}` },
          { method: 'GET', headers: auth() },
          options,
        )
        const result = webApiResult(answer, 'conversations.history') as {
          messages?: Array<{ metadata?: { event_type?: string; event_payload?: { delivery_id?: unknown } } }>
          has_more?: boolean
          response_metadata?: { next_cursor?: string }
        }
        const found = (result.messages ?? []).some(
          (m) =>
            m.metadata?.event_type === SLACK_REPORT_EVENT && m.metadata.event_payload?.delivery_id === key.id,
        )
        if (found) return true
        cursor = result.response_metadata?.next_cursor
        if (result.has_more !== true || cursor === undefined || cursor === '') return false
      }
      return false
    },
  }

  /**
   * The Web API answers HTTP 200 with `{ok: false, error}` for most failures, and 429 with
   * Retry-After when rate limited.
   * @see https://docs.slack.dev/apis/web-api/#responses
   */
  function webApiResult(answer: HttpAnswer, method: string): Record<string, unknown> {
    if (answer.status !== 200) {
      const delivery = SLACK_MAYBE_POSTED.has(errorOf(answer.body)) ? 'unknown' : 'not_delivered'
      throw answerFailure(target, answer, { explain: slackHint, delivery })
    }
    let body: { ok?: unknown; error?: unknown }
    try {
      body = JSON.parse(answer.body) as { ok?: unknown; error?: unknown }
    } catch {
      throw new OnetrackError('CHANNEL_UNAVAILABLE', `Slack ${method} answered 200 with no JSON`, {
        details: { channel: id, delivery: 'unknown', status: 200 } satisfies ChannelFailureDetails,
      })
    }
    if (body.ok === true) return body as Record<string, unknown>
    const error = typeof body.error === 'string' ? body.error : 'unknown_error'
    const hint = slackHint(error)
    const details: ChannelFailureDetails = {
      channel: id,
      delivery: SLACK_MAYBE_POSTED.has(error) ? 'unknown' : 'not_delivered',
      status: 200,
      answer: error,
    }
    const message = `Slack ${method} answered ${error}${hint === undefined ? '' : `: ${hint}`}`
    // Documented with a 429, but read from the body too in case only the body says so.
    if (error === 'ratelimited') throw answerFailure(target, { ...answer, status: 429 })
    throw new OnetrackError(
      SLACK_TRANSIENT.has(error) ? 'CHANNEL_UNAVAILABLE' : 'CHANNEL_REJECTED',
      message,
      {
        details,
      },
    )
  }
}

function errorOf(body: string): string {
  try {
    const error = (JSON.parse(body) as { error?: unknown }).error
    return typeof error === 'string' ? error : ''
  } catch {
    return ''
  }
}
