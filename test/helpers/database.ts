import { randomUUID } from 'node:crypto'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { Secret } from '../../src/config/index.ts'
import { type Database, migrate, openDatabase } from '../../src/store/index.ts'

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export interface TestDatabase {
  database: Database
  /** A DATABASE_URL that reaches the same data from another process (Postgres only). */
  url?: string
  /** Closes the database and drops its schema. */
  dispose(): Promise<void>
}

let template: Promise<File | Blob> | undefined

/**
 * An empty embedded database. Creating one runs initdb (seconds); restoring the dump of one made
 * earlier in this process skips that, which keeps the tests that need many fast.
 */
export async function freshPGlite(): Promise<PGlite> {
  template ??= (async () => {
    const first = new PGlite('memory://')
    await first.waitReady
    const dump = await first.dumpDataDir('none')
    await first.close()
    return dump
  })()
  const pglite = new PGlite('memory://', { loadDataDir: await template })
  await pglite.waitReady
  return pglite
}

/**
 * A migrated database of either backend: Postgres in a schema of its own (tests share one server),
 * or a throwaway in-memory PGlite.
 */
export async function testDatabase(kind: 'postgres' | 'pglite' = 'postgres'): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const database = await openDatabase({ dataDir: 'memory://', pglite: await freshPGlite() })
    await migrate(database)
    return { database, dispose: () => database.close() }
  }
  const schema = `t_${randomUUID().replaceAll('-', '')}`
  const database = await openDatabase({
    databaseUrl: new Secret(TEST_DATABASE_URL, 'TEST_DATABASE_URL'),
    dataDir: 'unused',
    schema,
    poolSize: 4,
  })
  await migrate(database)
  return {
    database,
    url: `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    async dispose() {
      await database.close()
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL })
      await client.connect()
      await client.query(`drop schema if exists ${schema} cascade`)
      await client.end()
    },
  }
}
