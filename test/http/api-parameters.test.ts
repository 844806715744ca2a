import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeCursor } from '../../src/http/routes/api/params.ts'
import { EPICS, seedHistory } from '../helpers/api-history.ts'
import { startTestApp, type TestApp } from '../helpers/app.ts'
import { TEST_TOKENS } from '../helpers/config.ts'

/**
 * Parameters are checked by the route schemas before any lookup: no NUL or other control character
 * in a string that reaches Postgres or a lookup, no id outside Postgres' integer, each a 400 in the
 * one error shape naming the field (never a 500 from the database).
 */
const owner = { authorization: `Bearer ${TEST_TOKENS.owner}` }
let t: TestApp
let versions: number[]

beforeAll(async () => {
  t = await startTestApp()
  versions = await seedHistory(t)
})
afterAll(() => t.close())

async function get(url: string) {
  const response = await t.app.inject({ method: 'GET', url, headers: owner })
  return {
    status: response.statusCode,
    body: response.json() as { error?: { code: string; message: string } },
  }
}

async function send(method: 'POST' | 'DELETE', url: string, payload?: object) {
  const response = await t.app.inject({
    method,
    url,
    headers: owner,
    ...(payload === undefined ? {} : { payload }),
  })
  return {
    status: response.statusCode,
    body: response.json() as { error?: { code: string; message: string } },
  }
}

function expectBadRequest(
  answer: { status: number; body: { error?: { code: string; message: string } } },
  field: string,
) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(400)
  expect(answer.body.error?.code).toBe('ONETRACK_BAD_REQUEST')
  expect(answer.body.error?.message).toContain(field)
}

describe('string parameters', () => {
  it('a NUL byte in a query parameter is a 400', async () => {
    for (const [url, field] of [
      ['/api/epics?search=a%00b', 'querystring/search'],
      ['/api/deferrals?epic=jira-test%3A1%00', 'querystring/epic'],
      ['/api/deferrals?team=checkout%00', 'querystring/team'],
      ['/api/deferrals?source=x%00', 'querystring/source'],
      ['/api/overrides?epic=%00', 'querystring/epic'],
      ['/api/decisions?author=olivia%00', 'querystring/author'],
      ['/api/decisions?epic=%00', 'querystring/epic'],
      ['/api/roadmap?team=%00', 'querystring/team'],
      ['/api/reports/preview?channel=%00', 'querystring/channel'],
      ['/reports?channel=%00', 'querystring/channel'],
    ] as const) {
      const answer = await get(url)
      expectBadRequest(answer, field)
      expect(answer.body.error?.message).toContain('must not contain NUL or other control characters')
    }
  })

  it('a NUL byte or a control character in a path parameter is a 400', async () => {
    expectBadRequest(await get('/api/epics/jira-test%3A1%00'), 'params/id')
    expectBadRequest(await get('/api/epics/jira-test%3A1%1B'), 'params/id')
    expectBadRequest(await send('POST', '/api/epics/a%00/ack', { reason: 'ok' }), 'params/id')
    expectBadRequest(await send('POST', '/api/deferrals/a%00/ack', { reason: 'ok' }), 'params/id')
    expectBadRequest(await send('DELETE', '/api/overrides/a%00'), 'params/id')
  })

  it('keeps free text to tab and line breaks: a NUL or an escape in a reason or a rationale is a 400', async () => {
    const override = (rationale: string) =>
      send('POST', '/api/overrides', { epicId: EPICS.giftCards, kind: 'exclude', rationale })
    expectBadRequest(await override('not now\u0000'), 'body/rationale')
    expectBadRequest(await override('\u001b[31mred'), 'body/rationale')
    const accepted = await override('not this year:\n\t- the budget\r\n\t- the team')
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201)

    expectBadRequest(
      await send('POST', `/api/epics/${encodeURIComponent(EPICS.sso)}/ack`, { reason: '\u0000' }),
      'body/reason',
    )
    const approve = await send('POST', `/api/versions/${versions.at(-1)}/approve`, { note: 'ok\u0007' })
    expectBadRequest(approve, 'body/note')
    const whatIf = await send('POST', '/api/what-if', {
      changes: [{ kind: 'exclude', epicId: `${EPICS.sso}\u0000` }],
    })
    expectBadRequest(whatIf, 'body/changes/0/epicId')
  })

  it('refuses a date whose year Postgres does not store', async () => {
    expectBadRequest(await get('/api/deferrals?from=0000-01-01'), 'querystring/from')
    expectBadRequest(await get('/api/decisions?to=0001-01-01T00:00:00%2B01:00'), 'querystring/to')
    expect((await get('/api/deferrals?from=0001-01-01&to=9999-12-31')).status).toBe(200)
  })

  it('refuses a cursor the API did not give out, however it decodes', async () => {
    for (const position of [
      { at: '2027-01-11T09:00:00.000Z', id: 'x\u0000' },
      { at: '0000-01-01T00:00:00.000Z', id: 'x' },
      { at: '2027-02-30T00:00:00.000Z', id: 'x' },
      { at: '2027', id: 'x' },
    ]) {
      expectBadRequest(await get(`/api/deferrals?cursor=${encodeCursor(position)}`), 'querystring/cursor')
      expectBadRequest(await get(`/api/decisions?cursor=${encodeCursor(position)}`), 'querystring/cursor')
    }
    expectBadRequest(
      await get(`/api/versions?cursor=${encodeCursor({ before: 2 ** 31 })}`),
      'querystring/cursor',
    )
    expectBadRequest(await get('/api/versions?cursor=%00'), 'querystring/cursor')
    const walk = await get('/api/deferrals?kind=all&limit=1')
    const next = (walk.body as { nextCursor: string | null }).nextCursor
    expect(next).not.toBeNull()
    expect((await get(`/api/deferrals?kind=all&limit=1&cursor=${next}`)).status).toBe(200)
  })
})

describe('ids and version numbers', () => {
  it('an out-of-range version is a 400', async () => {
    for (const [url, field] of [
      ['/api/roadmap?version=2147483648', 'querystring/version'],
      ['/api/roadmap?version=99999999999999999999', 'querystring/version'],
      ['/api/capacity?version=2147483648', 'querystring/version'],
      ['/api/versions/2147483648', 'params/id'],
      ['/api/versions/0', 'params/id'],
      ['/api/versions/-1', 'params/id'],
      ['/api/versions/1.5', 'params/id'],
      ['/api/versions/1/diff?against=2147483648', 'querystring/against'],
      ['/api/versions/2147483648/diff', 'params/id'],
    ] as const) {
      expectBadRequest(await get(url), field)
    }
    expectBadRequest(await send('POST', '/api/versions/2147483648/approve', {}), 'params/id')
  })

  it('the largest id in range is looked up: a 404 when there is no such version', async () => {
    for (const url of ['/api/roadmap?version=2147483647', '/api/versions/2147483647']) {
      const answer = await get(url)
      expect(answer.status, url).toBe(404)
      expect(answer.body.error?.code).toBe('ONETRACK_NOT_FOUND')
    }
    expect((await get(`/api/versions/${versions[1]}/diff?against=${versions[0]}`)).status).toBe(200)
  })
})
