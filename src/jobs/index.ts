export { deduplicationIds, type JobName, type JobPayload, JobPayloadSchemas, jobNames } from './payloads.ts'
export {
  assertPayload,
  closeQueues,
  createQueues,
  defaultJobOptions,
  type EnqueueOutcome,
  enqueue,
  type Queues,
} from './queues.ts'
export { ensureSchedules } from './schedules.ts'
