// @ts-check
// The epic drawer: opened from a card, a link or its own URL (/epics/<id>); closed with Escape, the
// close button or the backdrop, giving the URL and the focus back to where they came from.
/** @import { EpicResponse } from './types.d.ts' */
import { ApiError, api, errorText } from './api.js'
import { drawerHtml } from './drawer.js'
import { esc, shownKey } from './format.js'
import {
  chronic,
  el,
  epicOf,
  isModified,
  learnEpic,
  onClick,
  openPeriods,
  periods,
  shared,
  trackerOf,
  viewPath,
} from './page-state.js'
import { askForCredentials } from './token.js'

const drawer = /** @type {HTMLDialogElement} */ (el('drawer'))
export const drawerContent = el('drawer-content')
const timeline = el('timeline')

const state = {
  /** @type {string | null} the epic shown */
  epicId: null,
  /** True when opening the drawer pushed a history entry (closing goes back). */
  pushed: false,
  /** @type {HTMLElement | null} where the focus goes back to */
  opener: null,
}

/** The epic the drawer shows (or is loading); null when closed. */
export const drawerEpic = () => state.epicId
export const isDrawerOpen = () => drawer.open

/**
 * @param {string} epicId
 * @param {{ push: boolean, opener?: HTMLElement | null }} options
 */
export async function openEpic(epicId, options) {
  state.epicId = epicId
  if (options.opener !== undefined) state.opener = options.opener
  if (options.push) {
    const path = `/epics/${encodeURIComponent(epicId)}`
    if (drawer.open) history.replaceState(null, '', path)
    else {
      history.pushState(null, '', path)
      state.pushed = true
    }
  }
  markSelected(epicId)
  const entry = shared.byId.get(epicId)
  drawerContent.innerHTML = `<header class="dr-head"><div class="dr-eyebrow">${entry === undefined ? '' : esc(shownKey(entry.key))}</div><h2 id="drawer-title" class="dr-title" tabindex="-1">${entry === undefined ? 'Loading…' : esc(entry.title)}</h2><button type="button" class="dr-close icon-btn" data-close aria-label="Close (Escape)">✕</button></header><div class="dr-body"><p class="muted">Loading…</p></div>`
  if (!drawer.open) drawer.showModal()
  drawer.setAttribute('aria-busy', 'true')
  await renderEpic(epicId, true)
}

/** @param {string} epicId @param {boolean} focus */
export async function renderEpic(epicId, focus) {
  try {
    // The form's periods and the period names come from the roadmap: a drawer opened from its URL
    // waits for the first roadmap load, whichever answer comes first.
    const [data] = await Promise.all([
      api(`/api/epics/${encodeURIComponent(epicId)}`).then((r) => /** @type {EpicResponse} */ (r)),
      shared.roadmapLoaded,
    ])
    if (state.epicId !== epicId) return
    learnEpic(data.epic.id, data.epic)
    for (const e of data.history) for (const d of e.displacedBy) learnEpic(d.epicId, d)
    const periodNames = {
      ...Object.fromEntries((shared.roadmap?.periods ?? []).map((p) => [p.id, p.name])),
      ...data.periodNames,
    }
    drawerContent.innerHTML = drawerHtml(data, {
      chronic: chronic(),
      periodName: (id) => (id === null ? 'unplanned' : (periodNames[id] ?? id)),
      epicOf,
      trackerOf,
      openPeriods: openPeriods(),
      periods: periods(),
      pageUrl: `${location.origin}/epics/${encodeURIComponent(epicId)}`,
    })
    const title = drawerContent.querySelector('#drawer-title')
    if (title instanceof HTMLElement) {
      title.tabIndex = -1
      if (focus) title.focus()
    }
  } catch (error) {
    if (state.epicId !== epicId) return
    const body = drawerContent.querySelector('.dr-body')
    if (body !== null) body.innerHTML = `<p class="notice" role="alert">${esc(errorText(error))}</p>`
    const title = drawerContent.querySelector('#drawer-title')
    if (title instanceof HTMLElement && title.textContent === 'Loading…')
      title.textContent = 'Epic not available'
    if (error instanceof ApiError && error.status === 401) askForCredentials(error)
  } finally {
    drawer.setAttribute('aria-busy', 'false')
  }
}

/** Marks the epic's cards on the timeline as the one the drawer shows. @param {string | null} epicId */
export function markSelected(epicId) {
  for (const card of timeline.querySelectorAll('.card.is-selected')) card.classList.remove('is-selected')
  if (epicId === null) return
  for (const card of timeline.querySelectorAll(`.card[data-epic="${CSS.escape(epicId)}"]`))
    card.classList.add('is-selected')
}

/** @param {{ fromHistory?: boolean }} [options] */
export function closeDrawer(options = {}) {
  const epicId = state.epicId
  state.epicId = null
  if (drawer.open) drawer.close()
  markSelected(null)
  if (options.fromHistory !== true) {
    if (state.pushed) history.back()
    else history.replaceState(null, '', viewPath(shared.view))
  }
  state.pushed = false
  // Focus goes back where it came from: the card (found again, the timeline may have been redrawn).
  const opener = state.opener
  state.opener = null
  let target = opener?.isConnected ? opener : null
  if (target === null && epicId !== null) {
    const card = timeline.querySelector(`.card[data-epic="${CSS.escape(epicId)}"]`)
    if (card instanceof HTMLElement) target = card
  }
  ;(target ?? el('main')).focus()
}

onClick('.card', (card) => {
  if (card.dataset.epic !== undefined) void openEpic(card.dataset.epic, { push: true, opener: card })
})
onClick('a[data-epic-link]', (link, event) => {
  if (isModified(event)) return
  event.preventDefault()
  void openEpic(link.dataset.epicLink ?? '', { push: true, opener: drawer.open ? state.opener : link })
})
onClick('[data-close]', () => closeDrawer())
onClick('[data-copy]', (copy, event) => {
  if (isModified(event)) return
  event.preventDefault()
  void navigator.clipboard?.writeText(copy.dataset.copy ?? '').then(
    () => {
      copy.textContent = 'Link copied'
    },
    () => {},
  )
})

// A click on the backdrop (outside the drawer's panel) closes it.
drawer.addEventListener('click', (event) => {
  if (event.target === drawer) closeDrawer()
})
// Escape: close our way (URL and focus), not the browser's.
drawer.addEventListener('cancel', (event) => {
  event.preventDefault()
  closeDrawer()
})
// The browser may close a modal dialog on Escape without a cancel event (no user activation since
// it opened, e.g. a drawer opened by its URL): tidy up the same way.
drawer.addEventListener('close', () => {
  if (state.epicId !== null) closeDrawer()
})
