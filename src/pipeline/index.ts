// The use cases: sync, build, write-back, report, what-if and the owner's decisions. The workers
// (the BullMQ entry points), the API and the CLI all call them here; this is the one place
// that joins the store, the trackers, the channels and the domain. Nothing here knows of HTTP or of
// BullMQ jobs beyond their payloads.
export { type BuildSummary, runBuild } from './build.ts'
export {
  acceptDeferral,
  acceptEpicDeferrals,
  approveProposal,
  type BuildRequest,
  type DecisionDeps,
  type DecisionLog,
  keepPlanned,
  type RecordOverrideOutcome,
  recordOverride,
  revokeOverride,
} from './decisions.ts'
export type { PipelineDeps } from './deps.ts'
export {
  type ChannelReport,
  loadChannelReport,
  POSTING_LEASE_MS,
  type ReportDeps,
  type ReportOptions,
  type ReportOutcome,
  runReport,
} from './report.ts'
export { runSync, type SyncProgress, type SyncSummary } from './sync.ts'
export { runWhatIf, type StoreWhatIf } from './what-if.ts'
export { rankWriteRule, runWriteback, type WritebackSummary, writeBackValues } from './writeback.ts'
