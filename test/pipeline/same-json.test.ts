import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sameJson } from '../../src/pipeline/build.ts'

/** What a build compares to tell an unchanged roadmap: JSON data, whatever the key order. */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown

/** The same data with every object's keys in reverse order (as jsonb may return them). */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reordered(v)]),
  )
}

// Objects with undefined properties, as the domain builds them, and values JSON keeps as they are.
const data = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false, 0, 1, -1, 2.5, '', 'a', 'b'),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.constantFrom('a', 'b', 'c', 'rank', 'period'),
      fc.option(tie('value'), { nil: undefined }),
      {
        maxKeys: 4,
      },
    ),
  ),
})).value

describe('sameJson', () => {
  it('agrees with comparing the two as serialised JSON data', () => {
    fc.assert(
      fc.property(data, data, (a, b) => {
        expect(sameJson(a, b)).toBe(isDeepStrictEqual(asJson(a), asJson(b)))
      }),
      { numRuns: 2_000 },
    )
  })

  it('holds a value equal to its own JSON round trip with its keys reordered', () => {
    fc.assert(
      fc.property(data, (a) => {
        expect(sameJson(a, reordered(asJson(a)))).toBe(true)
      }),
    )
  })

  it('tells a missing property from a null one, and an undefined one from none', () => {
    expect(sameJson({ a: undefined }, {})).toBe(true)
    expect(sameJson({ a: null }, {})).toBe(false)
    expect(sameJson([1, 2], [1, 2, 3])).toBe(false)
    expect(sameJson({ a: [1] }, { a: { 0: 1 } })).toBe(false)
  })
})
