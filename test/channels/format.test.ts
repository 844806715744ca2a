import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatAmount, shownSum } from '../../src/channels/format.ts'

/** What a reader adds up: the amount as printed, read back. */
const printed = (n: number) => Number(formatAmount(n).replaceAll(',', ''))

describe('shownSum', () => {
  it('is the sum of the amounts as they are printed, so a total adds up to its lines', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { maxLength: 30 }), (amounts) => {
        const byReader = amounts.reduce((sum, n) => sum + Math.round(printed(n) * 10), 0) / 10
        expect(printed(shownSum(amounts))).toBe(byReader)
      }),
      { numRuns: 2_000 },
    )
  })

  it('can differ from the rounded unrounded sum, which is why it exists', () => {
    expect(formatAmount(0.04 + 0.04 + 0.04)).toBe('0.1')
    expect(formatAmount(shownSum([0.04, 0.04, 0.04]))).toBe('0')
    expect(formatAmount(shownSum([6.54, 6.54]))).toBe('13')
    expect(formatAmount(shownSum([1_234.56, 0.06]))).toBe('1,234.7')
  })
})
