import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../helpers/app.ts'
import { TEST_TOKENS } from '../helpers/config.ts'

/**
 * Enumerates the routes the app registered (not a list kept by hand): a write route someone adds
 * without a role check fails here.
 */
let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.close())

/**
 * Routes authenticated by a signature instead of a token: the trackers' webhooks (see
 * webhook-fuzz.test.ts) and Slack's interactivity callback. Adding to this list is a decision.
 */
const SIGNED = (url: string) => url.startsWith('/webhooks/') || url === '/slack/interactions'
const fill = (url: string) => url.replace(/:[A-Za-z]+/g, 'x').replace(/\*/g, 'x')

describe('authentication on every route that changes something', () => {
  it('finds the write routes and the dashboard among the registered routes', () => {
    const routes = t.app.routeList()
    const writes = routes.filter((r) => !['GET', 'HEAD'].includes(r.method) && !SIGNED(r.url))
    expect(writes.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining(['POST /api/overrides', 'DELETE /api/overrides/:id']),
    )
    expect(routes.some((r) => r.url.startsWith('/admin/queues'))).toBe(true)
  })

  it('answers 401 to every non-GET route (but the signed webhooks) without a token, or with a bad one', async () => {
    const writes = t.app.routeList().filter((r) => !['GET', 'HEAD'].includes(r.method) && !SIGNED(r.url))
    expect(writes.length).toBeGreaterThan(2)
    for (const route of writes) {
      for (const authorization of [undefined, 'Bearer not-a-token', `Bearer ${TEST_TOKENS.owner}x`]) {
        const response = await t.app.inject({
          method: route.method as 'POST',
          url: fill(route.url),
          headers: authorization === undefined ? {} : { authorization },
          ...(route.method === 'DELETE' ? {} : { payload: {} }),
        })
        expect(response.statusCode, `${route.method} ${route.url} (${authorization ?? 'no token'})`).toBe(401)
      }
    }
  })

  it('refuses writes to a viewer token (403)', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/overrides',
      headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` },
      payload: { epicId: 'jira-test:1', kind: 'exclude', rationale: 'no' },
    })
    expect(response.statusCode).toBe(403)
  })

  it('protects every route of the queue dashboard, reads included (it can retry and remove jobs)', async () => {
    const dashboard = t.app
      .routeList()
      .filter((r) => r.url.startsWith('/admin/queues') && r.method !== 'HEAD')
    expect(dashboard.length).toBeGreaterThan(3)
    for (const route of dashboard) {
      const response = await t.app.inject({ method: route.method as 'GET', url: fill(route.url) })
      expect(response.statusCode, `${route.method} ${route.url}`).toBe(401)
      const editor = await t.app.inject({
        method: route.method as 'GET',
        url: fill(route.url),
        headers: { authorization: `Bearer ${TEST_TOKENS.editor}` },
      })
      expect(editor.statusCode, `${route.method} ${route.url} as an editor`).toBe(403)
    }
  })
})
