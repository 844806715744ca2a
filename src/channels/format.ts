/**
 * How numbers and days read in a report. Fixed locale and time zone: a report must render the same
 * on every machine (golden files), whatever the server's locale.
 */

const amount = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 })
/** The same rounding without grouping, read back as a number. */
const roundedAmount = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, useGrouping: false })
const day = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
})

/** 1234.56 → '1,234.6'; 9 → '9'. */
export function formatAmount(n: number): string {
  return amount.format(n)
}

/**
 * The sum of amounts as formatAmount shows them (to one decimal): a total printed beside its parts
 * adds up to the parts as the reader sees them, not to their unrounded sum.
 */
export function shownSum(amounts: readonly number[]): number {
  // Rounded by the formatter itself, so each part is exactly the figure printed.
  const tenths = amounts.reduce((sum, n) => sum + Math.round(Number(roundedAmount.format(n)) * 10), 0)
  return tenths / 10
}

/** An ISO timestamp → '11 Jan 2027' (UTC). */
export function formatDay(instant: string): string {
  return day.format(new Date(instant))
}

/** 0.625 → '63%'. */
export function percent(share: number): string {
  return `${Math.round(share * 100)}%`
}

/** plural(1, 'epic') → '1 epic'; plural(3, 'epic') → '3 epics'. */
export function plural(n: number, noun: string): string {
  return `${formatAmount(n)} ${noun}${n === 1 ? '' : 's'}`
}
