import { createHmac, randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TEST_DATABASE_URL } from '../helpers/database.ts'
import { dropPrefix } from '../helpers/redis.ts'
import {
  assertConsistent,
  OUTAGE_SECONDS,
  RUNS,
  report,
  SEED,
  seeded,
  sleep,
  startWorld,
  until,
  vars,
  type World,
} from './world.ts'

const PUT_ISSUE = 'PUT /rest/api/3/issue/:issueIdOrKey'
let w: World
const random = seeded(SEED + 1)

beforeAll(async () => {
  report(`fault suite: FAULT_SEED=${SEED} FAULT_RUNS=${RUNS} FAULT_OUTAGE_SECONDS=${OUTAGE_SECONDS}`)
  w = await startWorld()
  w.worker()
  await w.reconcile()
  await w.idle()
}, 180_000)

afterAll(() => w?.close())

/** Raises a random open Jira epic's value: a webhook, a sync, a build and a write-back follow. */
function edit(): string {
  const open = w.trackers.epics.filter((e) => e.tracker === 'jira' && e.doneAt === undefined)
  const epic = open[Math.floor(random() * open.length)]
  w.trackers.jira.state.updateIssue(w.trackers.trackerId(epic?.ref ?? '') ?? '', {
    fields: { [w.trackers.scoringFields.value.id]: Math.round(random() * 2000) },
  })
  return epic?.ref ?? ''
}

async function writeBackRunning(): Promise<void> {
  w.trackers.jira.delayNext(400, 20, { route: PUT_ISSUE })
  edit()
  await until(async () => (await w.p.queues.writeback.getActiveCount()) > 0, 'a running write-back', 20_000)
  await sleep(Math.floor(random() * 300))
}

describe('Redis', () => {
  it('connections killed mid-work (CLIENT KILL of this test’s BullMQ connections): the work completes', async () => {
    const admin = w.p.redis
    for (let run = 0; run < RUNS; run++) {
      await writeBackRunning()
      // Only this test's connections: BullMQ names its worker connections `<prefix>:<queue>`.
      const clients = String(await admin.call('CLIENT', 'LIST', 'TYPE', 'normal'))
        .split('\n')
        .filter((line) => / name=(\S+)/.exec(line)?.[1]?.startsWith(`${w.p.prefix}:`))
        .map((line) => /(?:^| )id=(\d+)/.exec(line)?.[1] ?? '')
      expect(clients.length).toBeGreaterThan(0)
      for (const id of clients) await admin.call('CLIENT', 'KILL', 'ID', id)
      report(`redis run ${run + 1}: killed ${clients.length} worker connections mid write-back`)
      w.trackers.jira.clearFaults()
      await w.idle()
      await assertConsistent(w, `redis kill run ${run + 1}`)
    }
  })

  it('flushed mid-work (every key of this test’s prefix): the next reconcile heals, nothing lost from the store', async () => {
    await writeBackRunning()
    await dropPrefix(w.p.redis, w.p.prefix)
    w.trackers.jira.clearFaults()
    // The worker's schedules went with the keys; a restarted worker re-creates them. Here the
    // reconcile they would enqueue is enqueued directly.
    const restarted = w.worker()
    await sleep(500)
    await w.reconcile()
    await w.idle()
    await assertConsistent(w, 'redis flush')
    expect(restarted.exitCode).toBeNull()
  })
})

describe('Postgres', () => {
  it('connections dropped mid-transaction (pg_terminate_backend): jobs retry, the store stays whole', async () => {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
    await admin.connect()
    try {
      for (let run = 0; run < RUNS; run++) {
        const appName = `onetrack-fault-${randomUUID().slice(0, 8)}`
        // The only worker while this runs: the others are stopped, so every job runs here.
        await w.stopWorkers()
        const worker = w.worker(appName)
        await until(async () => {
          const { rows } = await admin.query('select 1 from pg_stat_activity where application_name = $1', [
            appName,
          ])
          return rows.length > 0
        }, 'the worker to connect')
        await sleep(500)
        // A full sync of both sources writes in one transaction; a build and write-back follow.
        // For six seconds, every backend of the worker found inside a transaction is terminated.
        w.trackers.jira.delayNext(400, 10, { route: PUT_ISSUE })
        edit()
        await w.reconcile()
        let killed = 0
        const end = Date.now() + 6_000
        while (Date.now() < end) {
          const { rows } = await admin.query(
            `select pg_terminate_backend(pid) from pg_stat_activity
             where application_name = $1 and xact_start is not null`,
            [appName],
          )
          killed += rows.length
        }
        expect(killed).toBeGreaterThan(0)
        w.trackers.jira.clearFaults()
        // The worker survives losing its connection mid-transaction: the job fails and retries.
        expect(worker.exitCode, 'the worker exited when its connection was terminated').toBeNull()
        report(`postgres run ${run + 1}: terminated ${killed} backend(s) mid-transaction`)
        await w.idle()
        await assertConsistent(w, `postgres run ${run + 1}`)
      }
    } finally {
      await admin.end()
    }
  })
})

describe('trackers failing for a long while', () => {
  it(`answers 429, 500 and slowly for ${OUTAGE_SECONDS} s while edits arrive; after it, everything is written`, async () => {
    const end = Date.now() + OUTAGE_SECONDS * 1000
    let edits = 0
    while (Date.now() < end) {
      w.trackers.jira.rateLimit({ every: 3, retryAfterSeconds: 1 })
      w.trackers.jira.failNext(5, random() < 0.5 ? 500 : 503, {})
      w.trackers.jira.delayNext(5, 1_500, {})
      edit()
      edits += 1
      await sleep(2_000)
    }
    w.trackers.jira.clearFaults()
    report(`tracker outage: ${OUTAGE_SECONDS} s, ${edits} edits`)
    // Jobs that used up their retries during the outage are healed by the reconcile schedule.
    await w.idle()
    await w.reconcile()
    await w.idle()
    await assertConsistent(w, 'tracker outage')
  })
})

describe('webhooks out of order and twice', () => {
  it('de-duplicates, and whatever the order the ticket ends with the latest value', async () => {
    w.trackers.jira.webhooks.configure(null)
    const open = w.trackers.epics.filter((e) => e.tracker === 'jira' && e.doneAt === undefined)
    const epic = open[0]
    const id = w.trackers.trackerId(epic?.ref ?? '') ?? ''
    const field = w.trackers.scoringFields.value.id
    const delivery = (to: number) =>
      JSON.stringify({
        webhookEvent: 'jira:issue_updated',
        timestamp: Date.now(),
        issue: { id, key: epic?.ref, fields: { issuetype: { id: '10000', hierarchyLevel: 1 } } },
        changelog: { items: [{ field: 'Business Value', fieldId: field, to: String(to) }] },
      })
    w.trackers.jira.state.updateIssue(id, { fields: { [field]: 1 } })
    const first = { id: randomUUID(), body: delivery(1) }
    w.trackers.jira.state.updateIssue(id, { fields: { [field]: 1900 } })
    const second = { id: randomUUID(), body: delivery(1900) }
    const statuses: string[] = []
    for (const d of [second, second, first, second, first]) {
      const response = await fetch(`${w.p.url}/webhooks/jira/jira-shop`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-atlassian-webhook-identifier': d.id,
          'x-hub-signature': `sha256=${createHmac('sha256', vars.DEMO_JIRA_WEBHOOK_SECRET ?? '')
            .update(d.body)
            .digest('hex')}`,
        },
        body: d.body,
      })
      statuses.push(((await response.json()) as { status: string }).status)
    }
    expect(statuses).toEqual(['queued', 'duplicate', 'queued', 'duplicate', 'duplicate'])
    await w.idle()
    await assertConsistent(w, 'webhooks out of order')
    const stored = await w.p.deps.database.db
      .selectFrom('epics')
      .select('inputs')
      .where('id', '=', `jira-shop:${id}`)
      .executeTakeFirst()
    expect((stored?.inputs as { value?: number } | undefined)?.value).toBe(1900)
  })
})
