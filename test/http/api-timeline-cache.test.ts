import { brotliDecompressSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { timelineView } from '../../src/http/routes/api/roadmap-view.ts'
import { buildDeps, EPICS, seedHistory } from '../helpers/api-history.ts'
import { startTestApp, type TestApp } from '../helpers/app.ts'
import { TEST_TOKENS, testConfig } from '../helpers/config.ts'

interface Entry {
  epicId: string
  accruedCost: number
  unacknowledged: number
  period: string | null
}

describe('REST API: the timeline answer is served from a cache that never goes stale', () => {
  let t: TestApp
  let versions: number[]
  let clock = new Date('2027-04-10T09:00:00.000Z')
  const timeline = async (query = '', headers: Record<string, string> = {}) => {
    const res = await t.app.inject({ url: `/api/roadmap/timeline?${query}`, headers })
    return { status: res.statusCode, headers: res.headers, body: res.body }
  }
  /** The answer computed afresh, as JSON: what the cached one must equal. */
  const uncached = async (version?: number, filter: { team?: string } = {}) => {
    const deps = { config: testConfig(), database: t.database, queues: t.queues, now: () => clock }
    return JSON.parse(JSON.stringify(await timelineView(deps, version, filter)))
  }
  const entryOf = (body: string, epicId: string) =>
    (JSON.parse(body).entries as Entry[]).find((e) => e.epicId === epicId)

  beforeAll(async () => {
    t = await startTestApp({ now: () => clock })
    versions = await seedHistory(t)
  })
  afterAll(() => t.close())

  it('serves the same answer as an uncached one, again with the same ETag, and 304 when it is unchanged', async () => {
    for (const [query, version, filter] of [
      ['', undefined, {}],
      ['team=platform', undefined, { team: 'platform' }],
      [`version=${versions[1]}`, versions[1], {}],
    ] as const) {
      const first = await timeline(query)
      expect(first.status, query).toBe(200)
      expect(JSON.parse(first.body), query).toEqual(await uncached(version, filter))
      expect(first.headers.etag, query).toMatch(/^"[\w-]+"$/)
      const again = await timeline(query)
      expect(again.body, query).toBe(first.body)
      expect(again.headers.etag, query).toBe(first.headers.etag)

      const unchanged = await timeline(query, { 'if-none-match': String(first.headers.etag) })
      expect(unchanged.status, query).toBe(304)
      expect(unchanged.body, query).toBe('')
      expect((await timeline(query, { 'if-none-match': '"other"' })).status, query).toBe(200)
    }
  })

  it('serves the cached compressed body as the uncompressed one', async () => {
    const plain = await timeline()
    const res = await t.app.inject({
      url: '/api/roadmap/timeline',
      headers: { 'accept-encoding': 'gzip, br' },
    })
    expect(res.headers['content-encoding']).toBe('br')
    expect(res.headers.vary).toMatch(/accept-encoding/i)
    expect(brotliDecompressSync(res.rawPayload).toString()).toBe(plain.body)
    expect(res.headers.etag).toBe(plain.headers.etag)
  })

  it('reads accrued cost at the request’s clock for the newest version, at its build for an older one', async () => {
    const before = await timeline()
    const older = await timeline(`version=${versions[1]}`)
    clock = new Date('2027-04-20T09:00:00.000Z')
    const after = await timeline()
    expect(JSON.parse(after.body)).toEqual(await uncached())
    expect(entryOf(after.body, EPICS.dbUpgrade)?.accruedCost).toBeGreaterThan(
      entryOf(before.body, EPICS.dbUpgrade)?.accruedCost ?? Number.POSITIVE_INFINITY,
    )
    expect(after.headers.etag).not.toBe(before.headers.etag)
    expect((await timeline('', { 'if-none-match': String(before.headers.etag) })).status).toBe(200)
    // An older version's figures are as of its build: the same answer, the same ETag.
    expect(await timeline(`version=${versions[1]}`)).toMatchObject({
      body: older.body,
      headers: { etag: older.headers.etag },
    })
  })

  it('changes with a sign-off, an override and a new build', async () => {
    const unacknowledged = (body: string) =>
      (JSON.parse(body).entries as Entry[]).filter((e) => e.unacknowledged > 0).map((e) => e.epicId)
    const start = await timeline()
    const [signed, pinned] = unacknowledged(start.body)
    expect(signed).toBeDefined()
    expect(pinned).toBeDefined()

    const ack = await t.app.inject({
      method: 'POST',
      url: `/api/epics/${encodeURIComponent(signed ?? '')}/ack`,
      headers: { authorization: `Bearer ${TEST_TOKENS.owner}` },
      payload: { reason: 'accepted' },
    })
    expect(ack.statusCode).toBe(201)
    const afterSignOff = await timeline()
    expect(entryOf(afterSignOff.body, signed ?? '')?.unacknowledged).toBe(0)
    expect(JSON.parse(afterSignOff.body)).toEqual(await uncached())
    expect(afterSignOff.headers.etag).not.toBe(start.headers.etag)

    // An owner's pin answers the epic's open deferrals at once; the build it queues moves the epic.
    const pin = await t.app.inject({
      method: 'POST',
      url: '/api/overrides',
      headers: { authorization: `Bearer ${TEST_TOKENS.owner}` },
      payload: { epicId: pinned, kind: 'pin', period: '2027-Q2', rationale: 'needed in Q2' },
    })
    expect(pin.statusCode).toBe(201)
    const afterPin = await timeline()
    expect(entryOf(afterPin.body, pinned ?? '')?.unacknowledged).toBe(0)
    expect(JSON.parse(afterPin.body)).toEqual(await uncached())

    const { step } = buildDeps(t)
    const newest = await step('2027-04-20T09:00:00.000Z', [])
    const afterBuild = await timeline()
    expect(JSON.parse(afterBuild.body).version.id).toBe(newest)
    expect(entryOf(afterBuild.body, pinned ?? '')?.period).toBe('2027-Q2')
    expect(JSON.parse(afterBuild.body)).toEqual(await uncached())
  })
})
