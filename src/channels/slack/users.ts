import type { Secret } from '../../config/index.ts'
import { OnetrackError } from '../../errors.ts'
import { type ChannelFailureDetails, request } from '../http.ts'
import type { ChannelOptions } from '../types.ts'
import { webApiResult } from './web-api.ts'

const DEFAULT_API_URL = 'https://slack.com/api'

/** The scope without which Slack leaves `profile.email` out of users.info. */
export const SLACK_EMAIL_SCOPE = 'users:read.email'

/** A Slack user as onetrack matches them to `auth.people`. */
export interface SlackUserIdentity {
  email: string
  /** The profile's real name, else the user's; null when Slack gives neither. */
  realName: string | null
}

/** What a users.info failure carries in `details`: Slack's `needed`/`provided` for missing_scope. */
export interface SlackLookupFailureDetails extends ChannelFailureDetails {
  needed?: string
  provided?: string
}

/**
 * Errors that say this user cannot be seen, not that the lookup is broken: for onetrack, the user
 * has no email visible.
 * @see https://docs.slack.dev/reference/methods/users.info#errors
 */
const NOT_VISIBLE = new Set(['user_not_found', 'user_not_visible'])

/**
 * The email and name of a Slack user, through users.info with a channel's bot token. Null when
 * Slack shows no email for them: the token lacks users:read.email (Slack then answers ok without
 * `profile.email`), the user is a bot, or Slack does not know or show the user. Throws like the bot
 * channel does: CHANNEL_RATE_LIMITED (429 with Retry-After), CHANNEL_UNAVAILABLE (5xx, no answer,
 * Slack's transient errors) and CHANNEL_REJECTED (a bad token, or missing_scope when the token lacks
 * users:read; `details.needed` names the scope).
 * @see https://docs.slack.dev/reference/methods/users.info
 * @see https://docs.slack.dev/reference/scopes/users.read.email
 */
export async function slackUserInfo(
  bot: { channel: string; token: Secret },
  userId: string,
  options: ChannelOptions = {},
): Promise<SlackUserIdentity | null> {
  const target = { channel: bot.channel, service: 'Slack' }
  const api = (options.slackApiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '')
  const answer = await request(
    { ...target, url: `${api}/users.info?${new URLSearchParams({ user: userId })}` },
    { method: 'GET', headers: { authorization: `Bearer ${bot.token.reveal()}` } },
    options,
  )
  const body = webApiResult(target, answer, 'users.info', { answers: NOT_VISIBLE, explain: explainUsersInfo })
  if (body.ok !== true) return null
  const user = body.user as
    | { real_name?: unknown; profile?: { email?: unknown; real_name?: unknown } }
    | undefined
  const email = text(user?.profile?.email)
  if (email === null) return null
  return { email, realName: text(user?.profile?.real_name) ?? text(user?.real_name) }
}

/** missing_scope in words, with Slack's `needed` and `provided` kept in the error's details. */
function explainUsersInfo(error: string, body: Record<string, unknown>) {
  if (error !== 'missing_scope') return undefined
  const needed = text(body.needed)
  const provided = typeof body.provided === 'string' ? body.provided : undefined
  return {
    hint: `the bot token lacks ${needed ?? 'a scope'}; onetrack needs users:read and ${SLACK_EMAIL_SCOPE} to match Slack users by email${provided === undefined ? '' : ` (it has ${provided === '' ? 'none' : provided})`}`,
    details: {
      ...(needed === null ? {} : { needed }),
      ...(provided === undefined ? {} : { provided }),
    },
  }
}

/** The scope Slack said a users.info call lacked; null when the error is not missing_scope. */
export function missingSlackScope(error: unknown): string | null {
  if (!(error instanceof OnetrackError)) return null
  const details = error.details as Partial<SlackLookupFailureDetails> | undefined
  if (details?.answer !== 'missing_scope') return null
  return details.needed ?? SLACK_EMAIL_SCOPE
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null
}
