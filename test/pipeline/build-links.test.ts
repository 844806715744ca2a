import type { Redis } from 'ioredis'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { closeQueues, createQueues, type Queues } from '../../src/jobs/index.ts'
import { createMetrics } from '../../src/metrics.ts'
import { type PipelineDeps, runBuild } from '../../src/pipeline/index.ts'
import { latestVersion, registerSources, saveSyncBatch } from '../../src/store/index.ts'
import { testConfig } from '../helpers/config.ts'
import { type TestDatabase, testDatabase } from '../helpers/database.ts'
import { epicRecord } from '../helpers/epics.ts'
import { capturedLogger } from '../helpers/logs.ts'
import { dropPrefix, testRedis, uniquePrefix } from '../helpers/redis.ts'

let t: TestDatabase
let redis: Redis
let prefix: string
let queues: Queues

beforeEach(async () => {
  t = await testDatabase('postgres')
  redis = testRedis()
  prefix = uniquePrefix()
  queues = createQueues({ connection: redis, prefix })
})

afterEach(async () => {
  await closeQueues(queues)
  await dropPrefix(redis, prefix)
  redis.disconnect()
  await t.dispose()
})

const FAILOVER = 'https://linear.app/acme/project/database-failover-and-restore-drills-aaaa11112222'

describe('the build with links across trackers', () => {
  it('plans an epic after its blocker from the other tracker, and reports a link that matches nothing', async () => {
    const config = testConfig()
    await registerSources(t.database.db, config.sources)
    await t.database.db
      .insertInto('sources')
      .values({ id: 'linear-test', kind: 'linear', config_hash: 'x' })
      .execute()
    const clock = new Date('2027-01-10T09:00:00Z')
    const deps: PipelineDeps = {
      config,
      database: t.database,
      queues,
      logger: capturedLogger().logger,
      metrics: createMetrics(),
      connectorFor: () => {
        throw new Error('a build talks to no tracker')
      },
      now: () => clock,
    }
    const nowhere = 'https://linear.app/acme/project/retired-project-cccc55556666'
    await saveSyncBatch(t.database.db, {
      sourceId: 'jira-test',
      mode: 'incremental',
      epics: [
        epicRecord('1', {
          title: 'Checkout in a second region',
          inputs: { value: 40, timeCriticality: 10, risk: 5 },
          links: [
            { url: FAILOVER, relation: 'blocked_by' },
            { url: nowhere, relation: 'blocked_by' },
          ],
        }),
      ],
      cursor: null,
      now: clock,
    })
    await saveSyncBatch(t.database.db, {
      sourceId: 'linear-test',
      mode: 'incremental',
      // 40 of effort against Platform's 30 a quarter: the failover project runs into the second.
      epics: [
        epicRecord('p1', {
          key: 'PLAT-1',
          url: FAILOVER,
          team: 'platform',
          effort: 40,
          inputs: { value: 1, timeCriticality: 1, risk: 1 },
        }),
      ],
      cursor: null,
      now: clock,
    })
    const build = await runBuild(deps, 'test')
    expect(build).toMatchObject({ epics: 2, invalid: 0 })
    const roadmap = (await latestVersion(t.database.db))?.roadmap
    const entry = (id: string) => roadmap?.entries.find((e) => e.epicId === id)
    expect(entry('jira-test:1')?.blockers).toEqual(['linear-test:p1'])
    expect(entry('linear-test:p1')?.spans.map((s) => s.period)).toEqual(['2027-Q1', '2027-Q2'])
    expect(entry('jira-test:1')?.period).toBe('2027-Q2')
    expect(entry('jira-test:1')?.boundBy).toEqual(['linear-test:p1'])
    expect(roadmap?.problems).toEqual([
      `SHOP-1 (jira-test:1) links to ${nowhere}, which is not a synced epic`,
    ])
  })
})
