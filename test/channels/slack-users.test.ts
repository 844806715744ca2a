import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { failureDetails } from '../../src/channels/index.ts'
import { missingSlackScope, slackUserInfo } from '../../src/channels/slack/users.ts'
import { Secret } from '../../src/config/index.ts'
import { isOnetrackError } from '../../src/errors.ts'
import {
  createSlackSimulator,
  DEFAULT_BOT_SCOPES,
  type SlackSimulator,
} from '../../src/sandbox/slack/index.ts'

const TOKEN = 'xoxb-users-lookup'
let slack: SlackSimulator

beforeAll(async () => {
  slack = createSlackSimulator({
    botToken: TOKEN,
    users: [
      { id: 'U0TESS', name: 'tess', realName: 'Tess Ng', email: 'tess@example.com' },
      { id: 'B0BOT', name: 'deploybot', isBot: true },
    ],
  })
  await slack.listen()
})

afterAll(async () => {
  await slack.close()
})

beforeEach(() => {
  slack.setBotScopes(DEFAULT_BOT_SCOPES)
  slack.clearFaults()
})

const lookUp = (userId: string, token = TOKEN) =>
  slackUserInfo({ channel: 'eng-leads', token: new Secret(token, 'SLACK_BOT') }, userId, {
    slackApiUrl: slack.apiUrl(),
  })

/** A Web API that answers every call with this body and status. */
const answering =
  (body: unknown, status = 200, headers: Record<string, string> = {}): typeof fetch =>
  async () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    })

async function failure(run: Promise<unknown>) {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  )
  if (!isOnetrackError(error)) throw new Error(`expected an OnetrackError, got ${String(error)}`)
  return error
}

describe('slackUserInfo (users.info)', () => {
  it('returns the email and real name of the profile', async () => {
    expect(await lookUp('U0TESS')).toEqual({ email: 'tess@example.com', realName: 'Tess Ng' })
  })

  it('takes the user’s real_name when the profile has none, and null when neither is there', async () => {
    const user = (profile: Record<string, unknown>, more: Record<string, unknown> = {}) =>
      slackUserInfo({ channel: 'eng-leads', token: new Secret(TOKEN, 'SLACK_BOT') }, 'U0X', {
        fetch: answering({ ok: true, user: { id: 'U0X', profile, ...more } }),
      })
    expect(await user({ email: 'x@example.com', real_name: '' }, { real_name: 'Xavier' })).toEqual({
      email: 'x@example.com',
      realName: 'Xavier',
    })
    expect(await user({ email: 'x@example.com' })).toEqual({ email: 'x@example.com', realName: null })
  })

  it('returns null when Slack shows no email: no users:read.email, a bot, an unknown user', async () => {
    expect(await lookUp('B0BOT')).toBeNull()
    expect(await lookUp('U0NOBODY')).toBeNull()
    slack.setBotScopes(DEFAULT_BOT_SCOPES.filter((s) => s !== 'users:read.email'))
    expect(await lookUp('U0TESS')).toBeNull()
  })

  it('refuses a token without users:read as a configuration problem naming the scopes', async () => {
    slack.setBotScopes(['chat:write', 'channels:history'])
    const error = await failure(lookUp('U0TESS'))
    expect(error.code).toBe('CHANNEL_REJECTED')
    expect(error.message).toBe(
      'Slack users.info answered missing_scope: the bot token lacks users:read; onetrack needs users:read and users:read.email to match Slack users by email (it has chat:write,channels:history)',
    )
    expect(error.details).toMatchObject({ answer: 'missing_scope', needed: 'users:read' })
    expect(missingSlackScope(error)).toBe('users:read')
  })

  it('names users:read.email when Slack says that is what is missing', async () => {
    const error = await failure(
      slackUserInfo({ channel: 'eng-leads', token: new Secret(TOKEN, 'SLACK_BOT') }, 'U0TESS', {
        fetch: answering({
          ok: false,
          error: 'missing_scope',
          needed: 'users:read.email',
          provided: 'users:read',
        }),
      }),
    )
    expect(missingSlackScope(error)).toBe('users:read.email')
    expect(error.message).toContain('the bot token lacks users:read.email')
  })

  it('maps a bad token, a rate limit and Slack’s failures as the bot channel does', async () => {
    const invalid = await failure(lookUp('U0TESS', 'xoxb-wrong'))
    expect([invalid.code, invalid.message]).toEqual([
      'CHANNEL_REJECTED',
      'Slack users.info answered invalid_auth: the bot token is not valid',
    ])
    expect(missingSlackScope(invalid)).toBeNull()

    slack.rateLimitNext(1, 7)
    const limited = await failure(lookUp('U0TESS'))
    expect(limited.code).toBe('CHANNEL_RATE_LIMITED')
    expect(failureDetails(limited)).toMatchObject({ status: 429, retryAfterMs: 7000 })

    slack.failNext(1, 503)
    expect((await failure(lookUp('U0TESS'))).code).toBe('CHANNEL_UNAVAILABLE')

    const internal = await failure(
      slackUserInfo({ channel: 'eng-leads', token: new Secret(TOKEN, 'SLACK_BOT') }, 'U0TESS', {
        fetch: answering({ ok: false, error: 'internal_error' }),
      }),
    )
    expect(internal.code).toBe('CHANNEL_UNAVAILABLE')
  })
})
