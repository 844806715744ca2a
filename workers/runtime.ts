// The worker pool: one BullMQ Worker per queue, with the retry rules (which errors are final), the
// queues that run one job at a time across processes, and a graceful shutdown that hands unfinished
// jobs back. workers/ holds only BullMQ entry points — this pool, the handlers that call src/pipeline
// (handlers.ts) and the report schedules; only the CLI starts them, nothing else imports them.
import { DelayedError, type Job, Queue, UnrecoverableError, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { isOnetrackError } from '../src/errors.ts'
import type { JobHandler, JobHandlers } from '../src/jobs/handler.ts'
import { assertPayload, type JobName, jobNames } from '../src/jobs/index.ts'
import type { Logger } from '../src/logger.ts'
import type { Metrics } from '../src/metrics.ts'
import { throttledErrorLog } from '../src/redis.ts'

export interface WorkerPoolOptions {
  connection: Redis
  prefix: string
  handlers: JobHandlers
  logger: Logger
  metrics: Metrics
  /** Jobs of one queue run at once in this process (build and write-back: always 1, see SERIAL). */
  concurrency?: Partial<Record<JobName, number>>
  /** How long close() lets running jobs finish before asking them to stop. */
  shutdownGraceMs?: number
  /**
   * How long a job's lock lasts without renewal: a worker that dies (SIGKILL, lost machine) hands
   * its job to another worker after about this long. Default JOB_LOCK_MS.
   */
  lockDurationMs?: number
  /** How often this worker looks for jobs whose lock lapsed. Default STALLED_CHECK_MS (at most half the lock). */
  stalledCheckMs?: number
  /** Only these queues (default: all). */
  queues?: JobName[]
}

export interface WorkerPool {
  readonly workers: ReadonlyMap<JobName, Worker>
  /** Waits for running jobs (up to the grace time), hands back what did not finish, closes Redis use. */
  close(): Promise<void>
}

const SHUTDOWN = 'worker shutting down'

/**
 * A running job renews its lock every half of this (BullMQ's lock manager, on a timer, so a long
 * job keeps it as long as the event loop turns); a dead worker's lock lapses after at most this.
 * Builds and write-backs run one at a time across all workers, so this is how long a crash can
 * stall the pipeline. Ten seconds leaves room for the longest synchronous stretch of a build.
 */
export const JOB_LOCK_MS = 10_000
/** How often each worker looks for jobs whose lock lapsed; at most this after the lapse, they run again. */
const STALLED_CHECK_MS = 2_000
/**
 * A job found stalled this many times fails: a job that kills its worker every time (out of
 * memory, say) must not take every worker down for ever, but a few crashes in a row are retried.
 */
const MAX_STALLED = 3
/** Error codes that retrying cannot fix: the job fails at once and stays visible. */
const UNRECOVERABLE = new Set([
  'ONETRACK_JOB_INVALID',
  'TRACKER_AUTH_FAILED',
  'TRACKER_NOT_SUPPORTED',
  // A tracker paging forever would do it again at once; the next scheduled sync tries afresh.
  'TRACKER_PROTOCOL_ERROR',
  'CHANNEL_NOT_SUPPORTED',
])

/**
 * Queues whose jobs run one at a time across every worker process, not just within one: two builds
 * side by side would diff against the same version, and two write-backs of different versions could
 * finish in the wrong order and leave the older values on the tickets.
 */
const SERIAL: ReadonlySet<JobName> = new Set(['build', 'writeback'])

export async function startWorkerPool(options: WorkerPoolOptions): Promise<WorkerPool> {
  const { logger, metrics } = options
  const workers = new Map<JobName, Worker>()
  // One log for every queue's worker: a lost Redis fails them all at once.
  const errorLog = throttledErrorLog(logger, 'worker error', { level: 'error' })
  const lockMs = options.lockDurationMs ?? JOB_LOCK_MS
  for (const name of options.queues ?? jobNames) {
    if (SERIAL.has(name)) {
      // Stored in Redis with the queue; set again by every worker that starts (after a flush too).
      const queue = new Queue(name, { connection: options.connection, prefix: options.prefix })
      await queue.setGlobalConcurrency(1)
      await queue.close()
    }
    const handler = options.handlers[name] as JobHandler<JobName>
    const worker = new Worker(
      name,
      async (job: Job, token?: string, signal?: AbortSignal) => {
        const log = logger.child({ queue: name, jobId: job.id, attempt: job.attemptsMade + 1 })
        const started = performance.now()
        const abort = signal ?? new AbortController().signal
        try {
          assertPayload(name, job.data)
          const result = await handler(job as Job<never, unknown, never>, { signal: abort, log })
          observe('completed')
          return result
        } catch (error) {
          if (abort.aborted && abort.reason === SHUTDOWN && token !== undefined) {
            // Released, not failed: the job waits for the next worker without spending an attempt.
            observe('released')
            log.info('job released at shutdown')
            await job.moveToDelayed(Date.now() + 500, token)
            throw new DelayedError()
          }
          if (error instanceof DelayedError) {
            // The handler moved its job to later itself (a rate limit, a busy channel): not a failure.
            observe('delayed')
            throw error
          }
          observe('failed')
          log.warn({ err: error }, 'job failed')
          if (isOnetrackError(error) && UNRECOVERABLE.has(error.code)) {
            throw new UnrecoverableError(`${error.code}: ${error.message}`)
          }
          throw error
        }

        function observe(outcome: string) {
          metrics.jobDuration.observe({ queue: name, outcome }, (performance.now() - started) / 1000)
          metrics.jobsProcessed.inc({ queue: name, outcome })
        }
      },
      {
        connection: options.connection,
        prefix: options.prefix,
        concurrency: SERIAL.has(name) ? 1 : (options.concurrency?.[name] ?? 4),
        autorun: true,
        lockDuration: lockMs,
        stalledInterval: options.stalledCheckMs ?? Math.min(STALLED_CHECK_MS, lockMs / 2),
        maxStalledCount: MAX_STALLED,
      },
    )
    // Without an 'error' listener a lost Redis connection would crash the process; BullMQ reconnects.
    worker.on('error', (err) => errorLog.error(err, { queue: name }))
    worker.on('failed', (job, err) => {
      if (job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1)) {
        logger.error({ err, queue: name, jobId: job.id }, 'job failed after its last attempt')
      }
    })
    workers.set(name, worker)
  }
  await Promise.all([...workers.values()].map((w) => w.waitUntilReady()))
  logger.info({ queues: [...workers.keys()] }, 'workers started')

  return {
    workers,
    async close() {
      const grace = options.shutdownGraceMs ?? 7_000
      const cancel = setTimeout(() => {
        logger.warn('jobs still running after the grace time: releasing them')
        for (const worker of workers.values()) worker.cancelAllJobs(SHUTDOWN)
      }, grace)
      // A handler that ignores its signal must not hold the process: its job's lock expires and
      // BullMQ's stalled-job check hands it to another worker.
      const force = setTimeout(() => {
        for (const worker of workers.values()) void worker.close(true)
      }, grace + 2_000)
      try {
        await Promise.all([...workers.values()].map((w) => w.close()))
      } finally {
        clearTimeout(cancel)
        clearTimeout(force)
      }
      logger.info('workers stopped')
    },
  }
}
