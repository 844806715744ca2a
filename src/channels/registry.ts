import type { ChannelConfig } from '../config/index.ts'
import { slackChannel } from './slack/index.ts'
import { teamsChannel } from './teams/index.ts'
import type { Channel, ChannelKind, ChannelOptions } from './types.ts'
import { webhookChannel } from './webhook/index.ts'

type Factory<K extends ChannelKind> = (
  config: Extract<ChannelConfig, { kind: K }>,
  options: ChannelOptions,
) => Channel

/** Exhaustive: a channel kind in the config schema without a sender does not compile. */
const factories: { [K in ChannelKind]: Factory<K> } = {
  slack: slackChannel,
  teams: teamsChannel,
  webhook: webhookChannel,
}

/** The sender for a configured channel. Cheap: nothing is opened until it posts. */
export function createChannel(config: ChannelConfig, options: ChannelOptions = {}): Channel {
  return (factories[config.kind] as Factory<ChannelKind>)(config as never, options)
}
