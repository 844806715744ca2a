import { STATUS_CODES } from 'node:http'
import { connect } from 'node:net'
import { Duplex } from 'node:stream'
import type { InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ErrorCode, errorCodes } from '../../src/errors.ts'
import { saveSyncBatch } from '../../src/store/index.ts'
import { startTestApp, type TestApp } from '../helpers/app.ts'
import { TEST_TOKENS } from '../helpers/config.ts'
import { epicRecord } from '../helpers/epics.ts'
import { signedSourcesConfig } from '../security/fixtures.ts'

/**
 * Every status the service answers carries the one error body `{ error: { code, message } }`, and
 * the code is the one the catalogue (src/errors.ts, docs/errors.md) gives that status: the routes',
 * the framework's, the static files', and the answers Node gives before Fastify sees the request.
 */
const owner = { authorization: `Bearer ${TEST_TOKENS.owner}` }
const editor = { authorization: `Bearer ${TEST_TOKENS.editor}` }

let t: TestApp
let port: number
/** Lets the slow test route finish. */
let release: () => void = () => {}
let entered: () => void = () => {}

beforeAll(async () => {
  t = await startTestApp({
    config: signedSourcesConfig('server: { bodyLimitBytes: 4096 }'),
    extend: (app) => {
      app.get('/test/boom', async () => {
        throw new Error('connection string postgres://u:pw-9f1@db/x')
      })
      app.get<{ Params: { status: string } }>('/test/status/:status', async (request) => {
        throw Object.assign(new Error(`a plugin answered ${request.params.status}`), {
          statusCode: Number(request.params.status),
        })
      })
      app.get('/test/slow', async () => {
        entered()
        await new Promise<void>((resolve) => {
          release = resolve
        })
        return { ok: true }
      })
    },
  })
  await saveSyncBatch(t.database.db, {
    sourceId: 'shop',
    mode: 'incremental',
    epics: [epicRecord('1')],
    cursor: null,
    now: new Date(),
  })
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  port = (t.app.server.address() as { port: number }).port
})
afterAll(() => t?.close())

interface RawAnswer {
  status: number
  headers: string
  body: string
}

/** Parses one HTTP/1.1 answer with a Content-Length out of raw bytes. */
function parseAnswer(text: string): RawAnswer & { rest: string } {
  const end = text.indexOf('\r\n\r\n')
  const headers = text.slice(0, end)
  const length = Number(/content-length:\s*(\d+)/i.exec(headers)?.[1] ?? 0)
  const start = end + 4
  return {
    status: Number(headers.split(' ')[1]),
    headers,
    body: text.slice(start, start + length),
    rest: text.slice(start + length),
  }
}

/** Sends raw bytes on a fresh connection and reads until the server closes it. */
function raw(request: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let text = ''
    const socket = connect(port, '127.0.0.1', () => socket.write(request))
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1')
    })
    // The server closes the connection while a long request is still arriving: a reset after the
    // answer is expected then.
    const done = () => (text === '' ? reject(new Error('no answer')) : resolve(parseAnswer(text)))
    socket.on('close', done)
    socket.on('error', () => {})
  })
}

function expectShape(status: number, payload: string, expected: ErrorCode): void {
  const body = JSON.parse(payload) as { error?: { code?: unknown; message?: unknown } }
  expect(body, payload).toEqual({ error: expect.objectContaining({ code: expected }) })
  expect(typeof body.error?.message, payload).toBe('string')
  expect(status, payload).toBe(errorCodes[expected].status)
}

describe('the one error shape', () => {
  it('every status answers the one error shape', async () => {
    const inject = async (expected: ErrorCode, options: InjectOptions): Promise<string> => {
      const response = await t.app.inject(options)
      expect(String(response.headers['content-type'])).toMatch(/^application\/json/)
      expectShape(response.statusCode, response.body, expected)
      return response.body
    }

    // 400: a parameter the schema refuses.
    await inject('ONETRACK_BAD_REQUEST', { method: 'GET', url: '/api/epics?limit=0' })
    // 401 and 403: no token; a token whose role is too weak.
    await inject('ONETRACK_UNAUTHORIZED', { method: 'POST', url: '/api/overrides', payload: {} })
    await inject('ONETRACK_FORBIDDEN', { method: 'GET', url: '/admin/queues', headers: editor })
    // 404: no route, and no such resource.
    await inject('ONETRACK_NOT_FOUND', { method: 'GET', url: '/nowhere' })
    await inject('ONETRACK_NOT_FOUND', { method: 'GET', url: '/api/epics/shop%3A404' })
    // 409: revoking an override twice.
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/overrides',
      headers: editor,
      payload: { epicId: 'shop:1', kind: 'exclude', rationale: 'out of scope' },
    })
    expect(created.statusCode, created.body).toBe(201)
    const id = (created.json() as { override: { id: string } }).override.id
    const revoke = {
      method: 'DELETE' as const,
      url: `/api/overrides/${encodeURIComponent(id)}`,
      headers: editor,
    }
    expect((await t.app.inject(revoke)).statusCode).toBe(200)
    await inject('ONETRACK_CONFLICT', revoke)
    // 413: a body over server.bodyLimitBytes.
    await inject('ONETRACK_PAYLOAD_TOO_LARGE', {
      method: 'POST',
      url: '/api/what-if',
      headers: { ...owner, 'content-type': 'application/json' },
      payload: JSON.stringify({ changes: [{ kind: 'exclude', epicId: 'x'.repeat(5_000) }] }),
    })
    // 415: a body of a type the route does not read.
    const unsupported = await inject('ONETRACK_UNSUPPORTED_MEDIA_TYPE', {
      method: 'POST',
      url: '/api/overrides',
      headers: { ...editor, 'content-type': 'application/xml' },
      payload: '<override/>',
    })
    expect(unsupported).toContain('application/json')
    // 429 and any other status a plugin answers by its status alone.
    await inject('ONETRACK_RATE_LIMITED', { method: 'GET', url: '/test/status/429' })
    // 500: the message is hidden, the log has it.
    const boom = await inject('ONETRACK_INTERNAL', { method: 'GET', url: '/test/boom' })
    expect(boom).not.toContain('pw-9f1')
    expect(boom).toMatch(/request req-/)

    // Answered by Node before Fastify: not valid HTTP (400), a URL over the header limit (431).
    const garbage = await raw('NOT HTTP\r\n\r\n')
    expectShape(garbage.status, garbage.body, 'ONETRACK_BAD_REQUEST')
    const long = await raw(`GET /api/epics?search=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`)
    expectShape(long.status, long.body, 'ONETRACK_HEADERS_TOO_LARGE')
  })

  it('answers each 4xx a plugin gives with the code of its status, or 400 when the catalogue has none', async () => {
    const byStatus = new Map<number, ErrorCode>()
    for (const [code, { status }] of Object.entries(errorCodes) as Array<[ErrorCode, { status: number }]>) {
      if (status < 500 && code.startsWith('ONETRACK_')) byStatus.set(status, code)
    }
    for (let status = 400; status <= 451; status++) {
      if (STATUS_CODES[status] === undefined) continue
      const response = await t.app.inject({ method: 'GET', url: `/test/status/${status}` })
      expectShape(response.statusCode, response.body, byStatus.get(status) ?? 'ONETRACK_BAD_REQUEST')
    }
  })

  it('answers a request that did not arrive in time 408 in the one shape', () => {
    let written = ''
    const socket = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        written += chunk.toString()
        callback()
      },
    })
    socket.on('error', () => {})
    const timeout = Object.assign(new Error('request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' })
    t.app.server.emit('clientError', timeout, socket)

    const answer = parseAnswer(written)
    expectShape(answer.status, answer.body, 'ONETRACK_REQUEST_TIMEOUT')
    expect(socket.destroyed).toBe(true)
  })

  it('answers a path that climbs out of /assets/ 404, like any file that is not served', async () => {
    for (const path of [
      '/assets/../package.json',
      '/assets/x/../app.js',
      '/assets/%2e%2e/%2e%2e/etc/passwd',
    ]) {
      const answer = await raw(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
      expectShape(answer.status, answer.body, 'ONETRACK_NOT_FOUND')
    }
    const served = await raw('GET /assets/app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    expect(served.status).toBe(200)
  })
})

describe('answers Node gives before Fastify', () => {
  it('a 100 kB URL answers 431 in the one shape', async () => {
    const answer = await raw(`GET /api/epics?search=${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`)

    expect(answer.status).toBe(431)
    expect(answer.headers).toMatch(/content-type: application\/json/i)
    expectShape(answer.status, answer.body, 'ONETRACK_HEADERS_TOO_LARGE')
    expect(JSON.parse(answer.body).error.message).toMatch(/shorten the URL/)
  })
})

// Last: it closes the app.
describe('shutting down', () => {
  it('answers a request arriving while the server shuts down 503 in the one shape', async () => {
    const socket = connect(port, '127.0.0.1')
    let text = ''
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1')
    })
    socket.on('error', () => {})
    const inHandler = new Promise<void>((resolve) => {
      entered = resolve
    })
    socket.write('GET /test/slow HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n')
    await inHandler
    const closed = t.app.close()
    // A second request on the same connection, while the first one still runs.
    await new Promise((resolve) => setTimeout(resolve, 50))
    socket.write('GET /api/meta HTTP/1.1\r\nHost: x\r\n\r\n')
    await new Promise((resolve) => setTimeout(resolve, 50))
    release()
    await closed
    await new Promise<void>((resolve) => (socket.closed ? resolve() : socket.on('close', () => resolve())))

    const first = parseAnswer(text)
    expect(first.status).toBe(200)
    const second = parseAnswer(first.rest)
    expectShape(second.status, second.body, 'ONETRACK_SHUTTING_DOWN')
  })
})
