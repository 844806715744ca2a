export { type Database, type DatabaseOptions, openDatabase } from './database.ts'
export { type Migration, migrate, readMigrations } from './migrate.ts'
export type { Tables } from './tables.ts'
