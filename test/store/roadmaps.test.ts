import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import {
  accruedCosts,
  deferralCounts,
  digestLedger,
  isDeferral,
  type RateChange,
} from '../../src/domain/index.ts'
import {
  accruedCostsAsOf,
  type Database,
  deferralCountsOf,
  lastDeferrals,
  latestEntry,
  latestVersion,
  ledgerDigest,
  migrate,
  openDatabase,
  readMigrations,
  saveRoadmapVersion,
  versionById,
} from '../../src/store/index.ts'
import { epic, settings } from '../domain/fixtures.ts'
import { type Step, step } from '../domain/helpers.ts'
import { freshPGlite, type TestDatabase, testDatabase } from '../helpers/database.ts'

const opened: Array<{ dispose(): Promise<void> }> = []
afterEach(async () => {
  for (const d of opened.splice(0)) await d.dispose()
})

async function database(kind: 'postgres' | 'pglite'): Promise<TestDatabase> {
  const t = await testDatabase(kind)
  opened.push(t)
  return t
}

const wide = settings({ capacities: [{ team: 'core', perPeriod: 1000 }] })
/** 200 epics ranked by value: A-1 best. */
const epics = (bump: Record<string, number> = {}) =>
  Array.from({ length: 200 }, (_, i) => {
    const key = `A-${i + 1}`
    return epic(key, { inputs: { value: bump[key] ?? 1000 - i, timeCriticality: 0, risk: 0 } })
  })

const save = (db: Database, s: Step) =>
  saveRoadmapVersion(db.db, { trigger: 'test', configHash: 'h', roadmap: s.roadmap, events: s.events })

describe.each(['postgres', 'pglite'] as const)('roadmap versions on %s', (kind) => {
  it('stores an entry only when it changed, and gives every version back whole with its ranks', async () => {
    const { database: db } = await database(kind)
    const first = step(epics(), { settings: wide })
    // The last epic jumps to the top: it passes 199 others, whose ranks all move by one.
    const second = step(epics({ 'A-200': 5000 }), { settings: wide, after: first })

    const v1 = await save(db, first)
    const v2 = await save(db, second)

    expect(v1.entriesStored).toBe(200)
    expect(v2.entriesStored).toBeLessThan(10)
    expect(second.roadmap.entries[0]?.key).toBe('A-200')
    expect((await versionById(db.db, v1.versionId))?.roadmap).toEqual(first.roadmap)
    expect((await versionById(db.db, v2.versionId))?.roadmap).toEqual(second.roadmap)
    expect((await latestVersion(db.db))?.roadmap).toEqual(second.roadmap)
    expect(await latestEntry(db.db, 'jira:A-200')).toEqual({
      periods: second.roadmap.periods,
      entry: second.roadmap.entries[0],
    })
    expect((await latestEntry(db.db, 'jira:nope'))?.entry).toBeNull()
  })

  it('ends the range of an epic that left the roadmap, and stores nothing new for an identical build', async () => {
    const { database: db } = await database(kind)
    const first = step(epics(), { settings: wide })
    const gone = step(epics().slice(1), { settings: wide, after: first })
    const again = step(epics().slice(1), { settings: wide, after: gone })

    const v1 = await save(db, first)
    await save(db, gone)
    const v3 = await save(db, again)

    expect(v3.entriesStored).toBe(0)
    expect((await latestVersion(db.db))?.roadmap.entries.map((e) => e.key)).not.toContain('A-1')
    expect((await versionById(db.db, v1.versionId))?.roadmap.entries[0]?.key).toBe('A-1')
    const ranges = await db.db
      .selectFrom('roadmap_entry_ranges')
      .select(sql<string>`valid::text`.as('valid'))
      .where('epic_id', '=', 'jira:A-1')
      .execute()
    expect(ranges.map((r) => r.valid)).toEqual([`[${v1.versionId},${v1.versionId + 1})`])
  })
})

describe.each(['postgres', 'pglite'] as const)('the version a database handle keeps, on %s', (kind) => {
  it('equals a fresh read, is frozen, and gives way to a version saved through another handle', async () => {
    const { database: db } = await database(kind)
    // Another process: its own handle on the same database (a new Kysely instance, same driver).
    const elsewhere = db.db.withoutPlugins()
    const first = step(epics(), { settings: wide })
    const second = step(epics({ 'A-200': 5000 }), { settings: wide, after: first })

    const v1 = await save(db, first)
    const kept = await latestVersion(db.db)
    const read = await latestVersion(elsewhere)
    expect(kept?.id).toBe(v1.versionId)
    expect(kept).toEqual(read)
    expect(JSON.parse(JSON.stringify(kept))).toEqual(JSON.parse(JSON.stringify(read)))
    expect(await latestVersion(db.db)).toBe(kept)
    expect(await versionById(db.db, v1.versionId)).toBe(kept)
    expect(Object.isFrozen(kept?.roadmap.entries[0]?.score)).toBe(true)
    const entries = (kept?.roadmap.entries ?? []) as unknown[]
    expect(entries.length).toBe(200)
    expect(() => entries.push(null)).toThrow(TypeError)

    const v2 = await saveRoadmapVersion(elsewhere, {
      trigger: 'test',
      configHash: 'h',
      roadmap: second.roadmap,
      events: second.events,
    })
    const newest = await latestVersion(db.db)
    expect(newest?.id).toBe(v2.versionId)
    expect(newest?.roadmap).toEqual(second.roadmap)
    expect((await versionById(db.db, v1.versionId))?.roadmap).toEqual(first.roadmap)
  })
})

describe.each(['postgres', 'pglite'] as const)('the ledger digest on %s', (kind) => {
  it('equals what the domain computes from the whole ledger', async () => {
    const { database: db } = await database(kind)
    // Ten places a quarter: each jump to the top pushes the tenth epic into the next quarter.
    const few = (bump: Record<string, number>) => epics(bump).slice(0, 25)
    const first = step(few({}))
    const second = step(few({ 'A-25': 5000 }), { after: first })
    const third = step(few({ 'A-25': 5000, 'A-24': 6000 }), { after: second })
    const versions = []
    for (const s of [first, second, third]) versions.push((await save(db, s)).versionId)
    const ledger = third.ledger
    expect(ledger.filter((e) => isDeferral(e.kind)).length).toBeGreaterThan(0)

    const digest = await ledgerDigest(db.db, versions[1] ?? 0)
    const expected = digestLedger(ledger)
    expect(digest.deferredPeriods).toEqual(expected.deferredPeriods)
    expect(digest.recorded).toEqual(new Set(third.events.map((e) => e.id)))
    expect(await deferralCountsOf(db.db)).toEqual(deferralCounts(ledger))
    const last = await lastDeferrals(db.db)
    for (const event of ledger.filter((e) => isDeferral(e.kind))) {
      expect(Date.parse(last.get(event.epicId)?.at ?? '')).toBeGreaterThanOrEqual(Date.parse(event.at))
    }
  })

  it('accrues the cost of delay of late committed work as the domain does, from the stored versions', async () => {
    const { database: db } = await database(kind)
    const few = (bump: Record<string, number>) => epics(bump).slice(0, 25)
    const first = step(few({}))
    const second = step(few({ 'A-25': 5000 }), { after: first })
    const third = step(few({ 'A-25': 5000, 'A-24': 6000 }), { after: second })
    for (const s of [first, second, third]) await save(db, s)
    const rates = new Map<string, RateChange[]>()
    for (const s of [first, second, third]) {
      for (const e of s.roadmap.entries) {
        rates.set(e.epicId, [
          ...(rates.get(e.epicId) ?? []),
          { from: s.roadmap.builtAt, costOfDelay: e.score.breakdown.costOfDelay },
        ])
      }
    }
    // A month after the committed quarter ended: late committed work has accrued a third of a quarter.
    const asOf = '2026-05-01T00:00:00.000Z'
    const expected = accruedCosts(third.ledger, rates, asOf)
    expect(expected.size).toBeGreaterThan(0)
    const stored = await accruedCostsAsOf(db.db, asOf)
    expect([...stored.keys()].sort()).toEqual([...expected.keys()].sort())
    for (const [epicId, cost] of expected) expect(stored.get(epicId)).toBeCloseTo(cost, 9)
    // The epic deferred out of Q1 is late since April; the one deferred out of Q2 not yet.
    expect(stored.get('jira:A-10')).toBeCloseTo((30 / 90) * 991, 6)
    expect(stored.get('jira:A-20')).toBe(0)
  })
})

describe('migration 0002', () => {
  it('turns per-version entries into ranges and rankings without losing a version', async () => {
    const db = await openDatabase({ dataDir: 'memory://', pglite: await freshPGlite() })
    opened.push({ dispose: () => db.close() })
    const [initial, ...rest] = readMigrations()
    if (initial === undefined) throw new Error('no migrations')
    await migrate(db, [initial])

    const first = step(epics().slice(0, 5), { settings: wide })
    const second = step(epics({ 'A-5': 5000 }).slice(0, 5), { settings: wide, after: first })
    for (const [i, s] of [first, second].entries()) {
      const { entries, ...roadmap } = s.roadmap
      await sql`insert into roadmap_versions (trigger, config_hash, built_at, roadmap, entry_count, event_count)
        values ('test', 'h', ${s.roadmap.builtAt}, ${JSON.stringify(roadmap)}, ${entries.length}, 0)`.execute(
        db.db,
      )
      for (const e of entries) {
        await sql`insert into roadmap_entries (version_id, epic_id, rank, score, period, team, track, source_id, entry)
          values (${i + 1}, ${e.epicId}, ${e.rank}, null, ${e.period}, ${e.team}, ${e.track}, ${e.source}, ${JSON.stringify(e)})`.execute(
          db.db,
        )
      }
    }

    await migrate(db, [initial, ...rest])

    expect((await versionById(db.db, 1))?.roadmap).toEqual(first.roadmap)
    expect((await versionById(db.db, 2))?.roadmap).toEqual(second.roadmap)
    expect((await latestVersion(db.db))?.roadmap).toEqual(second.roadmap)
  })
})
