export { MAX_QUERY_COMPLEXITY, queryComplexity } from './complexity.ts'
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './connections.ts'
export { DEFAULT_RATE_LIMITS, type Fault, FaultPlan, type RateLimitOptions } from './limits.ts'
export type * from './records.ts'
export { LINEAR_SCHEMA_PATH, linearSchema } from './schema.ts'
export { RISK_LABELS, type SeededWorkspace, type SeedOptions, seedWorkspace, VALUE_LABELS } from './seed.ts'
export {
  createLinearSimulator,
  DEFAULT_API_KEY,
  type LinearApiKey,
  type LinearSimulator,
  type LinearSimulatorOptions,
  type RecordedQuery,
} from './simulator.ts'
export { type Delivery, sign as signWebhookBody, type WebhookConfig } from './webhooks.ts'
export {
  EntityNotFound,
  type IssueInput,
  type IssuePatch,
  LinearWorkspace,
  type ProjectInput,
  type ProjectPatch,
} from './workspace.ts'
