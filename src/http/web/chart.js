// @ts-check
// The projected cost of the deferrals over time, as hand-written SVG: a step chart (the total moves
// only when a build records deferrals, and never goes down), stacked by track, with the period boundaries behind it. A few
// dozen points need no charting library.
/** @import { CostPoint, Period } from './types.d.ts' */
import { cost, day, esc, num } from './format.js'

const H = 280
const PAD = { top: 12, right: 16, bottom: 30, left: 56 }

/**
 * @param {CostPoint[]} points oldest first
 * @param {Period[]} periods
 * @param {string} unit
 * @param {string} now ISO instant: the chart runs to it
 * @param {number} [width] px; the chart scales to its box, this only sets the text's proportion
 */
export function costChartHtml(points, periods, unit, now, width = 960) {
  const W = Math.max(480, Math.round(width))
  if (points.length === 0)
    return '<p class="muted chart-empty">No cost of delay yet: no committed work has been deferred.</p>'
  const sorted = [...points].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
  const first = Date.parse(sorted[0]?.at ?? now)
  const last = Math.max(Date.parse(now), Date.parse(sorted.at(-1)?.at ?? now))
  const t0 = first - (last - first) * 0.02
  const t1 = last
  const top = niceMax(Math.max(...sorted.map((p) => p.accumulated), 1))
  const x = (/** @type {number} */ t) =>
    PAD.left + ((t - t0) / Math.max(1, t1 - t0)) * (W - PAD.left - PAD.right)
  const y = (/** @type {number} */ v) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom)

  let svg = ''
  // Period boundaries and names, behind everything.
  for (const period of periods) {
    const start = Date.parse(`${period.start}T00:00:00Z`)
    const end = Date.parse(`${period.end}T00:00:00Z`)
    if (end < t0 || start > t1) continue
    const xs = x(Math.max(start, t0))
    const xe = x(Math.min(end, t1))
    svg += `<line class="c-period" x1="${xs.toFixed(1)}" x2="${xs.toFixed(1)}" y1="${PAD.top}" y2="${H - PAD.bottom}"/>`
    if (xe - xs > 40)
      svg += `<text class="c-period-name" x="${((xs + xe) / 2).toFixed(1)}" y="${H - PAD.bottom + 22}" text-anchor="middle">${esc(period.name)}</text>`
  }
  // Horizontal grid with values.
  for (let i = 0; i <= 4; i++) {
    const v = (top / 4) * i
    const yy = y(v).toFixed(1)
    svg += `<line class="c-grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${yy}" y2="${yy}"/><text class="c-tick" x="${PAD.left - 8}" y="${yy}" dy="0.32em" text-anchor="end">${esc(num(v, 0))}</text>`
  }

  // Steps: the value holds until the next point, and to now.
  /** @param {(p: CostPoint) => number} value */
  const stepPath = (value) => {
    let d = `M${x(t0).toFixed(1)},${y(0).toFixed(1)}`
    let prev = 0
    for (const p of sorted) {
      const xx = x(Date.parse(p.at)).toFixed(1)
      d += ` L${xx},${y(prev).toFixed(1)} L${xx},${y(value(p)).toFixed(1)}`
      prev = value(p)
    }
    d += ` L${x(t1).toFixed(1)},${y(prev).toFixed(1)}`
    return d
  }
  const baseline = ` L${x(t1).toFixed(1)},${y(0).toFixed(1)} Z`
  const technical = (/** @type {CostPoint} */ p) => p.byTrack.technical ?? 0
  const both = (/** @type {CostPoint} */ p) => (p.byTrack.technical ?? 0) + (p.byTrack.product ?? 0)
  svg += `<path class="c-area c-product" d="${stepPath(both)}${baseline}"/>`
  svg += `<path class="c-area c-technical" d="${stepPath(technical)}${baseline}"/>`
  svg += `<path class="c-line" d="${stepPath((p) => p.accumulated)}"/>`
  // One marker per build that added cost, with its numbers as a tooltip.
  for (const p of sorted) {
    if (p.added === 0) continue
    const label = `${day(p.at)}: +${cost(p.added, unit)} projected, ${cost(p.accumulated, unit)} in all (technical ${cost(p.byTrack.technical, unit)}, product ${cost(p.byTrack.product, unit)})`
    svg += `<circle class="c-dot" cx="${x(Date.parse(p.at)).toFixed(1)}" cy="${y(p.accumulated).toFixed(1)}" r="4"><title>${esc(label)}</title></circle>`
  }
  svg += `<line class="c-axis" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}"/>`
  const lastPoint = sorted.at(-1)
  const summary =
    lastPoint === undefined
      ? ''
      : `Projected cost of the deferrals: ${cost(lastPoint.accumulated, unit)} by ${day(lastPoint.at)}, of which technical ${cost(lastPoint.byTrack.technical, unit)} and product ${cost(lastPoint.byTrack.product, unit)}.`
  return `<figure class="chart"><svg class="chart-svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(summary)}">${svg}</svg><figcaption class="chart-legend"><span><span class="sw sw-technical" aria-hidden="true"></span>technical</span><span><span class="sw sw-product" aria-hidden="true"></span>product</span><span><span class="sw sw-line" aria-hidden="true"></span>total</span></figcaption></figure>`
}

/** A round number at or above `v` for the top of the axis: 1, 2, 2.5 or 5 × 10^k. */
function niceMax(/** @type {number} */ v) {
  const exp = 10 ** Math.floor(Math.log10(v))
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * exp >= v) return m * exp
  return 10 * exp
}
