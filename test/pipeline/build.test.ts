import type { Redis } from 'ioredis'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { closeQueues, createQueues, type Queues } from '../../src/jobs/index.ts'
import { createMetrics } from '../../src/metrics.ts'
import { type PipelineDeps, runBuild } from '../../src/pipeline/index.ts'
import {
  eventsOfVersion,
  latestVersion,
  loadLedger,
  registerSources,
  saveSyncBatch,
} from '../../src/store/index.ts'
import { testConfig } from '../helpers/config.ts'
import { type TestDatabase, testDatabase } from '../helpers/database.ts'
import { epicRecord } from '../helpers/epics.ts'
import { capturedLogger } from '../helpers/logs.ts'
import { dropPrefix, testRedis, uniquePrefix } from '../helpers/redis.ts'

let t: TestDatabase
let redis: Redis
let prefix: string
let queues: Queues
let clock: Date

beforeEach(async () => {
  t = await testDatabase('postgres')
  redis = testRedis()
  prefix = uniquePrefix()
  queues = createQueues({ connection: redis, prefix })
  clock = new Date('2027-01-10T09:00:00Z')
})

afterEach(async () => {
  await closeQueues(queues)
  await dropPrefix(redis, prefix)
  redis.disconnect()
  await t.dispose()
})

async function deps(): Promise<PipelineDeps> {
  const config = testConfig()
  const { logger } = capturedLogger()
  await registerSources(t.database.db, config.sources)
  return {
    config,
    database: t.database,
    queues,
    logger,
    metrics: createMetrics(),
    connectorFor: () => {
      throw new Error('a build talks to no tracker')
    },
    now: () => clock,
  }
}

async function sync(...epics: ReturnType<typeof epicRecord>[]) {
  await saveSyncBatch(t.database.db, {
    sourceId: 'jira-test',
    mode: 'incremental',
    epics,
    cursor: null,
    now: clock,
  })
}

describe('the build job', () => {
  it('stores a version from the committed epics, and nothing when nothing changed', async () => {
    const d = await deps()
    await sync(epicRecord('1'), epicRecord('2', { blockers: ['jira-test:1'] }))
    const first = await runBuild(d, 'test')
    expect(first).toMatchObject({ unchanged: false, epics: 2, planned: 2, newEvents: 2, writebacksQueued: 1 })
    const version = await latestVersion(t.database.db)
    expect(version?.roadmap.entries.map((e) => [e.key, e.period])).toEqual([
      ['SHOP-1', '2027-Q1'],
      ['SHOP-2', '2027-Q1'],
    ])
    expect((await eventsOfVersion(t.database.db, first.versionId ?? 0)).map((e) => e.kind)).toEqual([
      'added',
      'added',
    ])
    expect(await queues.writeback.getWaitingCount()).toBe(1)

    clock = new Date('2027-01-11T09:00:00Z')
    const second = await runBuild(d, 'test')
    // Stores nothing, but asks for the write-back again (it sends nothing when the tickets are right).
    expect(second).toMatchObject({
      unchanged: true,
      versionId: first.versionId,
      newEvents: 0,
      writebacksQueued: 1,
    })
  })

  it('records a deferral with its cause when a higher score takes the capacity', async () => {
    const d = await deps()
    // checkout has 40 per quarter: two epics of 20 fit in Q1.
    await sync(epicRecord('1', { effort: 20 }), epicRecord('2', { effort: 20 }))
    await runBuild(d, 'test')
    clock = new Date('2027-01-12T09:00:00Z')
    await sync(
      epicRecord('3', {
        effort: 20,
        inputs: { value: 40, timeCriticality: 10, risk: 5 },
        title: 'Enterprise SSO',
      }),
    )
    const build = await runBuild(d, 'sync:jira-test')
    expect(build.deferrals).toBe(1)
    const deferred = (await eventsOfVersion(t.database.db, build.versionId ?? 0)).filter(
      (e) => e.kind === 'deferred',
    )
    expect(deferred).toHaveLength(1)
    expect(deferred[0]).toMatchObject({
      fromPeriod: '2027-Q1',
      toPeriod: '2027-Q2',
      cause: { kind: 'capacity', team: 'checkout', period: '2027-Q1' },
      displacedBy: [expect.objectContaining({ epicId: 'jira-test:3' })],
    })
  })

  it('rolls unfinished work over when its period ends, once however often it runs', async () => {
    const d = await deps()
    await sync(epicRecord('1', { status: 'in_progress' }))
    await runBuild(d, 'test')
    clock = new Date('2027-04-02T09:00:00Z')
    const after = await runBuild(d, 'schedule')
    expect(after.deferrals).toBe(1)
    const ledger = await loadLedger(t.database.db)
    expect(ledger.filter((e) => e.kind === 'rolled_over')).toEqual([
      expect.objectContaining({
        epicId: 'jira-test:1',
        fromPeriod: '2027-Q1',
        cause: { kind: 'period_ended', period: '2027-Q1' },
      }),
    ])
    clock = new Date('2027-04-03T09:00:00Z')
    await runBuild(d, 'schedule')
    expect((await loadLedger(t.database.db)).filter((e) => e.kind === 'rolled_over')).toHaveLength(1)
  })

  it('leaves out epics whose synced data is invalid and names them', async () => {
    const d = await deps()
    await sync(epicRecord('1'), epicRecord('2', { team: null, problems: ['Team: no value'] }))
    const build = await runBuild(d, 'test')
    expect(build).toMatchObject({ epics: 1, invalid: 1 })
    const version = await latestVersion(t.database.db)
    expect(version?.roadmap.problems).toEqual([
      expect.stringMatching(/^SHOP-2 \(jira-test:2\) left out: Team: no value; team/),
    ])
  })
})
