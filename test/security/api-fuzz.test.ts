import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RouteSummary } from '../../src/http/app.ts'
import { EPICS, seedHistory } from '../helpers/api-history.ts'
import { startTestApp, type TestApp } from '../helpers/app.ts'
import { TEST_TOKENS } from '../helpers/config.ts'

/**
 * Property-based fuzzing of every API route's parameters and bodies, with an owner's token (so
 * every check past authentication runs): the routes are read from the app with their schemas, and
 * each field gets either a plausible value (so requests reach the store and the builds) or a
 * hostile one — NUL and other control characters, lone surrogates, huge and negative numbers,
 * long strings, the wrong type. Whatever arrives, the answer is never a 5xx and an error is always
 * in the one shape. Fixed seed: failures reproduce (FUZZ_SEED, FUZZ_RUNS to explore).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_270_111)
const RUNS = Number(process.env.FUZZ_RUNS ?? 300)

let t: TestApp
let routes: RouteSummary[]

beforeAll(async () => {
  t = await startTestApp()
  await seedHistory(t)
  routes = t.app
    .routeList()
    .filter((r) => (r.url.startsWith('/api/') || r.url.startsWith('/reports')) && r.method !== 'HEAD')
})
afterAll(() => t.close())

/** The JSON Schema subset the routes use (TypeBox's output). */
interface Schema {
  type?: string
  enum?: unknown[]
  const?: unknown
  anyOf?: Schema[]
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  minimum?: number
  maximum?: number
  default?: unknown
}

const plainJson = (schema: unknown): Schema | undefined =>
  schema === undefined ? undefined : (JSON.parse(JSON.stringify(schema)) as Schema)

/** Values the seeded store knows, so plausible requests find something. */
const KNOWN = [
  ...Object.values(EPICS),
  'checkout',
  'platform',
  'jira-test',
  '2027-Q1',
  '2027-Q2',
  'unplanned',
  'all',
  'deferrals',
  'replanned',
  'olivia',
  '2027-01-11',
  '2027-04-05T09:00:00Z',
]

const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '\u0000',
    `${EPICS.sso}\u0000`,
    'a\u0000b',
    '\u001b[2J',
    '\u0007',
    '\u007f',
    '\u0085',
    '\u2028',
    '\ud800',
    '\udfff\ud800',
    '\uffff',
    '😀',
    '𝕏'.repeat(300),
    '',
    ' ',
    '\t\n',
    '%',
    '%00',
    '..',
    '../../etc/passwd',
    "'; drop table epics; --",
    '\\',
    '%_\\',
    '__proto__',
    'constructor',
    '-1',
    '0',
    '2147483648',
    '99999999999999999999',
    '1e309',
    'NaN',
    '0000-01-01',
    '2027-02-30',
    '275760-09-13',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength: 8 }),
  fc.nat({ max: 5_000 }).map((n) => 'x'.repeat(n)),
)

const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -1, -(2 ** 31), 2 ** 31 - 1, 2 ** 31, 2 ** 53, 1e308, -1e308, 1.5, 5e-324),
  fc.integer({ min: 2 ** 31 - 3, max: 2 ** 31 + 3 }),
  fc.maxSafeInteger(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
)

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 4 },
  { arbitrary: hostileNumber, weight: 2 },
  fc.constant(null),
  fc.boolean(),
  fc.array(hostileString, { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'a'), fc.jsonValue(), { maxKeys: 2 }),
)

/** A value the schema accepts, or nearly: enum members, ids in range, known names. */
function plausible(schema: Schema): fc.Arbitrary<unknown> {
  if (schema.anyOf !== undefined) return fc.oneof(...schema.anyOf.map(plausible))
  if (schema.const !== undefined) return fc.constant(schema.const)
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum)
  switch (schema.type) {
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -10, max: Math.min(schema.maximum ?? 10, 10) })
    case 'number':
      return fc.double({ min: schema.minimum ?? -100, max: 1e6, noNaN: true })
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    case 'array':
      return fc.array(schema.items === undefined ? hostileValue : field(schema.items), { maxLength: 3 })
    case 'object':
      return object(schema)
    default:
      return fc.oneof(fc.constantFrom(...KNOWN), fc.string({ maxLength: 20 }))
  }
}

/** Hostile, mostly of the field's own type: numbers for a number, strings for a string. */
function hostile(schema: Schema): fc.Arbitrary<unknown> {
  if (schema.type === 'integer' || schema.type === 'number')
    return fc.oneof({ arbitrary: hostileNumber, weight: 3 }, hostileValue)
  if (schema.type === 'string') return fc.oneof({ arbitrary: hostileString, weight: 3 }, hostileValue)
  return hostileValue
}

/** Mostly plausible, sometimes hostile. */
const field = (schema: Schema): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: plausible(schema), weight: 3 }, { arbitrary: hostile(schema), weight: 2 })

/** An object of the schema's properties: required ones mostly present, optional ones sometimes. */
function object(schema: Schema): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {}
  const entries = Object.entries(properties).map(([key, sub]) => {
    const needed = (schema.required ?? []).includes(key) && sub.default === undefined
    return fc
      .option(field(sub), { freq: needed ? 10 : 2, nil: undefined })
      .map((value) => [key, value] as const)
  })
  return fc
    .tuple(
      fc.tuple(...entries),
      fc.option(fc.tuple(fc.constantFrom('extra', '__proto__'), hostileValue), { freq: 5, nil: undefined }),
    )
    .map(([pairs, extra]) => {
      const result: Record<string, unknown> = {}
      for (const [key, value] of pairs) if (value !== undefined) result[key] = value
      if (extra !== undefined) Object.defineProperty(result, extra[0], { value: extra[1], enumerable: true })
      return result
    })
}

/** Percent-encodes every UTF-8 byte, so lone surrogates and controls reach the server as bytes. */
const encode = (value: unknown): string =>
  [...Buffer.from(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''), 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).padStart(2, '0').toUpperCase()}`,
    )
    .join('')

/** Query text as it is sent: encoded, or with raw escapes the decoder must cope with. */
const queryText = (value: unknown): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: fc.constant(encode(value)), weight: 5 },
    fc.constantFrom('%ff', '%c0%80', '%e0%80', '%', '%%', 'a&b=c', '%00%00'),
  )

interface Fuzzed {
  method: string
  url: string
  payload?: string
}

function request(route: RouteSummary): fc.Arbitrary<Fuzzed> {
  const params = plainJson(route.schema?.params)
  const query = plainJson(route.schema?.querystring)
  const body = plainJson(route.schema?.body)
  const names = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1] ?? '')
  const pathValues = fc.tuple(
    ...names.map((name) => field(params?.properties?.[name] ?? {}).map((v) => (v === '' ? 'x' : v))),
  )
  const queryPairs = query === undefined ? fc.constant({}) : object(query)
  const payload =
    body === undefined
      ? fc.constant(undefined)
      : fc.oneof(
          { arbitrary: object(body).map((v) => JSON.stringify(v)), weight: 6 },
          hostileValue.map((v) => JSON.stringify(v) ?? 'null'),
          fc.constantFrom('', '{', '{"a":', '[]', '"\\ud800"', `{"epicId":"${'\\u0000'.repeat(3)}"}`),
        )
  return fc.tuple(pathValues, queryPairs, payload).chain(([values, pairs, text]) => {
    let url = route.url
    names.forEach((name, i) => {
      url = url.replace(`:${name}`, encode(values[i]))
    })
    const entries = Object.entries(pairs)
    return fc.tuple(...entries.map(([, v]) => queryText(v))).map((texts) => {
      const search = entries.map(([key], i) => `${key}=${texts[i]}`).join('&')
      return {
        method: route.method,
        url: search === '' ? url : `${url}?${search}`,
        ...(text === undefined ? {} : { payload: text }),
      }
    })
  })
}

describe('API routes under hostile parameters and bodies', () => {
  it('finds the API routes with their schemas', () => {
    const names = routes.map((r) => `${r.method} ${r.url}`)
    expect(names).toEqual(
      expect.arrayContaining([
        'GET /api/roadmap',
        'GET /api/epics/:id',
        'POST /api/overrides',
        'DELETE /api/overrides/:id',
        'POST /api/what-if',
        'GET /api/versions/:id/diff',
      ]),
    )
    expect(routes.filter((r) => r.schema?.querystring !== undefined).length).toBeGreaterThan(5)
  })

  it('never answers 5xx, and answers every error in the one shape', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes).chain(request), async ({ method, url, payload }) => {
        const response = await t.app.inject({
          method: method as 'GET',
          url,
          headers: {
            authorization: `Bearer ${TEST_TOKENS.owner}`,
            ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(payload === undefined ? {} : { payload }),
        })
        const what = `${method} ${url.slice(0, 200)} ${payload?.slice(0, 200) ?? ''} → ${response.body.slice(0, 300)}`
        expect(response.statusCode, what).toBeLessThan(500)
        if (response.statusCode >= 400) {
          expect(response.json(), what).toEqual({
            error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }),
          })
        }
      }),
      { numRuns: RUNS, seed: SEED },
    )
    expect(t.logs()).not.toContain('"level":50')
  })
})
