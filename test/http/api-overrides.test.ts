import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildDeps, EPICS, seedHistory } from '../helpers/api-history.ts'
import { startTestApp, type TestApp } from '../helpers/app.ts'
import { TEST_TOKENS, testConfig } from '../helpers/config.ts'

const NOW = new Date('2027-04-10T09:00:00Z')
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

describe('REST API: overrides', () => {
  let t: TestApp
  const post = async (body: unknown, token: string = TEST_TOKENS.editor) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/overrides',
      headers: bearer(token),
      payload: body as object,
    })
    return { status: res.statusCode, body: res.json() }
  }
  const revoke = async (id: string, token: string = TEST_TOKENS.editor) => {
    const res = await t.app.inject({ method: 'DELETE', url: `/api/overrides/${id}`, headers: bearer(token) })
    return { status: res.statusCode, body: res.json() }
  }
  const get = async (url: string) => (await t.app.inject({ url })).json()
  const buildTriggers = async () =>
    (await t.queues.build.getJobs(['waiting', 'delayed', 'prioritized'])).map((j) => j.data.trigger)

  beforeAll(async () => {
    t = await startTestApp({ now: () => NOW })
    await seedHistory(t)
  })
  afterAll(() => t.close())

  it('asks for a token before reading the body, and an editor role for writes', async () => {
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/api/overrides',
      payload: { nonsense: true },
    })
    expect(anonymous.statusCode).toBe(401)
    expect(anonymous.json().error.code).toBe('ONETRACK_UNAUTHORIZED')
    expect(anonymous.headers['www-authenticate']).toContain('Bearer')
    const viewer = await post(
      { epicId: EPICS.dbUpgrade, kind: 'exclude', rationale: 'x' },
      TEST_TOKENS.viewer,
    )
    expect(viewer).toEqual({
      status: 403,
      body: {
        error: { code: 'ONETRACK_FORBIDDEN', message: 'vic has role viewer; this needs editor or above' },
      },
    })
    expect((await t.app.inject({ method: 'DELETE', url: '/api/overrides/abc' })).statusCode).toBe(401)
    expect((await revoke('abc', TEST_TOKENS.viewer)).status).toBe(403)
    expect(await get('/api/overrides')).toEqual({ overrides: [] })
  })

  it('refuses an override that cannot apply, naming the field', async () => {
    const base = { epicId: EPICS.dbUpgrade, rationale: 'Postgres 13 is out of support in May' }
    const cases: Array<[unknown, number, string]> = [
      [
        { epicId: EPICS.dbUpgrade, kind: 'pin', period: '2027-Q2' },
        400,
        "body: must have required property 'rationale'",
      ],
      [
        { ...base, kind: 'pin', period: '2027-Q2', rationale: '   ' },
        400,
        'body/rationale: must not be blank',
      ],
      [{ ...base, kind: 'promote' }, 400, 'body/kind: '],
      [{ ...base, kind: 'pin' }, 400, 'body/period: is required for a pin'],
      [{ ...base, kind: 'defer', period: '' }, 400, 'body/period: is required for a defer'],
      [{ ...base, kind: 'pin', period: '2031-Q1' }, 400, "body/period: unknown period '2031-Q1'"],
      [{ ...base, kind: 'pin', period: '2027-Q1' }, 400, 'body/period: Q1 2027 has ended'],
      [{ ...base, kind: 'exclude', period: '2027-Q2' }, 400, 'body/period: an exclude takes no period'],
      [{ ...base, kind: 'exclude', epicId: 'jira-test:999' }, 404, 'body/epicId: no epic jira-test:999'],
    ]
    for (const [body, status, message] of cases) {
      const res = await post(body)
      expect(res.status, JSON.stringify(body)).toBe(status)
      expect(res.body.error.message, JSON.stringify(body)).toContain(message)
    }
    const named = await post({ ...base, kind: 'pin' })
    expect(named.body.error.details).toEqual([{ path: 'body/period', message: 'is required for a pin' }])
    expect(await get('/api/overrides?active=all')).toEqual({ overrides: [] })
  })

  it('records a pin, lists it, queues a build that applies it, then revokes it', async () => {
    const created = await post({
      epicId: EPICS.dbUpgrade,
      kind: 'pin',
      period: '2027-Q2',
      rationale: '  Postgres 13 is out of support in May  ',
    })
    expect(created.status).toBe(201)
    const override = created.body.override
    expect(override).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{12}$/),
      epicId: EPICS.dbUpgrade,
      kind: 'pin',
      period: '2027-Q2',
      rationale: 'Postgres 13 is out of support in May',
      author: 'eddie',
      createdAt: NOW.toISOString(),
      revokedAt: null,
      revokedBy: null,
    })
    expect(created.body.replaced).toEqual([])
    expect(created.body.build).toEqual({ status: 'queued', trigger: `override:${override.id}` })
    expect(await buildTriggers()).toContain(`override:${override.id}`)

    expect(await get('/api/overrides')).toEqual({ overrides: [override] })
    expect(await get(`/api/overrides?epic=${encodeURIComponent(EPICS.dbUpgrade)}`)).toEqual({
      overrides: [override],
    })
    expect(await get(`/api/overrides?epic=${encodeURIComponent(EPICS.sso)}`)).toEqual({ overrides: [] })
    expect((await get(`/api/epics/${encodeURIComponent(EPICS.dbUpgrade)}`)).overrides).toEqual([override])

    // The queued build, run: the epic is pinned into Q2 with the rationale on its entry.
    const { step } = buildDeps(t)
    await step('2027-04-10T09:00:00.000Z', [])
    const roadmap = await get('/api/roadmap?team=platform')
    expect(roadmap.entries.find((e: { epicId: string }) => e.epicId === EPICS.dbUpgrade)).toMatchObject({
      period: '2027-Q2',
      placement: 'pinned',
      override: {
        id: override.id,
        kind: 'pin',
        rationale: 'Postgres 13 is out of support in May',
        author: 'eddie',
      },
    })

    const revoked = await revoke(override.id)
    expect(revoked.status).toBe(200)
    expect(revoked.body.override).toEqual({ ...override, revokedAt: NOW.toISOString(), revokedBy: 'eddie' })
    expect(revoked.body.build.trigger).toBe(`override:${override.id}:revoked`)
    expect(await get('/api/overrides')).toEqual({ overrides: [] })
    expect(await get('/api/overrides?active=false')).toEqual({ overrides: [revoked.body.override] })

    const again = await revoke(override.id)
    expect(again.status).toBe(409)
    expect(again.body.error).toEqual({
      code: 'ONETRACK_CONFLICT',
      message: `override ${override.id} was already revoked by eddie at ${NOW.toISOString()}`,
    })
    expect(await revoke('nope')).toEqual({
      status: 404,
      body: { error: { code: 'ONETRACK_NOT_FOUND', message: 'no override nope' } },
    })
  })

  it('keeps one override in force per epic: a new one replaces the previous, on the record', async () => {
    const first = await post({
      epicId: EPICS.observability,
      kind: 'exclude',
      rationale: 'Vendor tool covers it',
    })
    const second = await post(
      { epicId: EPICS.observability, kind: 'defer', period: '2027-Q4', rationale: 'After the migration' },
      TEST_TOKENS.owner,
    )
    expect(second.status).toBe(201)
    expect(second.body.override).toMatchObject({ kind: 'defer', period: '2027-Q4', author: 'olivia' })
    expect(second.body.replaced).toEqual([
      { ...first.body.override, revokedAt: NOW.toISOString(), revokedBy: 'olivia' },
    ])
    const all = (await get(`/api/overrides?active=all&epic=${encodeURIComponent(EPICS.observability)}`))
      .overrides
    expect(all.map((o: { id: string; revokedAt: string | null }) => [o.id, o.revokedAt === null])).toEqual(
      expect.arrayContaining([
        [first.body.override.id, false],
        [second.body.override.id, true],
      ]),
    )
    expect((await get('/api/overrides')).overrides.map((o: { id: string }) => o.id)).toEqual([
      second.body.override.id,
    ])
    // No worker ran: the second build request joined the one already waiting.
    expect(second.body.build.status).toBe('coalesced')
  })
})

describe('REST API with protectReads', () => {
  let t: TestApp
  beforeAll(async () => {
    const config = testConfig()
    t = await startTestApp({ config: { ...config, auth: { ...config.auth, protectReads: true } } })
    await seedHistory(t, config)
  })
  afterAll(() => t.close())

  it('needs a viewer token for every read', async () => {
    const reads = [
      '/api/roadmap',
      '/api/versions',
      '/api/versions/1',
      '/api/versions/2/diff',
      '/api/capacity',
      '/api/epics?search=cart',
      `/api/epics/${encodeURIComponent(EPICS.sso)}`,
      '/api/deferrals',
      '/api/deferrals/cost',
      '/api/overrides',
      '/api/meta',
      '/api/reports/preview',
    ]
    for (const url of reads) {
      const anonymous = await t.app.inject({ url })
      expect(anonymous.statusCode, url).toBe(401)
      expect(anonymous.json().error.code).toBe('ONETRACK_UNAUTHORIZED')
      const viewer = await t.app.inject({ url, headers: bearer(TEST_TOKENS.viewer) })
      expect(viewer.statusCode, url).toBe(200)
    }
    const meta = await t.app.inject({ url: '/api/meta', headers: bearer(TEST_TOKENS.viewer) })
    expect(meta.json().auth).toEqual({
      protectReads: true,
      signOn: false,
      caller: { name: 'vic', role: 'viewer', email: null, via: 'api', roadmapOwner: false, teams: [] },
      csrfToken: null,
    })
    const doc = (await t.app.inject({ url: '/openapi.json' })).json()
    expect(doc.paths['/api/roadmap'].get.security).toEqual([{ bearer: [] }])
  })

  it('still needs an editor for writes', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/overrides',
      headers: bearer(TEST_TOKENS.viewer),
      payload: { epicId: EPICS.sso, kind: 'exclude', rationale: 'x' },
    })
    expect(res.statusCode).toBe(403)
  })
})
