export { type Database, type DatabaseOptions, openDatabase } from './database.ts'
export {
  type AcknowledgedEvent,
  type Acknowledgement,
  type AckOutcome,
  type AckVia,
  type ApproveOutcome,
  acknowledgeDeferral,
  acknowledgementsOf,
  approveVersion,
  type Decision,
  type DecisionFilter,
  type DecisionKind,
  type DecisionPosition,
  type DecisionVia,
  decisionPage,
  decisionsBetween,
  deferralEvent,
  markPublished,
  newestPublishableId,
  newestVersionId,
  unacknowledgedByTeam,
  unacknowledgedCounts,
  unacknowledgedDeferrals,
  versionPublication,
  withAcknowledgements,
} from './decisions.ts'
export { completeDeliveries, recordDelivery } from './deliveries.ts'
export { type EpicDetails, type EpicHit, epicDetails, searchEpics } from './epic-lookup.ts'
export {
  type EpicRecord,
  epicId,
  loadEpics,
  type StoredEpic,
  type SyncBatch,
  type SyncBatchResult,
  saveSyncBatch,
  syncCursor,
  unresolvedLinkProblem,
} from './epics.ts'
export {
  accumulatedCostsUpTo,
  costOfDelayByVersion,
  deferralCountsOf,
  epicHistory,
  eventsBetweenVersions,
  type LedgerFilter,
  type LedgerPage,
  type LedgerPosition,
  lastDeferrals,
  ledgerDigest,
  ledgerPage,
} from './ledger.ts'
export { type Migration, migrate, readMigrations } from './migrate.ts'
export {
  createOverride,
  listOverrides,
  type NewOverride,
  type OverrideRecord,
  type RevokeOutcome,
  revokeOverride,
} from './overrides.ts'
export {
  activeOverrides,
  eventsOfVersion,
  latestEntry,
  latestVersion,
  loadLedger,
  type StoredVersion,
  saveRoadmapVersion,
  versionById,
} from './roadmaps.ts'
export { registerSources } from './sources.ts'
export type { Tables, VersionStatus } from './tables.ts'
export { listVersions, previousVersionId, type VersionMeta, versionMeta } from './versions.ts'
export { saveWrittenValues, type Written, writtenValues } from './writeback-state.ts'
