// @ts-check
// "What if we defer this one more period?": before anyone decides, the drawer asks the API for the
// build a deferral would cause (POST /api/what-if, nothing saved) and shows what it would record —
// the cost of delay added, the deferrals with their causes, the epics that move, those newly blocked.
/** @import { Entry, Period, WhatIfResponse } from './types.d.ts' */
import { cost, esc, num, plural } from './format.js'

/**
 * Where "one more period" goes: the period after the epic's current one, or why there is none.
 * @param {Entry | null} entry @param {readonly Period[]} periods every configured period, in order
 * @returns {{ period: Period } | { reason: string }}
 */
export function deferTarget(entry, periods) {
  if (entry === null) return { reason: 'It is not on the roadmap, so there is nothing to defer.' }
  if (entry.period === null) return { reason: 'It is not planned: there is no period to defer it from.' }
  const index = periods.findIndex((p) => p.id === entry.period)
  const next = index === -1 ? undefined : periods[index + 1]
  if (next === undefined)
    return { reason: 'It is planned in the last configured period: there is no later one to defer it to.' }
  return { period: next }
}

/** The drawer's section: the button (or why it is off) and the place for the answer. */
export function whatIfSectionHtml(
  /** @type {string} */ epicId,
  /** @type {{ period: Period } | { reason: string }} */ target,
) {
  const ask =
    'period' in target
      ? `<button type="button" class="btn" data-what-if="${esc(epicId)}" data-period="${esc(target.period.id)}" aria-describedby="wi-note">What if we defer this one more period?</button><span class="hint" id="wi-note">To ${esc(target.period.name)}. Runs the build it would cause; nothing is saved.</span>`
      : `<button type="button" class="btn" disabled aria-describedby="wi-note">What if we defer this one more period?</button><span class="hint" id="wi-note">${esc(target.reason)}</span>`
  return `<section class="dr-section dr-whatif" aria-labelledby="wi-title"><h3 id="wi-title">Before deciding</h3><div class="wi-ask">${ask}</div><div class="wi-result" data-what-if-result aria-live="polite"></div></section>`
}

/**
 * @typedef {object} WhatIfContext
 * @property {string} epicId the epic asked about
 * @property {string} key its key
 * @property {string} from the name of the period it is in now
 * @property {string} to the name of the period asked about
 * @property {(periodId: string | null) => string} periodName
 * @property {(periodId: string | null) => number} periodIndex calendar order; unplanned last
 * @property {(epicId: string) => string} keyOf
 */

const LIST_LIMIT = 30

/** The answer, in words and numbers. @param {WhatIfResponse} r @param {WhatIfContext} ctx */
export function whatIfHtml(r, ctx) {
  const unit = r.unit
  const added = r.costOfDelayAdded
  let html = `<p class="wi-head">Deferring <strong>${esc(ctx.key)}</strong> from ${esc(ctx.from)} to ${esc(ctx.to)} would add</p>`
  html += `<p class="wi-cost"><span class="wi-cost-n">${added > 0 ? '+' : added < 0 ? '−' : ''}${esc(num(Math.abs(added)))}</span> ${esc(unit)} of cost of delay</p>`
  const byPeriod = Object.entries(r.costOfDelayAddedByPeriod)
    .filter(([, v]) => v !== 0)
    .sort(([a], [b]) => ctx.periodIndex(a) - ctx.periodIndex(b))
  if (byPeriod.length > 0)
    html += `<ul class="wi-periods" aria-label="Cost of delay added, by the period each epic slips out of">${byPeriod
      .map(
        ([p, v]) =>
          `<li><span>${esc(ctx.periodName(p))}</span> <strong>${v > 0 ? '+' : '−'}${esc(cost(Math.abs(v), unit))}</strong></li>`,
      )
      .join('')}</ul>`

  // The deferrals, the asked-about one first, then the knock-on ones in the build's order.
  const deferrals = [...r.deferrals].sort(
    (a, b) => Number(b.epicId === ctx.epicId) - Number(a.epicId === ctx.epicId),
  )
  html += `<h4 class="wi-h">Deferrals it would cause <span class="count">${num(deferrals.length)}</span></h4>`
  if (deferrals.length === 0) html += '<p class="muted">None.</p>'
  else
    html += list(
      deferrals.map((d) => {
        const self = d.epicId === ctx.epicId
        const asked = d.cause?.kind === 'override' && 'author' in d.cause && d.cause.author === 'what-if'
        const words = asked
          ? `${ctx.periodName(d.fromPeriod)} → ${ctx.periodName(d.toPeriod)}: the deferral asked about`
          : d.description
        return `<li class="${self ? 'is-self' : 'wi-knock'}">${link(d.epicId, d.epic.key, d.epic.title)}<span class="wi-why">${esc(words)}</span>${d.costOfDelayAdded === 0 ? '' : `<span class="wi-add">${d.costOfDelayAdded > 0 ? '+' : '−'}${esc(cost(Math.abs(d.costOfDelayAdded), unit))}</span>`}</li>`
      }),
      'wi-deferrals',
    )

  const moved = r.moved.filter((m) => m.epicId !== ctx.epicId)
  html += `<h4 class="wi-h">Other epics that would move <span class="count">${num(moved.length)}</span></h4>`
  if (moved.length === 0) html += '<p class="muted">None.</p>'
  else
    html += list(
      moved.map((m) => {
        const later = ctx.periodIndex(m.toPeriod) > ctx.periodIndex(m.fromPeriod)
        return `<li class="wi-knock">${link(m.epicId, m.key, m.title)}<span class="wi-move">${esc(ctx.periodName(m.fromPeriod))} → <strong class="${later ? 'later' : 'earlier'}">${esc(ctx.periodName(m.toPeriod))}</strong></span></li>`
      }),
      'wi-moved',
    )

  if (r.newlyBlocked.length > 0) {
    html += `<h4 class="wi-h">Newly blocked <span class="count">${num(r.newlyBlocked.length)}</span></h4>`
    html += list(
      r.newlyBlocked.map(
        (b) =>
          `<li class="wi-knock">${link(b.epicId, b.key, b.title)}<span class="wi-why">would wait for ${esc(b.blockedBy.map(ctx.keyOf).join(', '))}, unplanned</span></li>`,
      ),
      'wi-blocked',
    )
  }
  for (const problem of r.problems) html += `<p class="note note-warn">${esc(problem)}</p>`
  const { before, after } = r.summary
  const plan =
    before === null
      ? `${plural(after.planned, 'epic')} planned`
      : before.planned === after.planned
        ? `still ${plural(after.planned, 'epic')} planned`
        : `${num(before.planned)} → ${num(after.planned)} epics planned`
  html += `<p class="wi-foot muted">${esc(plan)}. ${r.basedOn === null ? 'Compared with no roadmap yet.' : `Compared with version #${r.basedOn.versionId}.`} Nothing was saved: to make the call, record it below.</p>`
  return `<div class="wi">${html}</div>`
}

/** @param {string[]} items @param {string} cls */
function list(items, cls) {
  const shown = items.slice(0, LIST_LIMIT).join('')
  const more = items.length - LIST_LIMIT
  return `<ul class="wi-list ${cls}">${shown}${more > 0 ? `<li class="muted">and ${plural(more, 'more')}</li>` : ''}</ul>`
}

/** @param {string} epicId @param {string} key @param {string} title */
function link(epicId, key, title) {
  return `<a href="/epics/${encodeURIComponent(epicId)}" data-epic-link="${esc(epicId)}"><span class="key">${esc(key)}</span> ${esc(title)}</a>`
}
