// @ts-check
// An epic's drawer: the score in plain words (the three questions every epic answers), its place in
// the plan, its deferral history as a timeline, the owner's overrides and the form to add one.
/** @import { Acknowledgement, Entry, EpicResponse, LedgerEvent, Period, ScoreBreakdown } from './types.d.ts' */
import { cost, day, dayTime, esc, eventTitle, num, plural, score, shortId } from './format.js'
import { overrideWord, reasonText } from './timeline.js'
import { deferTarget, whatIfSectionHtml } from './whatif.js'

/**
 * @typedef {object} DrawerContext
 * @property {string} unit cost-of-delay unit
 * @property {number} chronic
 * @property {(periodId: string | null) => string} periodName
 * @property {(epicId: string) => string} keyOf
 * @property {(epicId: string) => string | undefined} titleOf
 * @property {(epicId: string) => boolean} isKnown whether the page knows the epic's key
 * @property {(sourceId: string) => string} trackerOf 'Jira', 'Linear'
 * @property {Period[]} openPeriods
 * @property {Period[]} periods every configured period, in order (where "one more period" goes)
 * @property {string} pageUrl the epic's own page
 */

/** @param {EpicResponse} data @param {DrawerContext} ctx */
export function drawerHtml(data, ctx) {
  const { epic, entry } = data
  const tracker = ctx.trackerOf(epic.source)
  const deferrals = entry?.deferrals ?? data.history.filter((e) => e.deferral).length
  const chronic = deferrals >= ctx.chronic
  let html = `<header class="dr-head">
    <div class="dr-eyebrow"><span class="chip t-${epic.track}">${epic.track}</span><span>${esc(epic.key)}</span><span aria-hidden="true">·</span><span>${esc(teamLabel(epic.team))}</span><span aria-hidden="true">·</span><span>${statusWord(epic.status)}</span></div>
    <h2 id="drawer-title" class="dr-title">${esc(epic.title)}</h2>
    <div class="dr-links">${epic.url === '' ? '' : `<a class="btn btn-quiet" href="${esc(epic.url)}" target="_blank" rel="noopener noreferrer">Open in ${esc(tracker)} <span aria-hidden="true">↗</span></a>`}<a class="btn btn-quiet" href="${esc(ctx.pageUrl)}" data-copy="${esc(ctx.pageUrl)}">Copy link</a></div>
    <button type="button" class="dr-close icon-btn" data-close aria-label="Close (Escape)">✕</button>
  </header>`
  html += '<div class="dr-body">'
  html += summary(data, entry, deferrals, chronic, ctx)
  if (entry !== null) html += breakdown(entry, deferrals, ctx)
  else
    html += `<section class="dr-section"><p class="muted">${epic.deleted ? 'This epic is no longer in its tracker.' : `This epic is ${statusWord(epic.status)}, so it is not on the roadmap.`}</p></section>`
  html += history(data.history, ctx)
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
  }
  facts.push(
    fact(
      'Deferred',
      deferrals === 0 ? 'never' : `${deferrals}×`,
      chronic ? 'chronic' : '',
      chronic ? 'is-chronic' : '',
    ),
  )
  const accumulated = entry?.costOfDelayAccumulated ?? data.history.at(-1)?.costOfDelayAccumulated ?? 0
  facts.push(fact('Cost of delay so far', cost(accumulated, ctx.unit)))
  let html = `<dl class="facts">${facts.join('')}</dl>`
  if (entry !== null) {
    const notes = []
    if (entry.period === null)
      notes.push(`<p class="note note-warn">Not planned: ${esc(reasonText(entry))}.</p>`)
    if (entry.override !== null)
      notes.push(
        `<p class="note note-override"><strong>${esc(overrideWord(entry.override.kind))}${entry.override.period === null ? '' : ` ${entry.override.kind === 'pin' ? 'in' : 'until'} ${esc(ctx.periodName(entry.override.period))}`}</strong> by ${esc(entry.override.author)}: “${esc(entry.override.rationale)}”</p>`,
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
 * @param {Entry} entry @param {number} deferrals @param {DrawerContext} ctx
 */
function breakdown(entry, deferrals, ctx) {
  const b = entry.score.breakdown
  const t = b.terms
  const unit = ctx.unit
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
    <p>Waiting has cost <strong>${esc(cost(entry.costOfDelayAccumulated, unit))}</strong> so far.</p>
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

/** The ledger of one epic, oldest first, as a vertical timeline. */
function history(/** @type {LedgerEvent[]} */ events, /** @type {DrawerContext} */ ctx) {
  const deferrals = events.filter((e) => e.deferral)
  const open = deferrals.filter((e) => e.acknowledgement === null).length
  let html = `<section class="dr-section" aria-labelledby="history-title"><h3 id="history-title">History <span class="count">${plural(deferrals.length, 'deferral')}${open === 0 ? '' : ` · ${num(open)} awaiting sign-off`}</span></h3>`
  if (events.length === 0) return `${html}<p class="muted">Nothing recorded yet.</p></section>`
  html += '<ol class="history">'
  for (const event of events) {
    const deferral = event.deferral
    html += `<li class="ev ev-${event.kind}${deferral ? ' is-deferral' : ''}" id="ev-${esc(event.id)}"><div class="ev-dot${event.kind === 'pulled_in' || event.kind === 'completed' ? ' is-good' : ''}" aria-hidden="true"></div><div class="ev-body">`
    html += `<div class="ev-top"><time datetime="${esc(event.at)}">${esc(day(event.at))}</time>${deferral ? `<span class="badge b-defer${event.deferralCount >= ctx.chronic ? ' is-chronic' : ''}">deferral ${event.deferralCount}</span>` : ''}</div>`
    html += `<div class="ev-title">${esc(eventTitle(event, ctx.periodName))}</div>`
    if (event.causeText !== null)
      html += `<p class="ev-cause">Because <span class="ev-why">${esc(event.causeText)}</span>.</p>`
    if (event.displacedBy.length > 0)
      html += `<p class="ev-displaced">Its place went to ${event.displacedBy
        .slice(0, 4)
        .map(
          (d) =>
            `${epicLink(d.epicId, ctx, d.title)} <span class="muted">#${d.rank}${d.score === null ? '' : `, score ${score(d.score)}`}</span>`,
        )
        .join(', ')}${event.displacedBy.length > 4 ? ` and ${event.displacedBy.length - 4} more` : ''}.</p>`
    if (event.costOfDelayAdded !== 0)
      html += `<p class="ev-cost">${event.costOfDelayAdded > 0 ? '+' : '−'}${esc(cost(Math.abs(event.costOfDelayAdded), ctx.unit))} of delay (${plural(Math.abs(event.periodsSlipped), 'period')} × ${num(event.costOfDelay)}), ${esc(cost(event.costOfDelayAccumulated, ctx.unit))} in all</p>`
    if (deferral && event.acknowledgement !== undefined) html += signOff(event.id, event.acknowledgement)
    html += '</div></li>'
  }
  return `${html}</ol></section>`
}

/**
 * A deferral's sign-off: who accepted it, when and why; or, while open, the form to accept it.
 * @param {string} id the ledger event @param {Acknowledgement | null} ack
 */
function signOff(id, ack) {
  if (ack !== null) {
    const how = ack.via === 'slack' ? ' in Slack' : ack.via === 'override' ? ' by pinning the epic' : ''
    return `<p class="ack ack-done" tabindex="-1"><span class="ack-mark" aria-hidden="true">✓</span><span>Accepted by <strong class="ack-by">${esc(ack.by)}</strong>${how} <time datetime="${esc(ack.at)}" title="${esc(dayTime(ack.at))}">${esc(day(ack.at))}</time>: <q class="ack-reason">${esc(ack.reason)}</q></span></p>`
  }
  const formId = `ack-${id}`
  return `<div class="ack ack-open"><span class="badge b-signoff">needs sign-off</span><button type="button" class="btn btn-small" data-ack-open="${esc(formId)}" aria-expanded="false" aria-controls="${esc(formId)}">Accept with a reason</button>
    <form class="ack-form" id="${esc(formId)}" data-ack="${esc(id)}" hidden novalidate>
      <label class="field"><span>Why is this deferral acceptable? <span class="muted">(required: it is recorded with your name)</span></span><textarea name="reason" rows="2" required></textarea></label>
      <div class="form-foot"><button type="submit" class="btn btn-primary btn-small">Accept deferral</button><button type="button" class="btn btn-quiet btn-small" data-ack-cancel>Cancel</button><span class="form-status" role="status" aria-live="polite"></span></div>
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
      html += `<li class="ov${revoked ? ' is-revoked' : ''}"><div><strong>${esc(overrideWord(o.kind))}</strong>${o.period === undefined ? '' : ` ${o.kind === 'pin' ? 'in' : 'until'} ${esc(ctx.periodName(o.period))}`} <span class="muted">by ${esc(o.author)}, ${esc(day(o.createdAt))}${revoked ? `; revoked ${esc(day(o.revokedAt ?? ''))}${o.revokedBy === null ? '' : ` by ${esc(o.revokedBy)}`}` : ''}</span></div><p class="ov-why">“${esc(o.rationale)}”</p>${revoked ? '' : `<button type="button" class="btn btn-small" data-revoke="${esc(o.id)}">Revoke</button>`}</li>`
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
      <div class="form-foot"><button type="submit" class="btn btn-primary">Record decision</button><span class="form-status" role="status" aria-live="polite"></span></div>
      <p class="form-error" role="alert" hidden></p>
      </fieldset></form>`
  }
  return `${html}</section>`
}

/** A link that opens another epic in the drawer; its key when the page knows it, else its title. */
/** @param {string} epicId @param {DrawerContext} ctx @param {string} [title] */
function epicLink(epicId, ctx, title) {
  const name = title ?? ctx.titleOf(epicId)
  const key = ctx.keyOf(epicId)
  const keyHtml =
    key === '' || (name !== undefined && key === shortId(epicId) && !ctx.isKnown(epicId))
      ? ''
      : `<span class="key">${esc(key)}</span> `
  return `<a href="/epics/${encodeURIComponent(epicId)}" data-epic-link="${esc(epicId)}">${keyHtml}${esc(name ?? '')}</a>`
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
