import type { ChannelConfig } from '../../config/index.ts'
import { OnetrackError } from '../../errors.ts'
import type { Channel, ChannelOptions } from '../types.ts'
import type { SlackMessage } from './blocks.ts'
import { slackBotChannel } from './bot-channel.ts'
import { slackWebhookChannel } from './webhook-channel.ts'

export {
  renderSlackMessage,
  SLACK_ACTIONS,
  SLACK_LIMITS,
  type SlackBlock,
  type SlackMessage,
} from './blocks.ts'
export { SLACK_REPORT_EVENT } from './bot-channel.ts'
export { slackSignatureProblem } from './request-signature.ts'

/** A bot token with a channel wins over a webhook URL: only the bot can check for an earlier post. */
export function slackChannel(
  config: Extract<ChannelConfig, { kind: 'slack' }>,
  options: ChannelOptions,
): Channel<SlackMessage> {
  if (config.botToken !== undefined && config.channel !== undefined) {
    const interactive = config.signingSecret !== undefined
    return slackBotChannel(
      config.id,
      { token: config.botToken, channel: config.channel, interactive },
      options,
    )
  }
  if (config.webhookUrl !== undefined) return slackWebhookChannel(config.id, config.webhookUrl, options)
  throw new OnetrackError(
    'CHANNEL_REJECTED',
    `channel ${config.id}: a slack channel needs either webhookUrl, or botToken and channel`,
    { details: { channel: config.id, delivery: 'not_delivered' } },
  )
}
