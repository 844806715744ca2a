// @ts-check
// The deferrals view: what the deferrals cost (numbers and chart) and the ledger, newest first.
/** @import { CostResponse, LedgerEvent, Period, TimelineEntry } from './types.d.ts' */
import { costChartHtml } from './chart.js'
import { cost, day, esc, num, shownKey } from './format.js'

/**
 * @typedef {object} LedgerContext
 * @property {string} unit
 * @property {number} chronic
 * @property {Period[]} periods
 * @property {TimelineEntry[]} entries today's roadmap, for the chronic count and the accrued cost
 * @property {(periodId: string | null) => string} periodName
 * @property {(team: string) => string} teamName
 * @property {string} now
 */

/**
 * The numbers and the chart.
 * @param {CostResponse} data @param {number} total @param {LedgerContext} ctx @param {number} width of the chart, px
 */
export function costHtml(data, total, ctx, width) {
  const last = data.points.at(-1)
  const projected = last?.accumulated ?? 0
  const technical = last?.byTrack.technical ?? 0
  const chronic = ctx.entries.filter((e) => e.deferrals >= ctx.chronic)
  const chronicCost = chronic.reduce((s, e) => s + e.accruedCost, 0)
  const accrued = ctx.entries.reduce((s, e) => s + e.accruedCost, 0)
  const share = projected > 0 ? Math.round((technical / projected) * 100) : 0
  const stats = [
    stat(
      'Projected cost of the deferrals',
      cost(projected, data.unit),
      'Σ cost of delay per period × periods slipped, at each call',
    ),
    stat(
      'Cost of delay accrued',
      cost(data.accrued, data.unit),
      `${cost(accrued, data.unit)} of it on epics still open; it grows each day committed work is late, shipped epics keep theirs`,
    ),
    stat('Events listed', num(total), 'in the ledger, matching the filters'),
    stat(
      'Chronic epics',
      num(chronic.length),
      `deferred ${ctx.chronic}× or more; ${cost(chronicCost, data.unit)} accrued`,
      chronic.length > 0 ? 'is-chronic' : '',
    ),
    stat('Technical share', `${share}%`, 'of the projected cost, on platform and technical work'),
  ]
  return `<div class="stats">${stats.join('')}</div><section class="panel" aria-labelledby="chart-title"><h2 id="chart-title" class="panel-title">Projected cost of the deferrals <span class="count">${esc(data.unit)}, running total by track of the epic</span></h2>${costChartHtml(data.points, ctx.periods, data.unit, ctx.now, width)}</section>`
}

/** @param {string} label @param {string} value @param {string} sub @param {string} [cls] */
function stat(label, value, sub, cls = '') {
  return `<div class="stat ${cls}"><div class="stat-label">${esc(label)}</div><div class="stat-value">${esc(value)}</div><div class="stat-sub">${esc(sub)}</div></div>`
}

/** Ledger rows, to append to the table body. @param {LedgerEvent[]} events @param {LedgerContext} ctx */
export function ledgerRowsHtml(events, ctx) {
  let html = ''
  for (const e of events) {
    const deferral = e.deferral
    const move = `${ctx.periodName(e.fromPeriod)} → ${ctx.periodName(e.toPeriod)}`
    html += `<tr class="${deferral ? 'is-deferral' : ''}">
      <td class="nowrap"><time datetime="${esc(e.at)}">${esc(day(e.at))}</time></td>
      <td>${epicCell(e)}<div class="sub"><span class="chip t-${e.epic.track}">${e.epic.track}</span> ${esc(ctx.teamName(e.epic.team))}</div></td>
      <td class="nowrap">${kindWord(e.kind)}<div class="sub">${esc(move)}</div>${deferral ? signOffCell(e) : ''}</td>
      <td class="why">${e.causeText === null ? '<span class="muted">—</span>' : esc(e.causeText)}</td>
      <td class="num">${deferral ? (e.costOfDelay === null ? '<span class="muted" title="unscored: not priced">–</span>' : esc(num(e.projectedCost))) : '<span class="muted">—</span>'}</td>
      <td class="num">${deferral ? `<span class="badge b-defer${e.deferralCount >= ctx.chronic ? ' is-chronic' : ''}">×${e.deferralCount}</span>` : ''}</td>
    </tr>`
  }
  return html
}

/** The epic, by key and title (the title alone when its key is an internal id). @param {LedgerEvent} e */
function epicCell(e) {
  const key = shownKey(e.epic.key)
  return `<a href="/epics/${encodeURIComponent(e.epicId)}" data-epic-link="${esc(e.epicId)}">${key === '' ? '' : `<span class="key">${esc(key)}</span> `}${esc(e.epic.title)}</a>`
}

/** Whether the owner signed the deferral off (nothing when the API does not say). @param {LedgerEvent} e */
function signOffCell(e) {
  if (e.acknowledgement === undefined) return ''
  if (e.acknowledgement === null)
    return '<div class="sub"><span class="badge b-signoff">needs sign-off</span></div>'
  return `<div class="sub ack-by" title="${esc(e.acknowledgement.reason)}">accepted by ${esc(e.acknowledgement.by)}</div>`
}

/** The table around the rows. @param {string} unit */
export function ledgerTableHtml(unit) {
  return `<table class="ledger"><caption class="sr-only">Deferral ledger, newest first</caption><thead><tr><th scope="col">When</th><th scope="col">Epic</th><th scope="col">What</th><th scope="col">Why</th><th scope="col" class="num" title="cost of delay per period × periods slipped, when the call was made">Projected cost (${esc(unit)})</th><th scope="col" class="num" title="the epic’s deferrals: distinct committed periods left">Deferrals</th></tr></thead><tbody></tbody></table>`
}

function kindWord(/** @type {LedgerEvent['kind']} */ kind) {
  switch (kind) {
    case 'deferred':
      return '<strong>Deferred</strong>'
    case 'rolled_over':
      return '<strong>Rolled over</strong>'
    case 'replanned':
      return 'Replanned <span class="muted">(not counted)</span>'
    case 'pulled_in':
      return 'Pulled in'
    case 'added':
      return 'Added'
    case 'removed':
      return 'Removed'
    case 'completed':
      return 'Completed'
  }
}
