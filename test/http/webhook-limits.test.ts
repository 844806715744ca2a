// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the config file's own reference syntax
import { randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, type OnetrackConfig, parseConfig } from '../../src/config/index.ts'
import { startTestApp, type TestApp } from '../helpers/app.ts'
import { testEnv } from '../helpers/config.ts'
import { capturedLogger } from '../helpers/logs.ts'
import {
  jiraBody,
  jiraSignature,
  linearBody,
  linearSignature,
  signedSourcesConfig,
} from '../security/fixtures.ts'

/**
 * The webhook endpoints under unsigned floods and replays, through the whole app: limits, metrics,
 * sampled logs, de-duplication on the signed body, the Jira timestamp window, allowUnsigned.
 */
const started: TestApp[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((t) => t.close()))
})

async function start(config: OnetrackConfig, logger = capturedLogger()) {
  const t = await startTestApp({ config, logger: logger.logger })
  started.push(t)
  return { t, lines: () => logger.lines().map((l) => JSON.parse(l) as Record<string, unknown>) }
}

const limits = (rateLimit: string) => signedSourcesConfig(`server: { webhookRateLimit: ${rateLimit} }`)

function jira(t: TestApp, body: string, headers: Record<string, string> = {}, remoteAddress?: string) {
  return t.app.inject({
    method: 'POST',
    url: '/webhooks/jira/shop',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature': jiraSignature(body),
      'x-atlassian-webhook-identifier': randomUUID(),
      ...headers,
    },
    payload: body,
    ...(remoteAddress === undefined ? {} : { remoteAddress }),
  })
}

function linear(t: TestApp, body: string, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/webhooks/linear/plat',
    headers: {
      'content-type': 'application/json',
      'linear-signature': linearSignature(body),
      'linear-delivery': randomUUID(),
      ...headers,
    },
    payload: body,
  })
}

/** Requests that must all fail verification: unsigned, malformed, forged, for no source. */
function unverified(t: TestApp, i: number, remoteAddress = '198.51.100.1') {
  const body = jiraBody(String(i))
  const variants = [
    { url: '/webhooks/jira/shop', headers: {} },
    { url: '/webhooks/jira/shop', headers: { 'x-hub-signature': 'sha1=abc' } },
    { url: '/webhooks/jira/shop', headers: { 'x-hub-signature': jiraSignature(body, 'not-the-secret') } },
    { url: '/webhooks/linear/plat', headers: {} },
    { url: `/webhooks/jira/nope-${i}`, headers: {} },
  ]
  const variant = variants[i % variants.length] as (typeof variants)[number]
  return t.app.inject({
    method: 'POST',
    url: variant.url,
    headers: { 'content-type': 'application/json', ...variant.headers },
    payload: body,
    remoteAddress,
  })
}

async function rejectionCounts(t: TestApp): Promise<Record<string, number>> {
  const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body
  const counts: Record<string, number> = {}
  for (const match of text.matchAll(
    /^onetrack_webhook_rejections_total\{source="([^"]+)",reason="([^"]+)"\} (\d+)$/gm,
  )) {
    counts[`${match[1]}/${match[2]}`] = Number(match[3])
  }
  return counts
}

async function recorded(t: TestApp, sourceId: string): Promise<number> {
  const row = await t.database.db
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('source_id', '=', sourceId)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

describe('webhook limits', () => {
  it('a signed delivery is accepted after an unsigned flood', async () => {
    const { t } = await start(limits('{ max: 3, windowSeconds: 60, unverifiedPerAddress: 50 }'))
    const statuses = new Set<number>()
    for (let i = 0; i < 400; i++) statuses.add((await unverified(t, i, '198.51.100.1')).statusCode)
    expect([...statuses].sort()).toEqual([401, 404, 429])

    // From the flooding address itself: still verified, still queued.
    const first = await jira(t, jiraBody('10001'), {}, '198.51.100.1')
    expect(first.statusCode, first.body).toBe(202)
    // The whole verified budget is left: the flood charged none of it.
    expect((await jira(t, jiraBody('10002'))).statusCode).toBe(202)
    expect((await jira(t, jiraBody('10003'))).statusCode).toBe(202)
    const over = await jira(t, jiraBody('10004'))
    expect(over.statusCode).toBe(429)
    expect(over.json().error.message).toMatch(/^more than 3 webhook deliveries in 60 s for this source/)
    // The other source's budget is its own.
    expect((await linear(t, linearBody('proj-1'))).statusCode).toBe(202)
  })

  it('unsigned requests are limited per address', async () => {
    const { t } = await start(limits('{ max: 1000, windowSeconds: 60, unverifiedPerAddress: 5 }'))
    const unsigned = (remoteAddress: string) =>
      t.app.inject({
        method: 'POST',
        url: '/webhooks/jira/shop',
        headers: { 'content-type': 'application/json' },
        payload: '{}',
        remoteAddress,
      })
    for (let i = 0; i < 5; i++) {
      const answer = await unsigned('203.0.113.7')
      expect(answer.statusCode).toBe(401)
      expect(answer.json().error).toEqual({
        code: 'ONETRACK_UNAUTHORIZED',
        message: 'webhook rejected: unsigned delivery: X-Hub-Signature is missing',
      })
    }
    const limited = await unsigned('203.0.113.7')
    expect(limited.statusCode).toBe(429)
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    expect(limited.json().error).toMatchObject({
      code: 'ONETRACK_RATE_LIMITED',
      message: expect.stringMatching(/^more than 5 unverified webhook requests in 60 s from this address/),
    })
    // Another address has its own count, and a signed delivery refused as stale is not counted:
    // it is the tracker's own, late, and a 429 would only make it retry.
    for (let i = 0; i < 10; i++) {
      const late = await jira(t, jiraBody(String(20_100 + i), Date.now() - 3_600_000), {}, '203.0.113.8')
      expect(late.statusCode).toBe(401)
    }
    expect((await unsigned('203.0.113.8')).statusCode).toBe(401)
    // A source's verified budget is untouched, even from the limited address.
    expect((await jira(t, jiraBody('20001'), {}, '203.0.113.7')).statusCode).toBe(202)
  })

  it('rejections are counted and logged sampled', async () => {
    const { t, lines } = await start(limits('{ max: 1000, windowSeconds: 2, unverifiedPerAddress: 1000 }'))
    for (let i = 0; i < 30; i++) {
      const answer = await t.app.inject({ method: 'POST', url: '/webhooks/jira/shop', payload: '{}' })
      expect(answer.statusCode).toBe(401)
    }
    for (let i = 0; i < 5; i++) {
      await t.app.inject({ method: 'POST', url: `/webhooks/linear/nope-${i}`, payload: '{}' })
    }
    await jira(t, jiraBody('30001'), { 'x-hub-signature': jiraSignature('forged') })

    expect(await rejectionCounts(t)).toEqual({
      'shop/unsigned': 30,
      'shop/bad_signature': 1,
      'unknown/unknown_source': 5,
    })
    const webhookLines = () =>
      lines().filter((l) => String(l.msg).includes('webhook') && String(l.msg).includes('rejected'))
    // One line per source so far, not one per request (and no per-request lines from Fastify).
    expect(webhookLines().map((l) => [l.sourceId, l.reason])).toEqual([
      ['shop', 'unsigned'],
      ['unknown', 'unknown_source'],
    ])
    expect(lines().filter((l) => l.msg === 'incoming request' || l.msg === 'request completed')).toEqual([])

    // At the end of the interval, one summary per source says how many more there were.
    await expect.poll(() => webhookLines().length, { timeout: 5_000, interval: 100 }).toBe(4)
    const summaries = webhookLines().slice(2)
    expect(summaries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          level: 40,
          sourceId: 'shop',
          rejected: 30,
          byReason: { unsigned: 29, bad_signature: 1 },
          msg: expect.stringMatching(/^30 more webhook requests rejected in \d+ s$/),
        }),
        expect.objectContaining({ sourceId: 'unknown', rejected: 4, byReason: { unknown_source: 4 } }),
      ]),
    )
  })
})

describe('webhook de-duplication on the signed body', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp({ config: signedSourcesConfig() })
  })
  afterAll(() => t.close())

  it('the same signed body under a new delivery id is a duplicate (Jira)', async () => {
    const body = jiraBody('40001')
    const first = await jira(t, body, { 'x-atlassian-webhook-identifier': 'jira-original' })
    expect(first.statusCode, first.body).toBe(202)
    const replay = await jira(t, body, { 'x-atlassian-webhook-identifier': 'jira-replay' })
    expect(replay.statusCode).toBe(200)
    expect(replay.json()).toEqual({ status: 'duplicate', deliveryId: 'jira-replay' })
    // Without an identifier, too.
    const bare = await jira(t, body, { 'x-atlassian-webhook-identifier': '' })
    expect(bare.json()).toMatchObject({ status: 'duplicate' })
    // The delivery-id de-duplication still holds for a different body.
    const sameId = await jira(t, jiraBody('40002'), { 'x-atlassian-webhook-identifier': 'jira-original' })
    expect(sameId.json()).toMatchObject({ status: 'duplicate' })
    expect(await recorded(t, 'shop')).toBe(1)
  })

  it('the same signed body under a new delivery id is a duplicate (Linear)', async () => {
    const body = linearBody('proj-40001')
    const first = await linear(t, body, { 'linear-delivery': 'linear-original' })
    expect(first.statusCode, first.body).toBe(202)
    const replay = await linear(t, body, { 'linear-delivery': 'linear-replay' })
    expect(replay.json()).toEqual({ status: 'duplicate', deliveryId: 'linear-replay' })
    expect((await linear(t, body, { 'linear-delivery': '' })).json()).toMatchObject({ status: 'duplicate' })
    // A new body (Linear renews webhookTimestamp on a retry) keeps its own de-duplication by id.
    const retry = await linear(t, linearBody('proj-40001', Date.now() + 1), {
      'linear-delivery': 'linear-original',
    })
    expect(retry.json()).toMatchObject({ status: 'duplicate' })
    expect(await recorded(t, 'plat')).toBe(1)
  })

  it('a Jira delivery without a timestamp / outside the window is refused', async () => {
    const { timestamp: _, ...undated } = JSON.parse(jiraBody('50001')) as Record<string, unknown>
    const refusals = [
      [JSON.stringify(undated), /^webhook rejected: undated: the body has no timestamp/],
      [jiraBody('50002', Date.now() - 31 * 60_000), /^webhook rejected: stale: sent 18\d\d s before/],
      [jiraBody('50003', Date.now() + 31 * 60_000), /^webhook rejected: stale: dated 18\d\d s after/],
      [jiraBody('50004', Number.NaN), /undated/],
    ] as const
    for (const [body, message] of refusals) {
      const answer = await jira(t, body)
      expect(answer.statusCode, body).toBe(401)
      expect(answer.json().error.message).toMatch(message)
    }
    // Jira delivers up to 30 minutes late: within the window (30 minutes by default) it is taken.
    expect((await jira(t, jiraBody('50005', Date.now() - 29 * 60_000))).statusCode).toBe(202)
    expect((await jira(t, jiraBody('50006', Date.now() + 2 * 60_000))).statusCode).toBe(202)
  })
})

const UNSIGNED_SOURCES = `
roadmap:
  periods: { quarters: { start: 2027-Q1, count: 4 } }
  teams: [{ id: checkout, capacity: 40 }, { id: platform, capacity: 30 }]
sources:
  - { id: jira-open, kind: jira, baseUrl: "http://127.0.0.1:9", email: bot@example.com, apiToken: "\${T_JIRA}", jql: project = T, team: checkout, allowUnsigned: true }
  - { id: jira-closed, kind: jira, baseUrl: "http://127.0.0.1:9", email: bot@example.com, apiToken: "\${T_JIRA}", jql: project = T, team: checkout }
  - { id: linear-open, kind: linear, apiUrl: "http://127.0.0.1:9/graphql", apiKey: "\${T_LINEAR}", teams: [PLAT], team: platform, allowUnsigned: true }
  - { id: linear-closed, kind: linear, apiUrl: "http://127.0.0.1:9/graphql", apiKey: "\${T_LINEAR}", teams: [PLAT], team: platform }
`
const unsignedEnv = { ...testEnv, T_LINEAR: 'lin_api_unsigned_1f3a' }

describe('sources without a webhook secret', () => {
  it('a source without a secret refuses webhooks unless allowUnsigned', async () => {
    const { t } = await start(parseConfig(UNSIGNED_SOURCES, '/test/unsigned.yaml', unsignedEnv))
    const send = (url: string, body: string) =>
      t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: body })

    for (const [url, body] of [
      ['/webhooks/jira/jira-closed', jiraBody('60001')],
      ['/webhooks/linear/linear-closed', linearBody('proj-60001')],
    ] as const) {
      const refused = await send(url, body)
      expect(refused.statusCode, url).toBe(401)
      expect(refused.json().error.message).toMatch(
        /has no webhookSecret to verify .* \(and allowUnsigned is off\)$/,
      )
    }
    expect((await send('/webhooks/jira/jira-open', jiraBody('60002'))).statusCode).toBe(202)
    expect((await send('/webhooks/linear/linear-open', linearBody('proj-60002'))).statusCode).toBe(202)
    // Unsigned is not unchecked: the timestamp window and the body's shape still apply.
    expect(
      (await send('/webhooks/jira/jira-open', jiraBody('60003', Date.now() - 3_600_000))).statusCode,
    ).toBe(401)
    expect((await send('/webhooks/linear/linear-open', '{}')).statusCode).toBe(401)
    expect(await rejectionCounts(t)).toMatchObject({
      'jira-closed/no_secret': 1,
      'linear-closed/no_secret': 1,
      'jira-open/stale': 1,
      'linear-open/malformed': 1,
    })
  })

  it('allowUnsigned logs a warning at start', async () => {
    const { lines } = await start(parseConfig(UNSIGNED_SOURCES, '/test/unsigned.yaml', unsignedEnv))
    const warnings = lines().filter((l) => String(l.msg).includes('takes unsigned webhooks'))
    expect(warnings.map((l) => [l.level, l.sourceId])).toEqual([
      [40, 'jira-open'],
      [40, 'linear-open'],
    ])
    expect(String(warnings[0]?.msg)).toContain('/webhooks/jira/jira-open')
  })

  it('refuses a config that sets allowUnsigned next to a secret, or limits out of range, by key', () => {
    const problems = (text: string) => {
      try {
        parseConfig(text, '/test/bad.yaml', { ...unsignedEnv, HOOK: 'hook-secret-7a1c' })
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError)
        return (error as ConfigError).problems
      }
      return []
    }
    const both = UNSIGNED_SOURCES.replace(
      'team: checkout, allowUnsigned: true',
      'team: checkout, allowUnsigned: true, webhookSecret: "${HOOK}"',
    )
    expect(problems(both)).toEqual([
      'sources[0].allowUnsigned: cannot be true with a webhookSecret (a signed source takes only signed webhooks)',
    ])
    expect(
      problems(`server: { webhookRateLimit: { unverifiedPerAddress: 0 } }\n${UNSIGNED_SOURCES}`),
    ).toEqual([expect.stringMatching(/^server\.webhookRateLimit\.unverifiedPerAddress: /)])
    expect(
      problems(UNSIGNED_SOURCES.replace('team: checkout }', 'team: checkout, webhookWindowMinutes: 0 }')),
    ).toEqual([expect.stringMatching(/^sources\[1\]\.webhookWindowMinutes: /)])
    expect(parseConfig(UNSIGNED_SOURCES, '/test/unsigned.yaml', unsignedEnv).server.webhookRateLimit).toEqual(
      {
        max: 60_000,
        windowSeconds: 60,
        unverifiedPerAddress: 600,
      },
    )
  })
})
