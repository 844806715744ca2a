import { randomUUID } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WEB_ROOT } from '../../src/http/routes/web.ts'
import { startTestApp, type TestApp } from '../helpers/app.ts'
import { jiraBody, jiraSignature, linearBody, linearSignature, signedSourcesConfig } from './fixtures.ts'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp({
    config: signedSourcesConfig(
      'server: { bodyLimitBytes: 4096, webhookRateLimit: { max: 3, windowSeconds: 30 } }',
    ),
  })
})
afterAll(() => t.close())

const jira = (body: string, id: string = randomUUID()) =>
  t.app.inject({
    method: 'POST',
    url: '/webhooks/jira/shop',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature': jiraSignature(body),
      'x-atlassian-webhook-identifier': id,
    },
    payload: body,
  })

describe('request limits', () => {
  it('queues a validly signed delivery once, answers its retry as a duplicate', async () => {
    const body = jiraBody('10001')
    const first = await jira(body, 'delivery-1')
    expect(first.statusCode, first.body).toBe(202)
    const again = await jira(body, 'delivery-1')
    expect(again.json()).toMatchObject({ status: 'duplicate' })
  })

  it('rate-limits webhooks per source: 429 with Retry-After, other sources unaffected', async () => {
    // Two of the three deliveries of this window were used by the test above.
    const third = await jira(jiraBody('10002'))
    expect(third.statusCode).toBe(202)
    const refused = await jira(jiraBody('10003'))
    expect(refused.statusCode).toBe(429)
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    expect(refused.json()).toMatchObject({ error: { code: 'ONETRACK_RATE_LIMITED' } })
    // Only verified deliveries count: an unsigned request is refused for what it is…
    const unsigned = await t.app.inject({ method: 'POST', url: '/webhooks/jira/shop', payload: '{}' })
    expect(unsigned.statusCode).toBe(401)
    // …but the other source has its own budget.
    const body = linearBody('proj-1')
    const linear = await t.app.inject({
      method: 'POST',
      url: '/webhooks/linear/plat',
      headers: { 'content-type': 'application/json', 'linear-signature': linearSignature(body) },
      payload: body,
    })
    expect(linear.statusCode).not.toBe(429)
    // The API is not rate-limited by the webhooks' budget.
    expect((await t.app.inject({ method: 'GET', url: '/api/meta' })).statusCode).toBe(200)
  })

  it('refuses a body over server.bodyLimitBytes with 413 before reading it all', async () => {
    const big = 'x'.repeat(5_000)
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/overrides',
      headers: { 'content-type': 'application/json' },
      payload: big,
    })
    // Authentication runs first (onRequest): an anonymous caller learns nothing about limits.
    expect(response.statusCode).toBe(401)
    // Unsigned, it is refused before its body is read; signed, the body is read up to the limit.
    const unsigned = await t.app.inject({
      method: 'POST',
      url: '/webhooks/linear/plat',
      headers: { 'content-type': 'application/json' },
      payload: big,
    })
    expect(unsigned.statusCode).toBe(401)
    const webhook = await t.app.inject({
      method: 'POST',
      url: '/webhooks/linear/plat',
      headers: { 'content-type': 'application/json', 'linear-signature': linearSignature(big) },
      payload: big,
    })
    expect(webhook.statusCode).toBe(413)
    expect(webhook.json()).toMatchObject({ error: { code: 'ONETRACK_PAYLOAD_TOO_LARGE' } })
  })
})

describe('security headers on the page', () => {
  it('sends helmet headers and a strict CSP on the page and its assets, not on /docs', async () => {
    for (const url of ['/', '/epics/x', '/assets/app.js', '/assets/styles.css']) {
      const response = await t.app.inject({ method: 'GET', url })
      expect(response.statusCode, url).toBe(200)
      const csp = String(response.headers['content-security-policy'])
      expect(csp).toContain("default-src 'self'")
      expect(csp).toContain("script-src 'self'")
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).not.toContain('unsafe')
      expect(response.headers['x-content-type-options']).toBe('nosniff')
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN')
      expect(response.headers['strict-transport-security']).toMatch(/max-age=/)
      expect(response.headers['cross-origin-opener-policy']).toBe('same-origin')
      expect(response.headers['referrer-policy']).toBe('same-origin')
    }
    const docs = await t.app.inject({ method: 'GET', url: '/docs/static/index.html' })
    expect(String(docs.headers['content-security-policy'] ?? '')).not.toContain("script-src 'self'")
  })

  it('the page itself needs nothing the CSP forbids: no inline script, style or handler', () => {
    for (const file of readdirSync(WEB_ROOT).filter((f) => f.endsWith('.html'))) {
      const html = readFileSync(join(WEB_ROOT, file), 'utf8')
      for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag, file).toMatch(/\bsrc=/)
      expect(html, file).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=|javascript:/i)
    }
    for (const file of readdirSync(WEB_ROOT).filter((f) => f.endsWith('.js'))) {
      const js = readFileSync(join(WEB_ROOT, file), 'utf8')
      expect(js, file).not.toMatch(/\beval\(|new Function\(|\son[a-z]+="/)
    }
  })
})
