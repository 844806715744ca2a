import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { OnetrackError } from '../errors.ts'
import type { Database } from './database.ts'

const MIGRATIONS_DIR = join(import.meta.dirname, 'migrations')

export interface Migration {
  version: number
  name: string
  sql: string
  checksum: string
}

/** The plain SQL files in migrations/, named NNNN_description.sql, in order. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), 'utf8')
      return {
        version: Number(file.slice(0, 4)),
        name: file.slice(5, -4),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      }
    })
}

/**
 * Applies pending migrations in one transaction and records each in schema_migrations. An advisory
 * lock makes concurrent starts (api and worker together) wait instead of racing. A migration that
 * was edited after it was applied is refused: a database must be reproducible from the files.
 */
export async function migrate(
  database: Database,
  migrations = readMigrations(),
): Promise<{ applied: Migration[] }> {
  return database.scriptTransaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(7340211)')
    await tx.exec(`create table if not exists schema_migrations (
      version integer primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`)
    const done = new Map(
      (
        await tx.query<{ version: number; checksum: string }>(
          'select version, checksum from schema_migrations',
        )
      ).map((row) => [row.version, row.checksum]),
    )
    const applied: Migration[] = []
    for (const migration of migrations) {
      const checksum = done.get(migration.version)
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new OnetrackError(
            'ONETRACK_MIGRATION_FAILED',
            `migration ${migration.version} (${migration.name}) was changed after it was applied; add a new migration instead`,
          )
        }
        continue
      }
      try {
        await tx.exec(migration.sql)
      } catch (error) {
        throw new OnetrackError(
          'ONETRACK_MIGRATION_FAILED',
          `migration ${migration.version} (${migration.name}) failed, nothing was applied: ${(error as Error).message}`,
          { cause: error },
        )
      }
      await tx.query('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ])
      applied.push(migration)
    }
    return { applied }
  })
}
