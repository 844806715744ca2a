import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeferralEvent, Roadmap } from '../../src/domain/index.ts'
import { versionChanges } from '../../src/http/routes/api/version-diff.ts'
import { runBuild } from '../../src/pipeline/index.ts'
import { createOverride, latestVersion, saveSyncBatch } from '../../src/store/index.ts'
import { buildDeps, EPICS, seedHistory } from '../helpers/api-history.ts'
import { startTestApp, type TestApp } from '../helpers/app.ts'
import { TEST_TOKENS } from '../helpers/config.ts'
import { epicRecord } from '../helpers/epics.ts'

const NOW = new Date('2027-04-10T09:00:00Z')

/** A what-if as a viewer (any token will do); `null` sends none. */
async function whatIf(t: TestApp, changes: unknown, token: string | null = TEST_TOKENS.viewer) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/what-if',
    payload: { changes } as object,
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  })
  return { status: res.statusCode, body: res.json() }
}

/** Rows per table of the test's schema (every table, migrations included). */
async function rowCounts(t: TestApp): Promise<Record<string, number>> {
  const db = t.database.db
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE'
    order by table_name`.execute(db)
  const counts: Record<string, number> = {}
  for (const { table_name } of rows) {
    const result = await sql<{ n: string }>`select count(*) as n from ${sql.table(table_name)}`.execute(db)
    counts[table_name] = Number(result.rows[0]?.n)
  }
  return counts
}

/** A real build now, as the build worker runs it after the change. */
async function buildNow(t: TestApp) {
  const { deps } = buildDeps(t)
  const before = await latestVersion(t.database.db)
  const summary = await runBuild({ ...deps, now: () => NOW }, 'test:real')
  const after = await latestVersion(t.database.db)
  if (before === null || after === null || summary.versionId === null) throw new Error('no versions')
  const events = (
    await sql<{
      event: DeferralEvent
    }>`select event from deferral_events where version_id = ${summary.versionId}`.execute(t.database.db)
  ).rows.map((r) => r.event)
  const moved = versionChanges(before.roadmap as Roadmap, after.roadmap as Roadmap).changes.filter(
    (c) => c.change === 'moved',
  )
  return { events, moved }
}

const byId = (events: DeferralEvent[]) => [...events].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
/** Override ids and authors differ between a what-if and the real override; the rest must not. */
const comparable = (events: DeferralEvent[]) =>
  byId(events).map((e) => ({
    ...e,
    cause: e.cause?.kind === 'override' ? { ...e.cause, overrideId: '', author: '' } : e.cause,
  }))
const movedOf = (
  moved: Array<{
    epicId: string
    fromPeriod: string | null
    toPeriod: string | null
    fromRank: number | null
    toRank: number | null
  }>,
) =>
  moved.map(({ epicId, fromPeriod, toPeriod, fromRank, toRank }) => ({
    epicId,
    fromPeriod,
    toPeriod,
    fromRank,
    toRank,
  }))

describe('REST API: what-if', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp({ now: () => NOW })
    await seedHistory(t)
  })
  afterAll(() => t.close())

  it('answers what a deferral would do, with causes in words, and writes nothing', async () => {
    const before = await rowCounts(t)
    const { status, body } = await whatIf(t, [
      { kind: 'defer', epicId: EPICS.sso, period: '2027-Q4', rationale: 'legal review first' },
    ])
    expect(status).toBe(200)
    expect(body.basedOn).toMatchObject({ builtAt: '2027-04-05T09:00:00.000Z' })
    expect(body.now).toBe(NOW.toISOString())
    const sso = body.deferrals.find((e: DeferralEvent) => e.epicId === EPICS.sso)
    expect(sso).toMatchObject({
      kind: 'deferred',
      toPeriod: '2027-Q4',
      cause: { kind: 'override', override: 'defer', rationale: 'legal review first', author: 'what-if' },
    })
    expect(sso.description).toBe('Q2 2027 → Q4 2027: if deferred to Q4 2027')
    // Its projected cost: cost of delay per period × the two periods it would slip.
    expect(sso.projectedCost).toBeCloseTo(sso.costOfDelay * 2, 9)
    expect(sso.committed).toMatchObject({ period: '2027-Q2' })
    expect(body.moved.map((m: { epicId: string }) => m.epicId)).toContain(EPICS.sso)
    expect(body.projectedCost).toBeGreaterThan(0)
    expect(body.projectedCost).toBeCloseTo(
      Object.values(body.projectedCostByPeriod as Record<string, number>).reduce((a, b) => a + b, 0),
    )
    expect(body.projectedCostByPeriod['2027-Q2']).toBeGreaterThanOrEqual(sso.projectedCost)
    expect(body.unit).toBe('points')
    expect(body.summary.before.epics).toBe(body.summary.after.epics)
    // Several what-ifs of every kind, valid or not: not one row changes anywhere.
    await whatIf(t, [{ kind: 'exclude', epicId: EPICS.dbUpgrade }])
    await whatIf(t, [{ kind: 'input', epicId: EPICS.giftCards, input: 'value', value: 20 }])
    await whatIf(t, [{ kind: 'capacity', team: 'platform', period: '2027-Q2', capacity: 0 }])
    await whatIf(t, [
      {
        kind: 'add',
        epic: {
          key: 'NEW-1',
          title: 'Audit',
          team: 'platform',
          value: 30,
          timeCriticality: 5,
          risk: 5,
          effort: 10,
        },
      },
    ])
    await whatIf(t, [{ kind: 'pin', epicId: 'jira-test:nope', period: '2027-Q2' }])
    expect(await rowCounts(t)).toEqual(before)
    expect(Object.keys(before)).toEqual(
      expect.arrayContaining(['epics', 'overrides', 'roadmap_versions', 'deferral_events']),
    )
    expect(await t.queues.build.getJobCounts()).toMatchObject({ waiting: 0, delayed: 0 })
  })

  it('says what becomes blocked when a blocker is excluded', async () => {
    // The seeded story has no dependencies: add an epic the database upgrade blocks, then exclude it.
    const { status, body } = await whatIf(t, [
      {
        kind: 'add',
        epic: {
          key: 'NEW-2',
          title: 'Sharding',
          team: 'platform',
          value: 9,
          timeCriticality: 1,
          risk: 1,
          effort: 5,
          blockers: [EPICS.dbUpgrade],
        },
      },
      { kind: 'exclude', epicId: EPICS.dbUpgrade, rationale: 'not this year' },
    ])
    expect(status).toBe(200)
    expect(body.newlyBlocked).toEqual([
      {
        epicId: 'what-if:NEW-2',
        key: 'NEW-2',
        title: 'Sharding',
        team: 'platform',
        blockedBy: [EPICS.dbUpgrade],
      },
    ])
    expect(body.events.find((e: DeferralEvent) => e.epicId === 'what-if:NEW-2')).toMatchObject({
      kind: 'added',
      toPeriod: null,
    })
    const upgrade = body.deferrals.find((e: DeferralEvent) => e.epicId === EPICS.dbUpgrade)
    expect(upgrade).toMatchObject({ toPeriod: null, cause: { kind: 'override', override: 'exclude' } })
  })

  it('refuses changes that cannot apply, naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [[], 'body/changes: must NOT have fewer than 1 items'],
      [
        [{ kind: 'defer', epicId: 'jira-test:999', period: '2027-Q3' }],
        'body/changes/0/epicId: no epic jira-test:999',
      ],
      [
        [{ kind: 'pin', epicId: EPICS.sso, period: '2031-Q1' }],
        "body/changes/0/period: unknown period '2031-Q1'",
      ],
      [[{ kind: 'pin', epicId: EPICS.sso, period: '2027-Q1' }], 'body/changes/0/period: Q1 2027 has ended'],
      [
        [
          { kind: 'exclude', epicId: EPICS.sso },
          { kind: 'capacity', team: 'design', period: '2027-Q3', capacity: 10 },
        ],
        "body/changes/1/team: unknown team 'design'",
      ],
      [[{ kind: 'exclude', epicId: EPICS.oneClick }], 'body/changes/0/epicId: SHOP-1 (jira-test:1) is done'],
    ]
    for (const [changes, message] of cases) {
      const { status, body } = await whatIf(t, changes)
      expect({ changes, status }).toEqual({ changes, status: 400 })
      expect(body.error.code).toBe('ONETRACK_BAD_REQUEST')
      expect(body.error.message).toContain(message)
    }
    const { body } = await whatIf(t, [{ kind: 'defer', epicId: 'jira-test:999' }])
    expect(body.error.details).toEqual([{ path: 'body/changes/0/epicId', message: 'no epic jira-test:999' }])
    expect((await whatIf(t, [{ kind: 'promote', epicId: EPICS.sso }])).status).toBe(400)
  })

  it('is in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ url: '/openapi.json' })).json()
    expect(doc.paths['/api/what-if'].post.tags).toEqual(['api'])
  })
})

describe('what-if equals the real build', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp({ now: () => NOW })
    await seedHistory(t)
  })
  afterAll(() => t.close())

  it('for a deferral: the override recorded for real and a build give the same events and moves', async () => {
    const change = { kind: 'defer', epicId: EPICS.sso, period: '2027-Q3', rationale: 'legal review first' }
    const { status, body } = await whatIf(t, [change])
    expect(status).toBe(200)
    expect(body.deferrals.length).toBeGreaterThan(0)
    await createOverride(t.database.db, {
      id: 'real-defer',
      epicId: EPICS.sso,
      kind: 'defer',
      period: '2027-Q3',
      rationale: 'legal review first',
      author: 'olivia',
      now: NOW,
    })
    const real = await buildNow(t)
    expect(comparable(body.events)).toEqual(comparable(real.events))
    expect(movedOf(body.moved)).toEqual(movedOf(real.moved))
  })

  it('for an input change: the input changed in the store and a build give the same events and moves', async () => {
    const change = { kind: 'input', epicId: EPICS.observability, input: 'value', value: 40 }
    const { status, body } = await whatIf(t, [change])
    expect(status).toBe(200)
    expect(body.moved.length).toBeGreaterThan(0)
    await saveSyncBatch(t.database.db, {
      sourceId: 'jira-test',
      mode: 'incremental',
      epics: [
        epicRecord('11', {
          key: 'PLAT-11',
          url: 'https://acme.atlassian.net/browse/PLAT-11',
          title: 'Observability',
          inputs: { value: 40, timeCriticality: 1, risk: 3 },
          effort: 20,
          team: 'platform',
          track: 'technical',
        }),
      ],
      cursor: null,
      now: NOW,
    })
    const real = await buildNow(t)
    expect(byId(body.events)).toEqual(byId(real.events))
    expect(movedOf(body.moved)).toEqual(movedOf(real.moved))
  })
})

describe('what-if with reads open', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp({ now: () => NOW })
    await seedHistory(t)
  })
  afterAll(() => t.close())

  it('still needs a token: each call costs a whole build', async () => {
    const change = [{ kind: 'exclude', epicId: EPICS.sso }]
    expect((await whatIf(t, change, null)).status).toBe(401)
    expect((await whatIf(t, change, TEST_TOKENS.viewer)).status).toBe(200)
  })
})
