// @ts-check
// "What if we defer this one more period?": before anyone decides, the drawer asks the API for the
// build a deferral would cause (POST /api/what-if, nothing saved) and shows what it would record —
// the projected cost of delay, the deferrals with their causes, the epics that move, those newly
// blocked.
/** @import { Entry, Period, WhatIfResponse } from './types.d.ts' */
import { cost, esc, num, plural, shownKey } from './format.js'

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
 * @property {string} name how it is named (key and title)
 * @property {string} from the name of the period it is in now
 * @property {string} to the name of the period asked about
 * @property {(periodId: string | null) => string} periodName
 * @property {(periodId: string | null) => number} periodIndex calendar order; unplanned last
 * @property {(epicId: string) => string} nameOf an epic as people name it
 */

const LIST_LIMIT = 30

/** The answer, in words and numbers. @param {WhatIfResponse} r @param {WhatIfContext} ctx */
export function whatIfHtml(r, ctx) {
  const unit = r.unit
  const added = r.projectedCost
  let html = `<p class="wi-head">Deferring <strong>${esc(ctx.name)}</strong> from ${esc(ctx.from)} to ${esc(ctx.to)} would cost</p>`
  html += `<p class="wi-cost"><span class="wi-cost-n">${added > 0 ? '+' : ''}${esc(num(added))}</span> ${esc(unit)} of cost of delay, projected</p>`
  if (added === 0 && r.deferrals.length === 0)
    html += `<p class="muted">Not committed work: the move would be a replan, not a deferral, and is not priced.</p>`
  const byPeriod = Object.entries(r.projectedCostByPeriod)
    .filter(([, v]) => v !== 0)
    .sort(([a], [b]) => ctx.periodIndex(a) - ctx.periodIndex(b))
  if (byPeriod.length > 0)
    html += `<ul class="wi-periods" aria-label="Projected cost of delay, by the committed period each epic slips out of">${byPeriod
      .map(
        ([p, v]) => `<li><span>${esc(ctx.periodName(p))}</span> <strong>+${esc(cost(v, unit))}</strong></li>`,
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
        return `<li class="${self ? 'is-self' : 'wi-knock'}">${link(d.epicId, d.epic.key, d.epic.title)}<span class="wi-why">${esc(d.description)}</span>${d.projectedCost === 0 ? '' : `<span class="wi-add">+${esc(cost(d.projectedCost, unit))}</span>`}</li>`
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
          `<li class="wi-knock">${link(b.epicId, b.key, b.title)}<span class="wi-why">would wait for ${esc(b.blockedBy.map(ctx.nameOf).join(', '))}, unplanned</span></li>`,
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
  const shown = shownKey(key)
  return `<a href="/epics/${encodeURIComponent(epicId)}" data-epic-link="${esc(epicId)}">${shown === '' ? '' : `<span class="key">${esc(shown)}</span> `}${esc(title)}</a>`
}
