import type { Secret } from '../../config/index.ts'
import { request } from '../http.ts'
import type { Channel, ChannelOptions, DeliveryKey } from '../types.ts'
import { renderSlackMessage, type SlackMessage } from './blocks.ts'
import { SLACK_MAYBE_POSTED } from './errors.ts'
import { webApiResult } from './web-api.ts'

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
      webApiResult(target, answer, 'chat.postMessage', { maybeDone: SLACK_MAYBE_POSTED })
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
        const result = webApiResult(target, answer, 'conversations.history', {
          maybeDone: SLACK_MAYBE_POSTED,
        }) as {
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
}
