// @ts-check
// The roadmap view: the timeline with its filters and summary, the build it shows, and moving
// between cards with the keyboard.
/** @import { RoadmapResponse } from './types.d.ts' */
/** @import { LaneLayout } from './timeline.js' */
import { ApiError, api, errorText } from './api.js'
import { drawerEpic, isDrawerOpen, markSelected } from './drawer-view.js'
import { ago, esc, num, plural } from './format.js'
import { chronic, el, nameOf, names, notice, openPeriods, shared } from './page-state.js'
import { effortStep, timelineLayout } from './timeline.js'
import { askForCredentials, offersSignIn } from './token.js'

const timeline = el('timeline')
const filtersForm = /** @type {HTMLFormElement} */ (el('filters'))

const state = {
  filters: { search: '', track: '', team: '', deferred: false, signoff: false },
  /** Effort per card size step, from the whole roadmap. */
  step: 1,
  firstRender: true,
  /** Every lane of the first render drawn. */
  complete: false,
}

export async function loadRoadmap() {
  try {
    setRoadmap(/** @type {RoadmapResponse} */ (await api('/api/roadmap/timeline')))
    notice(el('roadmap-notice'), '')
  } catch (error) {
    showRoadmapError(error)
  }
}

/** Why there is no timeline, and what to do about it. @param {unknown} error */
export function showRoadmapError(error) {
  document.documentElement.dataset.ready = 'error'
  timeline.setAttribute('aria-busy', 'false')
  timeline.innerHTML = ''
  const unbuilt = error instanceof ApiError && error.status === 404
  el('roadmap-summary').textContent = unbuilt
    ? 'No roadmap has been built yet.'
    : error instanceof ApiError && error.status === 401
      ? offersSignIn(error)
        ? 'Sign in to read this roadmap.'
        : 'This roadmap needs a token to read.'
      : 'The roadmap could not be loaded.'
  notice(
    el('roadmap-notice'),
    unbuilt
      ? 'No roadmap has been built yet: it is built after the first sync of the trackers (or run `onetrack build`).'
      : errorText(error),
  )
  if (error instanceof ApiError && error.status === 401) askForCredentials(error)
}

/** @param {RoadmapResponse} roadmap */
export function setRoadmap(roadmap) {
  if (state.firstRender) performance.mark('roadmap-loaded')
  shared.roadmap = roadmap
  shared.byId = new Map(roadmap.entries.map((e) => [e.epicId, e]))
  state.step = effortStep(roadmap.entries)
  renderTimeline()
  renderRoadmapMeta()
}

function renderRoadmapMeta() {
  const roadmap = shared.roadmap
  if (roadmap === null) return
  const planned = roadmap.entries.filter((e) => e.period !== null).length
  const unscored = roadmap.entries.filter((e) => e.score.status === 'unscored').length
  const chronicCount = roadmap.entries.filter((e) => e.deferrals >= chronic()).length
  const awaiting = roadmap.entries.reduce((n, e) => n + e.unacknowledged, 0)
  const awaitingEpics = roadmap.entries.filter((e) => e.unacknowledged > 0).length
  el('roadmap-summary').textContent =
    `${plural(roadmap.entries.length, 'open epic')} · ${num(planned)} planned · ${num(roadmap.entries.length - planned)} not planned · ${num(unscored)} unscored · ${plural(chronicCount, 'chronic deferral')}${awaiting > 0 ? ` · ${plural(awaitingEpics, 'epic')} awaiting sign-off (${plural(awaiting, 'deferral')})` : ''}`
  const v = roadmap.version
  const build = el('build-status')
  build.textContent = `Version #${v.id} · built ${ago(v.builtAt)}${v.status === 'proposed' ? ' · proposed, awaiting approval' : ''}`
  build.title = `${v.trigger}, built ${new Date(v.builtAt).toLocaleString()}`
  const problems = /** @type {HTMLDetailsElement} */ (el('problems'))
  const all = [
    ...roadmap.problems,
    ...roadmap.cycles.map((c) => `dependency cycle: ${c.map(nameOf).join(' → ')}`),
  ]
  problems.hidden = all.length === 0
  const summary = problems.querySelector('summary')
  const list = problems.querySelector('ul')
  if (summary !== null) summary.textContent = `${plural(all.length, 'thing')} to look at in this build`
  if (list !== null) list.innerHTML = all.map((p) => `<li>${esc(p)}</li>`).join('')
}

function filteredEntries() {
  const roadmap = shared.roadmap
  if (roadmap === null) return []
  const { search, track, team, deferred, signoff } = state.filters
  const needle = search.trim().toLowerCase()
  if (needle === '' && track === '' && team === '' && !deferred && !signoff) return roadmap.entries
  return roadmap.entries.filter(
    (e) =>
      (track === '' || e.track === track) &&
      (team === '' || e.team === team) &&
      (!deferred || e.deferrals > 0) &&
      (!signoff || e.unacknowledged > 0) &&
      (needle === '' || e.title.toLowerCase().includes(needle) || e.key.toLowerCase().includes(needle)),
  )
}

/** Card rows a lane is drawn at least as tall as (cards are one to six title lines high). */
const CARD_PX = 64
/** A lane this near the visible part of the timeline is drawn before the others. */
const LANE_MARGIN = '100% 0px'
/** @type {IntersectionObserver | null} */
let laneObserver = null

function renderTimeline() {
  const roadmap = shared.roadmap
  if (roadmap === null) return
  const periods = openPeriods()
  const teams = (shared.meta?.teams ?? []).map((t) => ({ id: t.id, name: t.name ?? t.id }))
  const shownTeams = state.filters.team === '' ? teams : teams.filter((t) => t.id === state.filters.team)
  const selected = drawerEpic()
  timeline.style.setProperty('--periods', String(Math.max(1, periods.length)))
  const layout = timelineLayout({
    periods,
    teams: shownTeams,
    entries: filteredEntries(),
    load: roadmap.load,
    commitments: roadmap.commitments,
    chronic: chronic(),
    periodName: names(),
    today: new Date().toISOString().slice(0, 10),
    step: state.step,
    ...(selected === null ? {} : { pinned: selected }),
  })
  // Thousands of cards cost the browser far more to lay out than to fetch: the lanes that fill the
  // first screen are drawn now, the others as shells (name and count) drawn when scrolled near.
  laneObserver?.disconnect()
  let room = window.innerHeight
  let html = layout.head
  for (const lane of layout.lanes) {
    html += room > 0 ? lane.html() : lane.shell
    room -= Math.max(1, lane.cards) * CARD_PX
  }
  timeline.innerHTML = html + layout.tail
  const pending = [...timeline.querySelectorAll('.tl-lane.is-pending')]
  const drawn = layout.lanes.length - pending.length
  /** @param {Element} shell */
  const draw = (shell) => {
    if (!(shell instanceof HTMLElement) || !shell.isConnected) return
    observer?.unobserve(shell)
    drawLane(shell, layout.lanes[Number(shell.dataset.lane)])
  }
  // A lane scrolled near is drawn at once; the others one per task after the first screen is
  // painted, so every card is on the page soon (find in page, links to a card) without holding
  // up the first paint.
  const observer =
    pending.length === 0
      ? null
      : new IntersectionObserver(
          (seen) => {
            for (const { isIntersecting, target } of seen) if (isIntersecting) draw(target)
          },
          { root: el('timeline-wrap'), rootMargin: LANE_MARGIN },
        )
  for (const lane of pending) observer?.observe(lane)
  laneObserver = observer
  const drawRest = () => {
    const next = pending.shift()
    if (next !== undefined && laneObserver === observer) {
      draw(next)
      setTimeout(drawRest, 0)
      return
    }
    if (laneObserver !== observer) return
    if (!state.complete) {
      state.complete = true
      performance.mark('timeline-complete')
    }
    document.documentElement.dataset.ready = 'timeline'
  }
  timeline.setAttribute('aria-busy', 'false')
  if (state.firstRender) {
    state.firstRender = false
    performance.mark('timeline-rendered', { detail: { lanes: drawn, of: layout.lanes.length } })
    requestAnimationFrame(() =>
      setTimeout(() => {
        performance.mark('timeline-painted')
        drawRest()
      }, 0),
    )
  } else drawRest()
}

/**
 * Replaces a lane's shell with the lane, keeping the drawer's card marked.
 * @param {HTMLElement} shell @param {LaneLayout | undefined} lane
 */
function drawLane(shell, lane) {
  if (lane === undefined || !shell.isConnected) return
  shell.outerHTML = lane.html()
  const selected = drawerEpic()
  if (selected !== null) markSelected(selected)
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let searchTimer
filtersForm.addEventListener('input', () => {
  const data = new FormData(filtersForm)
  state.filters = {
    search: String(data.get('search') ?? ''),
    track: String(data.get('track') ?? ''),
    team: String(data.get('team') ?? ''),
    deferred: data.get('deferred') !== null,
    signoff: data.get('signoff') !== null,
  }
  clearTimeout(searchTimer)
  searchTimer = setTimeout(renderTimeline, 80)
})
filtersForm.addEventListener('submit', (event) => event.preventDefault())

// Keyboard: '/' searches; arrows move between cards (up/down in a column, left/right across periods).
document.addEventListener('keydown', (event) => {
  const target = event.target
  if (
    event.key === '/' &&
    !(
      target instanceof HTMLInputElement ||
      target instanceof HTMLTextAreaElement ||
      target instanceof HTMLSelectElement
    ) &&
    !isDrawerOpen() &&
    shared.view === 'roadmap'
  ) {
    event.preventDefault()
    const search = filtersForm.querySelector('input[name="search"]')
    if (search instanceof HTMLInputElement) search.focus()
    return
  }
  if (!(target instanceof HTMLElement) || !target.classList.contains('card')) return
  const item = target.parentElement
  /** @type {Element | null | undefined} */
  let next = null
  if (event.key === 'ArrowDown') next = item?.nextElementSibling?.firstElementChild
  else if (event.key === 'ArrowUp') next = item?.previousElementSibling?.firstElementChild
  else if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
    let cell = target.closest('.tl-cell')
    const index = item === null ? 0 : [...(item.parentElement?.children ?? [])].indexOf(item)
    while (cell !== null && next === null) {
      const sibling = event.key === 'ArrowRight' ? cell.nextElementSibling : cell.previousElementSibling
      cell = sibling?.classList.contains('tl-cell') ? sibling : null
      const cards = cell?.querySelectorAll('.card')
      if (cards !== undefined && cards.length > 0) next = cards[Math.min(index, cards.length - 1)] ?? null
    }
  } else return
  if (next instanceof HTMLElement) {
    event.preventDefault()
    next.focus()
  }
})
