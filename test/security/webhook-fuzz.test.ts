import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jobNames } from '../../src/jobs/index.ts'
import { startTestApp, type TestApp } from '../helpers/app.ts'
import { jiraSignature, linearSignature, signedSourcesConfig, WEBHOOK_SECRETS } from './fixtures.ts'

/**
 * Property-based fuzzing of both webhook endpoints through the whole app (routing, body parsing,
 * signature check, parsing, de-duplication, enqueue): whatever arrives, the answer is never a 5xx,
 * and nothing reaches a queue without a valid signature. Fixed seed: failures reproduce.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_270_111)
const RUNS = Number(process.env.FUZZ_RUNS ?? 150)
let t: TestApp

beforeAll(async () => {
  t = await startTestApp({ config: signedSourcesConfig('server: { bodyLimitBytes: 65536 }') })
})
afterAll(() => t.close())

async function queued(): Promise<number> {
  let total = 0
  for (const name of jobNames) {
    const counts = await t.queues[name].getJobCounts('waiting', 'delayed', 'prioritized', 'active')
    total += Object.values(counts).reduce((a, b) => a + b, 0)
  }
  return total
}

const path = fc.oneof(
  fc.constantFrom(
    '/webhooks/jira/shop',
    '/webhooks/linear/plat',
    '/webhooks/jira/plat',
    '/webhooks/linear/shop',
  ),
  fc.string({ maxLength: 30 }).map((s) => `/webhooks/jira/${encodeURIComponent(s)}`),
  fc.constantFrom('/webhooks/teams/x', '/webhooks/jira', '/webhooks/jira/shop/extra', '/webhooks/%ff/shop'),
)

const textBody = fc.oneof(
  fc.json().map((s) => Buffer.from(s)),
  fc.string({ unit: 'binary', maxLength: 2_000 }).map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 4_000 }).map((a) => Buffer.from(a)),
  fc.constantFrom(
    Buffer.from('{"webhookEvent":"jira:issue_updated","issue":{"id":"1"}}'),
    Buffer.from('{"type":"Project","action":"update","data":{"id":"p"},"webhookTimestamp":0}'),
    Buffer.from('{"__proto__":{"polluted":true},"webhookEvent":"x"}'),
    Buffer.from('[]'),
    Buffer.from('null'),
    Buffer.from('"\\ud800"'),
    Buffer.from(`{"a":${'['.repeat(5_000)}${']'.repeat(5_000)}}`),
    Buffer.alloc(0),
    Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
    Buffer.from('{}', 'utf16le'),
  ),
  fc.nat({ max: 200_000 }).map((n) => Buffer.alloc(n, 0x61)),
)

const hex64 = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 })

/** Signatures that must all fail: absent, malformed, for another body, with another secret. */
const badSignature = (body: Buffer) =>
  fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 80 }),
    hex64.map((h) => `sha256=${h}`),
    hex64,
    fc.constant(jiraSignature(Buffer.concat([body, Buffer.from(' ')]))),
    fc.constant(jiraSignature(body, `${WEBHOOK_SECRETS.jira}x`)),
    fc.constant(linearSignature(body, WEBHOOK_SECRETS.jira)),
    fc.constant(`sha1=${'0'.repeat(40)}`),
    fc.constant(jiraSignature(body).toUpperCase().replace('SHA256', 'sha256').slice(0, 70)),
  )

const contentType = fc.option(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-16',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/octet-stream',
    '*/*',
    ';;;',
    `application/json; charset=${'x'.repeat(300)}`,
  ),
  { nil: undefined },
)
const encoding = fc.option(fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'chunked', 'x-garbage'), {
  nil: undefined,
})

describe('webhook endpoints under hostile input', () => {
  it('never answers 5xx and never enqueues an unsigned or wrongly signed delivery', async () => {
    const before = await queued()
    await fc.assert(
      fc.asyncProperty(
        path,
        textBody.chain((body) => fc.tuple(fc.constant(body), badSignature(body))),
        contentType,
        encoding,
        fc.dictionary(
          fc.constantFrom(
            'x-atlassian-webhook-identifier',
            'linear-delivery',
            'x-forwarded-for',
            'x-request-id',
          ),
          fc.string({ maxLength: 100 }),
          { maxKeys: 3 },
        ),
        async (url, [body, signature], type, contentEncoding, extra) => {
          const headers: Record<string, string> = {}
          for (const [key, value] of Object.entries(extra)) headers[key] = value.replace(/[^\x20-\x7e]/g, '')
          if (type !== undefined) headers['content-type'] = type
          if (contentEncoding !== undefined) headers['content-encoding'] = contentEncoding
          if (signature !== undefined) {
            const clean = signature.replace(/[^\x20-\x7e]/g, '')
            headers['x-hub-signature'] = clean
            headers['linear-signature'] = clean
          }
          const response = await t.app.inject({ method: 'POST', url, headers, payload: body })
          expect(response.statusCode, `${url} ${response.body.slice(0, 200)}`).toBeLessThan(500)
          expect(response.statusCode).not.toBe(202)
          expect(response.json()).toHaveProperty('error.code')
        },
      ),
      { numRuns: RUNS, seed: SEED },
    )
    expect(await queued()).toBe(before)
    expect(t.logs()).not.toContain('"level":50')
  })

  it('never answers 5xx to validly signed but arbitrary bodies (JSON of any shape)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('jira', 'linear'),
        fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc
            .record(
              {
                webhookEvent: fc.oneof(
                  fc.string(),
                  fc.constantFrom('jira:issue_updated', 'jira:issue_deleted'),
                ),
                timestamp: fc.oneof(fc.constant(Date.now()), fc.integer(), fc.string()),
                issue: fc.option(
                  fc.record({
                    id: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
                    fields: fc.jsonValue(),
                  }),
                ),
                changelog: fc.jsonValue(),
                type: fc.constantFrom('Project', 'Issue', 'Comment', 'x'),
                action: fc.constantFrom('create', 'update', 'remove', '?'),
                data: fc.oneof(
                  fc.dictionary(fc.string(), fc.jsonValue()),
                  fc.record({
                    id: fc.string(),
                    projectId: fc.string(),
                    parentId: fc.string(),
                    labelIds: fc.jsonValue(),
                  }),
                ),
                webhookTimestamp: fc.constantFrom(Date.now(), 0, -1, Number.MAX_SAFE_INTEGER),
                webhookId: fc.string(),
                createdAt: fc.string(),
                updatedFrom: fc.jsonValue(),
              },
              { requiredKeys: [] },
            )
            .map((v) => JSON.stringify(v)),
        ),
        fc.string({ maxLength: 60 }),
        async (kind, text, deliveryId) => {
          const body = Buffer.from(text)
          const headers =
            kind === 'jira'
              ? {
                  'x-hub-signature': jiraSignature(body),
                  'x-atlassian-webhook-identifier': encodeURIComponent(deliveryId),
                }
              : {
                  'linear-signature': linearSignature(body),
                  'linear-delivery': encodeURIComponent(deliveryId),
                }
          const response = await t.app.inject({
            method: 'POST',
            url: kind === 'jira' ? '/webhooks/jira/shop' : '/webhooks/linear/plat',
            headers: { 'content-type': 'application/json', ...headers },
            payload: body,
          })
          expect(response.statusCode, response.body.slice(0, 300)).toBeLessThan(500)
        },
      ),
      { numRuns: RUNS, seed: SEED },
    )
  })
})
