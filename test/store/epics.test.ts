import { afterEach, describe, expect, it } from 'vitest'
import { loadEpics, registerSources, saveSyncBatch, syncCursor } from '../../src/store/index.ts'
import { testConfig } from '../helpers/config.ts'
import { type TestDatabase, testDatabase } from '../helpers/database.ts'
import { epicRecord } from '../helpers/epics.ts'

const now = new Date('2027-01-05T10:00:00Z')

describe.each(['postgres', 'pglite'] as const)('stored epics (%s)', (kind) => {
  let t: TestDatabase
  afterEach(() => t.dispose())

  async function fresh() {
    t = await testDatabase(kind)
    await registerSources(t.database.db, testConfig().sources)
    return t.database.db
  }

  it('stores a sync with its blockers and cursor, and counts only real changes', async () => {
    const db = await fresh()
    const first = await saveSyncBatch(db, {
      sourceId: 'jira-test',
      mode: 'full',
      epics: [epicRecord('1'), epicRecord('2', { blockers: ['jira-test:1', 'linear-platform:p9'] })],
      inScope: ['1', '2'],
      cursor: 'c1',
      now,
    })
    expect(first).toEqual({ changed: 2, deleted: 0 })
    expect(await syncCursor(db, 'jira-test')).toBe('c1')

    const again = await saveSyncBatch(db, {
      sourceId: 'jira-test',
      mode: 'incremental',
      epics: [epicRecord('1'), epicRecord('2', { title: 'Renamed', blockers: ['jira-test:1'] })],
      cursor: 'c2',
      now,
    })
    expect(again).toEqual({ changed: 1, deleted: 0 })
    expect(await syncCursor(db, 'jira-test')).toBe('c2')

    // A blocker added in the tracker is news for the build even when nothing else changed.
    const relinked = await saveSyncBatch(db, {
      sourceId: 'jira-test',
      mode: 'incremental',
      epics: [
        epicRecord('1', { blockers: ['jira-test:2'] }),
        epicRecord('2', { title: 'Renamed', blockers: ['jira-test:1'] }),
      ],
      cursor: 'c3',
      now,
    })
    expect(relinked).toEqual({ changed: 1, deleted: 0 })
    await saveSyncBatch(db, {
      sourceId: 'jira-test',
      mode: 'incremental',
      epics: [epicRecord('1'), epicRecord('2', { title: 'Renamed', blockers: ['jira-test:1'] })],
      cursor: 'c4',
      now,
    })

    const epics = await loadEpics(db)
    expect(epics.map((e) => [e.id, e.title, e.blockers])).toEqual([
      ['jira-test:1', 'Epic 1', []],
      ['jira-test:2', 'Renamed', ['jira-test:1']],
    ])
    expect(epics[0]).toMatchObject({
      source: 'jira-test',
      team: 'checkout',
      effort: 10,
      inputs: { value: 5 },
    })
  })

  it('marks epics missing from a full sync as deleted, and revives them when they return', async () => {
    const db = await fresh()
    const base = { sourceId: 'jira-test', cursor: null, now } as const
    await saveSyncBatch(db, {
      ...base,
      mode: 'full',
      epics: [epicRecord('1'), epicRecord('2')],
      inScope: ['1', '2'],
    })
    const moved = await saveSyncBatch(db, { ...base, mode: 'full', epics: [epicRecord('1')], inScope: ['1'] })
    expect(moved.deleted).toBe(1)
    expect((await loadEpics(db)).map((e) => e.id)).toEqual(['jira-test:1'])

    const back = await saveSyncBatch(db, { ...base, mode: 'epic', epics: [epicRecord('2')] })
    expect(back.changed).toBe(1)
    expect((await loadEpics(db)).map((e) => e.id)).toEqual(['jira-test:1', 'jira-test:2'])

    const gone = await saveSyncBatch(db, { ...base, mode: 'epic', epics: [], gone: '1' })
    expect(gone.deleted).toBe(1)
    expect((await loadEpics(db)).map((e) => e.id)).toEqual(['jira-test:2'])
  })

  it('keeps the cursor when a targeted epic sync is stored', async () => {
    const db = await fresh()
    await saveSyncBatch(db, { sourceId: 'jira-test', mode: 'incremental', epics: [], cursor: 'c7', now })
    await saveSyncBatch(db, {
      sourceId: 'jira-test',
      mode: 'epic',
      epics: [epicRecord('3')],
      cursor: null,
      now,
    })
    expect(await syncCursor(db, 'jira-test')).toBe('c7')
  })

  it('writes nothing when the batch fails half-way', async () => {
    const db = await fresh()
    await expect(
      saveSyncBatch(db, {
        sourceId: 'jira-test',
        mode: 'incremental',
        // The second epic breaks a check constraint after the first was written.
        epics: [epicRecord('1'), epicRecord('2', { status: 'someday' as never })],
        cursor: 'c1',
        now,
      }),
    ).rejects.toThrow()
    expect(await loadEpics(db)).toEqual([])
    expect(await syncCursor(db, 'jira-test')).toBeNull()
  })
})
