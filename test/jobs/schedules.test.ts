import { afterEach, describe, expect, it } from 'vitest'
import { closeQueues, createQueues, ensureSchedules } from '../../src/jobs/index.ts'
import { testConfig } from '../helpers/config.ts'
import { dropPrefix, testRedis, uniquePrefix } from '../helpers/redis.ts'

const redis = testRedis()
const prefix = uniquePrefix()
const queues = createQueues({ connection: redis, prefix })

afterEach(async () => {
  await closeQueues(queues)
  await dropPrefix(redis, prefix)
  redis.disconnect()
})

describe('reconcile schedules', () => {
  it('declares an incremental and a full sync per source and a daily build, idempotently', async () => {
    const config = testConfig()
    const first = await ensureSchedules(queues, config)
    expect(first).toEqual([
      'reconcile.jira-test.full',
      'reconcile.jira-test.incremental',
      'reconcile.rollover',
    ])
    await ensureSchedules(queues, config)
    const sync = await queues.sync.getJobSchedulers(0, -1)
    expect(sync.map((s) => s.key).sort()).toEqual([
      'reconcile.jira-test.full',
      'reconcile.jira-test.incremental',
    ])
    expect(sync.find((s) => s.key.endsWith('incremental'))?.every).toBe(5 * 60_000)
    expect(sync.find((s) => s.key.endsWith('full'))?.pattern).toBe('0 3 * * *')
    expect((await queues.build.getJobSchedulers(0, -1)).map((s) => s.key)).toEqual(['reconcile.rollover'])

    // A source removed from the config loses its schedules.
    await ensureSchedules(queues, { ...config, sources: [] })
    expect(await queues.sync.getJobSchedulers(0, -1)).toEqual([])
  })
})
