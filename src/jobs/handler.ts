import type { Job } from 'bullmq'
import type { Logger } from '../logger.ts'
import type { JobName, JobPayload } from './payloads.ts'

export interface JobContext {
  /** Aborted when the worker shuts down: stop at the next safe point and throw. */
  signal: AbortSignal
  /** A child logger carrying the queue name and job id. */
  log: Logger
}

/**
 * One processor signature for every queue. Handlers must be idempotent: a job can run again after a
 * crash, a shutdown or a retry, and must then leave the same result.
 */
export type JobHandler<N extends JobName> = (
  job: Job<JobPayload<N>, unknown, N>,
  context: JobContext,
) => Promise<unknown>

/** Exhaustive: a queue without a handler does not compile. */
export type JobHandlers = { [N in JobName]: JobHandler<N> }
