// The queues' public face, shared by the API, the CLI and the workers: queue names and payload
// schemas (payloads.ts), how work is enqueued and coalesced (enqueue.ts: queueBuild, queueWritebacks),
// the queues themselves with their retry options (queues.ts), and the periodic reconcile schedules.
export {
  BUILD_GATHER_MS,
  deduplicationIds,
  type EnqueueOutcome,
  enqueue,
  enqueueBulk,
  queueBuild,
  queueWritebacks,
} from './enqueue.ts'
export { type JobName, type JobPayload, JobPayloadSchemas, jobNames } from './payloads.ts'
export {
  assertPayload,
  closeQueues,
  createQueues,
  defaultJobOptions,
  type Queues,
} from './queues.ts'
export { ensureSchedules } from './schedules.ts'
