import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import {
  type EpicRecord,
  loadEpics,
  migrate,
  openDatabase,
  readMigrations,
  registerSources,
  saveSyncBatch,
} from '../../src/store/index.ts'
import type { SyncedEpic } from '../../src/trackers/index.ts'
import { itemRef } from '../../src/trackers/item-ref.ts'
import { testConfig } from '../helpers/config.ts'
import { freshPGlite, type TestDatabase, testDatabase } from '../helpers/database.ts'
import { epicRecord } from '../helpers/epics.ts'

const now = new Date('2027-01-05T10:00:00Z')
const JIRA = 'https://acme.atlassian.net'
const FAILOVER = 'https://linear.app/acme/project/database-failover-and-restore-drills-aaaa11112222'
const EVENTS = 'https://linear.app/acme/project/event-bus-v2-bbbb33334444'

/** A Linear project as the Linear connector stores it. */
function project(id: string, url: string, overrides: Partial<SyncedEpic> = {}): EpicRecord {
  return epicRecord(id, { key: id, url, team: 'platform', track: 'technical', ...overrides })
}

describe.each(['postgres', 'pglite'] as const)('links across trackers (%s)', (kind) => {
  let t: TestDatabase
  afterEach(() => t.dispose())

  async function fresh() {
    t = await testDatabase(kind)
    await registerSources(t.database.db, testConfig().sources)
    await t.database.db
      .insertInto('sources')
      .values({ id: 'linear-test', kind: 'linear', config_hash: 'x' })
      .execute()
    return t.database.db
  }

  const jira = (
    db: Awaited<ReturnType<typeof fresh>>,
    epics: EpicRecord[],
    mode: 'full' | 'incremental' = 'incremental',
  ) =>
    saveSyncBatch(db, {
      sourceId: 'jira-test',
      mode,
      epics,
      inScope: epics.map((e) => e.externalId),
      cursor: null,
      now,
    })
  const linear = (
    db: Awaited<ReturnType<typeof fresh>>,
    epics: EpicRecord[],
    mode: 'full' | 'incremental' = 'incremental',
  ) =>
    saveSyncBatch(db, {
      sourceId: 'linear-test',
      mode,
      epics,
      inScope: epics.map((e) => e.externalId),
      cursor: null,
      now,
    })
  const blockers = async (db: Awaited<ReturnType<typeof fresh>>) =>
    Object.fromEntries((await loadEpics(db)).map((e) => [e.id, e.blockers]))

  it('resolves links to epics of the other tracker, in both directions, whichever URL form they use', async () => {
    const db = await fresh()
    await jira(db, [
      // A Jira epic whose "Blocked by" field names the failover project (with a tab in its URL).
      epicRecord('1', { links: [{ url: `${FAILOVER}/overview`, relation: 'blocked_by' }] }),
      epicRecord('2'),
      epicRecord('3'),
    ])
    await linear(db, [
      // The failover project's resource link: "Blocks SHOP-2" (a board URL of it).
      project('p1', FAILOVER, {
        links: [
          { url: `${JIRA}/jira/software/projects/SHOP/boards/1?selectedIssue=SHOP-2`, relation: 'blocks' },
        ],
      }),
      // The event bus: "Depends on SHOP-3", and a link to itself that means nothing.
      project('p2', EVENTS, {
        links: [
          { url: `${JIRA}/browse/shop-3`, relation: 'blocked_by' },
          { url: EVENTS, relation: 'blocked_by' },
        ],
      }),
    ])
    expect(await blockers(db)).toEqual({
      'jira-test:1': ['linear-test:p1'],
      'jira-test:2': ['linear-test:p1'],
      'jira-test:3': [],
      'linear-test:p1': [],
      'linear-test:p2': ['jira-test:3'],
    })
    const stored = await db
      .selectFrom('epic_links')
      .selectAll()
      .orderBy('epic_id')
      .orderBy('target_ref')
      .execute()
    expect(stored).toEqual([
      {
        epic_id: 'jira-test:1',
        source_id: 'jira-test',
        relation: 'blocked_by',
        target_ref: 'linear:acme:project:aaaa11112222',
        url: `${FAILOVER}/overview`,
      },
      expect.objectContaining({
        epic_id: 'linear-test:p1',
        relation: 'blocks',
        target_ref: 'jira:acme.atlassian.net:SHOP-2',
      }),
      expect.objectContaining({ epic_id: 'linear-test:p2', target_ref: 'jira:acme.atlassian.net:SHOP-3' }),
      expect.objectContaining({ epic_id: 'linear-test:p2', target_ref: 'linear:acme:project:bbbb33334444' }),
    ])
    expect((await loadEpics(db)).every((e) => e.problems.length === 0)).toBe(true)
  })

  it('merges links with the tracker’s own blockers, and replaces them on the next sync', async () => {
    const db = await fresh()
    await linear(db, [project('p1', FAILOVER), project('p2', EVENTS)])
    const first = await jira(db, [
      epicRecord('1', {
        blockers: ['jira-test:2'],
        links: [
          { url: FAILOVER, relation: 'blocked_by' },
          { url: `${FAILOVER}#again`, relation: 'blocked_by' },
        ],
      }),
      epicRecord('2'),
    ])
    expect(first.changed).toBe(2)
    expect((await blockers(db))['jira-test:1']).toEqual(['jira-test:2', 'linear-test:p1'])

    // Only the link changed: the epic counts as changed, so a build follows.
    const relinked = await jira(db, [
      epicRecord('1', { blockers: ['jira-test:2'], links: [{ url: EVENTS, relation: 'blocked_by' }] }),
    ])
    expect(relinked.changed).toBe(1)
    expect((await blockers(db))['jira-test:1']).toEqual(['jira-test:2', 'linear-test:p2'])
    expect(await db.selectFrom('epic_links').select('url').execute()).toEqual([{ url: EVENTS }])

    const same = await jira(db, [
      epicRecord('1', { blockers: ['jira-test:2'], links: [{ url: EVENTS, relation: 'blocked_by' }] }),
    ])
    expect(same.changed).toBe(0)
    const cleared = await jira(db, [epicRecord('1', { blockers: ['jira-test:2'] })])
    expect(cleared.changed).toBe(1)
    expect((await blockers(db))['jira-test:1']).toEqual(['jira-test:2'])
  })

  it('names a link that matches no synced epic, keeps the epic, and resolves it once the target is synced', async () => {
    const db = await fresh()
    await jira(db, [epicRecord('1', { links: [{ url: FAILOVER, relation: 'blocked_by' }] })])
    const [alone] = await loadEpics(db)
    expect(alone).toMatchObject({
      id: 'jira-test:1',
      blockers: [],
      unresolvedLinks: [FAILOVER],
      problems: [`links to ${FAILOVER}, which is not a synced epic`],
    })
    // The Linear project arrives with the next Linear sync; the Jira epic needs no re-sync.
    await linear(db, [project('p1', FAILOVER)])
    const epics = await loadEpics(db)
    expect(epics.find((e) => e.id === 'jira-test:1')).toMatchObject({
      blockers: ['linear-test:p1'],
      unresolvedLinks: [],
      problems: [],
    })
  })

  it('stops resolving links to an epic once it is deleted, in both directions', async () => {
    const db = await fresh()
    await jira(db, [epicRecord('1', { links: [{ url: FAILOVER, relation: 'blocked_by' }] }), epicRecord('2')])
    await linear(
      db,
      [project('p1', FAILOVER, { links: [{ url: `${JIRA}/browse/SHOP-2`, relation: 'blocks' }] })],
      'full',
    )
    expect((await blockers(db))['jira-test:2']).toEqual(['linear-test:p1'])

    // The project is deleted in Linear: a full sync no longer finds it.
    await linear(db, [], 'full')
    const epics = await loadEpics(db)
    expect(epics.map((e) => [e.id, e.blockers, e.unresolvedLinks])).toEqual([
      ['jira-test:1', [], [FAILOVER]],
      ['jira-test:2', [], []],
    ])
    // SHOP-2 deleted in Jira: the deleted project's "Blocks" link mattered to nobody anyway.
    await jira(db, [epicRecord('1', { links: [{ url: FAILOVER, relation: 'blocked_by' }] })], 'full')
    expect((await loadEpics(db)).map((e) => e.id)).toEqual(['jira-test:1'])
  })

  it('keeps the canonical reference of each epic’s own URL, and updates it when the URL changes', async () => {
    const db = await fresh()
    await jira(db, [epicRecord('1')])
    await linear(db, [project('p1', FAILOVER)])
    const refs = async () =>
      (await db.selectFrom('epics').select(['id', 'item_ref']).orderBy('id').execute()).map((r) => [
        r.id,
        r.item_ref,
      ])
    expect(await refs()).toEqual([
      ['jira-test:1', 'jira:acme.atlassian.net:SHOP-1'],
      ['linear-test:p1', 'linear:acme:project:aaaa11112222'],
    ])
    // Moved to another project: a new key, a new reference; links to the old key stop resolving.
    const moved = await jira(db, [epicRecord('1', { key: 'GROW-9', url: `${JIRA}/browse/GROW-9` })])
    expect(moved.changed).toBe(1)
    expect((await refs())[0]).toEqual(['jira-test:1', 'jira:acme.atlassian.net:GROW-9'])
  })
})

describe('migration 0003 on a database that already has epics', () => {
  it('backfills item_ref for the URL shapes connectors store, as item-ref.ts computes it', async () => {
    const database = await openDatabase({ dataDir: 'memory://', pglite: await freshPGlite() })
    try {
      const all = readMigrations()
      await migrate(
        database,
        all.filter((m) => m.version < 3),
      )
      await database.db.insertInto('sources').values({ id: 's', kind: 'jira', config_hash: 'x' }).execute()
      const urls = [
        'https://acme.atlassian.net/browse/SHOP-12',
        'http://127.0.0.1:4010/browse/grow-3',
        'https://linear.app/acme/project/database-failover-and-restore-drills-3f9a1c2b4d5e',
        'https://linear.app/Acme/issue/PLAT-42/move-the-queue',
        'http://127.0.0.1:4020/acme/project/event-bus-v2-abcdef012345',
        'https://example.com/something/else',
      ]
      for (const [i, url] of urls.entries()) {
        await sql`insert into epics (id, source_id, external_id, key, title, url, track, status, tracker_updated_at)
          values (${`s:${i}`}, 's', ${String(i)}, 'K', 'T', ${url}, 'product', 'todo', now())`.execute(
          database.db,
        )
      }
      const { applied } = await migrate(database, all)
      expect(applied.map((m) => m.name)).toContain('epic_links')
      const rows = await database.db.selectFrom('epics').select(['url', 'item_ref']).orderBy('id').execute()
      expect(rows.map((r) => r.item_ref)).toEqual([...urls.slice(0, 5).map(itemRef), null])
    } finally {
      await database.close()
    }
  })
})
