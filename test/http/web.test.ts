import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PAGE_ROUTES, WEB_ROOT } from '../../src/http/routes/web.ts'
import { startTestApp, type TestApp } from '../helpers/app.ts'

let t: TestApp

beforeAll(async () => {
  t = await startTestApp({ database: 'pglite' })
})

afterAll(async () => {
  await t.close()
})

describe('the web page route', () => {
  it('serves index.html at / and at each client-side route, with a strict Content-Security-Policy', async () => {
    for (const url of ['/', '/epics/jira-shop%3A10042', '/deferrals', '/versions']) {
      const response = await t.app.inject({ method: 'GET', url })
      expect(response.statusCode, url).toBe(200)
      expect(response.headers['content-type']).toMatch(/^text\/html/)
      expect(response.body).toContain('<script type="module"')
      const csp = String(response.headers['content-security-policy'])
      expect(csp).toContain("script-src 'self'")
      expect(csp).toContain("style-src 'self'")
      expect(csp).not.toContain('unsafe-inline')
      expect(response.headers['cache-control']).toBe('no-cache')
    }
    expect(PAGE_ROUTES).toContain('/epics/:id')
  })

  it('serves the assets with an ETag, and 304 when unchanged', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/assets/app.js' })
    expect(first.statusCode).toBe(200)
    expect(first.headers['content-type']).toMatch(/javascript/)
    const etag = String(first.headers.etag)
    expect(etag).not.toBe('undefined')
    const again = await t.app.inject({
      method: 'GET',
      url: '/assets/app.js',
      headers: { 'if-none-match': etag },
    })
    expect(again.statusCode).toBe(304)
  })

  it('serves only the page’s files: not its type declarations, nothing outside its folder', async () => {
    for (const url of [
      '/assets/types.d.ts',
      '/assets/../routes/web.ts',
      '/assets/%2e%2e/app.ts',
      '/assets/',
    ]) {
      const response = await t.app.inject({ method: 'GET', url })
      expect(response.statusCode, url).toBe(404)
    }
  })

  it('keeps the page out of the OpenAPI document', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, unknown>
    }
    const paths = Object.keys(spec.paths)
    expect(paths.filter((p) => p === '/' || p.startsWith('/epics') || p.startsWith('/assets'))).toEqual([])
    expect(paths).not.toContain('/deferrals')
  })

  it('has no inline script or style anywhere in the page’s files (CSP)', () => {
    for (const file of readdirSync(WEB_ROOT)) {
      if (!/\.(html|js)$/.test(file)) continue
      const text = readFileSync(join(WEB_ROOT, file), 'utf8')
      expect(text, file).not.toMatch(/\sstyle="/)
      expect(text, file).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
      expect(text, file).not.toMatch(/\son(click|load|error|input|change|submit)=/)
    }
  })
})
