// @ts-check
// An epic's drawer: the score in plain words (the three questions every epic answers), its place in
// the plan, its deferral history as a timeline, the owner's overrides and the form to add one.
/** @import { Acknowledgement, Entry, EpicResponse, LedgerEvent, Period, ScoreBreakdown } from './types.d.ts' */
import { cost, day, dayTime, esc, eventTitle, num, plural, score, shownKey } from './format.js'
import { guarded, mayEdit, maySignOff, signInLink } from './permissions.js'
import { overrideWord, reasonText } from './timeline.js'
import { deferTarget, whatIfSectionHtml } from './whatif.js'

/**
 * @typedef {object} DrawerContext
 * @property {number} chronic
 * @property {(periodId: string | null) => string} periodName
 * @property {(epicId: string) => { key: string, title: string } | undefined} epicOf the key and title of an epic the page knows
 * @property {(sourceId: string) => string} trackerOf 'Jira', 'Linear'
 * @property {Period[]} openPeriods
 * @property {Period[]} periods every configured period, in order (where "one more period" goes)
 * @property {string} pageUrl the epic's own page
 */

/** @param {EpicResponse} data @param {DrawerContext} ctx */
export function drawerHtml(data, ctx) {
  const { epic, entry } = data
  const tracker = ctx.trackerOf(epic.source)
  const deferrals = data.deferrals
  const chronic = deferrals >= ctx.chronic
  const key = shownKey(epic.key)
  let html = `<header class="dr-head">
    <div class="dr-eyebrow"><span class="chip t-${epic.track}">${epic.track}</span>${key === '' ? '' : `<span>${esc(key)}</span>`}<span aria-hidden="true">·</span><span>${esc(teamLabel(epic.team))}</span><span aria-hidden="true">·</span><span>${statusWord(epic.status)}</span></div>
    <h2 id="drawer-title" class="dr-title">${esc(epic.title)}</h2>
    <div class="dr-links">${epic.url === '' ? '' : `<a class="btn btn-quiet" href="${esc(epic.url)}" target="_blank" rel="noopener noreferrer">Open in ${esc(tracker)} <span aria-hidden="true">↗</span></a>`}<a class="btn btn-quiet" href="${esc(ctx.pageUrl)}" data-copy="${esc(ctx.pageUrl)}">Copy link</a>${signInLink()}</div>
    <button type="button" class="dr-close icon-btn" data-close aria-label="Close (Escape)">✕</button>
  </header>`
  html += '<div class="dr-body">'
  html += summary(data, entry, deferrals, chronic, ctx)
  if (entry !== null) html += breakdown(entry, deferrals, data, ctx)
  else
    html += `<section class="dr-section"><p class="muted">${epic.deleted ? 'This epic is no longer in its tracker.' : `This epic is ${statusWord(epic.status)}, so it is not on the roadmap.`}</p></section>`
  html += history(data, ctx)
  if (entry !== null) html += whatIfSectionHtml(epic.id, deferTarget(entry, ctx.periods))
  html += overrides(data, ctx)
  html += '</div>'
  return html
}

/** @param {EpicResponse} data @param {Entry | null} entry @param {number} deferrals @param {boolean} chronic @param {DrawerContext} ctx */
function summary(data, entry, deferrals, chronic, ctx) {
  const facts = []
  if (entry !== null) {
    facts.push(fact('Rank', `#${entry.rank}`))
    facts.push(fact('Score', entry.score.status === 'scored' ? score(entry.score.score) : 'unscored'))
    facts.push(
      fact(
        'Planned',
        entry.period === null ? 'not planned' : spanText(entry, ctx),
        entry.placement === 'pinned'
          ? 'pinned by the owner'
          : entry.placement === 'kept'
            ? 'in progress, kept'
            : '',
      ),
    )
    facts.push(fact('Effort', num(entry.effort)))
    facts.push(
      fact(
        'Committed',
        entry.commitment === null ? 'not committed' : ctx.periodName(entry.commitment),
        entry.commitment === null
          ? 'beyond the horizon, or added since the period started: it can move freely'
          : 'at the start of the period: moving it later is a deferral',
      ),
    )
  }
  facts.push(
    fact(
      'Deferred',
      deferrals === 0 ? 'never' : `${deferrals}×`,
      chronic ? 'chronic' : deferrals > 0 ? `${plural(deferrals, 'committed period')} left` : '',
      chronic ? 'is-chronic' : '',
    ),
  )
  facts.push(
    fact(
      'Cost of delay accrued',
      cost(data.accruedCost, data.unit),
      data.accruedCost > 0
        ? 'for each day late past its committed period; never given back'
        : 'it has not been late',
      'fact-accrued',
    ),
  )
  let html = `<dl class="facts">${facts.join('')}</dl>`
  if (entry !== null) {
    const notes = []
    if (entry.period === null)
      notes.push(`<p class="note note-warn">Not planned: ${esc(reasonText(entry))}.</p>`)
    if (entry.override !== null)
      notes.push(
        `<p class="note note-override"><strong>${esc(overrideWord(entry.override.kind))}${entry.override.period === null ? '' : ` ${entry.override.kind === 'pin' ? 'in' : 'until'} ${esc(ctx.periodName(entry.override.period))}`}</strong> by ${esc(entry.override.author)}: “${esc(entry.override.rationale)}”</p>`,
      )
    if (entry.pulledForwardFor !== null)
      notes.push(
        `<p class="note note-pulled">Planned early: it blocks ${epicLink(entry.pulledForwardFor, ctx)}, which ranks higher.</p>`,
      )
    if (entry.blockers.length > 0)
      notes.push(
        `<p class="note">Waits for ${entry.blockers.map((b) => epicLink(b, ctx)).join(', ')}${entry.notBefore === null ? '' : `, so not before ${esc(ctx.periodName(entry.notBefore))}`}.</p>`,
      )
    for (const warning of entry.warnings) notes.push(`<p class="note note-warn">${esc(warning)}</p>`)
    html += notes.join('')
  }
  for (const problem of data.epic.problems) html += `<p class="note note-warn">${esc(problem)}</p>`
  return `<section class="dr-section dr-summary" aria-label="Summary">${html}</section>`
}

/** @param {Entry} entry @param {DrawerContext} ctx */
function spanText(entry, ctx) {
  if (entry.spans.length <= 1) return ctx.periodName(entry.period)
  return `${ctx.periodName(entry.spans[0]?.period ?? null)} – ${ctx.periodName(entry.spans.at(-1)?.period ?? null)}`
}

/** @param {string} label @param {string} value @param {string} [sub] @param {string} [cls] */
function fact(label, value, sub = '', cls = '') {
  return `<div class="fact ${cls}"><dt>${esc(label)}</dt><dd>${esc(value)}${sub === '' ? '' : `<span class="fact-sub">${esc(sub)}</span>`}</dd></div>`
}

/**
 * The score breakdown as the three questions, each answered with the numbers behind it.
 * @param {Entry} entry @param {number} deferrals @param {EpicResponse} data @param {DrawerContext} ctx
 */
function breakdown(entry, deferrals, data, ctx) {
  const b = entry.score.breakdown
  const t = b.terms
  const unit = data.unit
  let head
  if (entry.score.status === 'scored') {
    head = `<p class="formula"><span class="f-big">${score(entry.score.score)}</span> = cost of delay <strong>${num(entry.score.costOfDelay, 1)}</strong> ${esc(unit)} per period ÷ effort <strong>${num(b.effortUsed)}</strong>${b.effortUsed !== b.inputs.effort ? ` (at least ${num(b.effortUsed)})` : ''}</p>${shareBar(b)}`
  } else {
    const missing = entry.score.missing ?? []
    head = `<p class="note note-warn"><strong>Not scored yet.</strong> Missing: ${missing.map((m) => esc(missingWord(m))).join(', ')}. Fill ${missing.length === 1 ? 'it' : 'them'} in the ticket: a missing input is never read as zero.</p>`
  }
  const weight = (/** @type {number | null} */ term, /** @type {number | null} */ input) =>
    term !== null && input !== null && input !== 0 && Math.abs(term / input - 1) > 1e-9
      ? ` × weight ${num(term / input, 2)}`
      : ''
  const v = b.inputs.value
  const q1 = `<li class="q q-value"><h4><span class="q-n">1</span>What business outcome does it advance?</h4>
    <p>${v === null ? '<em>Value is not given.</em>' : `Business value rated <strong>${num(v)}</strong>${weight(t.value, v)}.`}</p>
    <p class="q-term">value <strong>${num(t.value)}</strong></p></li>`

  const tc = b.inputs.timeCriticality
  const risk = b.inputs.risk
  const interest = riskInterest(b)
  let riskText
  if (risk === null) riskText = '<em>Risk reduction is not given.</em>'
  else if (deferrals > 0 && b.riskEffective !== null)
    riskText = `The risk it removes is rated <strong>${num(risk)}</strong>, and it compounds with every deferral: ${plural(deferrals, 'deferral')}${interest === null ? '' : ` at +${num(interest * 100, 0)}% each`} make it <strong>${num(b.riskEffective, 1)}</strong>${weight(t.risk, b.riskEffective)}.`
  else
    riskText = `The risk it removes is rated <strong>${num(risk)}</strong>${weight(t.risk, risk)}; it grows with every deferral.`
  const q2 = `<li class="q q-delay"><h4><span class="q-n">2</span>What does it cost not to do it, and how does that grow while we wait?</h4>
    <p>${tc === null ? '<em>Time criticality is not given.</em>' : `Time criticality <strong>${num(tc)}</strong>${weight(t.timeCriticality, tc)}: what waiting costs each period.`}</p>
    <p>${riskText}</p>
    <p>${data.accruedCost > 0 ? `Late past its committed period, waiting has cost <strong>${esc(cost(data.accruedCost, unit))}</strong> so far: it accrues every day it is late and is never given back.` : 'It has not been late yet: no cost of delay has accrued.'}</p>
    <p class="q-term">time criticality <strong>${num(t.timeCriticality)}</strong> + risk <strong>${num(t.risk)}</strong></p></li>`

  const en = b.enablement
  let unblocks
  if (en.reach === 0) unblocks = '<p>It blocks no open epic: nothing waits for it.</p>'
  else {
    const list = en.contributors
      .map(
        (c) =>
          `<li>${epicLink(c.epicId, ctx)} <span class="muted">value ${num(c.value)}${c.depth === 1 ? ', directly' : `, ${c.depth} steps away`} → ${num(c.contribution, 2)}</span></li>`,
      )
      .join('')
    const more = en.reach - en.contributors.length
    unblocks = `<p>It unblocks <strong>${plural(en.reach, 'open epic')}</strong>; their value counts less the further away they are.${en.withoutValue > 0 ? ` ${plural(en.withoutValue, 'of them has', 'of them have')} no value yet and add nothing.` : ''}</p><ul class="contrib">${list}${more > 0 ? `<li class="muted">and ${plural(more, 'more')}${en.truncated ? ' (count capped)' : ''}</li>` : ''}</ul>`
  }
  const q3 = `<li class="q q-enable"><h4><span class="q-n">3</span>What does it unblock?</h4>${unblocks}<p class="q-term">enablement <strong>${num(t.enablement, 2)}</strong></p></li>`
  return `<section class="dr-section" aria-labelledby="why-title"><h3 id="why-title">Why it ranks #${entry.rank}</h3>${head}<ol class="questions">${q1}${q2}${q3}</ol></section>`
}

/** The cost of delay split into its terms, as one bar. */
function shareBar(/** @type {ScoreBreakdown} */ b) {
  const parts = [
    ['value', b.terms.value ?? 0],
    ['time', b.terms.timeCriticality ?? 0],
    ['risk', b.terms.risk ?? 0],
    ['enablement', b.terms.enablement],
  ]
  const total = parts.reduce((s, [, v]) => s + Number(v), 0)
  if (total <= 0) return ''
  let x = 0
  let rects = ''
  let legend = ''
  for (const [name, value] of parts) {
    const w = (Number(value) / total) * 100
    rects += `<rect class="sb-${name}" x="${x.toFixed(2)}" width="${w.toFixed(2)}" height="10"/>`
    x += w
    legend += `<li><span class="sw sb-${name}" aria-hidden="true"></span>${name} ${Math.round(w)}%</li>`
  }
  return `<div class="sharebar"><svg class="sb-svg" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">${rects}</svg><ul class="sb-legend" aria-label="Share of the cost of delay">${legend}</ul></div>`
}

/** The interest that turned risk into effective risk: (eff / risk)^(1/deferrals) − 1. */
function riskInterest(/** @type {ScoreBreakdown} */ b) {
  const { risk } = b.inputs
  if (risk === null || risk <= 0 || b.riskEffective === null || b.deferrals <= 0) return null
  return (b.riskEffective / risk) ** (1 / b.deferrals) - 1
}

/**
 * The ledger of one epic, oldest first, as a vertical timeline: deferrals with their projected cost
 * and sign-off, replans as replans (never counted, never signed off), and one form that signs off
 * every deferral still open (one owner call answers them all).
 * @param {EpicResponse} data @param {DrawerContext} ctx
 */
function history(data, ctx) {
  const events = data.history
  const unit = data.unit
  const deferrals = events.filter((e) => e.deferral)
  const replans = events.filter((e) => e.kind === 'replanned').length
  const open = deferrals.filter((e) => e.acknowledgement === null)
  const counts = [plural(deferrals.length, 'deferral')]
  if (replans > 0) counts.push(plural(replans, 'replan'))
  if (open.length > 0) counts.push(`${num(open.length)} awaiting sign-off`)
  let html = `<section class="dr-section" aria-labelledby="history-title"><h3 id="history-title">History <span class="count">${counts.join(' · ')}</span></h3>`
  if (events.length === 0) return `${html}<p class="muted">Nothing recorded yet.</p></section>`
  if (open.length > 0 && open[0]?.acknowledgement !== undefined) html += signOffForm(data, open, unit)
  html += '<ol class="history">'
  for (const event of events) {
    const deferral = event.deferral
    const replan = event.kind === 'replanned'
    html += `<li class="ev ev-${event.kind}${deferral ? ' is-deferral' : ''}" id="ev-${esc(event.id)}"><div class="ev-dot${event.kind === 'pulled_in' || event.kind === 'completed' ? ' is-good' : ''}" aria-hidden="true"></div><div class="ev-body">`
    let badge = ''
    if (deferral)
      badge = `<span class="badge b-defer${event.deferralCount >= ctx.chronic ? ' is-chronic' : ''}">deferral ${event.deferralCount}</span>`
    else if (replan)
      badge =
        '<span class="badge b-replan" title="moved, but not out of a commitment: not counted, no sign-off">replan, not counted</span>'
    html += `<div class="ev-top"><time datetime="${esc(event.at)}">${esc(day(event.at))}</time>${badge}</div>`
    html += `<div class="ev-title">${esc(eventTitle(event, ctx.periodName))}</div>`
    if (event.causeText !== null)
      html += `<p class="ev-cause">Because <span class="ev-why">${esc(event.causeText)}</span>.</p>`
    if (event.displacedBy.length > 0)
      html += `<p class="ev-displaced">Its place went to ${event.displacedBy
        .slice(0, 4)
        .map(
          (d) =>
            `${epicLink(d.epicId, ctx, d)} <span class="muted">#${d.rank}${d.score === null ? '' : `, score ${score(d.score)}`}${d.pulledForwardFor === null || d.pulledForwardFor === undefined ? '' : `, pulled forward as a blocker of ${esc(nameIn(d.pulledForwardFor, ctx))}`}</span>`,
        )
        .join(', ')}${event.displacedBy.length > 4 ? ` and ${event.displacedBy.length - 4} more` : ''}.</p>`
    if (deferral) html += projected(event, unit)
    if (deferral && event.acknowledgement !== undefined) html += signOff(event.acknowledgement)
    html += '</div></li>'
  }
  return `${html}</ol></section>`
}

/** A deferral's price when the call was made: cost of delay per period × periods slipped. */
function projected(/** @type {LedgerEvent} */ event, /** @type {string} */ unit) {
  if (event.costOfDelay === null)
    return '<p class="ev-cost">Projected cost: not known, it could not be scored.</p>'
  return `<p class="ev-cost">Projected cost <strong>${esc(cost(event.projectedCost, unit))}</strong> <span class="muted">(${plural(event.periodsSlipped, 'period')} × ${esc(cost(event.costOfDelay, unit))} per period)</span></p>`
}

/**
 * A deferral's sign-off: who accepted it, when and why; while open, a badge (the form above the
 * history signs off all of the epic's open deferrals at once).
 * @param {Acknowledgement | null} ack
 */
function signOff(ack) {
  if (ack !== null) {
    const how = ack.via === 'slack' ? ' in Slack' : ack.via === 'override' ? ' by pinning the epic' : ''
    return `<p class="ack ack-done" tabindex="-1"><span class="ack-mark" aria-hidden="true">✓</span><span>Accepted by <strong class="ack-by">${esc(ack.by)}</strong>${how} <time datetime="${esc(ack.at)}" title="${esc(dayTime(ack.at))}">${esc(day(ack.at))}</time>: <q class="ack-reason">${esc(ack.reason)}</q></span></p>`
  }
  return '<p class="ack ack-pending"><span class="badge b-signoff">needs sign-off</span></p>'
}

/**
 * The owner's one call for the epic: accept every deferral still open with one reason.
 * @param {EpicResponse} data @param {LedgerEvent[]} open @param {string} unit
 */
function signOffForm(data, open, unit) {
  const formId = 'ack-epic'
  const price = open.reduce((sum, e) => sum + e.projectedCost, 0)
  const what = open.length === 1 ? 'this deferral' : `these ${num(open.length)} deferrals`
  const opener = `<button type="button" class="btn btn-small" data-ack-open="${formId}" aria-expanded="false" aria-controls="${formId}">Accept with a reason</button>`
  return `<div class="ack ack-open"><p class="ack-ask"><span class="badge b-signoff">needs sign-off</span> ${esc(plural(open.length, 'deferral'))} awaiting the owner’s call, projected at ${esc(cost(price, unit))}.</p>${guarded(opener, maySignOff(data.epic.team))}
    <form class="ack-form" id="${formId}" data-ack-epic="${esc(data.epic.id)}" hidden novalidate>
      <label class="field"><span>Why ${open.length === 1 ? 'is' : 'are'} ${what} acceptable? <span class="muted">(required: it is recorded with your name, once for all of them)</span></span><textarea name="reason" rows="2" required></textarea></label>
      <div class="form-foot"><button type="submit" class="btn btn-primary btn-small">${open.length === 1 ? 'Accept deferral' : `Accept ${num(open.length)} deferrals`}</button><button type="button" class="btn btn-quiet btn-small" data-ack-cancel>Cancel</button><span class="form-status" role="status" aria-live="polite"></span></div>
      <p class="form-error" role="alert" hidden></p>
    </form></div>`
}

/** Overrides recorded for the epic, and the form to add one. */
function overrides(/** @type {EpicResponse} */ data, /** @type {DrawerContext} */ ctx) {
  let html = '<section class="dr-section" aria-labelledby="ov-title"><h3 id="ov-title">Owner’s decisions</h3>'
  if (data.overrides.length === 0) html += '<p class="muted">No override: it is planned by its score.</p>'
  else {
    html += '<ul class="overrides">'
    for (const o of data.overrides) {
      const revoked = o.revokedAt !== null
      html += `<li class="ov${revoked ? ' is-revoked' : ''}"><div><strong>${esc(overrideWord(o.kind))}</strong>${o.period === undefined ? '' : ` ${o.kind === 'pin' ? 'in' : 'until'} ${esc(ctx.periodName(o.period))}`} <span class="muted">by ${esc(o.author)}, ${esc(day(o.createdAt))}${revoked ? `; revoked ${esc(day(o.revokedAt ?? ''))}${o.revokedBy === null ? '' : ` by ${esc(o.revokedBy)}`}` : ''}</span></div><p class="ov-why">“${esc(o.rationale)}”</p>${revoked ? '' : guarded(`<button type="button" class="btn btn-small" data-revoke="${esc(o.id)}">Revoke</button>`, mayEdit())}</li>`
    }
    html += '</ul>'
  }
  if (data.entry !== null) {
    const options = ctx.openPeriods
      .map((p) => `<option value="${esc(p.id)}">${esc(p.name)}</option>`)
      .join('')
    html += `<form class="ov-form" data-epic="${esc(data.epic.id)}" novalidate>
      <fieldset><legend>Record a decision</legend>
      <div class="seg" role="radiogroup" aria-label="Decision">
        <label><input type="radio" name="kind" value="pin" checked> Pin</label>
        <label><input type="radio" name="kind" value="defer"> Defer</label>
        <label><input type="radio" name="kind" value="exclude"> Exclude</label>
      </div>
      <p class="hint" data-hint>Plan it in the period chosen, whatever its rank and the capacity left.</p>
      <label class="field" data-period-field><span>Period</span><select name="period">${options}</select></label>
      <label class="field"><span>Rationale <span class="muted">(required: it shows in reports and in the history)</span></span><textarea name="rationale" rows="3" required></textarea></label>
      <div class="form-foot">${guarded('<button type="submit" class="btn btn-primary">Record decision</button>', mayEdit())}<span class="form-status" role="status" aria-live="polite"></span></div>
      <p class="form-error" role="alert" hidden></p>
      </fieldset></form>`
  }
  return `${html}</section>`
}

/** An epic as people name it, from what the page knows of it. @param {string} epicId @param {DrawerContext} ctx */
function nameIn(epicId, ctx) {
  const epic = ctx.epicOf(epicId)
  if (epic === undefined) return 'an epic not on the roadmap'
  const key = shownKey(epic.key)
  return key === '' ? epic.title : `${key} ${epic.title}`
}

/**
 * A link that opens another epic in the drawer, named by key and title (the title alone when its
 * key is an internal id), never by its id.
 * @param {string} epicId @param {DrawerContext} ctx @param {{ key: string, title: string }} [named]
 */
function epicLink(epicId, ctx, named) {
  const epic = named ?? ctx.epicOf(epicId)
  const key = epic === undefined ? '' : shownKey(epic.key)
  const title = epic === undefined ? 'an epic not on the roadmap' : epic.title
  return `<a href="/epics/${encodeURIComponent(epicId)}" data-epic-link="${esc(epicId)}">${key === '' ? '' : `<span class="key">${esc(key)}</span> `}${esc(title)}</a>`
}

function statusWord(/** @type {string} */ status) {
  return status === 'in_progress' ? 'in progress' : status === 'todo' ? 'to do' : status
}

function missingWord(/** @type {string} */ input) {
  return input === 'timeCriticality'
    ? 'time criticality'
    : input === 'risk'
      ? 'risk reduction'
      : input === 'value'
        ? 'business value'
        : 'effort estimate'
}

/** Team ids as shown; the page replaces them with names when it knows them. */
let teamNames = new Map()
export function setTeamNames(/** @type {Map<string, string>} */ names) {
  teamNames = names
}
function teamLabel(/** @type {string | null} */ team) {
  return team === null ? 'no team' : (teamNames.get(team) ?? team)
}

/** What each kind of override does, for the form's hint. */
export const OVERRIDE_HINTS = {
  pin: 'Plan it in the period chosen, whatever its rank and the capacity left.',
  defer: 'Keep it out of every period before the one chosen.',
  exclude: 'Take it off the plan; epics it blocks stay blocked.',
}
