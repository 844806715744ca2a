import { Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BUILD_GATHER_MS, closeQueues, createQueues, type Queues, queueBuild } from '../../src/jobs/index.ts'
import { dropPrefix, testRedis, uniquePrefix } from '../helpers/redis.ts'

let redis: Redis
let prefix: string
let queues: Queues

beforeEach(() => {
  redis = testRedis()
  prefix = uniquePrefix()
  queues = createQueues({ connection: redis, prefix })
})

afterEach(async () => {
  await closeQueues(queues)
  await dropPrefix(redis, prefix)
  redis.disconnect()
})

const now = new Date('2027-03-01T09:00:00Z')
const states = async () => queues.build.getJobCounts('waiting', 'delayed', 'active', 'prioritized')

describe('build requests coalesce adaptively', () => {
  it('starts a sync’s build at once when no build waits or runs', async () => {
    const outcome = await queueBuild(queues, { trigger: 'sync:jira-test', now, gather: true })
    expect(outcome.status).toBe('queued')
    expect(await states()).toMatchObject({ waiting: 1, delayed: 0 })
  })

  /** Takes the waiting build as a worker would: it is running from then on. */
  async function running() {
    const worker = new Worker(queues.build.name, null, { connection: testRedis(), prefix })
    const job = await worker.getNextJob('test-token')
    if (job === undefined) throw new Error('no build to take')
    return {
      async finish() {
        await job.moveToCompleted('done', 'test-token', false)
        await worker.close()
      },
    }
  }

  it('gathers what arrives while a build runs into one next build, which waits for more first', async () => {
    await queueBuild(queues, { trigger: 'sync:first', now, gather: true })
    const build = await running()
    const requests = [
      await queueBuild(queues, { trigger: 'sync:second', now, gather: true }),
      await queueBuild(queues, { trigger: 'sync:third', now, gather: true }),
    ]
    expect(requests.map((r) => r.status)).toEqual(['coalesced', 'coalesced'])
    await build.finish()
    // One next build, delayed to gather the rest of the burst.
    expect(await states()).toMatchObject({ waiting: 0, delayed: 1, active: 0 })
    const [next] = await queues.build.getJobs(['delayed'])
    expect(next?.opts.delay).toBe(BUILD_GATHER_MS)
    expect(next?.data.trigger).toBe('sync:third')
  })

  it('never delays an owner’s decision, even while a build runs', async () => {
    await queueBuild(queues, { trigger: 'sync:first', now, gather: true })
    const build = await running()
    await queueBuild(queues, { trigger: 'override:o1', now })
    await build.finish()
    expect(await states()).toMatchObject({ waiting: 1, delayed: 0 })
  })
})
