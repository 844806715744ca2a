import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isOnetrackError } from '../../../src/errors.ts'
import { type LinearSimulator, seedWorkspace } from '../../../src/sandbox/linear/index.ts'
import { closeSimulators, collect, connector, expectValidQueries, FAST, startSimulator } from './helpers.ts'

afterAll(async () => {
  expectValidQueries()
  await closeSimulators()
})

describe('rate limits and faults', () => {
  let sim: LinearSimulator
  beforeAll(async () => {
    sim = await startSimulator()
    seedWorkspace(sim.state, { projects: 600 })
  })

  it('waits out a short RATELIMITED answer (HTTP 400 with the code, as Linear sends it) and carries on', async () => {
    const { connector: linear, logs } = connector(sim)
    sim.rateLimitNext(1, 300)
    const started = Date.now()
    const { epics, outcome } = await collect(linear, { mode: 'full', cursor: null })
    expect(epics).toHaveLength(600)
    expect(outcome.requests).toBe(3 + 1)
    // retry-after is in whole seconds: one second, honoured before the next request.
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
    expect(logs()).toContain('Linear rate limit: waiting')
  })

  it('honours an HTTP 429 the same way', async () => {
    const { connector: linear } = connector(sim)
    sim.rateLimitNext(1, 200, 429)
    expect((await collect(linear, { mode: 'full', cursor: null })).epics).toHaveLength(600)
  })

  it('gives up with TRACKER_RATE_LIMITED and the retry time when the wait is long', async () => {
    const { connector: linear } = connector(sim)
    sim.rateLimitNext(1, 120_000)
    const error = await collect(linear, { mode: 'full', cursor: null }).catch((e: unknown) => e)
    expect(isOnetrackError(error, 'TRACKER_RATE_LIMITED')).toBe(true)
    expect((error as { details: { retryAfterMs: number } }).details.retryAfterMs).toBe(120_000)
    // The pause holds: the next request is not even sent while it lasts.
    const before = sim.requestCount()
    await expect(collect(linear, { mode: 'epic', cursor: null, externalId: 'x' })).rejects.toMatchObject({
      code: 'TRACKER_RATE_LIMITED',
    })
    expect(sim.requestCount()).toBe(before)
  })

  it('retries 5xx answers, dropped connections and timeouts with backoff', async () => {
    const { connector: linear, logs } = connector(sim, {}, { ...FAST, timeoutMs: 300 })
    sim.failNext(1, 500)
    sim.failNext(1, 502)
    sim.faults.next(1, { kind: 'disconnect' })
    const { epics, outcome } = await collect(linear, { mode: 'full', cursor: null })
    expect(epics).toHaveLength(600)
    expect(outcome.requests).toBe(3 + 3)
    sim.delayNext(1, 800)
    expect((await collect(linear, { mode: 'full', cursor: null })).outcome.requests).toBe(3 + 1)
    expect(logs()).toContain('request timed out')
  })

  it('fails with TRACKER_UNAVAILABLE after the last attempt', async () => {
    const { connector: linear } = connector(sim)
    sim.failNext(4, 503)
    const before = sim.requestCount()
    await expect(collect(linear, { mode: 'full', cursor: null })).rejects.toMatchObject({
      code: 'TRACKER_UNAVAILABLE',
      message: expect.stringContaining('Linear source lin'),
    })
    expect(sim.requestCount() - before).toBe(4)
  })

  it('fails with TRACKER_AUTH_FAILED naming the source for a bad key, without retrying', async () => {
    const { connector: linear } = connector(sim, { env: { LINEAR_KEY: 'lin_api_wrong' } })
    const before = sim.requestCount()
    await expect(collect(linear, { mode: 'full', cursor: null })).rejects.toMatchObject({
      code: 'TRACKER_AUTH_FAILED',
      message: expect.stringContaining('Linear source lin: Linear rejected the API key'),
    })
    expect(sim.requestCount() - before).toBe(1)
    expect(await linear.checkCredentials(AbortSignal.timeout(5000))).toEqual({
      ok: false,
      detail: expect.stringContaining('rejected the API key'),
    })
  })

  it('checks credentials and the configured teams in one request', async () => {
    const good = connector(sim).connector
    expect(await good.checkCredentials(AbortSignal.timeout(5000))).toMatchObject({ ok: true })
    const typo = connector(sim, { teams: ['PLAT', 'WBE'] }).connector
    expect(await typo.checkCredentials(AbortSignal.timeout(5000))).toEqual({
      ok: false,
      detail: expect.stringContaining('do not exist or the key cannot see them: WBE'),
    })
  })

  it('stops when the caller aborts', async () => {
    const { connector: linear } = connector(sim)
    sim.delayNext(1, 500)
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('job cancelled')), 50)
    await expect(
      linear.sync({ mode: 'full', cursor: null, signal: controller.signal }, async () => {}),
    ).rejects.toThrow('job cancelled')
  })
})

describe('slowing down before the limit', () => {
  it('paces requests from the rate-limit headers so the key never hits RATELIMITED', async () => {
    // 20 requests per 2 s; the connector keeps 10% in reserve and may not retry a rate limit.
    const sim = await startSimulator({ rateLimits: { requests: 20, periodMs: 2_000 } })
    sim.state.addTeam({ key: 'PLAT' })
    const ids = Array.from(
      { length: 30 },
      (_, i) => sim.state.addProject({ name: `P${i}`, teams: ['PLAT'] }).id,
    )
    const { connector: linear, logs } = connector(
      sim,
      {},
      { ...FAST, maxAttempts: 1, reserveFraction: 0.1, maxInlineWaitMs: 5_000 },
    )
    const started = Date.now()
    for (const id of ids) {
      const { outcome } = await collect(linear, { mode: 'epic', cursor: null, externalId: id })
      expect(outcome.gone).toBe(false)
    }
    // 30 requests against a bucket of 20 refilled at 10/s: at least ~1 s of pacing, and no failure.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    expect(logs()).toContain('pacing requests')
  })
})
