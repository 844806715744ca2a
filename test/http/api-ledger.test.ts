import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DeferralEvent, isDeferral } from '../../src/domain/index.ts'
import { accruedCostsAsOf, loadLedger, saveSyncBatch } from '../../src/store/index.ts'
import { buildDeps, EPICS, seedHistory } from '../helpers/api-history.ts'
import { startTestApp, type TestApp } from '../helpers/app.ts'
import { epicRecord } from '../helpers/epics.ts'

describe('REST API: deferral ledger and epics', () => {
  let t: TestApp
  let versions: number[]
  let ledger: DeferralEvent[]
  const get = async (url: string) => {
    const res = await t.app.inject({ url })
    return { status: res.statusCode, body: res.json() }
  }
  const events = async (query: string): Promise<DeferralEvent[]> => {
    const res = await get(`/api/deferrals?limit=500&${query}`)
    expect(res.status, query).toBe(200)
    return res.body.events
  }
  /** Newest first: by time, then id, both descending. */
  const newestFirst = (list: DeferralEvent[]) =>
    [...list].sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1))

  const NOW = '2027-04-10T09:00:00.000Z'

  beforeAll(async () => {
    t = await startTestApp({ now: () => new Date(NOW) })
    versions = await seedHistory(t)
    ledger = await loadLedger(t.database.db)
  })
  afterAll(() => t.close())

  it('lists deferrals and roll-overs of committed work by default, newest first', async () => {
    const { status, body } = await get('/api/deferrals')
    expect(status).toBe(200)
    const deferrals = ledger.filter((e) => e.kind === 'deferred' || e.kind === 'rolled_over')
    expect(body.total).toBe(deferrals.length)
    expect(body.nextCursor).toBeNull()
    // Each deferral carries its sign-off (none yet) and the service's words for it.
    expect(body.events).toEqual(
      newestFirst(deferrals).map((e) => ({
        ...e,
        acknowledgement: null,
        causeText: expect.any(String),
        deferral: true,
      })),
    )
    expect(body.events[0]).toMatchObject({
      at: '2027-04-05T09:00:00.000Z',
      cause: { kind: expect.any(String) },
      epic: { team: expect.any(String), track: expect.any(String) },
    })
    // Each deferral names the commitment it breaks and is priced: cost per period × periods slipped.
    for (const e of body.events as DeferralEvent[]) {
      expect(e.committed, e.id).toMatchObject({ period: e.fromPeriod, start: expect.any(String) })
      expect(e.projectedCost, e.id).toBeCloseTo((e.costOfDelay ?? 0) * e.periodsSlipped, 9)
      expect(e.projectedCost, e.id).toBeGreaterThan(0)
    }
  })

  it('lists replans as their own kind: never counted as deferrals, never awaiting a sign-off', async () => {
    const replans = ledger.filter((e) => e.kind === 'replanned')
    // Q1 ended with SSO and Kubernetes unfinished, pulled in after the baseline; the database
    // upgrade moved again after its deferral out of Q1 was recorded.
    expect(replans.map((e) => e.epicId).sort()).toEqual(
      [EPICS.sso, EPICS.k8s, EPICS.savedCarts, EPICS.dbUpgrade, EPICS.observability].sort(),
    )
    const listed = await get('/api/deferrals?kind=replanned&limit=500')
    expect(listed.body.total).toBe(replans.length)
    expect(listed.body.events).toEqual(
      newestFirst(replans).map((e) => ({
        ...e,
        acknowledgement: null,
        causeText: expect.any(String),
        deferral: false,
      })),
    )
    for (const e of listed.body.events) {
      expect(e.projectedCost).toBe(0)
      expect(e.committed).toBeNull()
    }
    // The deferral filters count only real deferrals.
    const open = await get('/api/deferrals?acknowledged=false&limit=500')
    expect(open.body.total).toBe(ledger.filter((e) => isDeferral(e.kind)).length)
    expect(open.body.events.every((e: { kind: string }) => e.kind !== 'replanned')).toBe(true)
    const asked = await get('/api/deferrals?kind=replanned&acknowledged=false')
    expect(asked.body.total).toBe(0)
  })

  it('walks the whole ledger once, page by page, even while builds add events', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    let total = 0
    let pages = 0
    do {
      const page: { body: { events: DeferralEvent[]; nextCursor: string | null; total: number } } = await get(
        `/api/deferrals?kind=all&limit=4${cursor === null ? '' : `&cursor=${cursor}`}`,
      )
      if (pages === 0) total = page.body.total
      seen.push(...page.body.events.map((e) => e.id))
      cursor = page.body.nextCursor
      pages += 1
    } while (cursor !== null)
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen).toEqual(newestFirst(ledger).map((e) => e.id))
    expect(total).toBe(ledger.length)
    expect(pages).toBe(Math.ceil(ledger.length / 4))
  })

  it('filters by epic, team and track (as the event recorded them), source, kind and time', async () => {
    expect((await events(`kind=all&epic=${encodeURIComponent(EPICS.dbUpgrade)}`)).map((e) => e.kind)).toEqual(
      ['replanned', 'deferred', 'added'],
    )
    const platform = await events('kind=all&team=platform')
    expect(platform).toHaveLength(ledger.filter((e) => e.epic.team === 'platform').length)
    expect(platform.every((e) => e.epic.team === 'platform')).toBe(true)
    expect(await events('kind=all&track=technical')).toEqual(platform)
    expect(await events('kind=all&source=jira-test')).toHaveLength(ledger.length)
    expect(await events('kind=all&source=jira')).toEqual([])
    expect((await events('kind=completed')).map((e) => e.epicId)).toEqual([EPICS.oneClick])
    expect(new Set((await events('kind=pulled_in,deferred')).map((e) => e.kind))).toEqual(
      new Set(['pulled_in', 'deferred']),
    )
    // from is inclusive, to exclusive: the build of Jan 25 alone.
    const window = await events('kind=all&from=2027-01-25&to=2027-02-08')
    expect(new Set(window.map((e) => e.at))).toEqual(new Set(['2027-01-25T09:00:00.000Z']))
    expect(await events('from=2027-04-05T09:00:00.001Z')).toEqual([])
    const combined = await get('/api/deferrals?team=platform&kind=replanned,rolled_over&limit=1')
    expect(combined.body.total).toBe(4)
    expect(combined.body.events).toHaveLength(1)
    expect(combined.body.nextCursor).not.toBeNull()
    expect((await get('/api/deferrals?team=platform&kind=rolled_over')).body.total).toBe(1)
  })

  it('refuses bad parameters, naming the field', async () => {
    const cases: Array<[string, string]> = [
      ['kind=slipped', 'querystring/kind'],
      ['from=last%20week', 'querystring/from'],
      ['to=2027-13-45', 'querystring/to'],
      ['cursor=abc', 'querystring/cursor'],
      ['limit=0', 'querystring/limit'],
      ['limit=501', 'querystring/limit'],
      ['track=ops', 'querystring/track'],
    ]
    for (const [query, field] of cases) {
      const res = await get(`/api/deferrals?${query}`)
      expect(res.status, query).toBe(400)
      expect(res.body.error.code).toBe('ONETRACK_BAD_REQUEST')
      expect(res.body.error.message, query).toMatch(new RegExp(`^${field}: `))
    }
  })

  it('charts the projected cost of the deferrals, one point per version that recorded some', async () => {
    const { status, body } = await get('/api/deferrals/cost')
    expect(status).toBe(200)
    expect(body.unit).toBe('points')
    // Only deferrals are priced: the first build added work, the third pulled saved carts back in.
    expect(body.points.map((p: { versionId: number }) => p.versionId)).toEqual([versions[1], versions[3]])
    let running = 0
    const byTrack = { product: 0, technical: 0 }
    for (const point of body.points) {
      const recorded = ledger.filter((e) => e.at === point.at && isDeferral(e.kind))
      const added = recorded.reduce((sum, e) => sum + e.projectedCost, 0)
      for (const e of recorded) byTrack[e.epic.track] += e.projectedCost
      running += added
      expect(point.added).toBeCloseTo(added, 9)
      expect(point.accumulated).toBeCloseTo(running, 9)
      expect(point.byTrack.product).toBeCloseTo(byTrack.product, 9)
      expect(point.byTrack.technical).toBeCloseTo(byTrack.technical, 9)
    }
    // Jan 25: saved carts, the database upgrade (out of Q1) and observability (out of Q2) slipped a
    // quarter each, at their cost of delay then (risk compounded by the deferral).
    expect(body.points[0]).toMatchObject({ at: '2027-01-25T09:00:00.000Z', added: 28, accumulated: 28 })
    // The total never goes down.
    expect(body.points[1].accumulated).toBeGreaterThan(body.points[0].accumulated)
    // What the late epics have accrued by now, shipped ones included.
    let accrued = 0
    for (const cost of (await accruedCostsAsOf(t.database.db, NOW)).values()) accrued += cost
    expect(accrued).toBeGreaterThan(0)
    expect(body.accrued).toBeCloseTo(accrued, 9)
  })

  it('finds epics by key or title, exact key first', async () => {
    const search = async (q: string) =>
      ((await get(`/api/epics?search=${encodeURIComponent(q)}`)).body.epics as Array<{ id: string }>).map(
        (e) => e.id,
      )
    expect((await get('/api/epics?search=cart')).body.epics).toEqual([
      {
        id: EPICS.savedCarts,
        key: 'SHOP-2',
        title: 'Saved carts',
        team: 'checkout',
        track: 'product',
        source: 'jira-test',
      },
    ])
    expect(await search('KUBERNETES')).toEqual([EPICS.k8s])
    expect((await search('shop-1'))[0]).toBe(EPICS.oneClick)
    expect(await search('plat-')).toHaveLength(4)
    expect(await search('100%')).toEqual([])
    expect((await get('/api/epics?limit=3')).body.epics).toHaveLength(3)
    expect((await get('/api/epics?limit=101')).status).toBe(400)
  })

  it('shows one epic: as synced, its entry, its whole history and its period names', async () => {
    const { status, body } = await get(`/api/epics/${encodeURIComponent(EPICS.dbUpgrade)}`)
    expect(status).toBe(200)
    expect(body.epic).toEqual({
      id: EPICS.dbUpgrade,
      key: 'PLAT-10',
      title: 'Database upgrade',
      url: 'https://acme.atlassian.net/browse/PLAT-10',
      source: 'jira-test',
      team: 'platform',
      track: 'technical',
      status: 'todo',
      inputs: { value: 2, timeCriticality: 1, risk: 8 },
      effort: 20,
      blockers: [],
      problems: [],
      updatedAt: '2027-01-04T09:00:00.000Z',
      deleted: false,
    })
    // One deferral (out of Q1, committed then); moving on out of Q2 was a replan, not counted.
    // Late since Q1 ended on Apr 1: its accrued cost grows by the day, in the configured unit.
    const accrued = (await accruedCostsAsOf(t.database.db, NOW, [EPICS.dbUpgrade])).get(EPICS.dbUpgrade)
    expect(accrued).toBeGreaterThan(0)
    // 9 days late at about 13 points per 90-day quarter.
    expect(accrued).toBeLessThan(2)
    expect(body).toMatchObject({ deferrals: 1, accruedCost: accrued, unit: 'points' })
    expect(body.entry).toMatchObject({
      epicId: EPICS.dbUpgrade,
      period: '2027-Q3',
      commitment: '2027-Q3',
      pulledForwardFor: null,
      deferrals: 1,
      accruedCost: accrued,
      unacknowledged: 1,
    })
    expect(body.history.map((e: DeferralEvent) => [e.kind, e.fromPeriod, e.toPeriod])).toEqual([
      ['added', null, '2027-Q1'],
      ['deferred', '2027-Q1', '2027-Q2'],
      ['replanned', '2027-Q2', '2027-Q3'],
    ])
    expect(body.history[1]).toMatchObject({
      deferral: true,
      acknowledgement: null,
      committed: { period: '2027-Q1', start: '2027-01-01', end: '2027-04-01' },
      projectedCost: 13,
      causeText: "higher-scored work took team platform's capacity in Q1 2027",
    })
    expect(body.history[1].displacedBy.map((d: { key: string }) => d.key)).toEqual(['PLAT-13'])
    expect(body.history[2]).toMatchObject({ deferral: false, projectedCost: 0, committed: null })
    expect(body.periodNames).toEqual({
      '2027-Q1': 'Q1 2027',
      '2027-Q2': 'Q2 2027',
      '2027-Q3': 'Q3 2027',
      '2027-Q4': 'Q4 2027',
    })
    expect(body.overrides).toEqual([])
    // The id may come unencoded too.
    expect((await get(`/api/epics/${EPICS.dbUpgrade}`)).body.epic.id).toBe(EPICS.dbUpgrade)
  })

  it('shows a finished epic without an entry, and answers 404 for an unknown one', async () => {
    const done = await get(`/api/epics/${encodeURIComponent(EPICS.oneClick)}`)
    expect(done.body.epic.status).toBe('done')
    expect(done.body.entry).toBeNull()
    expect(done.body).toMatchObject({ deferrals: 0, accruedCost: 0, unit: 'points' })
    expect(done.body.history.at(-1).kind).toBe('completed')
    expect(await get('/api/epics/jira-test%3A999')).toEqual({
      status: 404,
      body: { error: { code: 'ONETRACK_NOT_FOUND', message: 'no epic jira-test:999' } },
    })
  })

  it('keeps a deleted epic with its history, and a newer build pages in cleanly', async () => {
    const { step } = buildDeps(t)
    const firstPage = await get('/api/deferrals?kind=all&limit=5')
    // The loyalty program disappears from Jira, and a new epic arrives.
    await saveSyncBatch(t.database.db, {
      sourceId: 'jira-test',
      mode: 'epic',
      epics: [],
      gone: '5',
      cursor: null,
      now: new Date('2027-04-12T09:00:00Z'),
    })
    await step('2027-04-12T09:00:00.000Z', [epicRecord('6', { title: 'Wishlists', links: [] })])
    const epic = await get(`/api/epics/${encodeURIComponent(EPICS.loyalty)}`)
    expect(epic.body.epic.deleted).toBe(true)
    expect(epic.body.entry).toBeNull()
    expect(epic.body.history.at(-1)).toMatchObject({ kind: 'removed', cause: { kind: 'no_longer_synced' } })
    expect((await get('/api/epics?search=loyalty')).body.epics).toEqual([])

    // Continuing the walk started before the build: the older events, each once, none of the new.
    const rest: string[] = []
    let cursor: string | null = firstPage.body.nextCursor
    while (cursor !== null) {
      const page: { body: { events: DeferralEvent[]; nextCursor: string | null } } = await get(
        `/api/deferrals?kind=all&limit=5&cursor=${cursor}`,
      )
      rest.push(...page.body.events.map((e) => e.id))
      cursor = page.body.nextCursor
    }
    const walked = [...firstPage.body.events.map((e: DeferralEvent) => e.id), ...rest]
    expect(walked).toEqual(newestFirst(ledger).map((e) => e.id))
  })
})
