import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../helpers/app.ts'
import { TEST_TOKENS } from '../helpers/config.ts'

describe('operations endpoints', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp()
  })
  afterAll(() => t.close())

  it('answers liveness', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ok' })
  })

  it('is ready when the database and Redis answer', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/readyz' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ ready: true, checks: { database: { ok: true }, redis: { ok: true } } })
  })

  it('serves an OpenAPI 3.1 document that describes its routes', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' })
    expect(res.statusCode).toBe(200)
    const doc = res.json()
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/metrics']))
    expect(doc.paths['/readyz'].get.responses).toHaveProperty('503')
    const docs = await t.app.inject({ method: 'GET', url: '/docs' })
    expect(docs.statusCode).toBeLessThan(400)
  })

  it('exposes Prometheus metrics with queue depth and HTTP durations', async () => {
    await t.app.inject({ method: 'GET', url: '/healthz' })
    const res = await t.app.inject({ method: 'GET', url: '/metrics' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/plain/)
    expect(res.body).toContain('onetrack_queue_jobs{queue="build",state="waiting"} 0')
    expect(res.body).toMatch(
      /onetrack_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} [1-9]/,
    )
    expect(res.body).toContain('onetrack_job_duration_seconds')
  })

  it('answers unknown routes with the one error shape', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/no/such/thing?x=1' })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual({
      error: { code: 'ONETRACK_NOT_FOUND', message: 'no route GET /no/such/thing' },
    })
  })

  it('refuses bodies over the configured limit', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/healthz',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ pad: 'x'.repeat(1_100_000) }),
    })
    expect(res.statusCode).toBe(413)
    expect(res.json().error.code).toBe('ONETRACK_PAYLOAD_TOO_LARGE')
  })

  describe('queue dashboard', () => {
    it('asks for credentials', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/admin/queues' })
      expect(res.statusCode).toBe(401)
      expect(res.headers['www-authenticate']).toContain('Basic')
      expect(res.json().error.code).toBe('ONETRACK_UNAUTHORIZED')
    })

    it('rejects a wrong token', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/admin/queues',
        headers: { authorization: `Bearer ${TEST_TOKENS.owner}x` },
      })
      expect(res.statusCode).toBe(401)
      expect(res.json().error.message).toBe('the token is not valid')
    })

    it('forbids roles below owner, naming the caller', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/admin/queues',
        headers: { authorization: `Bearer ${TEST_TOKENS.editor}` },
      })
      expect(res.statusCode).toBe(403)
      expect(res.json().error.message).toBe('eddie has role editor; this needs owner or above')
    })

    it('opens for the owner, by bearer token or by basic auth from a browser', async () => {
      const bearer = await t.app.inject({
        method: 'GET',
        url: '/admin/queues',
        headers: { authorization: `Bearer ${TEST_TOKENS.owner}` },
      })
      expect(bearer.statusCode).toBe(200)
      expect(bearer.body).toContain('<html')
      const basic = await t.app.inject({
        method: 'GET',
        url: '/admin/queues/api/queues',
        headers: { authorization: `Basic ${Buffer.from(`olivia:${TEST_TOKENS.owner}`).toString('base64')}` },
      })
      expect(basic.statusCode).toBe(200)
      expect(
        basic
          .json()
          .queues.map((q: { name: string }) => q.name)
          .sort(),
      ).toEqual(['build', 'report', 'sync', 'writeback'])
    })
  })
})

describe('readiness when Redis is down', () => {
  let t: TestApp
  beforeAll(async () => {
    // Port 1 on loopback: nothing listens, so every command fails fast.
    const unreachable = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    })
    unreachable.on('error', () => {})
    t = await startTestApp({ redis: unreachable })
  })
  afterAll(() => t.close())

  it('answers 503 and names Redis as the failing check', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/readyz' })
    expect(res.statusCode).toBe(503)
    const body = res.json()
    expect(body.ready).toBe(false)
    expect(body.checks.database).toEqual({ ok: true })
    expect(body.checks.redis.ok).toBe(false)
    expect(body.checks.redis.error).toMatch(/^redis unavailable/)
  })

  it('stays alive and keeps serving metrics', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200)
  })
})
