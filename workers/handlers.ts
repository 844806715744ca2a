// The BullMQ entry points: one handler per queue, each taking a job, calling its use case in
// src/pipeline and mapping the outcome to what the queue should do next (done, retry with backoff,
// postpone without spending an attempt, or fail for good).
import { DelayedError, type Job, UnrecoverableError } from 'bullmq'
import { failureDetails } from '../src/channels/index.ts'
import { isOnetrackError } from '../src/errors.ts'
import type { JobHandler, JobHandlers } from '../src/jobs/handler.ts'
import {
  type PipelineDeps,
  type ReportDeps,
  type ReportOptions,
  type ReportOutcome,
  runBuild,
  runReport,
  runSync,
  runWriteback,
} from '../src/pipeline/index.ts'

/** Postponements (rate limits, another attempt posting) a job may take before it counts as failing. */
const MAX_POSTPONEMENTS = 20

/** The registry of job handlers: one per queue, checked exhaustively by the type. */
export function createHandlers(deps: PipelineDeps): JobHandlers {
  return {
    sync: async (job, { signal, log }) => {
      const summary = await runSync(deps, job.data, signal)
      log.info({ summary }, 'source synced')
      return summary
    },
    build: async (job, { log }) => {
      const summary = await runBuild(deps, job.data.trigger)
      log.info({ summary }, summary.unchanged ? 'roadmap unchanged' : 'roadmap built')
      return summary
    },
    writeback: async (job, { signal, log }) => {
      const summary = await runWriteback(deps, job.data, signal)
      log.info({ summary: { ...summary, failed: summary.failed.length } }, 'written back')
      return summary
    },
    report: reportHandler(deps),
  }
}

/**
 * The report queue's handler. A rate limit or another attempt at work postpones the job to the
 * time given (Retry-After, or the end of the claim's lease) without spending an attempt; a
 * misconfigured channel or an unconfirmed delivery fails it at once (retrying cannot help and
 * could double-post); anything else is retried with the queue's backoff.
 */
export function reportHandler(deps: ReportDeps, options: ReportOptions = {}): JobHandler<'report'> {
  return async (job, { signal, log }) => {
    let outcome: ReportOutcome
    try {
      outcome = await runReport(deps, job.data, signal, options)
    } catch (error) {
      const retryAfterMs = isOnetrackError(error, 'CHANNEL_RATE_LIMITED')
        ? failureDetails(error)?.retryAfterMs
        : undefined
      if (retryAfterMs !== undefined) await postpone(job, Date.now() + retryAfterMs, error)
      if (
        isOnetrackError(error, 'CHANNEL_REJECTED') ||
        isOnetrackError(error, 'CHANNEL_DELIVERY_UNCONFIRMED')
      ) {
        throw new UnrecoverableError(`${error.code}: ${error.message}`)
      }
      throw error
    }
    if (outcome.status === 'busy') {
      // retryAt is on the injected clock; the queue runs on the real one.
      const waitMs = Math.max(0, outcome.retryAt.getTime() - deps.now().getTime()) + 250
      await postpone(job, Date.now() + waitMs, new Error('another attempt is posting this report'))
    }
    log.info({ outcome }, `report ${outcome.status}`)
    return outcome
  }
}

async function postpone(job: Job, at: number, reason: unknown): Promise<never> {
  if (job.token === undefined || job.attemptsStarted > MAX_POSTPONEMENTS) throw reason
  await job.moveToDelayed(at, job.token)
  throw new DelayedError()
}
