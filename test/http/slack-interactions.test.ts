// The owner's calls made twice — a double click, a signed request replayed within Slack's five
// minutes, the same pin posted twice — are recorded once, even when the two presses reach two API
// processes sharing one store: the second press is told the first outcome. And a presser with no
// slackUserId is matched by the email of their Slack profile (users.info, asked once per user).
import { createHmac } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type OnetrackConfig, parseConfig, Secret } from '../../src/config/index.ts'
import { type AppDeps, buildApp } from '../../src/http/app.ts'
import type { SlackRouteDeps } from '../../src/http/routes/slack.ts'
import { closeQueues, createQueues, type Queues } from '../../src/jobs/index.ts'
import { createMetrics } from '../../src/metrics.ts'
import {
  createSlackSimulator,
  DEFAULT_BOT_SCOPES,
  type SlackSimulator,
} from '../../src/sandbox/slack/index.ts'
import { type Database, openDatabase, registerSources } from '../../src/store/index.ts'
import { connectorRegistry } from '../../src/trackers/index.ts'
import { seedHistory } from '../helpers/api-history.ts'
import type { TestApp } from '../helpers/app.ts'
import { TEST_SOURCES_YAML, TEST_TOKENS, testEnv } from '../helpers/config.ts'
import { type TestDatabase, testDatabase } from '../helpers/database.ts'
import { capturedLogger } from '../helpers/logs.ts'
import { dropPrefix, testRedis, uniquePrefix } from '../helpers/redis.ts'

const NOW = new Date('2027-04-10T09:00:00Z')
const SIGNING = 'slack-signing-secret-twice'
const MESSAGE_TS = '1807520400.000100'

function config(): OnetrackConfig {
  return parseConfig(
    `
auth:
  tokens:
    - { name: olivia, token: "\${T_OWNER}", role: owner, slackUserId: U0OLIVIA }
    - { name: eddie, token: "\${T_EDITOR}", role: editor }
    - { name: vic, token: "\${T_VIEWER}", role: viewer }
roadmap:
  periods: { quarters: { start: 2027-Q1, count: 4 } }
  teams:
    - { id: checkout, capacity: 40 }
    - { id: platform, capacity: 30 }
${TEST_SOURCES_YAML}channels:
  - { id: eng-leads, kind: slack, botToken: "\${SLACK_BOT}", channel: C0ENGLEADS, signingSecret: "\${SLACK_SIGNING}" }
`,
    '/test/slack-twice.yaml',
    { ...testEnv, SLACK_BOT: 'xoxb-twice', SLACK_SIGNING: SIGNING },
  )
}

/** What the app posted to the response_urls it was given: in the thread, or to the presser alone. */
interface Answer {
  path: string
  response_type: 'in_channel' | 'ephemeral'
  text: string
}

let db: TestDatabase
let other: Database
let redis: Redis
let queues: Queues
let prefix: string
let first: FastifyInstance
let second: FastifyInstance
const answers: Answer[] = []
let responses: Server
let responseBase: string
let clicks = 0

/** The app as `onetrack serve` wires it, over a database connection pool of its own. */
async function apiProcess(database: Database, cfg: OnetrackConfig): Promise<FastifyInstance> {
  const { logger } = capturedLogger()
  const app = await buildApp({
    config: cfg,
    database,
    redis,
    queues,
    logger,
    metrics: createMetrics(),
    connectorFor: connectorRegistry(cfg.sources, { logger, publicUrl: cfg.server.publicUrl }),
    now: () => NOW,
  })
  await app.ready()
  return app
}

beforeAll(async () => {
  const cfg = config()
  db = await testDatabase('postgres')
  const schema = /search_path=(\w+)/.exec(decodeURIComponent(db.url ?? ''))?.[1]
  other = await openDatabase({
    databaseUrl: new Secret(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', 'X'),
    dataDir: 'unused',
    ...(schema === undefined ? {} : { schema }),
    poolSize: 4,
  })
  await registerSources(db.database.db, cfg.sources)
  redis = testRedis('api')
  prefix = uniquePrefix()
  queues = createQueues({ connection: redis, prefix })
  first = await apiProcess(db.database, cfg)
  second = await apiProcess(other, cfg)
  await seedHistory({ database: db.database, queues } as TestApp, cfg)
  responses = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString()
    })
    request.on('end', () => {
      answers.push({ path: request.url ?? '', ...(JSON.parse(body) as Omit<Answer, 'path'>) })
      response.end('ok')
    })
  })
  await new Promise<void>((resolve) => responses.listen(0, '127.0.0.1', resolve))
  responseBase = `http://127.0.0.1:${(responses.address() as AddressInfo).port}`
})

afterAll(async () => {
  await first?.close()
  await second?.close()
  await closeQueues(queues)
  await dropPrefix(redis, prefix)
  redis.disconnect()
  await other?.close()
  await db?.dispose()
  await new Promise((resolve) => responses?.close(resolve))
})

/** A press as Slack sends it: the form body and its signature, made once and sendable again. */
function press(
  actionId: 'onetrack_keep' | 'onetrack_accept',
  epicId: string,
  typed?: string,
  userId = 'U0OLIVIA',
) {
  clicks += 1
  const payload = {
    type: 'block_actions',
    user: { id: userId },
    actions: [{ action_id: actionId, value: epicId, type: 'button' }],
    response_url: `${responseBase}/actions/${clicks}`,
    container: { type: 'message', message_ts: MESSAGE_TS },
    state: {
      values:
        typed === undefined
          ? {}
          : { why: { onetrack_rationale: { type: 'plain_text_input', value: typed } } },
    },
  }
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`
  const timestamp = String(Math.floor(NOW.getTime() / 1000))
  const signature = `v0=${createHmac('sha256', SIGNING).update(`v0:${timestamp}:${body}`).digest('hex')}`
  return {
    path: `/actions/${clicks}`,
    send: async (app: FastifyInstance) => {
      const res = await app.inject({
        method: 'POST',
        url: '/slack/interactions',
        payload: body,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': timestamp,
          'x-slack-signature': signature,
        },
      })
      return res.statusCode
    },
  }
}

async function counts() {
  const d = db.database.db
  const rows = await d
    .selectFrom('decisions')
    .select(['kind', d.fn.countAll<number>().as('n')])
    .groupBy('kind')
    .execute()
  const overrides = await d
    .selectFrom('overrides')
    .select(d.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  const byKind = Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]))
  return {
    acknowledgement: byKind.acknowledgement ?? 0,
    override: byKind.override ?? 0,
    revocation: byKind.revocation ?? 0,
    overrides: Number(overrides.n),
  }
}

/** Epics with a deferral awaiting sign-off, read from the store. */
async function openEpics(): Promise<string[]> {
  const res = await first.inject({ method: 'GET', url: '/api/deferrals?acknowledged=false&limit=500' })
  const events = (res.json() as { events: Array<{ epicId: string }> }).events
  return [...new Set(events.map((e) => e.epicId))].sort()
}

/** The answers to these presses, in order of arrival, once all have come (the route does not await them). */
async function answersTo(paths: string[]): Promise<Answer[]> {
  const deadline = Date.now() + 5_000
  for (;;) {
    const got = answers.filter((a) => paths.includes(a.path))
    if (got.length >= paths.length) return got
    if (Date.now() > deadline)
      throw new Error(
        `${paths.length} answers to ${[...new Set(paths)].join(', ')} within 5 s: got ${JSON.stringify(got)}`,
      )
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function buildJobs(): Promise<number> {
  const counts = await queues.build.getJobCounts('waiting', 'delayed', 'prioritized', 'active')
  return Object.values(counts).reduce((a, b) => a + b, 0)
}

describe('Slack buttons pressed twice', () => {
  it('Keep it planned pressed twice is recorded once', async () => {
    const epicId = (await openEpics())[0]
    if (epicId === undefined) throw new Error('the seeded history left no deferral open')
    await queues.build.obliterate({ force: true })
    const before = await counts()
    // A double click whose two presses reach two API processes at the same instant.
    const one = press('onetrack_keep', epicId, 'The audit needs it this quarter')
    const two = press('onetrack_keep', epicId, 'The audit needs it this quarter')
    expect(await Promise.all([one.send(first), two.send(second)])).toEqual([200, 200])
    expect(await counts()).toEqual({
      ...before,
      override: before.override + 1,
      overrides: before.overrides + 1,
    })
    expect(await buildJobs()).toBe(1)
    const [a, b] = await answersTo([one.path, two.path])
    const kept = [a, b].filter((x) => x?.response_type === 'in_channel')
    const again = [a, b].filter((x) => x?.response_type === 'ephemeral')
    expect(kept).toHaveLength(1)
    expect(kept[0]?.text).toMatch(
      /^olivia kept .+ planned: pinned to Q2 2027 \(“The audit needs it this quarter”\)/,
    )
    expect(again).toHaveLength(1)
    expect(again[0]?.text).toMatch(
      /^Already decided, nothing new recorded: olivia kept it planned with a pin on .+: “The audit needs it this quarter”/,
    )
    // Its build has run; a third press a moment later, with other words typed: the first outcome, no build.
    await queues.build.obliterate({ force: true })
    const three = press('onetrack_keep', epicId, 'Changed my mind about the wording')
    expect(await three.send(first)).toBe(200)
    expect((await answersTo([three.path]))[0]?.text).toMatch(
      /^Already decided, nothing new recorded: olivia kept/,
    )
    expect(await counts()).toEqual({
      ...before,
      override: before.override + 1,
      overrides: before.overrides + 1,
    })
    expect(await buildJobs()).toBe(0)
  })

  it('a replayed signed Keep-it-planned request is recorded once', async () => {
    const epicId = (await openEpics())[0]
    if (epicId === undefined) throw new Error('no deferral left open')
    await queues.build.obliterate({ force: true })
    const before = await counts()
    const original = press('onetrack_keep', epicId)
    // The same bytes and signature sent to the other process while the first is being handled,
    // then again once its build has run: within the five minutes a signature is good for.
    expect(await Promise.all([original.send(first), original.send(second)])).toEqual([200, 200])
    expect(await buildJobs()).toBe(1)
    await queues.build.obliterate({ force: true })
    expect(await original.send(first)).toBe(200)
    expect(await counts()).toEqual({
      ...before,
      override: before.override + 1,
      overrides: before.overrides + 1,
    })
    expect(await buildJobs()).toBe(0)
    const overrides = await first.inject({
      method: 'GET',
      url: `/api/overrides?active=all&epic=${encodeURIComponent(epicId)}`,
    })
    expect((overrides.json() as { overrides: Array<{ revokedAt: string | null }> }).overrides).toEqual([
      expect.objectContaining({
        kind: 'pin',
        author: 'olivia',
        rationale: 'kept planned in Slack by olivia',
        revokedAt: null,
      }),
    ])
    const replies = await answersTo([original.path, original.path, original.path])
    expect(replies.map((r) => r.response_type).sort()).toEqual(['ephemeral', 'ephemeral', 'in_channel'])
    expect(replies.at(-1)?.text).toMatch(
      /^Already decided, nothing new recorded: olivia kept it planned with a pin on 10 Apr 2027: “kept planned in Slack by olivia”/,
    )
  })

  it('Accept pressed twice is recorded once', async () => {
    const epicId = (await openEpics())[0]
    if (epicId === undefined) throw new Error('no deferral left open')
    const before = await counts()
    const one = press('onetrack_accept', epicId, 'Checkout freeze until the migration lands')
    const two = press('onetrack_accept', epicId, 'Checkout freeze until the migration lands')
    expect(await Promise.all([one.send(first), two.send(second)])).toEqual([200, 200])
    expect(await counts()).toEqual({ ...before, acknowledgement: before.acknowledgement + 1 })
    const [a, b] = await answersTo([one.path, two.path])
    const accepted = [a, b].filter((x) => x?.response_type === 'in_channel')
    const again = [a, b].filter((x) => x?.response_type === 'ephemeral')
    expect(accepted).toHaveLength(1)
    expect(accepted[0]?.text).toMatch(/^olivia accepted the (\d+ )?deferrals? of /)
    expect(again[0]?.text).toMatch(
      /^Already decided, nothing new recorded: olivia accepted .+ in Slack: “Checkout freeze until the migration lands”/,
    )
    // Replayed: nothing new either.
    expect(await one.send(second)).toBe(200)
    expect(await counts()).toEqual({ ...before, acknowledgement: before.acknowledgement + 1 })
  })
})

describe('the same pin posted twice through the API', () => {
  it('is recorded once, and the second post is answered with the first', async () => {
    const epicId = (await openEpics())[0] ?? 'jira-test:11'
    const before = await counts()
    const post = (app: FastifyInstance, rationale = 'Before the peak season') =>
      app.inject({
        method: 'POST',
        url: '/api/overrides',
        headers: { authorization: `Bearer ${TEST_TOKENS.owner}` },
        payload: { epicId, kind: 'pin', period: '2027-Q3', rationale },
      })
    const [one, two] = await Promise.all([post(first), post(second)])
    expect([one.statusCode, two.statusCode].sort()).toEqual([200, 201])
    expect(one.json().override).toEqual(two.json().override)
    expect(one.json().answered).toEqual(two.json().answered)
    const repeat = [one, two].find((r) => r.statusCode === 200)?.json()
    expect(repeat.build).toEqual({ status: 'coalesced', trigger: `override:${repeat.override.id}` })
    expect((await counts()).override).toBe(before.override + 1)
    // Other words are another call: it replaces the first, on the record.
    const reworded = await post(first, 'Before the peak season, as the auditors asked')
    expect(reworded.statusCode).toBe(201)
    expect(reworded.json().replaced).toEqual([expect.objectContaining({ id: repeat.override.id })])
  })
})

describe('a Slack user matched by the email of their Slack profile', () => {
  let slack: SlackSimulator
  let byEmail: FastifyInstance
  let logLines: () => string[]

  function emailConfig(): OnetrackConfig {
    return parseConfig(
      `
auth:
  tokens:
    - { name: olivia, token: "\${T_OWNER}", role: owner, slackUserId: U0OLIVIA }
  people:
    - { email: tess@example.com, name: Tess Ng, role: editor }
    - { email: rita@example.com, name: Rita Ortiz, role: editor }
roadmap:
  periods: { quarters: { start: 2027-Q1, count: 4 } }
  teams:
    - { id: checkout, capacity: 40, owners: [tess@example.com, rita@example.com] }
    - { id: platform, capacity: 30, owners: [tess@example.com, rita@example.com] }
${TEST_SOURCES_YAML}channels:
  - { id: eng-leads, kind: slack, botToken: "\${SLACK_BOT}", channel: C0ENGLEADS, signingSecret: "\${SLACK_SIGNING}" }
`,
      '/test/slack-by-email.yaml',
      { ...testEnv, SLACK_BOT: 'xoxb-by-email', SLACK_SIGNING: SIGNING },
    )
  }

  const usersInfoAsked = () => slack.requests().filter((r) => r.route.includes('users.info')).length

  beforeAll(async () => {
    slack = createSlackSimulator({
      botToken: 'xoxb-by-email',
      clock: () => NOW.getTime(),
      users: [
        { id: 'U0TESS', name: 'tess', realName: 'Tess from Slack', email: 'tess@example.com' },
        { id: 'U0STRANGER', name: 'stranger', email: 'stranger@example.com' },
        { id: 'U0RITA', name: 'rita', email: 'rita@example.com' },
      ],
    })
    await slack.listen()
    const cfg = emailConfig()
    const captured = capturedLogger()
    logLines = captured.lines
    // buildApp hands its deps to the Slack routes: users.info goes to the simulator.
    const deps: AppDeps & Pick<SlackRouteDeps, 'channels'> = {
      config: cfg,
      database: db.database,
      redis,
      queues,
      logger: captured.logger,
      metrics: createMetrics(),
      connectorFor: connectorRegistry(cfg.sources, {
        logger: captured.logger,
        publicUrl: cfg.server.publicUrl,
      }),
      now: () => NOW,
      channels: { slackApiUrl: slack.apiUrl() },
    }
    byEmail = await buildApp(deps)
    await byEmail.ready()
  })

  afterAll(async () => {
    await byEmail?.close()
    await slack?.close()
  })

  /** The epic Tess signs off in the first test; later presses on it are answered, never recorded. */
  let decided = ''

  it('records a press by a person whose Slack email is in auth.people as a team owner, under their name', async () => {
    const epicId = (await openEpics())[0]
    if (epicId === undefined) throw new Error('no deferral left open')
    decided = epicId
    const before = await counts()
    const one = press('onetrack_accept', epicId, 'Tess signs this one off', 'U0TESS')
    expect(await one.send(byEmail)).toBe(200)
    expect(await counts()).toEqual({ ...before, acknowledgement: before.acknowledgement + 1 })
    const [answer] = await answersTo([one.path])
    expect(answer).toMatchObject({ response_type: 'in_channel' })
    expect(answer?.text).toMatch(/^Tess Ng accepted the (\d+ )?deferrals? of .+: “Tess signs this one off”$/)
    const decisions = await byEmail.inject({
      method: 'GET',
      url: `/api/decisions?kind=acknowledgement&epic=${encodeURIComponent(epicId)}`,
    })
    expect(decisions.json().decisions).toHaveLength(1)
    expect(decisions.json().decisions[0]).toMatchObject({
      author: 'Tess Ng',
      authorEmail: 'tess@example.com',
      via: 'slack',
      epicId,
    })
    // Her second press is answered from what Slack said the first time.
    const two = press('onetrack_keep', epicId, undefined, 'U0TESS')
    expect(await two.send(byEmail)).toBe(200)
    expect((await answersTo([two.path]))[0]?.text).toMatch(
      /^Already decided, nothing new recorded: Tess Ng accepted .+ in Slack: “Tess signs this one off”/,
    )
    expect(usersInfoAsked()).toBe(1)
    // A slackUserId still wins: Slack is not asked about olivia.
    const three = press('onetrack_keep', epicId, undefined, 'U0OLIVIA')
    expect(await three.send(byEmail)).toBe(200)
    expect((await answersTo([three.path]))[0]?.text).toMatch(/^Already decided, nothing new recorded: /)
    expect(usersInfoAsked()).toBe(1)
    expect(await counts()).toEqual({ ...before, acknowledgement: before.acknowledgement + 1 })
  })

  it('records nothing for an email the config does not know, and asks Slack once for a double click', async () => {
    const before = await counts()
    const asked = usersInfoAsked()
    const one = press('onetrack_accept', decided, undefined, 'U0STRANGER')
    const two = press('onetrack_accept', decided, undefined, 'U0STRANGER')
    expect(await Promise.all([one.send(byEmail), two.send(byEmail)])).toEqual([200, 200])
    const replies = await answersTo([one.path, two.path])
    for (const reply of replies) {
      expect(reply.response_type).toBe('ephemeral')
      expect(reply.text).toBe(
        'onetrack does not know Slack user U0STRANGER (stranger@example.com), so nothing was recorded. Ask the roadmap owner to add your email to auth.people, or your Slack user id there as slackUserId.',
      )
    }
    // A third press later: that Slack knows the user but the config does not is remembered too.
    const three = press('onetrack_accept', decided, undefined, 'U0STRANGER')
    expect(await three.send(byEmail)).toBe(200)
    await answersTo([three.path])
    expect(usersInfoAsked()).toBe(asked + 1)
    expect(await counts()).toEqual(before)
    expect(logLines().some((l) => l.includes('"level":40') && l.includes('stranger@example.com'))).toBe(true)
  })

  it('records nothing when the bot token lacks users:read.email, and says which scope', async () => {
    slack.setBotScopes(DEFAULT_BOT_SCOPES.filter((s) => s !== 'users:read.email'))
    try {
      const before = await counts()
      // Rita is in auth.people and owns the team, but Slack shows onetrack no email for her.
      const one = press('onetrack_accept', decided, undefined, 'U0RITA')
      expect(await one.send(byEmail)).toBe(200)
      const [reply] = await answersTo([one.path])
      expect(reply?.response_type).toBe('ephemeral')
      expect(reply?.text).toBe(
        "onetrack does not know Slack user U0RITA: Slack shows onetrack no email for you, so nothing was recorded. onetrack's Slack app needs the users:read.email scope to know who you are; or add your slackUserId to auth.people.",
      )
      expect(await counts()).toEqual(before)
      expect(logLines().some((l) => l.includes('"level":40') && l.includes('users:read.email'))).toBe(true)
    } finally {
      slack.setBotScopes(DEFAULT_BOT_SCOPES)
    }
  })

  it('records nothing when Slack cannot be asked (no users:read, Slack down), and asks again next time', async () => {
    const before = await counts()
    const warnings = () =>
      logLines().filter((l) => l.includes('"level":40') && l.includes('users.info failed'))
    const warned = warnings().length
    // Someone Slack has not been asked about yet, with Tess's email.
    slack.addUser({ id: 'U0TESSTOO', name: 'tess.ng', email: 'tess@example.com' })
    slack.setBotScopes(['chat:write', 'channels:history'])
    const scopeless = press('onetrack_keep', decided, undefined, 'U0TESSTOO')
    expect(await scopeless.send(byEmail)).toBe(200)
    expect((await answersTo([scopeless.path]))[0]?.text).toBe(
      "Nothing recorded: onetrack's Slack app needs the users:read and users:read.email scopes to know who you are; or add your slackUserId to auth.people.",
    )
    slack.setBotScopes(DEFAULT_BOT_SCOPES)
    slack.failNext(1, 503)
    const down = press('onetrack_keep', decided, undefined, 'U0TESSTOO')
    expect(await down.send(byEmail)).toBe(200)
    const [downReply] = await answersTo([down.path])
    expect(downReply?.response_type).toBe('ephemeral')
    expect(downReply?.text).toMatch(
      /^Nothing recorded: onetrack could not ask Slack who you are \(Slack answered 503 .*\)\. Try again in a moment/,
    )
    expect(warnings().length).toBe(warned + 2)
    // Neither failure was kept: Slack is asked again, and its answer names Tess, an owner of the team.
    const asked = usersInfoAsked()
    const again = press('onetrack_keep', decided, undefined, 'U0TESSTOO')
    expect(await again.send(byEmail)).toBe(200)
    expect((await answersTo([again.path]))[0]?.text).toMatch(
      /^Already decided, nothing new recorded: Tess Ng accepted /,
    )
    expect(usersInfoAsked()).toBe(asked + 1)
    expect(await counts()).toEqual(before)
  })
})
