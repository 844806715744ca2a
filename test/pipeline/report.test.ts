import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Job } from 'bullmq'
import Fastify from 'fastify'
import type { Redis } from 'ioredis'
import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { renderMarkdown } from '../../src/channels/index.ts'
import { type OnetrackConfig, parseConfig } from '../../src/config/index.ts'
import type { JobHandlers } from '../../src/jobs/handler.ts'
import { closeQueues, createQueues, enqueue, type Queues } from '../../src/jobs/index.ts'
import { createMetrics, type Metrics } from '../../src/metrics.ts'
import {
  loadChannelReport,
  POSTING_LEASE_MS,
  type ReportDeps,
  runBuild,
  runReport,
} from '../../src/pipeline/index.ts'
import { createSlackSimulator, type SlackSimulator } from '../../src/sandbox/slack/index.ts'
import { createTeamsSimulator, type TeamsSimulator } from '../../src/sandbox/teams/index.ts'
import { registerSources, saveSyncBatch } from '../../src/store/index.ts'
import { reportHandler } from '../../workers/handlers.ts'
import { ensureReportSchedules } from '../../workers/report-schedules.ts'
import { startWorkerPool, type WorkerPool } from '../../workers/runtime.ts'
import { type TestDatabase, testDatabase } from '../helpers/database.ts'
import { epicRecord } from '../helpers/epics.ts'
import { capturedLogger } from '../helpers/logs.ts'
import { dropPrefix, testRedis, uniquePrefix } from '../helpers/redis.ts'

const WEEK = '2027-W02'
const never = new AbortController().signal

let t: TestDatabase
let redis: Redis
let prefix: string
let queues: Queues
let slack: SlackSimulator
let teams: TeamsSimulator
let receiver: Receiver
let clock: Date
let metrics: Metrics
const pools: WorkerPool[] = []

beforeEach(async () => {
  t = await testDatabase('postgres')
  redis = testRedis()
  prefix = uniquePrefix()
  queues = createQueues({
    connection: redis,
    prefix,
    jobOptions: {
      attempts: 3,
      backoff: { type: 'fixed', delay: 50 },
      removeOnComplete: false,
      removeOnFail: false,
    },
  })
  slack = createSlackSimulator({
    channels: [
      { id: 'C0ENGLEADS', name: 'eng-leads' },
      { id: 'C0PLATFORM', name: 'platform' },
    ],
  })
  await slack.listen()
  teams = createTeamsSimulator()
  await teams.listen()
  receiver = await startReceiver()
  metrics = createMetrics()
  clock = new Date('2027-01-10T09:00:00Z')
})

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()))
  await closeQueues(queues)
  await dropPrefix(redis, prefix)
  redis.disconnect()
  await Promise.all([slack.close(), teams.close(), receiver.close()])
  await t.dispose()
})

/** Acme's config with the channels under test, their URLs and secrets given as environment references. */
function config(channels: string, env: Record<string, string> = {}): OnetrackConfig {
  return parseConfig(
    `
server: { publicUrl: "https://onetrack.acme.example" }
roadmap:
  name: Acme roadmap
  periods: { quarters: { start: 2027-Q1, count: 4 } }
  teams:
    - { id: checkout, capacity: 40 }
    - { id: platform, capacity: 30 }
  costOfDelayUnit: EUR k
sources:
  - { id: jira-test, kind: jira, baseUrl: "http://127.0.0.1:9", email: bot@example.com, apiToken: "\${T_JIRA}", jql: project = T, team: checkout }
channels:
${channels}
`,
    '/test/onetrack.yaml',
    { T_JIRA: 'jira-token', ...env },
  )
}

function slackChannel(url = slack.createWebhook('C0ENGLEADS'), extra = ''): OnetrackConfig {
  return config(`  - { id: eng-leads, kind: slack, webhookUrl: "\${SLACK_URL}"${extra} }`, { SLACK_URL: url })
}

async function deps(c: OnetrackConfig): Promise<ReportDeps> {
  await registerSources(t.database.db, c.sources)
  return { config: c, database: t.database, logger: capturedLogger().logger, metrics, now: () => clock }
}

/** Two builds: SSO and a Postgres upgrade take the capacity of two epics planned in Q1. */
async function busyWeek(d: ReportDeps): Promise<void> {
  const build = { ...d, queues, connectorFor: () => Promise.reject(new Error('no tracker')) as never }
  const sync = (...epics: ReturnType<typeof epicRecord>[]) =>
    saveSyncBatch(t.database.db, {
      sourceId: 'jira-test',
      mode: 'incremental',
      epics,
      cursor: null,
      now: clock,
    })
  await sync(
    epicRecord('1', { title: 'Gift cards', effort: 20 }),
    epicRecord('2', { title: 'Wishlists', effort: 20 }),
    epicRecord('3', { title: 'Platform stability work', team: 'platform', track: 'technical', effort: 20 }),
  )
  await runBuild(build, 'test')
  clock = new Date('2027-01-12T09:00:00Z')
  await sync(
    epicRecord('4', {
      title: 'Enterprise SSO',
      effort: 20,
      inputs: { value: 40, timeCriticality: 10, risk: 5 },
    }),
    epicRecord('5', {
      title: 'Postgres upgrade',
      team: 'platform',
      track: 'technical',
      effort: 20,
      inputs: { value: 30, timeCriticality: 10, risk: 8 },
    }),
  )
  await runBuild(build, 'test')
  clock = new Date('2027-01-14T09:00:00Z')
}

async function row(channelId = 'eng-leads', week = WEEK) {
  return t.database.db
    .selectFrom('posted_reports')
    .selectAll()
    .where('channel_id', '=', channelId)
    .where('week', '=', week)
    .executeTakeFirst()
}

async function counter(channel: string, outcome: string): Promise<number> {
  const metric = (await metrics.reports.get()).values.find(
    (v) => v.labels.channel === channel && v.labels.outcome === outcome,
  )
  return metric?.value ?? 0
}

/** A database fault right after the post: as if the process died between posting and recording. */
async function crashAfterPosting(): Promise<() => Promise<void>> {
  await sql
    .raw(`create or replace function crash_after_post() returns trigger language plpgsql as $$
      begin raise exception 'process killed'; end $$;
    create trigger crash_after_post before update on posted_reports for each row
      when (new.status = 'posted') execute function crash_after_post();`)
    .execute(t.database.db)
  return async () => {
    await sql.raw('drop trigger crash_after_post on posted_reports').execute(t.database.db)
  }
}

describe('the weekly report job', () => {
  it("posts the week's report once, however often the job runs", async () => {
    const d = await deps(slackChannel())
    await busyWeek(d)
    expect(await runReport(d, { channelId: 'eng-leads', week: WEEK }, never)).toMatchObject({
      status: 'posted',
      attempt: 1,
    })
    expect(await runReport(d, { channelId: 'eng-leads', week: WEEK }, never)).toMatchObject({
      status: 'already_done',
    })
    // A scheduled job carries no week: it is taken from the clock, on the channel's calendar.
    expect(await runReport(d, { channelId: 'eng-leads' }, never)).toMatchObject({
      status: 'already_done',
      week: WEEK,
    })
    const messages = slack.received()
    expect(messages).toHaveLength(1)
    // The report leads with the calls needed: one per epic whose committed work slipped.
    expect(messages[0]?.text).toBe(
      'Deferral report · Acme roadmap · week 2027-W02: 2 calls needed on deferrals of committed work (2 new this week): 21 EUR k of projected cost of delay.',
    )
    const blocks = JSON.stringify(messages[0]?.blocks)
    expect(blocks).toContain('2 epics slipped this week (1 technical, 1 product).')
    expect(blocks).toContain('*Calls needed this week (2)*')
    expect(blocks).toContain('https://onetrack.acme.example/epics/jira-test%3A3')
    expect(await row()).toMatchObject({ status: 'posted', attempts: 1, error: null, posted_at: clock })
    expect([await counter('eng-leads', 'posted'), await counter('eng-leads', 'already_posted')]).toEqual([
      1, 2,
    ])
  })

  it("reports to a channel only what is in its scope, to a bot's channel with the report's marker", async () => {
    const d = await deps(
      config(
        `  - { id: platform-bot, kind: slack, botToken: "\${BOT}", channel: C0PLATFORM, scope: { track: technical } }`,
        {
          BOT: slack.botToken,
        },
      ),
    )
    await busyWeek(d)
    await runReport(d, { channelId: 'platform-bot' }, never, { channels: { slackApiUrl: slack.apiUrl() } })
    const [message] = slack.received()
    expect(message).toMatchObject({ channel: 'C0PLATFORM', via: 'chat.postMessage' })
    expect(message?.text).toContain('1 call needed on deferrals of committed work (1 new this week)')
    expect(JSON.stringify(message?.blocks)).toContain('1 epic slipped this week (1 technical)')
    expect(JSON.stringify(message?.blocks)).not.toContain('Wishlists')
    expect(message?.metadata?.event_payload).toMatchObject({
      delivery_id: `onetrack-report.platform-bot.${WEEK}`,
    })
  })

  it('sends a one-line note on a quiet week, and nothing to a channel that stays silent then', async () => {
    const d = await deps(
      config(
        `  - { id: eng-leads, kind: slack, webhookUrl: "\${SLACK_URL}", quietWeek: note }
  - { id: leadership, kind: teams, webhookUrl: "\${TEAMS_URL}", quietWeek: silent }`,
        { SLACK_URL: slack.createWebhook(), TEAMS_URL: teams.createWorkflow() },
      ),
    )
    await busyWeek(d)
    clock = new Date('2027-01-28T09:00:00Z')
    expect(await runReport(d, { channelId: 'eng-leads' }, never)).toMatchObject({
      status: 'posted',
      week: '2027-W04',
    })
    expect(await runReport(d, { channelId: 'leadership' }, never)).toMatchObject({ status: 'skipped' })
    expect(slack.received()[0]?.blocks).toHaveLength(1)
    expect(slack.received()[0]?.text).toMatch(
      /^Acme roadmap, week 2027-W04: nothing slipped and no owner decisions this week/,
    )
    expect(teams.requests()).toEqual([])
    expect(await row('leadership', '2027-W04')).toMatchObject({ status: 'skipped' })
    expect(await runReport(d, { channelId: 'leadership' }, never)).toMatchObject({
      status: 'already_done',
      state: 'skipped',
    })
  })

  it('prices accrued cost from the stored rates: committed work still open after its quarter accrues every day', async () => {
    const d = await deps(slackChannel())
    await busyWeek(d)
    // Q1 ends with the work unfinished (roll-overs); a few days into Q2 the report comes.
    clock = new Date('2027-04-02T09:00:00Z')
    await runBuild(
      { ...d, queues, connectorFor: () => Promise.reject(new Error('no tracker')) as never },
      'test',
    )
    clock = new Date('2027-04-05T09:00:00Z')
    const built = await loadChannelReport(d, null)
    if (built === null) throw new Error('no report')
    const late = built.report.awaitingSignOff.filter((a) => a.accruedCost > 0)
    expect(late.length).toBeGreaterThan(0)
    const total = built.report.accruedCostByTrack.product + built.report.accruedCostByTrack.technical
    expect(total).toBeCloseTo(
      built.report.awaitingSignOff.reduce((sum, a) => sum + a.accruedCost, 0),
      6,
    )
    const markdown = renderMarkdown(built.report, built.context)
    expect(markdown).toMatch(/accrued so far \*\*(?!0 )[\d.,]+ EUR k\*\*/)
    expect(markdown.split('\n').length).toBeLessThanOrEqual(80)
  })

  it('reports nothing before the first build, and refuses a channel that is not configured', async () => {
    const d = await deps(slackChannel())
    expect(await runReport(d, { channelId: 'eng-leads' }, never)).toMatchObject({ status: 'no_roadmap' })
    expect(await row('eng-leads', '2027-W01')).toBeUndefined()
    await expect(runReport(d, { channelId: 'nobody' }, never)).rejects.toMatchObject({
      code: 'ONETRACK_JOB_INVALID',
    })
  })
})

describe('a crash after posting and before recording', () => {
  it('does not post twice to a Slack webhook, which cannot be asked: the week is recorded as unconfirmed', async () => {
    const d = await deps(slackChannel())
    await busyWeek(d)
    const recover = await crashAfterPosting()
    await expect(runReport(d, { channelId: 'eng-leads', week: WEEK }, never)).rejects.toThrow(
      /process killed/,
    )
    await recover()
    expect(slack.received()).toHaveLength(1)
    expect(await row()).toMatchObject({ status: 'posting', attempts: 1 })

    // The retry that comes while the claim is fresh waits for it rather than guessing.
    const busy = await runReport(d, { channelId: 'eng-leads', week: WEEK }, never)
    expect(busy).toMatchObject({ status: 'busy' })
    expect(busy.status === 'busy' && busy.retryAt.getTime()).toBe(clock.getTime() + POSTING_LEASE_MS)

    clock = new Date(clock.getTime() + POSTING_LEASE_MS + 1_000)
    await expect(runReport(d, { channelId: 'eng-leads', week: WEEK }, never)).rejects.toMatchObject({
      code: 'CHANNEL_DELIVERY_UNCONFIRMED',
    })
    expect(slack.received()).toHaveLength(1)
    expect(await row()).toMatchObject({ status: 'failed', attempts: 2 })
    expect((await row())?.error).toMatch(
      /^CHANNEL_DELIVERY_UNCONFIRMED: an earlier attempt at the 2027-W02 report stopped after sending it/,
    )
    expect(await counter('eng-leads', 'unconfirmed')).toBe(1)
  })

  it('does not post twice with a Slack bot: it finds its earlier post and records it', async () => {
    // Slack's clock and onetrack's agree: the history is read back from a week before now.
    await slack.close()
    slack = createSlackSimulator({
      channels: [{ id: 'C0ENGLEADS', name: 'eng-leads' }],
      clock: () => clock.getTime(),
    })
    await slack.listen()
    const d = await deps(
      config(`  - { id: eng-leads, kind: slack, botToken: "\${BOT}", channel: C0ENGLEADS }`, {
        BOT: slack.botToken,
      }),
    )
    await busyWeek(d)
    const options = { channels: { slackApiUrl: slack.apiUrl() } }
    const recover = await crashAfterPosting()
    await expect(runReport(d, { channelId: 'eng-leads', week: WEEK }, never, options)).rejects.toThrow(
      /process killed/,
    )
    await recover()
    clock = new Date(clock.getTime() + POSTING_LEASE_MS + 1_000)
    expect(await runReport(d, { channelId: 'eng-leads', week: WEEK }, never, options)).toMatchObject({
      status: 'confirmed',
      attempt: 2,
    })
    expect(slack.received()).toHaveLength(1)
    expect(await row()).toMatchObject({ status: 'posted', attempts: 2, error: null })
  })

  it('sends a generic webhook again under the same Idempotency-Key, which the receiver de-duplicates', async () => {
    const d = await deps(
      config(`  - { id: data-lake, kind: webhook, url: "\${HOOK}", signingSecret: "\${HOOK_SECRET}" }`, {
        HOOK: receiver.url,
        HOOK_SECRET: 'whsec-1',
      }),
    )
    await busyWeek(d)
    const recover = await crashAfterPosting()
    await expect(runReport(d, { channelId: 'data-lake', week: WEEK }, never)).rejects.toThrow(
      /process killed/,
    )
    await recover()
    clock = new Date(clock.getTime() + POSTING_LEASE_MS + 1_000)
    expect(await runReport(d, { channelId: 'data-lake', week: WEEK }, never)).toMatchObject({
      status: 'posted',
    })
    expect(receiver.deliveries().map((r) => r.key)).toEqual([
      `onetrack-report.data-lake.${WEEK}`,
      `onetrack-report.data-lake.${WEEK}`,
    ])
    expect(receiver.stored()).toHaveLength(1)
    expect(receiver.deliveries().every((r) => r.signatureValid)).toBe(true)
  })
})

describe('delivery through the report queue', () => {
  const idle = async () => undefined

  async function startPool(d: ReportDeps, options = {}): Promise<WorkerPool> {
    const handlers: JobHandlers = {
      sync: idle,
      build: idle,
      writeback: idle,
      report: reportHandler(d, options),
    }
    const pool = await startWorkerPool({
      connection: redis,
      prefix,
      handlers,
      logger: capturedLogger().logger,
      metrics: createMetrics(),
      queues: ['report'],
    })
    pools.push(pool)
    return pool
  }

  async function settled(jobId: string): Promise<Job> {
    for (;;) {
      const state = await queues.report.getJobState(jobId)
      if (state === 'completed' || state === 'failed') {
        const job = await queues.report.getJob(jobId)
        if (job !== undefined) return job
      }
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  it('honours a 429 Retry-After: the post is repeated only after the time Slack asked for', async () => {
    const d = await deps(slackChannel())
    await busyWeek(d)
    await startPool(d)
    slack.rateLimitNext(1, 1)
    const job = await settled((await enqueue(queues, 'report', { channelId: 'eng-leads', week: WEEK })).jobId)
    expect(await job.getState()).toBe('completed')
    const posts = slack.requests().filter((r) => r.route.startsWith('POST /services/'))
    expect(posts.map((p) => p.status)).toEqual([429, 200])
    expect((posts[1]?.at ?? 0) - (posts[0]?.at ?? 0)).toBeGreaterThanOrEqual(1_000)
    expect(slack.received()).toHaveLength(1)
    expect(await row()).toMatchObject({ status: 'posted', attempts: 2 })
  })

  it('retries 5xx answers with backoff until the post goes through', async () => {
    const d = await deps(slackChannel())
    await busyWeek(d)
    await startPool(d)
    slack.failNext(2, 503)
    const job = await settled((await enqueue(queues, 'report', { channelId: 'eng-leads', week: WEEK })).jobId)
    expect(await job.getState()).toBe('completed')
    expect(job.attemptsMade).toBe(3)
    expect(slack.received()).toHaveLength(1)
    expect(await row()).toMatchObject({ status: 'posted', attempts: 3 })
  })

  it('records a bad webhook URL as a visible failure, without retrying, and posts once it is fixed', async () => {
    const revoked = slack.createWebhook()
    slack.revokeWebhook(revoked)
    const d = await deps(slackChannel(revoked))
    await busyWeek(d)
    await startPool(d)
    const job = await settled((await enqueue(queues, 'report', { channelId: 'eng-leads', week: WEEK })).jobId)
    expect(await job.getState()).toBe('failed')
    expect(job.attemptsMade).toBe(1)
    expect(job.failedReason).toMatch(/^CHANNEL_REJECTED: Slack answered 404 no_service/)
    expect(await row()).toMatchObject({
      status: 'failed',
      attempts: 1,
      error:
        'CHANNEL_REJECTED: Slack answered 404 no_service: the webhook URL is wrong or the webhook was removed: create a new incoming webhook',
    })
    expect(await counter('eng-leads', 'failed')).toBe(1)
    expect(await metrics.registry.metrics()).toContain(
      'onetrack_reports_total{channel="eng-leads",outcome="failed"} 1',
    )

    const fixed = await deps(slackChannel())
    expect(
      await runReport({ ...fixed, metrics }, { channelId: 'eng-leads', week: WEEK }, never),
    ).toMatchObject({
      status: 'posted',
      attempt: 2,
    })
  })

  it('fires the schedule once per occurrence with two workers running, and posts once that week', async () => {
    const c = slackChannel(undefined, ', schedule: { cron: "* * * * * *", timezone: Europe/Berlin }')
    const d = await deps(c)
    await busyWeek(d)
    // Every worker declares the schedules at start-up.
    expect(await ensureReportSchedules(queues, c)).toEqual(['report.eng-leads'])
    expect(await ensureReportSchedules(queues, c)).toEqual(['report.eng-leads'])
    expect(await queues.report.getJobSchedulers(0, -1)).toHaveLength(1)
    const runs: string[] = []
    for (const name of ['a', 'b']) {
      const pool = await startPool(d)
      pool.workers.get('report')?.on('completed', (job) => runs.push(`${name}:${job.id}`))
    }
    while (runs.length < 3) await new Promise((r) => setTimeout(r, 50))
    await ensureReportSchedules(queues, { ...c, channels: [] })
    const ids = runs.map((r) => r.slice(2))
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.every((id) => id.startsWith('repeat:report.eng-leads:'))).toBe(true)
    expect(slack.received()).toHaveLength(1)
    expect(await queues.report.getJobSchedulers(0, -1)).toEqual([])
  })
})

describe('ensureReportSchedules', () => {
  it('declares one scheduler per channel from its cron and time zone, and refuses a bad one', async () => {
    const c = slackChannel(undefined, ', schedule: { cron: "30 8 * * 1", timezone: Europe/Berlin }')
    await ensureReportSchedules(queues, c)
    expect(await queues.report.getJobSchedulers(0, -1)).toMatchObject([
      {
        key: 'report.eng-leads',
        pattern: '30 8 * * 1',
        tz: 'Europe/Berlin',
        template: { data: { channelId: 'eng-leads' } },
      },
    ])
    const bad = (schedule: string) => slackChannel(undefined, `, schedule: ${schedule}`)
    await expect(
      ensureReportSchedules(queues, bad('{ cron: "0 9 * * 1", timezone: Mars/Base }')),
    ).rejects.toMatchObject({
      code: 'ONETRACK_CONFIG_INVALID',
      message: expect.stringMatching(
        /^channels eng-leads: schedule.timezone Mars\/Base is not an IANA time zone/,
      ),
    })
    await expect(
      ensureReportSchedules(queues, bad('{ cron: "every monday", timezone: UTC }')),
    ).rejects.toMatchObject({
      code: 'ONETRACK_CONFIG_INVALID',
      message: expect.stringMatching(
        /^channels eng-leads: schedule.cron "every monday" is not a valid cron expression/,
      ),
    })
  })
})

interface Receiver {
  url: string
  /** Every request, with its Idempotency-Key and whether its signature checked out. */
  deliveries(): Array<{ key: string; signatureValid: boolean }>
  /** What the receiver kept: one report per key. */
  stored(): unknown[]
  close(): Promise<void>
}

/** A receiver that keeps the generic webhook's contract: verify the signature, de-duplicate by key. */
async function startReceiver(secret = 'whsec-1'): Promise<Receiver> {
  const app = Fastify()
  const deliveries: Array<{ key: string; signatureValid: boolean }> = []
  const stored = new Map<string, unknown>()
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_r, body, done) => done(null, body))
  app.post('/reports', async (request, reply) => {
    const key = String(request.headers['idempotency-key'])
    const expected = Buffer.from(
      `sha256=${createHmac('sha256', secret)
        .update(request.body as string)
        .digest('hex')}`,
    )
    const given = Buffer.from(String(request.headers['x-onetrack-signature']))
    deliveries.push({
      key,
      signatureValid: given.length === expected.length && timingSafeEqual(given, expected),
    })
    if (stored.has(key)) return reply.code(409).send()
    stored.set(key, JSON.parse(request.body as string))
    return reply.code(202).send()
  })
  const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/reports`
  return {
    url,
    deliveries: () => [...deliveries],
    stored: () => [...stored.values()],
    close: () => app.close(),
  }
}
