// @ts-check
// What every view of the page shares: the API's meta and latest roadmap, the keys learned of epics
// that are not on it, and small DOM helpers. Each view keeps its own state in its own module.
/** @import { Meta, RoadmapResponse, TimelineEntry } from './types.d.ts' */
import { epicName, periodNamer } from './format.js'

/** @typedef {'roadmap' | 'deferrals' | 'versions'} View */

export const shared = {
  /** @type {Meta | null} */
  meta: null,
  /** @type {RoadmapResponse | null} */
  roadmap: null,
  /** @type {Map<string, TimelineEntry>} */
  byId: new Map(),
  /** @type {Map<string, { key: string, title: string }>} epics learned from the API (not on the roadmap) */
  known: new Map(),
  /** @type {View} */
  view: 'roadmap',
  /** @type {Promise<unknown>} settles when the first roadmap load has (views that count on it wait) */
  roadmapLoaded: Promise.resolve(),
}

/** @template {HTMLElement} T @param {string} id @returns {T} */
export function el(id) {
  const found = document.getElementById(id)
  if (found === null) throw new Error(`#${id} is missing from index.html`)
  return /** @type {T} */ (found)
}

/** @param {HTMLElement} box @param {string} message */
export function notice(box, message) {
  box.textContent = message
  box.hidden = message === ''
}

/** @param {HTMLElement} box @param {string} message @param {unknown} [field] */
export function showFormError(box, message, field) {
  box.textContent = message
  box.hidden = false
  if (field instanceof HTMLElement) field.focus()
}

/**
 * Runs `handler` for clicks on (or inside) elements matching `selector`. Each view registers its
 * own: the selectors never nest, so at most one handler answers a click.
 * @param {string} selector @param {(target: HTMLElement, event: MouseEvent) => void} handler
 */
export function onClick(selector, handler) {
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest(selector) : null
    if (target instanceof HTMLElement) handler(target, event)
  })
}

/** A click the browser should handle itself (new tab, new window, download). @param {MouseEvent} event */
export function isModified(event) {
  return event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0
}

/** @param {View} view */
export function viewPath(view) {
  return view === 'roadmap' ? '/' : `/${view}`
}

export const periods = () => shared.roadmap?.periods ?? shared.meta?.periods ?? []
export const names = () => periodNamer(periods())
export const unit = () => shared.roadmap?.unit ?? shared.meta?.unit ?? 'points'
export const chronic = () => shared.meta?.chronicThreshold ?? 3
export const teamName = (/** @type {string} */ id) => shared.meta?.teams.find((t) => t.id === id)?.name ?? id
/** Remembers how an epic the roadmap does not show is named (from a ledger page, a diff, a drawer). */
export function learnEpic(/** @type {string} */ id, /** @type {{ key: string, title: string }} */ epic) {
  if (!shared.byId.has(id)) shared.known.set(id, { key: epic.key, title: epic.title })
}
/** The key and title of an epic the page knows; undefined otherwise. @param {string} id */
export const epicOf = (id) => shared.byId.get(id) ?? shared.known.get(id)
/** An epic named as people know it (key and title, or the title alone), never by its id. */
export const nameOf = (/** @type {string} */ id) => {
  const epic = epicOf(id)
  return epic === undefined ? 'an epic not on the roadmap' : epicName(epic)
}

/** Calendar order of a period id; unplanned (null) after every period. */
export function periodIndexer() {
  const order = new Map((shared.roadmap?.periods ?? []).map((p, i) => [p.id, i]))
  return (/** @type {string | null} */ id) => (id === null ? Number.POSITIVE_INFINITY : (order.get(id) ?? -1))
}

export function trackerOf(/** @type {string} */ sourceId) {
  const kind = shared.meta?.sources.find((s) => s.id === sourceId)?.kind ?? ''
  return kind === 'jira' ? 'Jira' : kind === 'linear' ? 'Linear' : 'the tracker'
}

export function openPeriods() {
  const open = new Set(shared.roadmap?.openPeriods ?? [])
  return (shared.roadmap?.periods ?? []).filter((p) => open.has(p.id))
}
