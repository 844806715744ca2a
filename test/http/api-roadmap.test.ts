import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deferralCounts } from '../../src/domain/index.ts'
import { authPlugin } from '../../src/http/plugins/auth.ts'
import { apiRoutes } from '../../src/http/routes/api/index.ts'
import { accruedCostsAsOf, loadLedger } from '../../src/store/index.ts'
import { EPICS, seedHistory } from '../helpers/api-history.ts'
import { startTestApp, type TestApp } from '../helpers/app.ts'
import { TEST_TOKENS, testConfig } from '../helpers/config.ts'

interface Entry {
  rank: number
  epicId: string
  key: string
  title: string
  status: string
  effort: number | null
  override: unknown
  unplannedReason: string | null
  unacknowledged: number
  team: string
  track: string
  source: string
  period: string | null
  spans: Array<{ period: string; effort: number }>
  score: { status: string; score?: number }
  commitment: string | null
  deferrals: number
  accruedCost: number
}

describe('REST API before the first build', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp()
  })
  afterAll(() => t.close())

  it('answers 404 for the roadmap and capacity, and empty lists elsewhere', async () => {
    for (const url of ['/api/roadmap', '/api/capacity', '/api/reports/preview']) {
      const res = await t.app.inject({ url })
      expect(res.statusCode, url).toBe(404)
      expect(res.json()).toEqual({
        error: { code: 'ONETRACK_NOT_FOUND', message: 'no roadmap has been built yet' },
      })
    }
    expect((await t.app.inject({ url: '/api/versions' })).json()).toEqual({ versions: [], nextCursor: null })
    expect((await t.app.inject({ url: '/api/deferrals' })).json()).toEqual({
      events: [],
      nextCursor: null,
      total: 0,
    })
    expect((await t.app.inject({ url: '/api/deferrals/cost' })).json()).toEqual({
      unit: 'points',
      accrued: 0,
      points: [],
    })
    expect((await t.app.inject({ url: `/api/epics/${encodeURIComponent(EPICS.sso)}` })).statusCode).toBe(404)
  })
})

describe('REST API: roadmap, versions, diff, capacity, meta', () => {
  let t: TestApp
  let versions: number[]
  const get = async (url: string, token?: string) => {
    const res = await t.app.inject({
      url,
      ...(token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }),
    })
    return { status: res.statusCode, body: res.json() }
  }

  const NOW = '2027-04-10T09:00:00.000Z'

  beforeAll(async () => {
    t = await startTestApp({ now: () => new Date(NOW) })
    versions = await seedHistory(t)
  })
  afterAll(() => t.close())

  it('serves the latest version with every entry joined with the ledger', async () => {
    const { status, body } = await get('/api/roadmap')
    expect(status).toBe(200)
    expect(body.version).toEqual({
      id: versions[3],
      trigger: 'test:2027-04-05T09:00:00.000Z',
      configHash: expect.any(String),
      builtAt: '2027-04-05T09:00:00.000Z',
      createdAt: expect.any(String),
      entryCount: 8,
      eventCount: 7,
      status: 'published',
      approvedBy: null,
      approvedAt: null,
      approvalNote: null,
    })
    expect(body.periods.map((p: { id: string }) => p.id)).toEqual([
      '2027-Q1',
      '2027-Q2',
      '2027-Q3',
      '2027-Q4',
    ])
    expect(body.openPeriods).toEqual(['2027-Q2', '2027-Q3', '2027-Q4'])
    expect(body.load).toContainEqual({
      team: 'platform',
      period: '2027-Q2',
      capacity: 30,
      planned: 30,
      overbooked: 0,
    })
    expect(body).toMatchObject({ problems: [], cycles: [], unit: 'points' })
    const entries: Entry[] = body.entries
    expect(entries.map((e) => e.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])

    // The figures are the domain's own: counts over the whole ledger, accrued cost as of now.
    const ledger = await loadLedger(t.database.db)
    const counts = deferralCounts(ledger)
    const costs = await accruedCostsAsOf(t.database.db, NOW)
    for (const e of entries) {
      expect(e.deferrals, e.epicId).toBe(counts.get(e.epicId) ?? 0)
      expect(e.accruedCost, e.epicId).toBe(costs.get(e.epicId) ?? 0)
    }
    // The database upgrade left Q1 (committed), then moved on out of Q2 (a replan): one deferral,
    // late since Q1 ended, so its cost of delay accrues by the day.
    expect(entries.find((e) => e.epicId === EPICS.dbUpgrade)).toMatchObject({
      period: '2027-Q3',
      commitment: '2027-Q3',
      deferrals: 1,
      accruedCost: costs.get(EPICS.dbUpgrade),
    })
    expect(costs.get(EPICS.dbUpgrade)).toBeGreaterThan(0)
    // Planned after the commitment horizon: not committed, so free to move.
    expect(entries.find((e) => e.epicId === EPICS.observability)).toMatchObject({
      period: '2027-Q4',
      commitment: null,
    })
    // Unscored and unplanned, with the whole entry kept (score breakdown, reason).
    expect(entries.at(-1)).toMatchObject({
      epicId: EPICS.loyalty,
      period: null,
      score: { status: 'unscored', missing: ['effort'], breakdown: { inputs: { value: 5, effort: null } } },
      unplanned: { code: 'no_effort' },
      unplannedReason: 'no effort estimate',
    })
  })

  it('narrows entries by team, track, source and period, and nothing else', async () => {
    const ids = async (query: string) =>
      ((await get(`/api/roadmap?${query}`)).body.entries as Entry[]).map((e) => e.epicId)

    expect(await ids('team=platform')).toEqual([EPICS.cache, EPICS.k8s, EPICS.dbUpgrade, EPICS.observability])
    expect(await ids('track=technical')).toEqual(await ids('team=platform'))
    expect(await ids('source=jira-test')).toHaveLength(8)
    expect(await ids('source=linear-platform')).toEqual([])
    expect(await ids('period=2027-Q3')).toEqual([EPICS.dbUpgrade, EPICS.giftCards])
    expect(await ids('period=unplanned')).toEqual([EPICS.loyalty])
    expect(await ids('team=checkout&period=2027-Q2')).toEqual([EPICS.sso, EPICS.savedCarts])
    const filtered = (await get('/api/roadmap?team=checkout')).body
    expect(filtered.load).toHaveLength(6)
    expect(filtered.periods).toHaveLength(4)
  })

  it('shows what was committed at the start of the period against what is planned now', async () => {
    const { body } = await get('/api/roadmap?team=platform')
    // The first build of Q2 took the baseline: Q2 and the next quarter (commitHorizon 1).
    expect(body.baseline).toEqual({
      period: '2027-Q2',
      takenAt: '2027-04-05T09:00:00.000Z',
      periods: ['2027-Q2', '2027-Q3'],
    })
    // Filters narrow the entries, not the commitments.
    expect(body.commitments).toEqual([
      {
        period: '2027-Q2',
        name: 'Q2 2027',
        committed: { epics: 4, effort: 70, planned: 4, moved: 0, done: 0, dropped: 0 },
        plannedNow: { epics: 4, effort: 70, uncommitted: 0 },
      },
      {
        period: '2027-Q3',
        name: 'Q3 2027',
        committed: { epics: 2, effort: 40, planned: 2, moved: 0, done: 0, dropped: 0 },
        plannedNow: { epics: 2, effort: 40, uncommitted: 0 },
      },
    ])

    // Mid-Q1, the Q1 commitment (taken by the first build) against the plan of Feb 8: one-click
    // checkout shipped, the database upgrade moved to Q2, saved carts came back; SSO and the
    // Kubernetes migration arrived later and are planned in Q1 without being committed to it.
    const feb = (await get(`/api/roadmap?version=${versions[2]}`)).body
    expect(feb.baseline).toEqual({
      period: '2027-Q1',
      takenAt: '2027-01-11T09:00:00.000Z',
      periods: ['2027-Q1', '2027-Q2'],
    })
    expect(feb.commitments[0]).toEqual({
      period: '2027-Q1',
      name: 'Q1 2027',
      committed: { epics: 4, effort: 70, planned: 2, moved: 1, done: 1, dropped: 0 },
      plannedNow: { epics: 4, effort: 70, uncommitted: 2 },
    })
    expect(feb.commitments[1]).toMatchObject({
      period: '2027-Q2',
      committed: { epics: 2, planned: 1, moved: 1 },
    })
  })

  it('serves an older version with the ledger as it stood then', async () => {
    const { body } = await get(`/api/roadmap?version=${versions[1]}`)
    expect(body.version.id).toBe(versions[1])
    // Its accrued cost as of that build: Q1 had not ended, so nothing was late yet.
    const db = (body.entries as Entry[]).find((e) => e.epicId === EPICS.dbUpgrade)
    expect(db).toMatchObject({ period: '2027-Q2', commitment: '2027-Q1', deferrals: 1, accruedCost: 0 })
    const byId = await get(`/api/versions/${versions[1]}`)
    expect(byId.body).toEqual(body)
    expect((await get(`/api/versions/${versions[0]}?team=platform`)).body.entries).toHaveLength(3)
  })

  it('refuses bad filters and unknown versions, naming the field', async () => {
    const track = await get('/api/roadmap?track=ops')
    expect(track.status).toBe(400)
    expect(track.body.error.code).toBe('ONETRACK_BAD_REQUEST')
    expect(track.body.error.message).toMatch(/^querystring\/track: /)
    expect((await get('/api/roadmap?version=abc')).body.error.message).toMatch(/^querystring\/version: /)
    expect((await get('/api/versions/0')).body.error.message).toMatch(/^params\/id: /)
    expect(await get('/api/roadmap?version=99')).toEqual({
      status: 404,
      body: { error: { code: 'ONETRACK_NOT_FOUND', message: 'no roadmap version 99' } },
    })
  })

  it('serves the timeline: the same roadmap with each entry cut to what a card shows', async () => {
    const queries = ['', 'team=platform', 'track=technical&period=2027-Q3', 'period=unplanned']
    for (const query of [...queries, `version=${versions[1]}`]) {
      const whole = (await get(`/api/roadmap?${query}`)).body
      const { status, body } = await get(`/api/roadmap/timeline?${query}`)
      expect(status, query).toBe(200)
      const { entries, ...rest } = body
      const { entries: wholeEntries, ...wholeRest } = whole
      expect(rest, query).toEqual(wholeRest)
      expect(entries, query).toEqual(
        (wholeEntries as Array<Record<string, unknown> & Entry>).map((e) => ({
          rank: e.rank,
          epicId: e.epicId,
          key: e.key,
          title: e.title,
          source: e.source,
          team: e.team,
          track: e.track,
          status: e.status,
          effort: e.effort,
          score:
            e.score.status === 'scored' ? { status: 'scored', score: e.score.score } : { status: 'unscored' },
          period: e.period,
          spans: e.spans,
          override:
            e.override === null
              ? null
              : {
                  kind: (e.override as { kind: string }).kind,
                  rationale: (e.override as { rationale: string }).rationale,
                },
          unplannedReason: e.unplannedReason,
          deferrals: e.deferrals,
          accruedCost: e.accruedCost,
          unacknowledged: e.unacknowledged,
        })),
      )
    }
    const entry = (await get('/api/roadmap/timeline')).body.entries[0]
    expect(entry).not.toHaveProperty('url')
    expect(entry.score).not.toHaveProperty('breakdown')
  })

  it('refuses bad timeline filters as /api/roadmap does, naming the field', async () => {
    const track = await get('/api/roadmap/timeline?track=ops')
    expect(track.status).toBe(400)
    expect(track.body.error.code).toBe('ONETRACK_BAD_REQUEST')
    expect(track.body.error.message).toMatch(/^querystring\/track: /)
    expect((await get('/api/roadmap/timeline?version=0')).body.error.message).toMatch(
      /^querystring\/version: /,
    )
    expect((await get('/api/roadmap/timeline?team=a%00b')).body.error.message).toMatch(
      /^querystring\/team: must not contain NUL/,
    )
    expect(await get('/api/roadmap/timeline?version=99')).toEqual({
      status: 404,
      body: { error: { code: 'ONETRACK_NOT_FOUND', message: 'no roadmap version 99' } },
    })
  })

  it('lists versions newest first, page by page', async () => {
    const seen: number[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page: { body: { versions: Array<{ id: number }>; nextCursor: string | null } } = await get(
        `/api/versions?limit=3${cursor === null ? '' : `&cursor=${cursor}`}`,
      )
      seen.push(...page.body.versions.map((v) => v.id))
      cursor = page.body.nextCursor
      pages += 1
    } while (cursor !== null)
    expect(seen).toEqual([...versions].reverse())
    expect(pages).toBe(2)
    const bad = await get('/api/versions?cursor=nonsense')
    expect(bad.status).toBe(400)
    expect(bad.body.error.details).toEqual([
      { path: 'querystring/cursor', message: 'is not a cursor this API gave out' },
    ])
  })

  it('diffs a version against the one before it by default', async () => {
    const { status, body } = await get(`/api/versions/${versions[3]}/diff`)
    expect(status).toBe(200)
    expect(body.from.id).toBe(versions[2])
    expect(body.to.id).toBe(versions[3])
    expect(body.events).toHaveLength(body.to.eventCount)
    // Q1 ended: everything planned there moved to Q2.
    expect(body.changes).toContainEqual(
      expect.objectContaining({
        epicId: EPICS.sso,
        change: 'moved',
        fromPeriod: '2027-Q1',
        toPeriod: '2027-Q2',
      }),
    )
  })

  it('diffs non-adjacent versions: changes by comparison, events of the versions in between', async () => {
    const { status, body } = await get(`/api/versions/${versions[2]}/diff?against=${versions[0]}`)
    expect(status).toBe(200)
    const change = (epicId: string) =>
      body.changes.find((c: { epicId: string }) => c.epicId === epicId) as Record<string, unknown>
    expect(change(EPICS.sso)).toMatchObject({
      change: 'added',
      fromPeriod: null,
      toPeriod: '2027-Q1',
      toRank: 1,
    })
    expect(change(EPICS.k8s)).toMatchObject({ change: 'added' })
    expect(change(EPICS.oneClick)).toMatchObject({
      change: 'removed',
      fromPeriod: '2027-Q1',
      toPeriod: null,
      toRank: null,
      closedAs: 'done',
    })
    expect(change(EPICS.dbUpgrade)).toMatchObject({
      change: 'moved',
      fromPeriod: '2027-Q1',
      toPeriod: '2027-Q2',
    })
    expect(change(EPICS.observability)).toMatchObject({ change: 'moved', toPeriod: '2027-Q3' })
    // Gift cards' value went 3 → 5; saved carts left Q1 and came back, its risk grown by a deferral.
    expect(change(EPICS.giftCards)).toMatchObject({ change: 'rescored', fromScore: 0.3, toScore: 0.4 })
    expect(change(EPICS.savedCarts)).toMatchObject({
      change: 'rescored',
      fromPeriod: '2027-Q1',
      toPeriod: '2027-Q1',
    })
    // The cache layer (rank 1 → 2) and the loyalty program (7 → 8) only changed rank: counted, not listed.
    expect(change(EPICS.cache)).toBeUndefined()
    expect(body.rankChanges).toBe(2)
    expect(body.changes.map((c: { epicId: string }) => c.epicId).sort()).toEqual(
      [
        EPICS.sso,
        EPICS.k8s,
        EPICS.oneClick,
        EPICS.dbUpgrade,
        EPICS.observability,
        EPICS.giftCards,
        EPICS.savedCarts,
      ].sort(),
    )

    const listed = (await get('/api/versions?limit=500')).body.versions as Array<{
      id: number
      eventCount: number
      builtAt: string
    }>
    const meta = (id: number | undefined) => listed.find((v) => v.id === id)
    expect(body.events).toHaveLength(
      (meta(versions[1])?.eventCount ?? 0) + (meta(versions[2])?.eventCount ?? 0),
    )
    const times = new Set(body.events.map((e: { at: string }) => e.at))
    expect(times).toEqual(new Set([meta(versions[1])?.builtAt, meta(versions[2])?.builtAt]))
  })

  it('says why a diff cannot be made', async () => {
    const first = await get(`/api/versions/${versions[0]}/diff`)
    expect(first.status).toBe(404)
    expect(first.body.error.message).toMatch(/is the first one/)
    const against = await get(`/api/versions/${versions[1]}/diff?against=99`)
    expect(against.status).toBe(404)
    expect(against.body.error.message).toBe('querystring/against: no roadmap version 99')
    expect((await get('/api/versions/99/diff')).status).toBe(404)
  })

  it('books capacity per open period, per team and per track', async () => {
    const { status, body } = await get('/api/capacity')
    expect(status).toBe(200)
    expect(body.version.id).toBe(versions[3])
    expect(body.periods.map((p: { period: string }) => p.period)).toEqual(['2027-Q2', '2027-Q3', '2027-Q4'])
    const [q2, , q4] = body.periods
    expect(q2).toMatchObject({
      name: 'Q2 2027',
      capacity: 70,
      planned: 70,
      overbooked: 0,
      byTrack: { product: 40, technical: 30 },
      technicalShare: 30 / 70,
    })
    expect(q2.byTeam).toHaveLength(2)
    expect(q4).toMatchObject({ planned: 20, byTrack: { product: 0, technical: 20 }, technicalShare: 1 })
    const old = await get(`/api/capacity?version=${versions[0]}`)
    expect(old.body.periods[0]).toMatchObject({ period: '2027-Q1', planned: 70 })
  })

  it('compresses its answers for clients that accept it (brotli, else gzip), the same JSON inside', async () => {
    const plain = await t.app.inject({ url: '/api/roadmap' })
    expect(plain.headers['content-encoding']).toBeUndefined()
    const br = await t.app.inject({ url: '/api/roadmap', headers: { 'accept-encoding': 'gzip, br' } })
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers.vary).toContain('accept-encoding')
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(plain.body)
    const gz = await t.app.inject({ url: '/api/roadmap', headers: { 'accept-encoding': 'gzip' } })
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gz.rawPayload).toString()).toBe(plain.body)
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 4)
  })

  it('describes the filters and who is calling', async () => {
    const { status, body } = await get('/api/meta')
    expect(status).toBe(200)
    expect(body).toMatchObject({
      teams: [{ id: 'checkout' }, { id: 'platform' }],
      sources: [{ id: 'jira-test', kind: 'jira' }],
      unit: 'points',
      auth: { protectReads: false, signOn: false, caller: null, csrfToken: null },
    })
    expect(body.periods).toHaveLength(4)
    expect((await get('/api/meta', TEST_TOKENS.editor)).body.auth.caller).toEqual({
      name: 'eddie',
      role: 'editor',
      email: null,
      via: 'api',
      roadmapOwner: false,
      teams: [],
    })
    expect((await get('/api/meta', TEST_TOKENS.owner)).body.auth.caller).toMatchObject({
      roadmapOwner: true,
      teams: ['checkout', 'platform'],
    })
  })

  it('previews the weekly report as Markdown in JSON', async () => {
    const { status, body } = await get('/api/reports/preview')
    expect(status).toBe(200)
    expect(body.markdown).toMatch(/^# Deferral report/)
    expect(body.markdown).toContain('Database upgrade')
    expect((await get('/api/reports/preview?channel=nope')).status).toBe(404)
  })

  it('documents every /api route in the OpenAPI document, tagged api, with its answer', async () => {
    // The routes the API plugin defines, as Fastify registers them.
    const routes: Array<{ method: string; url: string }> = []
    const probe = Fastify()
    probe.addHook('onRoute', (route) => {
      for (const method of [route.method].flat())
        if (method !== 'HEAD') routes.push({ method, url: route.url })
    })
    const config = testConfig()
    await probe.register(authPlugin, {
      auth: config.auth,
      database: t.database,
      now: () => new Date(),
      secure: false,
    })
    await probe.register(apiRoutes, {
      config,
      database: t.database,
      queues: t.queues,
      now: () => new Date(),
      prefix: '/api',
    })
    await probe.ready()
    await probe.close()
    expect(routes.length).toBeGreaterThanOrEqual(14)

    const doc = (await get('/openapi.json')).body
    expect(doc.tags).toContainEqual(expect.objectContaining({ name: 'api' }))
    for (const { method, url } of routes) {
      const path = url.replace(/:(\w+)/g, '{$1}')
      const operation = doc.paths[path]?.[method.toLowerCase()]
      expect(operation, `${method} ${url}`).toBeDefined()
      expect(operation.tags, `${method} ${url}`).toEqual(['api'])
      const ok = operation.responses['200'] ?? operation.responses['201']
      expect(ok?.content?.['application/json']?.schema, `${method} ${url}`).toBeDefined()
    }
    const documented = Object.keys(doc.paths).filter((p) => p.startsWith('/api/'))
    expect(documented.length).toBe(new Set(routes.map((r) => r.url)).size)

    // The fields of commitments and cost of delay are documented where they are served.
    const json = (path: string, method = 'get', status = '200') =>
      doc.paths[path][method].responses[status].content['application/json'].schema
    const roadmap = json('/api/roadmap')
    expect(Object.keys(roadmap.properties)).toEqual(expect.arrayContaining(['baseline', 'commitments']))
    expect(Object.keys(roadmap.properties.entries.items.properties)).toEqual(
      expect.arrayContaining(['commitment', 'pulledForwardFor', 'accruedCost', 'deferrals']),
    )
    expect(roadmap.properties.entries.items.properties).not.toHaveProperty('costOfDelayAccumulated')
    const timeline = json('/api/roadmap/timeline')
    expect(Object.keys(timeline.properties)).toEqual(Object.keys(roadmap.properties))
    expect(timeline.properties.entries.items.properties).not.toHaveProperty('url')
    const epic = json('/api/epics/{id}')
    expect(Object.keys(epic.properties)).toEqual(expect.arrayContaining(['accruedCost', 'unit']))
    const event = JSON.stringify(json('/api/deferrals'))
    for (const field of ['projectedCost', 'committed', 'pulledForwardFor', 'replanned'])
      expect(event, field).toContain(`"${field}"`)
    expect(event).not.toContain('costOfDelayAdded')
    expect(event).not.toContain('costOfDelayAccumulated')
    expect(Object.keys(json('/api/epics/{id}/ack', 'post', '201').properties)).toEqual([
      'status',
      'events',
      'decision',
    ])
    expect(Object.keys(json('/api/what-if', 'post').properties)).toEqual(
      expect.arrayContaining(['projectedCost', 'projectedCostByPeriod']),
    )
  })
})
