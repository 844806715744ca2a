import type { Job } from 'bullmq'
import type { Redis } from 'ioredis'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OnetrackError } from '../../src/errors.ts'
import type { JobHandlers } from '../../src/jobs/handler.ts'
import { closeQueues, createQueues, enqueue, type Queues } from '../../src/jobs/index.ts'
import { createMetrics } from '../../src/metrics.ts'
import { startWorkerPool, type WorkerPool } from '../../workers/runtime.ts'
import { capturedLogger } from '../helpers/logs.ts'
import { dropPrefix, testRedis, uniquePrefix } from '../helpers/redis.ts'

const syncPayload = { sourceId: 'jira-test', mode: 'incremental', reason: 'manual' } as const

let redis: Redis
let prefix: string
let queues: Queues
const pools: WorkerPool[] = []

beforeEach(() => {
  redis = testRedis()
  prefix = uniquePrefix()
  queues = createQueues({
    connection: redis,
    prefix,
    jobOptions: {
      attempts: 3,
      backoff: { type: 'fixed', delay: 20 },
      removeOnComplete: false,
      removeOnFail: false,
    },
  })
})

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()))
  await closeQueues(queues)
  await dropPrefix(redis, prefix)
  redis.disconnect()
})

function idle(): Promise<unknown> {
  return Promise.resolve()
}

function handlers(overrides: Partial<JobHandlers>): JobHandlers {
  return { sync: idle, build: idle, writeback: idle, report: idle, ...overrides }
}

async function start(h: JobHandlers, shutdownGraceMs = 5_000) {
  const { logger } = capturedLogger()
  const pool = await startWorkerPool({
    connection: redis,
    prefix,
    handlers: h,
    logger,
    metrics: createMetrics(),
    queues: ['sync'],
    shutdownGraceMs,
  })
  pools.push(pool)
  return pool
}

/** The job once it has completed or failed, read after its state so its fields are final. */
async function settled(jobId: string): Promise<Job> {
  for (;;) {
    const state = await queues.sync.getJobState(jobId)
    if (state === 'completed' || state === 'failed') {
      const job = await queues.sync.getJob(jobId)
      if (job !== undefined) return job
    }
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('worker pool', () => {
  it('retries a job that fails twice and completes it on the third attempt', async () => {
    const attempts: number[] = []
    await start(
      handlers({
        sync: async (job) => {
          attempts.push(job.attemptsMade + 1)
          if (attempts.length < 3) throw new Error(`tracker hiccup ${attempts.length}`)
          return { synced: 12 }
        },
      }),
    )
    const outcome = await enqueue(queues, 'sync', syncPayload)
    const job = await settled(outcome.jobId)
    expect(await job.getState()).toBe('completed')
    expect(attempts).toEqual([1, 2, 3])
    expect(job.returnvalue).toEqual({ synced: 12 })
  })

  it('leaves a job in the failed set, with its reason, after the last attempt', async () => {
    let calls = 0
    await start(
      handlers({
        sync: async () => {
          calls += 1
          throw new Error('tracker down')
        },
      }),
    )
    const { jobId } = await enqueue(queues, 'sync', syncPayload)
    const job = await settled(jobId)
    expect(await job.getState()).toBe('failed')
    expect(job.attemptsMade).toBe(3)
    expect(job.failedReason).toBe('tracker down')
    expect(calls).toBe(3)
    expect(await queues.sync.getFailedCount()).toBe(1)
  })

  it('fails a job with an invalid payload at once, without retrying', async () => {
    let calls = 0
    await start(
      handlers({
        sync: async () => {
          calls += 1
        },
      }),
    )
    const job = await queues.sync.add('sync', { sourceId: '', mode: 'sometimes' } as never)
    const done = await settled(job.id ?? '')
    expect(await done.getState()).toBe('failed')
    expect(done.attemptsMade).toBe(1)
    expect(done.failedReason).toMatch(/^ONETRACK_JOB_INVALID: invalid sync job payload/)
    expect(calls).toBe(0)
  })

  it('fails a sync whose tracker broke its paging at once, naming the source', async () => {
    let calls = 0
    const { logger, text } = capturedLogger()
    pools.push(
      await startWorkerPool({
        connection: redis,
        prefix,
        handlers: handlers({
          sync: async () => {
            calls += 1
            throw new OnetrackError(
              'TRACKER_PROTOCOL_ERROR',
              "Jira source 'jira-test': the search answered a nextPageToken it had already given (page 2); sync stopped",
            )
          },
        }),
        logger,
        metrics: createMetrics(),
        queues: ['sync'],
      }),
    )
    const { jobId } = await enqueue(queues, 'sync', syncPayload)
    const job = await settled(jobId)
    expect(await job.getState()).toBe('failed')
    expect(job.attemptsMade).toBe(1)
    expect(job.failedReason).toMatch(/^TRACKER_PROTOCOL_ERROR: Jira source 'jira-test': the search answered/)
    expect(calls).toBe(1)
    expect(text()).toContain("Jira source 'jira-test'")
  })

  it('runs write-backs one at a time even across two worker processes', async () => {
    let running = 0
    let most = 0
    const done: number[] = []
    const slowWriteback = handlers({
      writeback: async (job) => {
        running += 1
        most = Math.max(most, running)
        await new Promise((r) => setTimeout(r, 40))
        running -= 1
        done.push((job.data as { versionId: number }).versionId)
      },
    })
    const { logger } = capturedLogger()
    for (let i = 0; i < 2; i++) {
      pools.push(
        await startWorkerPool({
          connection: redis,
          prefix,
          handlers: slowWriteback,
          logger,
          metrics: createMetrics(),
          queues: ['writeback'],
          concurrency: { writeback: 4 },
        }),
      )
    }
    for (let versionId = 1; versionId <= 6; versionId++) {
      await enqueue(queues, 'writeback', { sourceId: 'jira-test', versionId })
    }
    while (done.length < 6) await new Promise((r) => setTimeout(r, 20))
    expect(most).toBe(1)
  })

  it('coalesces the same work asked for twice while it waits', async () => {
    const first = await enqueue(queues, 'sync', syncPayload)
    const second = await enqueue(queues, 'sync', syncPayload)
    expect(first.status).toBe('queued')
    expect(second).toEqual({ status: 'coalesced', jobId: first.jobId })
    expect(await queues.sync.getWaitingCount()).toBe(1)
  })

  it('rejects an invalid payload when it is enqueued', async () => {
    await expect(enqueue(queues, 'sync', { ...syncPayload, mode: 'weekly' as never })).rejects.toMatchObject({
      code: 'ONETRACK_JOB_INVALID',
    })
  })

  it('lets a running job finish when it shuts down within the grace time', async () => {
    let release: () => void = () => {}
    let running: () => void = () => {}
    const isRunning = new Promise<void>((r) => {
      running = r
    })
    const pool = await start(
      handlers({
        sync: async () => {
          running()
          await new Promise<void>((r) => {
            release = r
          })
          return 'finished'
        },
      }),
    )
    const { jobId } = await enqueue(queues, 'sync', syncPayload)
    await isRunning
    const closing = pool.close()
    setTimeout(() => release(), 100)
    await closing
    const job = await settled(jobId)
    expect(await job.getState()).toBe('completed')
    expect(job.returnvalue).toBe('finished')
  })

  it('hands a job that outlives the grace time back to the queue, where the next worker completes it', async () => {
    let running: () => void = () => {}
    const isRunning = new Promise<void>((r) => {
      running = r
    })
    const first = await start(
      handlers({
        sync: (_job, { signal }) =>
          new Promise((_resolve, reject) => {
            running()
            signal.addEventListener('abort', () => reject(new Error('stopped at a safe point')))
          }),
      }),
      100,
    )
    const { jobId } = await enqueue(queues, 'sync', syncPayload)
    await isRunning
    await first.close()
    pools.splice(pools.indexOf(first), 1)

    const released = await queues.sync.getJob(jobId)
    expect(['delayed', 'waiting']).toContain(await released?.getState())
    expect(released?.attemptsMade).toBe(0)

    await start(handlers({ sync: async () => 'done by the next worker' }))
    const job = await settled(jobId)
    expect(await job.getState()).toBe('completed')
    expect(job.returnvalue).toBe('done by the next worker')
  })
})
