import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Channel, createChannel, deliveryKey, failureDetails } from '../../src/channels/index.ts'
import { type ChannelConfig, Secret } from '../../src/config/index.ts'
import { isOnetrackError } from '../../src/errors.ts'
import { createSlackSimulator, type SlackSimulator } from '../../src/sandbox/slack/index.ts'
import { createTeamsSimulator, type TeamsSimulator } from '../../src/sandbox/teams/index.ts'
import { busyWeek, overLimitWeek, quietWeek } from './fixtures.ts'

const common = {
  schedule: { cron: '0 9 * * 1', timezone: 'UTC' },
  scope: {},
  minCostOfDelay: 0,
  quietWeek: 'note' as const,
}
const secret = (value: string) => new Secret(value, 'TEST_CHANNEL_SECRET')
const key = deliveryKey('eng-leads', '2027-W28')
const scenarios = { busy: busyWeek(), quiet: quietWeek(), 'over-limit': overLimitWeek() }

let slack: SlackSimulator
let teams: TeamsSimulator
let receiver: FastifyInstance
let receiverUrl: string
const received: Array<{ headers: Record<string, unknown>; body: string }> = []
let receiverStatus = 202
let silent: Server
let silentUrl: string

beforeAll(async () => {
  slack = createSlackSimulator({ channels: [{ id: 'C0ENGLEADS', name: 'eng-leads' }] })
  await slack.listen()
  teams = createTeamsSimulator()
  await teams.listen()
  receiver = Fastify()
  receiver.addContentTypeParser('application/json', { parseAs: 'string' }, (_r, body, done) =>
    done(null, body),
  )
  receiver.post('/hook', async (request, reply) => {
    received.push({ headers: request.headers, body: request.body as string })
    return reply.code(receiverStatus).send()
  })
  receiverUrl = `${await receiver.listen({ port: 0, host: '127.0.0.1' })}/hook`
  // Accepts connections and never answers: a request that may have arrived.
  silent = createServer(() => {})
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/services/T/B/x`
})

afterAll(async () => {
  await Promise.all([slack.close(), teams.close(), receiver.close()])
  silent.closeAllConnections()
  await new Promise((resolve) => silent.close(resolve))
})

function slackWebhook(url: string, options = {}): Channel {
  return createChannel({ kind: 'slack', id: 'eng-leads', ...common, webhookUrl: secret(url) }, options)
}

async function failure(work: Promise<unknown>) {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  )
  if (!isOnetrackError(error)) throw new Error(`expected an OnetrackError, got ${String(error)}`)
  return { code: error.code, message: error.message, details: failureDetails(error) }
}

describe('every rendered report is accepted by the simulators of the real services', () => {
  it.each(Object.keys(scenarios))('the %s week, in Slack (webhook and bot) and Teams', async (name) => {
    const { report, context } = scenarios[name as keyof typeof scenarios]
    const before = slack.received().length
    for (const channel of [
      slackWebhook(slack.createWebhook()),
      createChannel(
        {
          kind: 'slack',
          id: 'eng-leads',
          ...common,
          botToken: secret(slack.botToken),
          channel: 'C0ENGLEADS',
          // With a signing secret the report carries a pair of sign-off buttons per epic.
          signingSecret: secret('signing-secret'),
        },
        { slackApiUrl: slack.apiUrl() },
      ),
      createChannel({
        kind: 'teams',
        id: 'leadership',
        ...common,
        webhookUrl: secret(teams.createWorkflow()),
      }),
    ]) {
      await channel.post(channel.render(report, context), key)
    }
    expect(slack.received().length - before).toBe(2)
    expect(teams.requests().at(-1)).toMatchObject({ status: 202 })
  })
})

describe('Slack incoming webhook', () => {
  it('reads 429 as rate limited, with the Retry-After in ms, and as not delivered', async () => {
    slack.rateLimitNext(1, 7)
    const { report, context } = scenarios.busy
    const channel = slackWebhook(slack.createWebhook())
    expect(await failure(channel.post(channel.render(report, context), key))).toMatchObject({
      code: 'CHANNEL_RATE_LIMITED',
      details: { delivery: 'not_delivered', status: 429, retryAfterMs: 7000 },
    })
  })

  it('reads 5xx as unavailable and not delivered', async () => {
    slack.failNext(1, 503)
    const channel = slackWebhook(slack.createWebhook())
    expect(await failure(channel.post({ text: 'x', blocks: [] }, key))).toMatchObject({
      code: 'CHANNEL_UNAVAILABLE',
      details: { delivery: 'not_delivered', status: 503 },
    })
  })

  it('reads a removed webhook as a misconfigured channel, says what to do, and never shows the URL', async () => {
    const url = slack.createWebhook()
    slack.revokeWebhook(url)
    const result = await failure(slackWebhook(url).post({ text: 'x', blocks: [] }, key))
    expect(result).toMatchObject({ code: 'CHANNEL_REJECTED', details: { status: 404, answer: 'no_service' } })
    expect(result.message).toBe(
      'Slack answered 404 no_service: the webhook URL is wrong or the webhook was removed: create a new incoming webhook',
    )
    expect(JSON.stringify(result)).not.toContain(new URL(url).pathname)
  })

  it('refuses a URL that is not http(s) before sending anything', async () => {
    expect(
      await failure(slackWebhook('hooks.slack.com/services/x').post({ text: 'x', blocks: [] }, key)),
    ).toMatchObject({
      code: 'CHANNEL_REJECTED',
      details: { delivery: 'not_delivered' },
    })
  })

  it('reads a refused connection as not delivered, and no answer in time as unknown', async () => {
    const closed = Fastify()
    const url = `${await closed.listen({ port: 0, host: '127.0.0.1' })}/services/T/B/x`
    await closed.close()
    expect(await failure(slackWebhook(url).post({ text: 'x', blocks: [] }, key))).toMatchObject({
      code: 'CHANNEL_UNAVAILABLE',
      details: { delivery: 'not_delivered' },
    })
    const timedOut = await failure(
      slackWebhook(silentUrl, { timeoutMs: 200 }).post({ text: 'x', blocks: [] }, key),
    )
    expect(timedOut).toMatchObject({ code: 'CHANNEL_UNAVAILABLE', details: { delivery: 'unknown' } })
    expect(timedOut.message).toBe('Slack: no answer within 200 ms')
  })
})

describe('Slack bot token', () => {
  const bot = (token: string, channel = 'C0ENGLEADS') =>
    createChannel(
      { kind: 'slack', id: 'eng-leads', ...common, botToken: secret(token), channel } satisfies ChannelConfig,
      { slackApiUrl: slack.apiUrl() },
    )

  it('marks the report with its delivery key and finds it again in the history', async () => {
    const channel = bot(slack.botToken)
    const own = deliveryKey('eng-leads', '2031-W01')
    const since = new Date(Date.now() - 60_000)
    expect(await channel.delivered?.(own, since)).toBe(false)
    await channel.post(channel.render(scenarios.busy.report, scenarios.busy.context), own)
    expect(slack.received().at(-1)?.metadata).toEqual({
      event_type: 'onetrack_weekly_report',
      event_payload: { delivery_id: own.id, channel_id: 'eng-leads', week: '2031-W01' },
    })
    expect(await channel.delivered?.(own, since)).toBe(true)
    expect(await channel.delivered?.(deliveryKey('eng-leads', '2031-W02'), since)).toBe(false)
    expect(channel.onUnknownOutcome).toBe('confirm')
  })

  it('cannot look back in a channel given by name, so it does not promise to', () => {
    expect(bot(slack.botToken, '#eng-leads').onUnknownOutcome).toBe('give_up')
  })

  it("reads Slack's ok:false answers: a bad token is a misconfigured channel", async () => {
    expect(await failure(bot('xoxb-revoked').post({ text: 'x', blocks: [] } as never, key))).toMatchObject({
      code: 'CHANNEL_REJECTED',
      message: 'Slack chat.postMessage answered invalid_auth: the bot token is not valid',
      details: { status: 200, answer: 'invalid_auth', delivery: 'not_delivered' },
    })
  })

  it('reads internal_error as a post that may have happened', async () => {
    slack.failNext(1, 500)
    expect(await failure(bot(slack.botToken).post({ text: 'x', blocks: [] } as never, key))).toMatchObject({
      code: 'CHANNEL_UNAVAILABLE',
      details: { status: 500, answer: '{"ok":false,"error":"internal_error"}', delivery: 'unknown' },
    })
  })
})

describe('Teams Workflows webhook', () => {
  const teamsChannel = (url: string) =>
    createChannel({ kind: 'teams', id: 'leadership', ...common, webhookUrl: secret(url) })

  it('reads a deleted workflow as a misconfigured channel, with what to do', async () => {
    const url = teams.createWorkflow()
    teams.deleteWorkflow(url)
    const result = await failure(
      teamsChannel(url).post(teamsChannel(url).render(scenarios.quiet.report, scenarios.quiet.context), key),
    )
    expect(result.code).toBe('CHANNEL_REJECTED')
    expect(result.message).toMatch(
      /^Teams answered 404 .*WorkflowNotFound.*: the workflow was deleted or the URL is wrong/,
    )
    expect(result.message).not.toContain('sig=')
  })

  it('reads 429 with its Retry-After', async () => {
    teams.rateLimitNext(1, 2)
    const channel = teamsChannel(teams.createWorkflow())
    expect(
      await failure(channel.post(channel.render(scenarios.quiet.report, scenarios.quiet.context), key)),
    ).toMatchObject({
      code: 'CHANNEL_RATE_LIMITED',
      details: { retryAfterMs: 2000 },
    })
  })
})

describe('generic webhook', () => {
  const hook = (signingSecret?: string) =>
    createChannel({
      kind: 'webhook',
      id: 'eng-leads',
      ...common,
      url: secret(receiverUrl),
      ...(signingSecret === undefined ? {} : { signingSecret: secret(signingSecret) }),
    })

  it('signs the raw body with HMAC-SHA256 and sends the delivery key as Idempotency-Key', async () => {
    receiverStatus = 202
    const channel = hook('whsec-test')
    await channel.post(channel.render(scenarios.busy.report, scenarios.busy.context), key)
    const last = received.at(-1)
    expect(last?.headers['idempotency-key']).toBe(key.id)
    expect(last?.headers['x-onetrack-delivery']).toBe(key.id)
    const expected = Buffer.from(
      `sha256=${createHmac('sha256', 'whsec-test')
        .update(last?.body ?? '')
        .digest('hex')}`,
    )
    const given = Buffer.from(String(last?.headers['x-onetrack-signature']))
    expect(given.length === expected.length && timingSafeEqual(given, expected)).toBe(true)
    expect(JSON.parse(last?.body ?? '{}')).toMatchObject({
      type: 'onetrack.weekly_report',
      deliveryId: key.id,
    })
  })

  it('sends no signature without a secret, reads 409 as already delivered, 400 as rejected and 503 as unavailable', async () => {
    const channel = hook()
    receiverStatus = 409
    await channel.post(channel.render(scenarios.quiet.report, scenarios.quiet.context), key)
    expect(received.at(-1)?.headers).not.toHaveProperty('x-onetrack-signature')
    receiverStatus = 400
    expect(
      (await failure(channel.post(channel.render(scenarios.quiet.report, scenarios.quiet.context), key)))
        .code,
    ).toBe('CHANNEL_REJECTED')
    receiverStatus = 503
    expect(
      (await failure(channel.post(channel.render(scenarios.quiet.report, scenarios.quiet.context), key)))
        .code,
    ).toBe('CHANNEL_UNAVAILABLE')
    expect(channel.onUnknownOutcome).toBe('resend')
  })
})
