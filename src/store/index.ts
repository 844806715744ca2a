export { type Database, type DatabaseOptions, openDatabase } from './database.ts'
export { completeDeliveries, recordDelivery } from './deliveries.ts'
export {
  type EpicRecord,
  epicId,
  loadEpics,
  type StoredEpic,
  type SyncBatch,
  type SyncBatchResult,
  saveSyncBatch,
  syncCursor,
} from './epics.ts'
export { type Migration, migrate, readMigrations } from './migrate.ts'
export {
  activeOverrides,
  eventsOfVersion,
  latestVersion,
  loadLedger,
  type StoredVersion,
  saveRoadmapVersion,
  versionById,
} from './roadmaps.ts'
export { registerSources } from './sources.ts'
export type { Tables } from './tables.ts'
export { saveWrittenValues, writtenValues } from './writeback-state.ts'
