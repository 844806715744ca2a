import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { encodeCursor } from '../../../src/trackers/jira/cursor.ts'
import { connectorFor, envRef, FAST, type Site, startSite, syncAll, writeValues } from './site.ts'

const SEARCH = 'POST /rest/api/3/search/jql'

describe('Jira faults', () => {
  let site: Site

  beforeAll(async () => {
    site = await startSite({ epics: 250 })
  })
  afterAll(() => site.close())
  beforeEach(() => {
    site.sim.clearFaults()
    site.sim.setPermissions({ BROWSE_PROJECTS: true, EDIT_ISSUES: true, ADMINISTER: true, BULK_CHANGE: true })
    site.sim.resetCounters()
  })

  it('waits out a 429 storm as Retry-After says, then finishes the sync', async () => {
    const { connector, logs } = connectorFor(site)
    site.sim.rateLimit({ next: 3, retryAfterSeconds: 1 })
    const started = Date.now()
    const { epics, outcome } = await syncAll(connector, { mode: 'full', cursor: null })
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000)
    expect(epics).toHaveLength(250)
    // 3 pages + 4 fixed calls, and the 3 refused ones sent again.
    expect(outcome.requests).toBe(10)
    expect(site.sim.requestCount()).toBe(10)
    expect(logs()).toContain('jira rate limit: waiting as told')
  })

  it('hands a long Retry-After to the job queue instead of waiting it out', async () => {
    const { connector } = connectorFor(site)
    site.sim.rateLimit({ next: 1, retryAfterSeconds: 120 })
    const started = Date.now()
    await expect(syncAll(connector, { mode: 'full', cursor: null })).rejects.toMatchObject({
      code: 'TRACKER_RATE_LIMITED',
      details: { sourceId: 'jira-shop', retryAfterMs: 120_000, reason: 'jira-burst-based' },
    })
    expect(Date.now() - started).toBeLessThan(1_000)
  })

  it('gives up after a bounded run of 429s', async () => {
    const { connector } = connectorFor(site, {}, { ...FAST, maxRateLimitRetries: 2 })
    site.sim.rateLimit({ every: 1, retryAfterSeconds: 0 })
    await expect(syncAll(connector, { mode: 'full', cursor: null })).rejects.toMatchObject({
      code: 'TRACKER_RATE_LIMITED',
    })
  })

  it('retries 5xx with backoff and succeeds', async () => {
    const { connector, logs } = connectorFor(site)
    site.sim.failNext(2, 503, { route: SEARCH })
    const { epics, outcome } = await syncAll(connector, { mode: 'full', cursor: null })
    expect(epics).toHaveLength(250)
    expect(outcome.requests).toBe(9)
    expect(site.sim.requestCounts()[SEARCH]).toBe(5)
    expect(logs()).toContain('jira request failed: retrying')
  })

  it('gives up on a tracker that keeps failing, after a few attempts', async () => {
    const { connector } = connectorFor(site)
    site.sim.failNext(10, 500, { route: SEARCH })
    await expect(syncAll(connector, { mode: 'full', cursor: null })).rejects.toMatchObject({
      code: 'TRACKER_UNAVAILABLE',
      message: "Jira source 'jira-shop': POST /rest/api/3/search/jql answered 500 (4 attempts)",
    })
    expect(site.sim.requestCounts()[SEARCH]).toBe(4)
  })

  it('times out a request that hangs, and sends it again', async () => {
    const { connector } = connectorFor(site, {}, { ...FAST, requestTimeoutMs: 200 })
    site.sim.delayNext(1, 5_000, { route: SEARCH })
    const { epics } = await syncAll(connector, { mode: 'full', cursor: null })
    expect(epics).toHaveLength(250)
    expect(site.sim.requestCounts()[SEARCH]).toBe(4)

    site.sim.delayNext(4, 5_000, { route: SEARCH })
    await expect(syncAll(connector, { mode: 'full', cursor: null })).rejects.toMatchObject({
      code: 'TRACKER_UNAVAILABLE',
      message: "Jira source 'jira-shop': POST /rest/api/3/search/jql timed out after 200 ms (4 attempts)",
    })
  })

  it('does not send a field creation again after a failure it cannot see through', async () => {
    const { connector } = connectorFor(site, { writeBack: { createFields: true } })
    site.sim.failNext(1, 502, { route: 'POST /rest/api/3/field' })
    const epic = site.epics[0]?.id as string
    const items = [{ epicId: `jira-shop:${epic}`, externalId: epic, values: writeValues(), previous: null }]
    await expect(connector.writeBack(items, AbortSignal.timeout(5_000))).rejects.toMatchObject({
      code: 'TRACKER_UNAVAILABLE',
    })
    expect(site.sim.requestCounts()['POST /rest/api/3/field']).toBe(1)
  })

  it('stops at once when the caller aborts', async () => {
    const { connector } = connectorFor(site, {}, { ...FAST, requestTimeoutMs: 10_000 })
    site.sim.delayNext(1, 5_000, { route: SEARCH })
    const abort = new AbortController()
    const started = Date.now()
    const sync = connector.sync({ mode: 'full', cursor: null, signal: abort.signal }, async () => {})
    setTimeout(() => abort.abort(new Error('shutting down')), 100)
    await expect(sync).rejects.toThrow('shutting down')
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('names the source and the credentials when Jira does not accept them (401)', async () => {
    const source = { apiToken: envRef('JIRA_HOOK') }
    const { connector } = connectorFor(site, source)
    const message = `Jira source 'jira-shop': ${site.url} did not accept the API token of ${site.sim.account.email} (401: Client must be authenticated to access this resource.). Check email and apiToken; tokens are made at https://id.atlassian.com/manage-profile/security/api-tokens`
    await expect(syncAll(connector, { mode: 'full', cursor: null })).rejects.toMatchObject({
      code: 'TRACKER_AUTH_FAILED',
      message,
    })
    expect(await connector.checkCredentials(AbortSignal.timeout(5_000))).toEqual({
      ok: false,
      detail: message,
    })
  })

  it('checks the permissions the source needs, and names what is missing', async () => {
    const { connector } = connectorFor(site, { writeBack: { createFields: true } })
    const check = () => connector.checkCredentials(AbortSignal.timeout(5_000))
    expect(await check()).toEqual({
      ok: true,
      detail: `${site.url} as onetrack bot (${site.sim.account.email}), time zone UTC`,
    })
    site.sim.setPermissions({ ADMINISTER: false, BULK_CHANGE: false })
    expect(await check()).toMatchObject({
      ok: true,
      detail: expect.stringContaining(
        "no 'Administer Jira' (needed only to create onetrack's fields, which createFields asks for); no 'Make bulk changes' (epics are then edited one by one)",
      ),
    })
    site.sim.setPermissions({ BROWSE_PROJECTS: false, EDIT_ISSUES: false })
    expect(await check()).toEqual({
      ok: false,
      detail: `Jira source 'jira-shop': onetrack bot (${site.sim.account.email}) lacks 'Browse projects' and 'Edit issues'`,
    })
  })

  it('a repeated nextPageToken stops the sync with TRACKER_PROTOCOL_ERROR', async () => {
    const { connector } = connectorFor(site)
    site.sim.breakPaging('repeat-token')
    const sync = syncAll(connector, { mode: 'full', cursor: null })
    await expect(sync).rejects.toMatchObject({
      code: 'TRACKER_PROTOCOL_ERROR',
      message:
        "Jira source 'jira-shop': the search answered a nextPageToken it had already given (page 2); sync stopped",
      details: { sourceId: 'jira-shop', pages: 2, issues: 200 },
    })
    // The first page, and the second that handed its token back: nothing more.
    expect(site.sim.requestCounts()[SEARCH]).toBe(2)
  })

  it('more pages than the count allows stops the sync', async () => {
    const { connector } = connectorFor(site)
    site.sim.breakPaging('endless')
    await expect(syncAll(connector, { mode: 'full', cursor: null })).rejects.toMatchObject({
      code: 'TRACKER_PROTOCOL_ERROR',
      message:
        "Jira source 'jira-shop': the search kept paging past its count (750 issues in 9 pages; Jira counts about 250); sync stopped",
      details: { sourceId: 'jira-shop', count: 250 },
    })
    // 250 epics served as pages of 100, 100 and 50, over and over: twice the count and two pages
    // more is 700 issues, passed on page 9.
    expect(site.sim.requestCounts()[SEARCH]).toBe(9)
    expect(site.sim.requestCounts()['POST /rest/api/3/search/approximate-count']).toBe(1)
  })

  it('asks for the count once a search without one runs long, and stops past it', async () => {
    const { connector } = connectorFor(site)
    site.sim.breakPaging('endless')
    const everything = encodeCursor({ since: 0, seen: {} })
    await expect(syncAll(connector, { mode: 'incremental', cursor: everything })).rejects.toMatchObject({
      code: 'TRACKER_PROTOCOL_ERROR',
      details: { sourceId: 'jira-shop', pages: 12, issues: 1_000, count: 250 },
    })
    // The count is asked for at 1,000 issues (page 12), and is far below.
    expect(site.sim.requestCounts()[SEARCH]).toBe(12)
    expect(site.sim.requestCounts()['POST /rest/api/3/search/approximate-count']).toBe(1)
  })

  it('pages normally again once the search behaves', async () => {
    const { connector } = connectorFor(site)
    site.sim.breakPaging('endless')
    site.sim.breakPaging(null)
    const { epics } = await syncAll(connector, { mode: 'full', cursor: null })
    expect(epics).toHaveLength(250)
  })

  it('keeps to the source’s request budget', async () => {
    const { connector } = connectorFor(site, { requestsPerSecond: 20 })
    const started = Date.now()
    await syncAll(connector, { mode: 'full', cursor: null })
    await syncAll(connector, { mode: 'full', cursor: null })
    await syncAll(connector, { mode: 'full', cursor: null })
    // 7 + 4 + 4 = 15 requests, 20 allowed at once: no wait yet. Then 15 more at 20 a second.
    for (let i = 0; i < 4; i++) await syncAll(connector, { mode: 'full', cursor: null })
    expect(site.sim.requestCount()).toBe(31)
    expect(Date.now() - started).toBeGreaterThanOrEqual(450)
  })
})
