export { accruedCostsAsOf, rateHistories } from './accrual.ts'
export { type BaselineCommitment, baselineCommitments } from './commitments.ts'
export { type Database, type DatabaseOptions, openDatabase } from './database.ts'
export {
  type AuthorIdentity,
  type Decision,
  type DecisionFilter,
  type DecisionKind,
  type DecisionPosition,
  type DecisionVia,
  decisionPage,
  decisionsBetween,
} from './decision-log.ts'
export { completeDeliveries, type DeliveryRecord, recordDeliveries, recordDelivery } from './deliveries.ts'
export { type EpicDetails, type EpicHit, epicDetails, epicKeys, searchEpics } from './epic-lookup.ts'
export {
  type EpicRecord,
  loadEpics,
  type StoredEpic,
  type SyncBatch,
  type SyncBatchResult,
  saveSyncBatch,
  syncCursor,
  unresolvedLinkProblem,
} from './epics.ts'
export {
  costOfDelayByVersion,
  deferralCountsOf,
  deferralEvent,
  epicHistory,
  eventsBetweenVersions,
  eventsOfVersion,
  type LedgerFilter,
  type LedgerPage,
  type LedgerPosition,
  lastDeferrals,
  ledgerDigest,
  ledgerPage,
  loadLedger,
  openDeferralsOf,
  unacknowledgedByTeam,
  unacknowledgedCounts,
  unacknowledgedDeferrals,
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
  claimNewPostedReport,
  listPostedReports,
  type PostedReport,
  type PostedReportState,
  type PostedReportStatus,
  postedReportState,
  recordPostedReport,
  takeOverPostedReport,
} from './posted-reports.ts'
export {
  type ApproveOutcome,
  approveVersion,
  markPublished,
  newestPublishableId,
  versionPublication,
} from './publication.ts'
export {
  activeOverrides,
  latestEntry,
  latestVersion,
  type StoredVersion,
  saveRoadmapVersion,
  versionById,
} from './roadmaps.ts'
export {
  createSession,
  deleteSession,
  findSession,
  newSecretValue,
  pruneSessions,
  type Session,
  type SessionLimits,
  SIGN_IN_ATTEMPT_MS,
  type SignInAttempt,
  saveSignInAttempt,
  takeSignInAttempt,
} from './sessions.ts'
export {
  type AcknowledgedEvent,
  type Acknowledgement,
  type AckOutcome,
  type AckVia,
  acknowledgeDeferral,
  acknowledgeEpic,
  acknowledgementsOf,
  type EpicAckOutcome,
  withAcknowledgements,
} from './sign-offs.ts'
export { registerSources } from './sources.ts'
export type { Tables, VersionStatus } from './tables.ts'
export {
  listVersions,
  newestVersionId,
  previousVersionId,
  type VersionMeta,
  versionMeta,
} from './versions.ts'
export { markInDoubt, saveWrittenValues, type Written, writtenValues } from './writeback-state.ts'
