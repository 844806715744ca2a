import type { Secret } from '../../config/index.ts'
import type { WeeklyReport } from '../../domain/index.ts'
import { answerFailure, request } from '../http.ts'
import type { Channel, ChannelOptions, ReportContext } from '../types.ts'
import { renderSlackMessage, type SlackMessage } from './blocks.ts'
import { slackHint } from './errors.ts'

/**
 * Slack through an incoming webhook: one POST of `{text, blocks}`, answered `200 ok`, or a 4xx/5xx
 * with a plain-text error such as `no_service` or `invalid_blocks`. A webhook cannot read the
 * channel back, so a post whose outcome is unknown is not repeated (at most once).
 * @see https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks
 */
export function slackWebhookChannel(
  id: string,
  webhookUrl: Secret,
  options: ChannelOptions,
): Channel<SlackMessage> {
  const target = { channel: id, service: 'Slack' }
  return {
    id,
    kind: 'slack',
    onUnknownOutcome: 'give_up',
    render: (report: WeeklyReport, context: ReportContext) => renderSlackMessage(report, context),
    async post(message) {
      const answer = await request(
        { ...target, url: webhookUrl.reveal() },
        {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify(message),
        },
        options,
      )
      if (answer.status >= 200 && answer.status < 300) return
      throw answerFailure(target, answer, { explain: slackHint })
    },
  }
}
