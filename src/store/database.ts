import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import type { Secret } from '../config/index.ts'
import { OnetrackError } from '../errors.ts'
import { isAlive } from '../process.ts'
import type { Tables } from './tables.ts'

/** What a migration sees: multi-statement SQL text and parameterised queries, inside one transaction. */
export interface ScriptTransaction {
  exec(script: string): Promise<void>
  query<R>(text: string, params?: unknown[]): Promise<R[]>
}

/** The system of record: Postgres in production, embedded PGlite by default. One SQL dialect for both. */
export interface Database {
  readonly kind: 'postgres' | 'pglite'
  /** Typed queries for everything but migrations. */
  readonly db: Kysely<Tables>
  /** Runs `work` in one transaction (used by migrations, which are plain SQL files). */
  scriptTransaction<T>(work: (tx: ScriptTransaction) => Promise<T>): Promise<T>
  /** Throws ONETRACK_STORE_UNAVAILABLE when the database does not answer. */
  ping(): Promise<void>
  close(): Promise<void>
}

export interface DatabaseOptions {
  /** Postgres connection string; when absent the embedded database in dataDir is used. */
  databaseUrl?: Secret | undefined
  /** Folder of the embedded database, or 'memory://' for a throwaway one. */
  dataDir: string
  /**
   * An embedded database already opened by the caller (for example one restored with PGlite's
   * loadDataDir); used instead of opening dataDir, and closed with the Database.
   */
  pglite?: PGlite
  /** Postgres schema to use (created if missing); isolates tests sharing one server. */
  schema?: string
  poolSize?: number
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl === undefined ? openPGlite(options) : openPostgres(options.databaseUrl, options)
}

async function openPostgres(url: Secret, options: DatabaseOptions): Promise<Database> {
  const schema = options.schema
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new OnetrackError('ONETRACK_STORE_UNAVAILABLE', `invalid schema name ${schema}`)
  }
  const pool = new pg.Pool({
    connectionString: url.reveal(),
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  })
  // An idle client that loses its connection emits 'error' on the pool; without a listener the
  // process would crash. The next query gets a fresh connection.
  pool.on('error', () => {})
  // The same for a client in use (inside a transaction) whose backend is terminated: the query in
  // flight fails and the job retries, instead of an unhandled 'error' event ending the process.
  pool.on('connect', (client) => {
    client.on('error', () => {})
  })
  if (schema !== undefined) {
    await withUnavailable(() => pool.query(`create schema if not exists ${schema}`)).catch(async (error) => {
      await pool.end()
      throw error
    })
  }
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) })
  return {
    kind: 'postgres',
    db,
    async scriptTransaction(work) {
      const client = await withUnavailable(() => pool.connect())
      try {
        await client.query('begin')
        const result = await work({
          exec: async (script) => {
            await client.query(script)
          },
          query: async <R>(text: string, params: unknown[] = []) =>
            (await client.query(text, params)).rows as R[],
        })
        await client.query('commit')
        return result
      } catch (error) {
        await client.query('rollback').catch(() => {})
        throw error
      } finally {
        client.release()
      }
    },
    ping: () => pingWith(db),
    close: () => db.destroy(),
  }
}

async function openPGlite(options: DatabaseOptions): Promise<Database> {
  const inMemory = options.pglite !== undefined || options.dataDir.startsWith('memory://')
  const dataDir = inMemory ? options.dataDir : resolve(options.dataDir, 'pglite')
  let unlock = () => {}
  if (!inMemory) {
    mkdirSync(dataDir, { recursive: true })
    unlock = lockDataDir(dataDir)
  }
  const pglite = options.pglite ?? new PGlite(dataDir)
  try {
    await withUnavailable(() => pglite.waitReady)
  } catch (error) {
    unlock()
    throw error
  }
  const db = new Kysely<Tables>({ dialect: new PGliteDialect({ pglite }) })
  return {
    kind: 'pglite',
    db,
    scriptTransaction: (work) =>
      pglite.transaction(async (tx) =>
        work({
          exec: async (script) => {
            await tx.exec(script)
          },
          query: async <R>(text: string, params: unknown[] = []) => (await tx.query<R>(text, params)).rows,
        }),
      ),
    ping: () => pingWith(db),
    // Kysely's destroy closes the PGlite instance it was given.
    close: () => db.destroy().finally(unlock),
  }
}

/**
 * PGlite is one Postgres in this process: a second process opening the same folder would corrupt
 * it. A lock file with the owner's pid turns that into a clear error; a lock left by a dead
 * process is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const lockFile = join(dataDir, 'onetrack.lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' })
      return () => rmSync(lockFile, { force: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const owner = Number(readFileSync(lockFile, 'utf8'))
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new OnetrackError(
          'ONETRACK_STORE_UNAVAILABLE',
          `the embedded database in ${dataDir} is in use by process ${owner}: run the API and the workers in one process (onetrack serve --workers), or set DATABASE_URL to share a Postgres between processes`,
        )
      }
      rmSync(lockFile, { force: true })
    }
  }
  throw new OnetrackError('ONETRACK_STORE_UNAVAILABLE', `cannot lock the embedded database in ${dataDir}`)
}

async function pingWith(db: Kysely<Tables>): Promise<void> {
  await withUnavailable(() => sql`select 1`.execute(db))
}

async function withUnavailable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw new OnetrackError(
      'ONETRACK_STORE_UNAVAILABLE',
      `database unavailable: ${(error as Error).message}`,
      {
        cause: error,
      },
    )
  }
}
