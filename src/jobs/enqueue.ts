// How work enters the queues, and how repeated requests for the same work coalesce: the
// deduplication id of each queue, the one `enqueue`, and the two requests the use cases make —
// queue a build (at once on an idle pipeline; during a burst, one next build that gathers it)
// and queue the write-back of a version to every source that writes back.
import { randomUUID } from 'node:crypto'
import type { Queue } from 'bullmq'
import { OnetrackError } from '../errors.ts'
import { isConnectionError } from '../redis.ts'
import type { JobName, JobPayload } from './payloads.ts'
import { assertPayload, type Queues } from './queues.ts'

/**
 * The same work asked for again while it is still waiting collapses into one job, and while it
 * runs at most one more waits (BullMQ deduplication with keepLastIfActive). A build asked for by 50
 * webhooks is one build: every build request shares one id.
 * @see https://docs.bullmq.io/guide/jobs/deduplication
 */
export const deduplicationIds: { [N in JobName]: (payload: JobPayload<N>) => string } = {
  sync: (p) =>
    p.mode === 'epic' ? `sync.${p.sourceId}.epic.${p.externalId ?? ''}` : `sync.${p.sourceId}.${p.mode}`,
  build: () => 'build',
  writeback: (p) => `writeback.${p.sourceId}.${p.versionId}`,
  report: (p) => `report.${p.channelId}.${p.week ?? 'current'}`,
}

export type EnqueueOutcome = { status: 'queued'; jobId: string } | { status: 'coalesced'; jobId: string }

/** The job's id and options: deduplicated by its deduplication id, with a fresh id of its own. */
function jobFor<N extends JobName>(name: N, payload: JobPayload<N>, options: { delay?: number }) {
  assertPayload(name, payload)
  const deduplicationId = (deduplicationIds[name] as (p: JobPayload<N>) => string)(payload)
  const jobId = `${deduplicationId}.${randomUUID()}`
  return {
    jobId,
    opts: {
      jobId,
      deduplication: { id: deduplicationId, keepLastIfActive: true },
      ...(options.delay === undefined ? {} : { delay: options.delay }),
    },
  }
}

/** Redis down is an outage to report as such (503), not an unexpected failure. */
function asQueueError(error: unknown, name: JobName): unknown {
  if (error instanceof Error && isConnectionError(error)) {
    return new OnetrackError(
      'ONETRACK_QUEUE_UNAVAILABLE',
      `cannot queue the ${name} job: Redis does not answer (${error.message})`,
      { cause: error },
    )
  }
  return error
}

const outcomeOf = (jobId: string, addedId: string | undefined): EnqueueOutcome =>
  addedId === jobId ? { status: 'queued', jobId } : { status: 'coalesced', jobId: addedId ?? jobId }

/**
 * Validates the payload and adds the job, deduplicated by its deduplication id: the same work
 * already waiting (or waiting behind a running one) is an expected outcome, not an error.
 */
export async function enqueue<N extends JobName>(
  queues: Queues,
  name: N,
  payload: JobPayload<N>,
  options: { delay?: number } = {},
): Promise<EnqueueOutcome> {
  const { jobId, opts } = jobFor(name, payload, options)
  const queue = queues[name] as unknown as Queue<JobPayload<N>>
  try {
    const job = await queue.add(name as never, payload as never, opts)
    return outcomeOf(jobId, job.id)
  } catch (error) {
    throw asQueueError(error, name)
  }
}

/**
 * `enqueue` for many jobs of one queue in one Redis round trip (BullMQ's addBulk: one pipeline),
 * each deduplicated as `enqueue` does. Throws when any of them could not be added; the others may
 * have been, which their deduplication makes harmless to ask for again.
 */
export async function enqueueBulk<N extends JobName>(
  queues: Queues,
  name: N,
  payloads: ReadonlyArray<JobPayload<N>>,
): Promise<EnqueueOutcome[]> {
  if (payloads.length === 0) return []
  const jobs = payloads.map((payload) => ({ payload, ...jobFor(name, payload, {}) }))
  const queue = queues[name] as unknown as Queue<JobPayload<N>>
  try {
    const added = await queue.addBulk(
      jobs.map((j) => ({ name: name as never, data: j.payload as never, opts: j.opts })),
    )
    return jobs.map((j, index) => outcomeOf(j.jobId, added[index]?.id))
  } catch (error) {
    throw asQueueError(error, name)
  }
}

/** How long a build asked for while another is waiting or running waits for more syncs to land. */
export const BUILD_GATHER_MS = 1_500

/**
 * Asks for a build, coalescing adaptively. Every build request shares one deduplication id. With
 * no build waiting or running, it starts at once: an edit on an idle pipeline is built without a
 * wait. Asked while one is, it becomes the one next build (keepLastIfActive) and gathers what
 * arrives for BUILD_GATHER_MS first, so a burst costs a build every couple of seconds rather than
 * builds back to back that would starve the syncs feeding them (`gather`: what syncs ask; an
 * owner's decision asks without it, since a person is looking at the page). A build reads
 * everything synced by its start, so none runs on stale inputs.
 */
export async function queueBuild(
  queues: Queues,
  request: { trigger: string; now: Date; gather?: boolean },
): Promise<EnqueueOutcome> {
  const payload = { trigger: request.trigger, requestedAt: request.now.toISOString() }
  if (request.gather !== true) return enqueue(queues, 'build', payload)
  const counts = await queues.build.getJobCounts('active', 'waiting', 'delayed', 'prioritized')
  const busy = Object.values(counts).some((n) => n > 0)
  return enqueue(queues, 'build', payload, busy ? { delay: BUILD_GATHER_MS } : {})
}

/**
 * Queues one write-back of a version per source that writes back; returns how many were queued.
 * With `onError`, a source whose job cannot be queued is reported there and the others are still
 * queued; without it, the first failure is thrown.
 */
export async function queueWritebacks(
  queues: Queues,
  sources: ReadonlyArray<{ id: string; writeBack: { enabled: boolean } }>,
  versionId: number,
  onError?: (error: unknown, sourceId: string) => void,
): Promise<number> {
  let queued = 0
  for (const source of sources) {
    if (!source.writeBack.enabled) continue
    try {
      await enqueue(queues, 'writeback', { sourceId: source.id, versionId })
      queued += 1
    } catch (error) {
      if (onError === undefined) throw error
      onError(error, source.id)
    }
  }
  return queued
}
