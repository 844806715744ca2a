import { createHash, randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import pg from 'pg'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { Secret } from '../../src/config/index.ts'
import { isOnetrackError } from '../../src/errors.ts'
import {
  type Database,
  type Migration,
  migrate,
  openDatabase,
  readMigrations,
} from '../../src/store/index.ts'
import { freshPGlite } from '../helpers/database.ts'

const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test'

const MIGRATION_TABLES = [
  'decisions',
  'deferral_acks',
  'deferral_events',
  'dependencies',
  'epic_links',
  'epics',
  'overrides',
  'posted_reports',
  'roadmap_entry_ranges',
  'roadmap_versions',
  'schema_migrations',
  'sessions',
  'sign_in_attempts',
  'sources',
  'sync_cursors',
  'webhook_deliveries',
  'writeback_state',
]

/** The migrations the project ships, in order. */
const SHIPPED = readMigrations()
const SHIPPED_VERSIONS = SHIPPED.map((m) => m.version)
const NEXT = Math.max(...SHIPPED_VERSIONS) + 1

const opened: Database[] = []
const schemas: string[] = []

/** Each test gets its own database: a throwaway PGlite, or a fresh schema on the shared Postgres. */
const backends = [
  {
    name: 'embedded PGlite',
    open: async () => openDatabase({ dataDir: 'memory://', pglite: await freshPGlite() }),
  },
  {
    name: 'Postgres',
    open: () => {
      const schema = `t_${randomUUID().replaceAll('-', '')}`
      schemas.push(schema)
      return openDatabase({
        databaseUrl: new Secret(POSTGRES_URL, 'DATABASE_URL'),
        dataDir: 'unused',
        schema,
      })
    },
  },
]

// Closed after each test: a PGlite instance holds a whole Postgres in memory.
afterEach(async () => {
  await Promise.all(opened.splice(0).map((database) => database.close().catch(() => {})))
})

afterAll(async () => {
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  try {
    for (const schema of schemas) await client.query(`drop schema if exists ${schema} cascade`)
  } finally {
    await client.end()
  }
})

function migration(version: number, name: string, text: string): Migration {
  return { version, name, sql: text, checksum: createHash('sha256').update(text).digest('hex') }
}

async function tablesOf(database: Database): Promise<string[]> {
  const result = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = current_schema() order by table_name
  `.execute(database.db)
  return result.rows.map((row) => row.table_name)
}

async function recordedVersions(database: Database): Promise<number[]> {
  const rows = await database.db
    .selectFrom('schema_migrations')
    .select('version')
    .orderBy('version')
    .execute()
  return rows.map((row) => row.version)
}

async function rejection(work: Promise<unknown>): Promise<unknown> {
  try {
    await work
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

describe.each(backends)('migrations on $name', (backend) => {
  async function fresh(): Promise<Database> {
    const database = await backend.open()
    opened.push(database)
    return database
  }

  async function migrated(): Promise<Database> {
    const database = await fresh()
    await migrate(database)
    return database
  }

  it('creates every table of the shipped migrations and records each', async () => {
    const database = await fresh()

    const { applied } = await migrate(database)

    expect(applied.map((m) => `${m.version}_${m.name}`)[0]).toBe('1_initial')
    expect(applied.map((m) => m.version)).toEqual(SHIPPED_VERSIONS)
    expect(await tablesOf(database)).toEqual(MIGRATION_TABLES)
    expect(await recordedVersions(database)).toEqual(SHIPPED_VERSIONS)
  })

  it('applies nothing the second time', async () => {
    const database = await migrated()

    const { applied } = await migrate(database)

    expect(applied).toEqual([])
    expect(await recordedVersions(database)).toEqual(SHIPPED_VERSIONS)
  })

  it('refuses a migration whose recorded checksum differs from the file', async () => {
    const database = await migrated()
    await database.db.updateTable('schema_migrations').set({ checksum: 'edited-after-apply' }).execute()

    const error = await rejection(migrate(database))

    expect(isOnetrackError(error, 'ONETRACK_MIGRATION_FAILED')).toBe(true)
    expect((error as Error).message).toBe(
      'migration 1 (initial) was changed after it was applied; add a new migration instead',
    )
  })

  it('rolls back every migration of a run when one of them fails', async () => {
    const database = await migrated()
    const good = migration(NEXT, 'add_good', 'create table good_table (id integer primary key);')
    const broken = migration(NEXT + 1, 'broken', 'create tabel broken_table (id integer);')

    const error = await rejection(migrate(database, [...SHIPPED, good, broken]))

    expect(isOnetrackError(error, 'ONETRACK_MIGRATION_FAILED')).toBe(true)
    expect((error as Error).message).toMatch(
      new RegExp(`^migration ${NEXT + 1} \\(broken\\) failed, nothing was applied: `),
    )
    expect((error as Error).cause).toBeInstanceOf(Error)
    expect(await tablesOf(database)).not.toContain('good_table')
    expect(await recordedVersions(database)).toEqual(SHIPPED_VERSIONS)
  })

  it('leaves a fresh database empty when its first run fails', async () => {
    const database = await fresh()

    const error = await rejection(
      migrate(database, [
        migration(1, 'good', 'create table good_table (id integer);'),
        migration(2, 'bad', 'selec 1;'),
      ]),
    )

    expect(isOnetrackError(error, 'ONETRACK_MIGRATION_FAILED')).toBe(true)
    expect(await tablesOf(database)).toEqual([])
  })

  it('applies the migrations once when two runs start together', async () => {
    const database = await fresh()

    const runs = await Promise.all([migrate(database), migrate(database)])

    expect(runs.map((run) => run.applied.length).sort()).toEqual([0, SHIPPED.length])
    expect(await recordedVersions(database)).toEqual(SHIPPED_VERSIONS)
  })

  it('reads jsonb columns back as the data that was written', async () => {
    const { db } = await migrated()
    await db.insertInto('sources').values({ id: 'jira-shop', kind: 'jira', config_hash: 'abc' }).execute()
    await db
      .insertInto('epics')
      .values({
        id: 'jira-shop:10042',
        source_id: 'jira-shop',
        external_id: '10042',
        key: 'SHOP-42',
        title: 'One-click checkout',
        url: 'https://acme.atlassian.net/browse/SHOP-42',
        track: 'product',
        status: 'todo',
        inputs: JSON.stringify({ value: 3 }),
        problems: JSON.stringify(['effort is missing']),
        tracker_updated_at: new Date('2027-01-04T09:00:00Z'),
      })
      .execute()
    const periods = [{ id: '2027-Q1', start: '2027-01-01', end: '2027-04-01' }]
    await db
      .insertInto('roadmap_versions')
      .values({
        trigger: 'test',
        config_hash: 'abc',
        built_at: new Date('2027-01-05T00:00:00Z'),
        roadmap: JSON.stringify({ periods }),
        entry_count: 0,
        event_count: 0,
      })
      .execute()

    const epic = await db
      .selectFrom('epics')
      .selectAll()
      .where('id', '=', 'jira-shop:10042')
      .executeTakeFirstOrThrow()
    const version = await db.selectFrom('roadmap_versions').selectAll().executeTakeFirstOrThrow()

    expect(epic.inputs).toEqual({ value: 3 })
    expect(epic.problems).toEqual(['effort is missing'])
    expect(epic.tracker_updated_at).toEqual(new Date('2027-01-04T09:00:00Z'))
    expect(epic.deleted_at).toBeNull()
    expect(version.roadmap).toEqual({ periods })
    expect(version.built_at).toEqual(new Date('2027-01-05T00:00:00Z'))
    expect(version.id).toBe(1)
  })

  it('rejects by check constraints the values the domain never writes', async () => {
    const { db } = await migrated()
    await db.insertInto('sources').values({ id: 'jira-shop', kind: 'jira', config_hash: 'abc' }).execute()
    const override = { id: 'o1', epic_id: 'jira-shop:1', author: 'olivia' }
    const epic = {
      id: 'jira-shop:1',
      source_id: 'jira-shop',
      external_id: '1',
      key: 'SHOP-1',
      title: 'One-click checkout',
      url: 'https://acme.atlassian.net/browse/SHOP-1',
      track: 'product' as const,
      inputs: '{}',
      problems: '[]',
      tracker_updated_at: new Date(),
    }

    const blankRationale = await rejection(
      db
        .insertInto('overrides')
        .values({ ...override, kind: 'exclude', period: null, rationale: '   ' })
        .execute(),
    )
    const pinWithoutPeriod = await rejection(
      db
        .insertInto('overrides')
        .values({ ...override, kind: 'pin', period: null, rationale: 'promised' })
        .execute(),
    )
    const unknownStatus = await rejection(
      db
        .insertInto('epics')
        .values({ ...epic, status: 'open' as 'todo' })
        .execute(),
    )

    for (const error of [blankRationale, pinWithoutPeriod, unknownStatus]) {
      expect(error).toMatchObject({ code: '23514' }) // check_violation
    }
    expect(await db.selectFrom('overrides').selectAll().execute()).toEqual([])
    expect(await db.selectFrom('epics').selectAll().execute()).toEqual([])
  })

  it('answers a ping while open and reports the store unavailable once closed', async () => {
    const database = await fresh()

    await expect(database.ping()).resolves.toBeUndefined()
    await database.close()
    const error = await rejection(database.ping())

    expect(isOnetrackError(error, 'ONETRACK_STORE_UNAVAILABLE')).toBe(true)
  })
})

describe('openDatabase on Postgres', () => {
  it('keeps the tables in the schema it was given', async () => {
    const schema = `t_${randomUUID().replaceAll('-', '')}`
    schemas.push(schema)
    const database = await openDatabase({
      databaseUrl: new Secret(POSTGRES_URL, 'DATABASE_URL'),
      dataDir: 'unused',
      schema,
    })
    opened.push(database)

    await migrate(database)
    const current = await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db)

    expect(current.rows[0]?.schema).toBe(schema)
    expect(database.kind).toBe('postgres')
  })

  it('refuses a schema name that is not a plain identifier', async () => {
    const error = await rejection(
      openDatabase({
        databaseUrl: new Secret(POSTGRES_URL, 'DATABASE_URL'),
        dataDir: 'unused',
        schema: 'x; drop table sources',
      }),
    )

    expect(isOnetrackError(error, 'ONETRACK_STORE_UNAVAILABLE')).toBe(true)
  })

  it.each([
    ['without a schema', undefined],
    ['with a schema to create', 't_unreachable'],
  ])('reports a server that does not answer as unavailable (%s)', async (_name, schema) => {
    const url = 'postgres://postgres:pw-7a1c@127.0.0.1:1/test'

    const error = await rejection(
      (async () => {
        const database = await openDatabase({
          databaseUrl: new Secret(url, 'DATABASE_URL'),
          dataDir: 'unused',
          ...(schema === undefined ? {} : { schema }),
        })
        try {
          await database.ping()
        } finally {
          await database.close()
        }
      })(),
    )

    expect(isOnetrackError(error, 'ONETRACK_STORE_UNAVAILABLE')).toBe(true)
    expect((error as Error).message).not.toContain('pw-7a1c')
  })
})
