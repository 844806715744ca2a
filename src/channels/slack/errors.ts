/**
 * What Slack's error strings mean for the person who configured the channel.
 * @see https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks#handling_errors
 * @see https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks
 * @see https://docs.slack.dev/reference/methods/chat.postMessage#errors
 */
const HINTS: Record<string, string> = {
  no_service: 'the webhook URL is wrong or the webhook was removed: create a new incoming webhook',
  no_team: 'the webhook URL is wrong or the workspace is gone',
  team_disabled: 'the workspace is disabled',
  invalid_token: 'the webhook URL is wrong or was revoked',
  channel_not_found: 'the channel does not exist, or the bot cannot see it',
  channel_is_archived: 'the channel is archived',
  is_archived: 'the channel is archived',
  not_in_channel: 'invite the bot to the channel first (/invite @your-bot)',
  action_prohibited: 'the workspace does not allow this app to post there',
  restricted_action: 'the workspace does not allow this app to post there',
  invalid_auth: 'the bot token is not valid',
  not_authed: 'no bot token was sent',
  token_revoked: 'the bot token was revoked',
  token_expired: 'the bot token expired',
  account_inactive: 'the bot token belongs to a deleted user or workspace',
  missing_scope: 'the bot token lacks a scope (chat:write to post, channels:history to check for duplicates)',
  invalid_payload: 'Slack refused the message onetrack built: please report it',
  invalid_blocks: 'Slack refused the message onetrack built: please report it',
  invalid_blocks_format: 'Slack refused the message onetrack built: please report it',
  no_text: 'Slack refused the message onetrack built: please report it',
  msg_too_long: 'Slack refused the message onetrack built: please report it',
}

export function slackHint(error: string): string | undefined {
  return HINTS[error]
}

/**
 * Web API errors after which the message may have been posted anyway: Slack documents that "some
 * aspect of the operation" may have succeeded.
 * @see https://docs.slack.dev/reference/methods/chat.postMessage#errors (internal_error, fatal_error)
 */
export const SLACK_MAYBE_POSTED = new Set(['internal_error', 'fatal_error'])

/** Web API errors that a later attempt may not get: Slack's side, not the channel's configuration. */
export const SLACK_TRANSIENT = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
])
