// @ts-check
// The merged roadmap as a timeline: periods as columns, teams as lanes, epics as cards sized by
// effort and coloured by track. Built as HTML strings, a lane at a time (the page inserts the lanes
// on screen first, the others as they come near): no per-card DOM calls and no layout reads. No inline styles (CSP):
// sizes are classes, and the capacity meters are SVG attributes.
/** @import { Period, PeriodCommitment, TeamLoad, TimelineEntry } from './types.d.ts' */
import { epicName, esc, num, periodRange, plural, score as scoreText, shownKey } from './format.js'

/**
 * @typedef {object} TimelineModel
 * @property {Period[]} periods the open periods, in calendar order
 * @property {Array<{ id: string, name: string }>} teams lanes, in order
 * @property {TimelineEntry[]} entries the entries to show (already filtered), best rank first
 * @property {TeamLoad[]} load capacity and booked effort per team and period (of every entry)
 * @property {PeriodCommitment[]} commitments per period of the baseline: committed at its start against planned now
 * @property {number} chronic deferral count from which an epic is chronic
 * @property {(periodId: string | null) => string} periodName
 * @property {string} today YYYY-MM-DD
 * @property {string} [pinned] the epic to mark as selected
 * @property {number} step effort per card size step (see effortStep)
 */

/** Card heights come in SIZES steps: CSS classes sz1…sz6, each one title line taller. */
const SIZES = 6

/**
 * Effort per size step, from the whole roadmap (not the filtered cards, so a card keeps its size
 * while filtering): the 90th percentile effort fills the tallest card; larger ones stay that tall.
 * @param {readonly TimelineEntry[]} entries
 */
export function effortStep(entries) {
  const efforts = entries
    .map((e) => e.effort)
    .filter((e) => e !== null && e > 0)
    .sort((a, b) => /** @type {number} */ (a) - /** @type {number} */ (b))
  const p90 = efforts[Math.floor(efforts.length * 0.9)] ?? efforts.at(-1) ?? SIZES
  return Math.max(0.5, /** @type {number} */ (p90) / SIZES)
}

/**
 * @typedef {object} LaneLayout
 * @property {string} shell the lane with its name and count but no cards: what stands in until it nears the screen
 * @property {() => string} html the whole lane, cards included
 * @property {number} cards cards in its fullest column: how tall it will be
 */

/** The whole timeline as one HTML string. @param {TimelineModel} model @returns {string} */
export function timelineHtml(model) {
  const layout = timelineLayout(model)
  return layout.head + layout.lanes.map((lane) => lane.html()).join('') + layout.tail
}

/**
 * The timeline in parts, so the page draws the lanes on screen first and the others as they come
 * near: the period row, one layout per lane, and what follows the lanes.
 * @param {TimelineModel} model @returns {{ head: string, lanes: LaneLayout[], tail: string }}
 */
export function timelineLayout(model) {
  const { periods, teams, entries, load, step } = model
  /** @type {Map<string, Array<{ entry: TimelineEntry, effort: number, part: number }>>} */
  const cells = new Map()
  /** @type {Map<string, TimelineEntry[]>} */
  const unplanned = new Map()
  /** @type {Map<string, number>} */
  const perTeam = new Map()
  for (const entry of entries) {
    perTeam.set(entry.team, (perTeam.get(entry.team) ?? 0) + 1)
    if (entry.period === null || entry.spans.length === 0) {
      push(unplanned, entry.team, entry)
      continue
    }
    entry.spans.forEach((span, part) => {
      push(cells, `${entry.team}\u0000${span.period}`, { entry, effort: span.effort, part })
    })
  }
  /** @type {Map<string, TeamLoad>} */
  const loads = new Map()
  for (const l of load) loads.set(`${l.team}\u0000${l.period}`, l)

  const laneTeams = [...teams]
  const known = new Set(teams.map((t) => t.id))
  for (const entry of entries) {
    if (!known.has(entry.team)) {
      known.add(entry.team)
      laneTeams.push({ id: entry.team, name: entry.team })
    }
  }

  let head = '<div class="tl-row tl-head" role="presentation"><div class="tl-corner">Team</div>'
  const commitments = new Map(model.commitments.map((c) => [c.period, c]))
  for (const period of periods)
    head += periodHeader(period, load, entries, model.today, commitments.get(period.id))
  head += `<div class="tl-period tl-period-unplanned"><div class="tl-period-name">Not planned</div><div class="tl-period-sub">blocked, no capacity, excluded or deferred</div></div></div>`

  const lanes = laneTeams.map((team, index) => {
    const capacity = loads.get(`${team.id}\u0000${periods[0]?.id ?? ''}`)?.capacity
    const open = `<section class="tl-row tl-lane" data-lane="${index}" aria-label="${esc(team.name)}"><div class="tl-lane-head"><h2 class="tl-lane-name">${esc(team.name)}</h2><div class="tl-lane-sub">${plural(perTeam.get(team.id) ?? 0, 'epic')}${capacity === undefined ? '' : ` · capacity ${num(capacity)}`}</div></div>`
    const left = unplanned.get(team.id) ?? []
    let cards = left.length
    for (const period of periods)
      cards = Math.max(cards, cells.get(`${team.id}\u0000${period.id}`)?.length ?? 0)
    const html = () => {
      let lane = open
      for (const period of periods) {
        const key = `${team.id}\u0000${period.id}`
        const items = cells.get(key) ?? []
        lane += `<div class="tl-cell" role="group" aria-label="${esc(`${team.name}, ${period.name}`)}">`
        lane += meter(loads.get(key))
        lane += '<ol class="stack">'
        for (const item of items) lane += card(item.entry, item.effort, item.part, step, model)
        lane += '</ol></div>'
      }
      lane += `<div class="tl-cell tl-cell-unplanned" role="group" aria-label="${esc(`${team.name}, not planned`)}"><ol class="stack">`
      for (const entry of left) lane += card(entry, entry.effort ?? 0, 0, step, model)
      return `${lane}</ol></div></section>`
    }
    const shell = `${open.replace('class="tl-row tl-lane"', 'class="tl-row tl-lane is-pending"')}<div class="tl-lane-pending">${cards === 0 ? '' : 'Loading…'}</div></section>`
    return { shell, html, cards }
  })
  const tail =
    laneTeams.length === 0 || entries.length === 0 ? '<p class="empty">No epics match these filters.</p>' : ''
  return { head, lanes, tail }
}

/** @template T @param {Map<string, T[]>} map @param {string} key @param {T} value */
function push(map, key, value) {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}

/**
 * @param {Period} period @param {TeamLoad[]} load @param {TimelineEntry[]} entries @param {string} today
 * @param {PeriodCommitment | undefined} commitment
 */
function periodHeader(period, load, entries, today, commitment) {
  let capacity = 0
  let planned = 0
  for (const l of load) {
    if (l.period !== period.id) continue
    capacity += l.capacity
    planned += l.planned
  }
  let technical = 0
  let all = 0
  for (const e of entries) {
    for (const s of e.spans) {
      if (s.period !== period.id) continue
      all += s.effort
      if (e.track === 'technical') technical += s.effort
    }
  }
  const current = period.start <= today && today < period.end
  const share = all > 0 ? Math.round((technical / all) * 100) : 0
  return `<div class="tl-period${current ? ' is-current' : ''}"><div class="tl-period-name">${esc(period.name)}${current ? '<span class="now">now</span>' : ''}</div><div class="tl-period-sub">${esc(periodRange(period))} · ${share}% technical</div>${meter({ team: '', period: period.id, capacity, planned, overbooked: Math.max(0, planned - capacity) })}${commitment === undefined ? '' : commitmentHtml(commitment)}</div>`
}

/**
 * What was committed at the start of the period against what is planned now (the whole roadmap,
 * whatever the filters): the committed epics and where they are, then the plan of today.
 * @param {PeriodCommitment} c
 */
function commitmentHtml(c) {
  const { committed, plannedNow } = c
  const where = [`${num(committed.planned)} on plan`]
  if (committed.moved > 0) where.push(`${num(committed.moved)} moved`)
  if (committed.done > 0) where.push(`${num(committed.done)} done`)
  if (committed.dropped > 0) where.push(`${num(committed.dropped)} dropped`)
  const first = `Committed ${plural(committed.epics, 'epic')}, effort ${num(committed.effort)}`
  const now = `Planned now ${plural(plannedNow.epics, 'epic')}, effort ${num(plannedNow.effort)}${plannedNow.uncommitted > 0 ? ` (${num(plannedNow.uncommitted)} not committed)` : ''}`
  const said = `${first} at the start of the period: ${where.join(', ')}. ${now}.`
  return `<div class="tl-commit${committed.moved > 0 ? ' has-moved' : ''}" title="${esc(said)}" aria-label="${esc(said)}"><div class="tl-commit-line">${esc(first)}</div><div class="tl-commit-where">${esc(where.join(' · '))}</div><div class="tl-commit-now">${esc(now)}</div></div>`
}

/** Booked effort against capacity, with the capacity line; overbooking runs past it in red. */
function meter(/** @type {TeamLoad | undefined} */ load) {
  if (load === undefined) return '<div class="meter meter-none">no capacity</div>'
  const scale = Math.max(load.capacity, load.planned, 1)
  const fill = Math.min(load.planned, load.capacity)
  const over = Math.max(0, load.planned - load.capacity)
  const at = (/** @type {number} */ v) => ((v / scale) * 100).toFixed(2)
  const label =
    over > 0
      ? `${num(load.planned)} of ${num(load.capacity)}, overbooked by ${num(over)}`
      : `${num(load.planned)} of ${num(load.capacity)} booked`
  return `<div class="meter${over > 0 ? ' is-over' : ''}" title="${esc(label)}"><svg viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true"><rect class="m-bg" width="100" height="8"/><rect class="m-fill" width="${at(fill)}" height="8"/>${over > 0 ? `<rect class="m-over" x="${at(load.capacity)}" width="${at(over)}" height="8"/>` : ''}<line class="m-cap" x1="${at(load.capacity)}" x2="${at(load.capacity)}" y1="0" y2="8"/></svg><span class="meter-text">${esc(label)}</span></div>`
}

/**
 * @param {TimelineEntry} entry @param {number} effort effort booked in this column
 * @param {number} part 0 for the first period, 1… for continuations @param {number} step
 * @param {TimelineModel} model
 */
function card(entry, effort, part, step, model) {
  const size = Math.max(1, Math.min(SIZES, Math.ceil(effort / step)))
  const chronic = entry.deferrals >= model.chronic
  const classes = [`card`, `t-${entry.track}`, `sz${size}`]
  if (chronic) classes.push('is-chronic')
  if (entry.override !== null) classes.push(`ov-${entry.override.kind}`)
  if (part > 0) classes.push('is-cont')
  if (model.pinned === entry.epicId) classes.push('is-selected')
  const score = entry.score.status === 'scored' ? scoreText(entry.score.score) : 'unscored'
  let badges = ''
  // Real deferrals only (distinct committed periods left): replans are never counted.
  if (entry.deferrals > 0)
    badges += `<span class="badge b-defer${chronic ? ' is-chronic' : ''}" title="left ${plural(entry.deferrals, 'committed period')} unfinished">deferred ×${entry.deferrals}</span>`
  const open = entry.unacknowledged
  if (open > 0)
    badges += `<span class="badge b-signoff" title="${plural(open, 'deferral')} awaiting the owner’s sign-off">${open} unsigned</span>`
  if (entry.override !== null)
    badges += `<span class="badge b-${entry.override.kind}">${overrideWord(entry.override.kind)}</span>`
  if (entry.score.status === 'unscored') badges += '<span class="badge b-unscored">unscored</span>'
  let note = ''
  if (part > 0) note = `continued from ${esc(model.periodName(entry.spans[0]?.period ?? null))}`
  else if (entry.spans.length > 1) note = `until ${esc(model.periodName(entry.spans.at(-1)?.period ?? null))}`
  else if (entry.period === null) note = esc(reasonText(entry))
  else if (entry.status === 'in_progress') note = 'in progress'
  const label = [
    epicName(entry),
    `${entry.track}`,
    `rank ${entry.rank}`,
    entry.score.status === 'scored' ? `score ${score}` : 'unscored',
    `effort ${num(entry.effort)}${part > 0 ? `, ${num(effort)} here` : ''}`,
    entry.deferrals > 0 ? `deferred ${entry.deferrals} times${chronic ? ', chronic' : ''}` : '',
    open > 0 ? `${plural(open, 'deferral')} awaiting sign-off` : '',
    entry.override !== null ? `${overrideWord(entry.override.kind)}: ${entry.override.rationale}` : '',
    note,
  ]
    .filter((s) => s !== '')
    .join(', ')
  return `<li><button type="button" class="${classes.join(' ')}" data-epic="${esc(entry.epicId)}" aria-label="${esc(label)}"><span class="card-head"><span class="card-key">${esc(shownKey(entry.key))}</span><span class="card-rank">#${entry.rank}</span><span class="card-score">${score}</span></span><span class="card-title">${esc(entry.title)}</span>${badges === '' && note === '' ? '' : `<span class="card-foot">${badges}${note === '' ? '' : `<span class="card-note">${note}</span>`}</span>`}</button></li>`
}

/** 'pinned', 'deferred', 'excluded'. */
export function overrideWord(/** @type {string} */ kind) {
  return kind === 'pin' ? 'pinned' : kind === 'defer' ? 'held back' : 'excluded'
}

/** Why an entry is not planned, in the service's words. */
export function reasonText(/** @type {TimelineEntry} */ entry) {
  return entry.unplannedReason ?? 'not planned'
}
