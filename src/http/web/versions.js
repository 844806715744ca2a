// @ts-check
// The versions view: every build is kept; pick two and see what changed between them.
/** @import { DiffResponse, VersionChange, VersionMeta } from './types.d.ts' */
import { day, dayTime, esc, plural, score, shownKey } from './format.js'
import { guarded, mayApprove } from './permissions.js'

/** @param {VersionMeta} v */
export function versionLabel(v) {
  return `#${v.id} · ${dayTime(v.builtAt)} · ${v.trigger} · ${v.status}`
}

/**
 * The newest build waiting for an owner's approval (publish mode on-approval), with the form to
 * approve it; else the last approval, if any.
 * @param {VersionMeta[]} versions newest first
 */
export function approvalHtml(versions) {
  const newest = versions[0]
  if (newest === undefined || newest.status !== 'proposed') {
    const approved = versions.find((v) => v.approvedBy !== null)
    return approved === undefined
      ? ''
      : `<p class="muted approval-last">Last approved: version #${approved.id} by ${esc(approved.approvedBy)}${approved.approvedAt ? `, ${esc(day(approved.approvedAt))}` : ''}${approved.approvalNote ? ` — “${esc(approved.approvalNote)}”` : ''}.</p>`
  }
  const published = versions.find((v) => v.status === 'published')
  return `<section class="panel approval" aria-labelledby="approval-title">
    <h2 id="approval-title" class="panel-title">Version #${newest.id} is proposed <span class="badge b-status s-proposed">proposed</span></h2>
    <p>Built ${esc(dayTime(newest.builtAt))} (${esc(newest.trigger)}). Nothing of it is written to the trackers until a roadmap owner approves it${published === undefined ? '' : `; the trackers show version #${published.id}`}. Compare the two below before approving.</p>
    <form class="approve-form" data-approve="${newest.id}" novalidate>
      <label class="field"><span>Note <span class="muted">(optional, for the decision log)</span></span><input type="text" name="note" autocomplete="off" /></label>
      <div class="form-foot">${guarded(`<button type="submit" class="btn btn-primary">Approve and publish #${newest.id}</button>`, mayApprove())}<span class="form-status" role="status" aria-live="polite"></span></div>
      <p class="form-error" role="alert" hidden></p>
    </form></section>`
}

/** The two pickers. @param {VersionMeta[]} versions newest first @param {number} from @param {number} to */
export function pickerHtml(versions, from, to) {
  const options = (/** @type {number} */ selected) =>
    versions
      .map(
        (v) =>
          `<option value="${v.id}"${v.id === selected ? ' selected' : ''}>${esc(versionLabel(v))}</option>`,
      )
      .join('')
  return `<form class="picker" data-picker>
    <label class="field"><span>From</span><select name="from">${options(from)}</select></label>
    <button type="button" class="btn btn-quiet swap" data-swap aria-label="Swap the two versions">⇄</button>
    <label class="field"><span>To</span><select name="to">${options(to)}</select></label>
  </form>`
}

const ORDER = /** @type {const} */ (['moved', 'added', 'removed', 'rescored'])
const TITLES = {
  moved: 'Moved between periods',
  added: 'New on the roadmap',
  removed: 'Left the roadmap',
  rescored: 'Score changed',
}

/**
 * @param {DiffResponse} diff
 * @param {{ periodName: (id: string | null) => string, periodIndex: (id: string | null) => number, teamName: (team: string) => string, from: VersionMeta | undefined, to: VersionMeta | undefined }} ctx
 */
export function diffHtml(diff, ctx) {
  const groups = new Map(ORDER.map((k) => [k, /** @type {VersionChange[]} */ ([])]))
  for (const c of diff.changes) groups.get(c.change)?.push(c)
  const later = (groups.get('moved') ?? []).filter(
    (c) => ctx.periodIndex(c.toPeriod) > ctx.periodIndex(c.fromPeriod),
  ).length
  const span =
    ctx.from !== undefined && ctx.to !== undefined
      ? `<p class="lead">From version #${ctx.from.id} (${esc(day(ctx.from.builtAt))}) to #${ctx.to.id} (${esc(day(ctx.to.builtAt))}): ${plural(diff.changes.length, 'change')}.</p>`
      : ''
  const chips = ORDER.map((k) => {
    const n = groups.get(k)?.length ?? 0
    const extra = k === 'moved' && n > 0 ? ` <span class="muted">(${later} later)</span>` : ''
    return `<li class="dchip d-${k}"><span class="dchip-n">${n}</span> ${k}${extra}</li>`
  }).join('')
  const ranks =
    diff.rankChanges > 0
      ? `<li class="dchip"><span class="dchip-n">${diff.rankChanges}</span> only changed rank</li>`
      : ''
  let html = `${span}<ul class="dchips">${chips}${ranks}</ul>`
  if (diff.changes.length === 0)
    return `${html}<p class="muted">Nothing changed between these two builds.</p>`
  for (const kind of ORDER) {
    const list = groups.get(kind) ?? []
    if (list.length === 0) continue
    html += `<section class="panel"><h2 class="panel-title">${TITLES[kind]} <span class="count">${list.length}</span></h2><table class="changes"><tbody>`
    for (const c of list) html += changeRow(c, ctx)
    html += '</tbody></table></section>'
  }
  return html
}

/**
 * @param {VersionChange} c
 * @param {{ periodName: (id: string | null) => string, periodIndex: (id: string | null) => number, teamName: (team: string) => string }} ctx
 */
function changeRow(c, ctx) {
  let what = ''
  if (c.change === 'moved' || c.change === 'rescored') {
    const direction = ctx.periodIndex(c.toPeriod) > ctx.periodIndex(c.fromPeriod) ? 'later' : 'earlier'
    what =
      c.fromPeriod === c.toPeriod
        ? `in ${esc(ctx.periodName(c.toPeriod))}`
        : `${esc(ctx.periodName(c.fromPeriod))} → <strong class="${direction}">${esc(ctx.periodName(c.toPeriod))}</strong>`
  }
  if (c.change === 'added') what = `in <strong>${esc(ctx.periodName(c.toPeriod))}</strong>`
  if (c.change === 'removed')
    what = `${c.closedAs === 'done' ? '<strong class="earlier">done</strong>, ' : c.closedAs === 'canceled' ? '<strong>canceled</strong>, ' : ''}was in ${esc(ctx.periodName(c.fromPeriod))}`
  let scoreHtml = ''
  if (c.fromScore !== null || c.toScore !== null) {
    const delta = c.fromScore !== null && c.toScore !== null ? c.toScore - c.fromScore : null
    scoreHtml =
      c.change === 'rescored' || (delta !== null && Math.abs(delta) > 1e-9)
        ? `score ${score(c.fromScore)} → <strong>${score(c.toScore)}</strong>${delta === null ? '' : ` <span class="${delta > 0 ? 'up' : 'down'}">(${delta > 0 ? '+' : '−'}${score(Math.abs(delta))})</span>`}`
        : `score ${score(c.toScore ?? c.fromScore)}`
  }
  const rank =
    c.fromRank !== null && c.toRank !== null && c.fromRank !== c.toRank
      ? `rank #${c.fromRank} → <strong>#${c.toRank}</strong>`
      : c.toRank !== null
        ? `rank #${c.toRank}`
        : ''
  return `<tr><td><a href="/epics/${encodeURIComponent(c.epicId)}" data-epic-link="${esc(c.epicId)}">${shownKey(c.key) === '' ? '' : `<span class="key">${esc(c.key)}</span> `}${esc(c.title)}</a><div class="sub"><span class="chip t-${c.track}">${c.track}</span> ${esc(ctx.teamName(c.team))}</div></td><td>${what}</td><td class="nowrap">${rank}</td><td class="nowrap">${scoreHtml}</td></tr>`
}
