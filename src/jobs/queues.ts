import { type DefaultJobOptions, Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import Value from 'typebox/value'
import { OnetrackError } from '../errors.ts'
import { type JobName, type JobPayload, JobPayloadSchemas, jobNames } from './payloads.ts'

/**
 * Retries: exponential backoff with jitter; after the last attempt the job stays in the failed set
 * (visible in the dashboard and /metrics) for a week.
 */
export const defaultJobOptions: DefaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
}

export type Queues = { readonly [N in JobName]: Queue<JobPayload<N>, unknown, N> }

export interface QueueOptions {
  connection: Redis
  /** Redis key prefix, so deployments or tests can share one Redis. */
  prefix: string
  jobOptions?: DefaultJobOptions
  /** Connection errors of the queues (BullMQ reconnects by itself; this is for logging). */
  onError?: (error: Error, queue: JobName) => void
}

export function createQueues(options: QueueOptions): Queues {
  const make = <N extends JobName>(name: N) => {
    const queue = new Queue<JobPayload<N>, unknown, N>(name, {
      connection: options.connection,
      prefix: options.prefix,
      defaultJobOptions: options.jobOptions ?? defaultJobOptions,
    })
    // Without a listener an 'error' event would crash the process.
    queue.on('error', (error) => options.onError?.(error, name))
    return queue
  }
  return { sync: make('sync'), build: make('build'), writeback: make('writeback'), report: make('report') }
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(jobNames.map((name) => queues[name].close()))
}

export function assertPayload<N extends JobName>(
  name: N,
  payload: unknown,
): asserts payload is JobPayload<N> {
  const schema = JobPayloadSchemas[name]
  if (!Value.Check(schema, payload)) {
    const problems = [...Value.Errors(schema, payload)].map(
      (e) => `${e.instancePath || '(payload)'}: ${e.message}`,
    )
    throw new OnetrackError('ONETRACK_JOB_INVALID', `invalid ${name} job payload: ${problems.join('; ')}`, {
      details: { problems },
    })
  }
}
