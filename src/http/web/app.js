// @ts-check
// The page: routing (history API), data loading, the timeline, the epic drawer, the deferrals and
// versions views, the token and the override form. Plain ES modules, no build step.
/**
 * @import { AckResponse, ApproveResponse, CostResponse, DeferralsResponse, DiffResponse, Entry, EpicResponse,
 *   Meta, OverrideCreated, RoadmapResponse, VersionMeta, VersionsResponse, WhatIfResponse } from './types.d.ts'
 */
import { ApiError, api, errorText, getToken, setToken } from './api.js'
import { drawerHtml, OVERRIDE_HINTS, setTeamNames } from './drawer.js'
import { ago, esc, num, periodNamer, plural, shortId } from './format.js'
import { costHtml, ledgerRowsHtml, ledgerTableHtml } from './ledger.js'
import { effortStep, timelineHtml } from './timeline.js'
import { approvalHtml, diffHtml, pickerHtml } from './versions.js'
import { whatIfHtml } from './whatif.js'

performance.mark('app-start')

/** @typedef {'roadmap' | 'deferrals' | 'versions'} View */

const state = {
  /** @type {Meta | null} */
  meta: null,
  /** @type {RoadmapResponse | null} */
  roadmap: null,
  /** @type {Map<string, Entry>} */
  byId: new Map(),
  /** @type {View} */
  view: 'roadmap',
  /** @type {string | null} */
  epicId: null,
  /** True when opening the drawer pushed a history entry (closing goes back). */
  drawerPushed: false,
  /** @type {HTMLElement | null} */
  opener: null,
  filters: { search: '', track: '', team: '', deferred: false, signoff: false },
  /** @type {Map<string, string>} extra keys/titles learned from the API (epics not on the roadmap) */
  keys: new Map(),
  ledger: { loaded: false, cursor: /** @type {string | null} */ (null), total: 0 },
  versions: { loaded: false, list: /** @type {VersionMeta[]} */ ([]), from: 0, to: 0 },
  firstRender: true,
  /** Effort per card size step, from the whole roadmap. */
  step: 1,
  /** @type {Promise<unknown>} settles when the first roadmap load has (views that count on it wait) */
  roadmapLoaded: Promise.resolve(),
}

// ---------------------------------------------------------------- elements

/** @template {HTMLElement} T @param {string} id @returns {T} */
function el(id) {
  const found = document.getElementById(id)
  if (found === null) throw new Error(`#${id} is missing from index.html`)
  return /** @type {T} */ (found)
}

const timeline = el('timeline')
const drawer = /** @type {HTMLDialogElement} */ (el('drawer'))
const drawerContent = el('drawer-content')
const filtersForm = /** @type {HTMLFormElement} */ (el('filters'))
const ledgerForm = /** @type {HTMLFormElement} */ (el('ledger-filters'))
const tokenDialog = /** @type {HTMLDialogElement} */ (el('token-dialog'))

// ---------------------------------------------------------------- helpers

const names = () => periodNamer(state.roadmap?.periods ?? state.meta?.periods ?? [])
const unit = () => state.roadmap?.unit ?? state.meta?.unit ?? 'points'
const chronic = () => state.meta?.chronicThreshold ?? 3
const teamName = (/** @type {string} */ id) => state.meta?.teams.find((t) => t.id === id)?.name ?? id
const keyOf = (/** @type {string} */ id) => state.byId.get(id)?.key ?? state.keys.get(id) ?? shortId(id)
const titleOf = (/** @type {string} */ id) => state.byId.get(id)?.title

function trackerOf(/** @type {string} */ sourceId) {
  const kind = state.meta?.sources.find((s) => s.id === sourceId)?.kind ?? ''
  return kind === 'jira' ? 'Jira' : kind === 'linear' ? 'Linear' : 'the tracker'
}

function openPeriods() {
  const open = new Set(state.roadmap?.openPeriods ?? [])
  return (state.roadmap?.periods ?? []).filter((p) => open.has(p.id))
}

/** @param {HTMLElement} box @param {string} message */
function notice(box, message) {
  box.textContent = message
  box.hidden = message === ''
}

// ---------------------------------------------------------------- routing

/** @param {string} pathname @returns {{ view: View, epicId: string | null }} */
function parseRoute(pathname) {
  if (pathname.startsWith('/epics/')) {
    let id = pathname.slice('/epics/'.length)
    try {
      id = decodeURIComponent(id)
    } catch {
      // Leave a malformed escape as it is: the API will say it does not know the epic.
    }
    return { view: state.view, epicId: id }
  }
  if (pathname === '/deferrals') return { view: 'deferrals', epicId: null }
  if (pathname === '/versions') return { view: 'versions', epicId: null }
  return { view: 'roadmap', epicId: null }
}

/** @param {View} view */
function viewPath(view) {
  return view === 'roadmap' ? '/' : `/${view}`
}

/** @param {string} path @param {{ replace?: boolean }} [options] */
function navigate(path, options = {}) {
  if (options.replace === true) history.replaceState(null, '', path)
  else history.pushState(null, '', path)
  applyRoute()
}

function applyRoute() {
  const route = parseRoute(location.pathname)
  showView(route.view)
  if (route.epicId === null) {
    if (drawer.open) closeDrawer({ fromHistory: true })
  } else if (route.epicId !== state.epicId || !drawer.open) {
    void openEpic(route.epicId, { push: false })
  }
}

/** @param {View} view */
function showView(view) {
  state.view = view
  for (const name of /** @type {View[]} */ (['roadmap', 'deferrals', 'versions'])) {
    el(`view-${name}`).hidden = name !== view
  }
  for (const link of document.querySelectorAll('.tabs a')) {
    if (link instanceof HTMLElement && link.dataset.view === view) link.setAttribute('aria-current', 'page')
    else link.removeAttribute('aria-current')
  }
  document.title = `onetrack · ${view}`
  if (view === 'deferrals' && !state.ledger.loaded) void loadDeferrals()
  if (view === 'versions' && !state.versions.loaded) void loadVersions()
}

// ---------------------------------------------------------------- roadmap

async function loadRoadmap() {
  try {
    const roadmap = await api(/** @type {string} */ ('/api/roadmap'))
    setRoadmap(/** @type {RoadmapResponse} */ (roadmap))
    notice(el('roadmap-notice'), '')
  } catch (error) {
    showRoadmapError(error)
  }
}

/** Why there is no timeline, and what to do about it. @param {unknown} error */
function showRoadmapError(error) {
  document.documentElement.dataset.ready = 'error'
  timeline.setAttribute('aria-busy', 'false')
  timeline.innerHTML = ''
  const unbuilt = error instanceof ApiError && error.status === 404
  el('roadmap-summary').textContent = unbuilt
    ? 'No roadmap has been built yet.'
    : error instanceof ApiError && error.status === 401
      ? 'This roadmap needs a token to read.'
      : 'The roadmap could not be loaded.'
  notice(
    el('roadmap-notice'),
    unbuilt
      ? 'No roadmap has been built yet: it is built after the first sync of the trackers (or run `onetrack build`).'
      : errorText(error),
  )
  if (error instanceof ApiError && error.status === 401) openTokenDialog()
}

/** @param {RoadmapResponse} roadmap */
function setRoadmap(roadmap) {
  if (state.firstRender) performance.mark('roadmap-loaded')
  state.roadmap = roadmap
  state.byId = new Map(roadmap.entries.map((e) => [e.epicId, e]))
  state.step = effortStep(roadmap.entries)
  renderTimeline()
  renderRoadmapMeta()
}

function renderRoadmapMeta() {
  const roadmap = state.roadmap
  if (roadmap === null) return
  const planned = roadmap.entries.filter((e) => e.period !== null).length
  const unscored = roadmap.entries.filter((e) => e.score.status === 'unscored').length
  const chronicCount = roadmap.entries.filter((e) => e.deferrals >= chronic()).length
  const awaiting = roadmap.entries.reduce((n, e) => n + (e.unacknowledged ?? 0), 0)
  el('roadmap-summary').textContent =
    `${plural(roadmap.entries.length, 'open epic')} · ${num(planned)} planned · ${num(roadmap.entries.length - planned)} not planned · ${num(unscored)} unscored · ${plural(chronicCount, 'chronic deferral')}${awaiting > 0 ? ` · ${plural(awaiting, 'deferral')} awaiting sign-off` : ''}`
  const v = roadmap.version
  const build = el('build-status')
  build.textContent = `Version #${v.id} · built ${ago(v.builtAt)}${v.status === 'proposed' ? ' · proposed, awaiting approval' : ''}`
  build.title = `${v.trigger}, built ${new Date(v.builtAt).toLocaleString()}`
  const problems = /** @type {HTMLDetailsElement} */ (el('problems'))
  const all = [
    ...roadmap.problems,
    ...roadmap.cycles.map((c) => `dependency cycle: ${c.map(keyOf).join(' → ')}`),
  ]
  problems.hidden = all.length === 0
  const summary = problems.querySelector('summary')
  const list = problems.querySelector('ul')
  if (summary !== null) summary.textContent = `${plural(all.length, 'thing')} to look at in this build`
  if (list !== null) list.innerHTML = all.map((p) => `<li>${esc(p)}</li>`).join('')
}

function filteredEntries() {
  const roadmap = state.roadmap
  if (roadmap === null) return []
  const { search, track, team, deferred, signoff } = state.filters
  const needle = search.trim().toLowerCase()
  if (needle === '' && track === '' && team === '' && !deferred && !signoff) return roadmap.entries
  return roadmap.entries.filter(
    (e) =>
      (track === '' || e.track === track) &&
      (team === '' || e.team === team) &&
      (!deferred || e.deferrals > 0) &&
      (!signoff || (e.unacknowledged ?? 0) > 0) &&
      (needle === '' || e.title.toLowerCase().includes(needle) || e.key.toLowerCase().includes(needle)),
  )
}

function renderTimeline() {
  const roadmap = state.roadmap
  if (roadmap === null) return
  const periods = openPeriods()
  const teams = (state.meta?.teams ?? []).map((t) => ({ id: t.id, name: t.name ?? t.id }))
  const shownTeams = state.filters.team === '' ? teams : teams.filter((t) => t.id === state.filters.team)
  timeline.style.setProperty('--periods', String(Math.max(1, periods.length)))
  timeline.innerHTML = timelineHtml({
    periods,
    teams: shownTeams,
    entries: filteredEntries(),
    load: roadmap.load,
    chronic: chronic(),
    keyOf,
    periodName: names(),
    today: new Date().toISOString().slice(0, 10),
    step: state.step,
    ...(state.epicId === null ? {} : { pinned: state.epicId }),
  })
  timeline.setAttribute('aria-busy', 'false')
  if (state.firstRender) {
    state.firstRender = false
    performance.mark('timeline-rendered')
    requestAnimationFrame(() =>
      setTimeout(() => {
        performance.mark('timeline-painted')
        document.documentElement.dataset.ready = 'timeline'
      }, 0),
    )
  } else document.documentElement.dataset.ready = 'timeline'
}

// ---------------------------------------------------------------- drawer

/**
 * @param {string} epicId
 * @param {{ push: boolean, opener?: HTMLElement | null }} options
 */
async function openEpic(epicId, options) {
  state.epicId = epicId
  if (options.opener !== undefined) state.opener = options.opener
  if (options.push) {
    const path = `/epics/${encodeURIComponent(epicId)}`
    if (drawer.open) history.replaceState(null, '', path)
    else {
      history.pushState(null, '', path)
      state.drawerPushed = true
    }
  }
  markSelected(epicId)
  const entry = state.byId.get(epicId)
  drawerContent.innerHTML = `<header class="dr-head"><div class="dr-eyebrow">${entry === undefined ? '' : esc(entry.key)}</div><h2 id="drawer-title" class="dr-title" tabindex="-1">${entry === undefined ? 'Loading…' : esc(entry.title)}</h2><button type="button" class="dr-close icon-btn" data-close aria-label="Close (Escape)">✕</button></header><div class="dr-body"><p class="muted">Loading…</p></div>`
  if (!drawer.open) drawer.showModal()
  drawer.setAttribute('aria-busy', 'true')
  await renderEpic(epicId, true)
}

/** @param {string} epicId @param {boolean} focus */
async function renderEpic(epicId, focus) {
  try {
    const data = /** @type {EpicResponse} */ (await api(`/api/epics/${encodeURIComponent(epicId)}`))
    if (state.epicId !== epicId) return
    state.keys.set(data.epic.id, data.epic.key)
    const periodNames = {
      ...Object.fromEntries((state.roadmap?.periods ?? []).map((p) => [p.id, p.name])),
      ...data.periodNames,
    }
    drawerContent.innerHTML = drawerHtml(data, {
      unit: unit(),
      chronic: chronic(),
      periodName: (id) => (id === null ? 'unplanned' : (periodNames[id] ?? id)),
      keyOf,
      titleOf,
      isKnown: (id) => state.byId.has(id) || state.keys.has(id),
      trackerOf,
      openPeriods: openPeriods(),
      periods: state.roadmap?.periods ?? state.meta?.periods ?? [],
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
    if (error instanceof ApiError && error.status === 401) openTokenDialog()
  } finally {
    drawer.setAttribute('aria-busy', 'false')
  }
}

/** @param {string | null} epicId */
function markSelected(epicId) {
  for (const card of timeline.querySelectorAll('.card.is-selected')) card.classList.remove('is-selected')
  if (epicId === null) return
  for (const card of timeline.querySelectorAll(`.card[data-epic="${CSS.escape(epicId)}"]`))
    card.classList.add('is-selected')
}

/** @param {{ fromHistory?: boolean }} [options] */
function closeDrawer(options = {}) {
  const epicId = state.epicId
  state.epicId = null
  if (drawer.open) drawer.close()
  markSelected(null)
  if (options.fromHistory !== true) {
    if (state.drawerPushed) history.back()
    else history.replaceState(null, '', viewPath(state.view))
  }
  state.drawerPushed = false
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

// ---------------------------------------------------------------- overrides

/** @param {HTMLFormElement} form */
function syncOverrideForm(form) {
  const kind = /** @type {'pin' | 'defer' | 'exclude'} */ (new FormData(form).get('kind') ?? 'pin')
  const hint = form.querySelector('[data-hint]')
  if (hint !== null) hint.textContent = OVERRIDE_HINTS[kind]
  const periodField = form.querySelector('[data-period-field]')
  if (periodField instanceof HTMLElement) periodField.hidden = kind === 'exclude'
}

/** @param {HTMLFormElement} form */
async function submitOverride(form) {
  const data = new FormData(form)
  const epicId = form.dataset.epic ?? ''
  const kind = String(data.get('kind') ?? 'pin')
  const period = String(data.get('period') ?? '')
  const rationale = String(data.get('rationale') ?? '').trim()
  const error = /** @type {HTMLElement} */ (form.querySelector('.form-error'))
  const status = /** @type {HTMLElement} */ (form.querySelector('.form-status'))
  const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'))
  error.hidden = true
  if (rationale === '')
    return showFormError(
      error,
      'Write down why: a decision without a rationale is ignored.',
      form.elements.namedItem('rationale'),
    )
  if (kind !== 'exclude' && period === '')
    return showFormError(error, 'Choose a period.', form.elements.namedItem('period'))
  /** @type {{ epicId: string, kind: string, rationale: string, period?: string }} */
  const body = { epicId, kind, rationale }
  if (kind !== 'exclude' && period !== '') body.period = period
  button.disabled = true
  status.textContent = 'Recording…'
  try {
    await api(/** @type {string} */ ('/api/overrides'), { method: 'POST', body }).then(
      (r) => /** @type {OverrideCreated} */ (r),
    )
    status.textContent = 'Recorded. Rebuilding the roadmap…'
    await afterChange(epicId, status)
  } catch (e) {
    status.textContent = ''
    showFormError(error, errorText(e))
  } finally {
    button.disabled = false
  }
}

/** @param {HTMLElement} box @param {string} message @param {unknown} [field] */
function showFormError(box, message, field) {
  box.textContent = message
  box.hidden = false
  if (field instanceof HTMLElement) field.focus()
}

/** @param {string} overrideId @param {HTMLButtonElement} button */
async function revokeOverride(overrideId, button) {
  const epicId = state.epicId
  if (epicId === null) return
  button.disabled = true
  const status = document.createElement('span')
  status.className = 'form-status'
  status.setAttribute('role', 'status')
  button.after(status)
  try {
    await api(`/api/overrides/${encodeURIComponent(overrideId)}`, { method: 'DELETE' })
    status.textContent = 'Revoked. Rebuilding the roadmap…'
    await afterChange(epicId, status)
  } catch (e) {
    status.textContent = errorText(e)
    status.classList.add('is-error')
    button.disabled = false
  }
}

/** Waits for the build an override queued, then shows its result. @param {string} epicId @param {HTMLElement} status */
async function afterChange(epicId, status) {
  const before = state.roadmap?.version.id ?? 0
  const built = await waitForVersion(before, 30_000)
  await loadRoadmap()
  if (state.versions.loaded) state.versions.loaded = false
  state.ledger.loaded = false
  if (state.epicId === epicId) await renderEpic(epicId, false)
  const message =
    built === null
      ? 'Recorded; the build has not finished yet, it will show on the next reload.'
      : `Applied in version #${built}.`
  const live = drawerContent.querySelector('.ov-form .form-status')
  if (live instanceof HTMLElement) live.textContent = message
  else status.textContent = message
  el('build-status').textContent = built === null ? 'Build queued…' : el('build-status').textContent
}

/** @param {number} after @param {number} timeoutMs @returns {Promise<number | null>} */
async function waitForVersion(after, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 400))
    try {
      const { versions } = /** @type {VersionsResponse} */ (await api('/api/versions?limit=1'))
      const newest = versions[0]
      if (newest !== undefined && newest.id > after) return newest.id
    } catch {
      // Keep waiting: a failed poll says nothing about the build.
    }
  }
  return null
}

// ---------------------------------------------------------------- owned calls: what-if, sign-off, approval

/** "What if we defer this one more period?": the build it would cause, shown before anyone decides. */
async function runWhatIf(/** @type {HTMLButtonElement} */ button) {
  const epicId = button.dataset.whatIf ?? ''
  const period = button.dataset.period ?? ''
  const resultBox = () => drawerContent.querySelector('[data-what-if-result]')
  const box = resultBox()
  if (!(box instanceof HTMLElement)) return
  if (getToken() === null) {
    box.innerHTML =
      '<p class="form-error" role="alert">A what-if runs a whole build, so it needs a token (any role). <button type="button" class="btn btn-small" data-paste-token>Paste a token</button></p>'
    return
  }
  button.disabled = true
  box.setAttribute('aria-busy', 'true')
  box.innerHTML = '<p class="muted">Running the build it would cause…</p>'
  /** @type {string} */
  let html
  try {
    const result = /** @type {WhatIfResponse} */ (
      await api('/api/what-if', {
        method: 'POST',
        body: { changes: [{ kind: 'defer', epicId, period }] },
      })
    )
    const entry = state.byId.get(epicId)
    const order = new Map((state.roadmap?.periods ?? []).map((p, i) => [p.id, i]))
    const name = names()
    html = whatIfHtml(result, {
      epicId,
      key: keyOf(epicId),
      from: name(entry?.period ?? null),
      to: name(period),
      periodName: name,
      periodIndex: (id) => (id === null ? Number.POSITIVE_INFINITY : (order.get(id) ?? -1)),
      keyOf,
    })
  } catch (error) {
    html = `<p class="form-error" role="alert">${esc(errorText(error))}</p>`
  }
  if (state.epicId !== epicId) return
  // The drawer may have been redrawn meanwhile: write into the box it shows now.
  const now = resultBox()
  if (now instanceof HTMLElement) {
    now.innerHTML = html
    now.setAttribute('aria-busy', 'false')
  }
  const again = drawerContent.querySelector('[data-what-if]')
  if (again instanceof HTMLButtonElement) again.disabled = false
}

/** Shows or hides a deferral's "accept with a reason" form. @param {HTMLElement} toggle @param {boolean} open */
function toggleAckForm(toggle, open) {
  const form = document.getElementById(toggle.getAttribute('aria-controls') ?? '')
  if (!(form instanceof HTMLFormElement)) return
  form.hidden = !open
  toggle.setAttribute('aria-expanded', String(open))
  toggle.hidden = open
  if (open) form.querySelector('textarea')?.focus()
  else toggle.focus()
}

/** Accepts a deferral with a reason (owner token), then shows it signed off and the badge gone. */
async function submitAck(/** @type {HTMLFormElement} */ form) {
  const eventId = form.dataset.ack ?? ''
  const epicId = state.epicId
  const reason = String(new FormData(form).get('reason') ?? '').trim()
  const error = /** @type {HTMLElement} */ (form.querySelector('.form-error'))
  const status = /** @type {HTMLElement} */ (form.querySelector('.form-status'))
  const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'))
  error.hidden = true
  if (reason === '')
    return showFormError(
      error,
      'Say why the deferral is acceptable: the reason is what the sign-off records.',
      form.elements.namedItem('reason'),
    )
  button.disabled = true
  status.textContent = 'Recording…'
  try {
    await api(`/api/deferrals/${encodeURIComponent(eventId)}/ack`, { method: 'POST', body: { reason } }).then(
      (r) => /** @type {AckResponse} */ (r),
    )
  } catch (e) {
    status.textContent = ''
    button.disabled = false
    const forbidden = e instanceof ApiError && e.status === 403
    return showFormError(
      error,
      `${errorText(e)}${forbidden ? ' Signing off needs a roadmap owner or an owner of the epic’s team: paste their token with “Token”.' : ''}`,
    )
  }
  status.textContent = 'Accepted.'
  state.ledger.loaded = false
  // No build: the sign-off changes the ledger, not the plan. Refresh the badge and the history.
  await Promise.all([loadRoadmap(), epicId === null ? null : renderEpic(epicId, false)])
  const done = drawerContent.querySelector(`#ev-${CSS.escape(eventId)} .ack-done`)
  if (done instanceof HTMLElement) done.focus()
}

/** Approves the newest proposed version (owner token): it is written back, then reads published. */
async function submitApprove(/** @type {HTMLFormElement} */ form) {
  const id = Number(form.dataset.approve)
  const note = String(new FormData(form).get('note') ?? '').trim()
  const error = /** @type {HTMLElement} */ (form.querySelector('.form-error'))
  const status = /** @type {HTMLElement} */ (form.querySelector('.form-status'))
  const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'))
  error.hidden = true
  button.disabled = true
  status.textContent = 'Approving…'
  try {
    const result = /** @type {ApproveResponse} */ (
      await api(`/api/versions/${id}/approve`, { method: 'POST', body: note === '' ? {} : { note } })
    )
    status.textContent = `Approved; ${plural(result.writebacksQueued, 'write-back')} queued.`
    await loadRoadmap()
    await loadVersions()
  } catch (e) {
    status.textContent = ''
    button.disabled = false
    showFormError(error, errorText(e))
  }
}

// ---------------------------------------------------------------- deferrals view

function ledgerQuery() {
  const data = new FormData(ledgerForm)
  const params = new URLSearchParams({ limit: '50' })
  params.set('kind', String(data.get('kind') ?? 'deferrals'))
  for (const name of ['track', 'team', 'acknowledged']) {
    const value = String(data.get(name) ?? '')
    if (value !== '') params.set(name, value)
  }
  return params
}

async function loadDeferrals() {
  state.ledger.loaded = true
  const box = el('deferrals-notice')
  const table = el('ledger')
  table.innerHTML = ledgerTableHtml(unit())
  try {
    const [costData, page] = await Promise.all([
      api('/api/deferrals/cost').then((r) => /** @type {CostResponse} */ (r)),
      api(`/api/deferrals?${ledgerQuery()}`).then((r) => /** @type {DeferralsResponse} */ (r)),
      state.roadmapLoaded,
    ])
    notice(box, '')
    const costBox = el('cost')
    // One layout read, so the chart is drawn at its real width and its text is not scaled.
    costBox.innerHTML = costHtml(costData, page.total, ledgerContext(), costBox.clientWidth - 36)
    appendLedger(page)
  } catch (error) {
    state.ledger.loaded = false
    notice(box, errorText(error))
  }
}

async function reloadLedger() {
  const table = el('ledger')
  table.innerHTML = ledgerTableHtml(unit())
  try {
    appendLedger(/** @type {DeferralsResponse} */ (await api(`/api/deferrals?${ledgerQuery()}`)))
    notice(el('deferrals-notice'), '')
  } catch (error) {
    notice(el('deferrals-notice'), errorText(error))
  }
}

async function moreLedger() {
  if (state.ledger.cursor === null) return
  const params = ledgerQuery()
  params.set('cursor', state.ledger.cursor)
  try {
    appendLedger(/** @type {DeferralsResponse} */ (await api(`/api/deferrals?${params}`)))
  } catch (error) {
    notice(el('deferrals-notice'), errorText(error))
  }
}

/** @param {DeferralsResponse} page */
function appendLedger(page) {
  const body = el('ledger').querySelector('tbody')
  for (const e of page.events) if (!state.byId.has(e.epicId)) state.keys.set(e.epicId, e.epic.key)
  if (body !== null) body.insertAdjacentHTML('beforeend', ledgerRowsHtml(page.events, ledgerContext()))
  state.ledger.cursor = page.nextCursor
  state.ledger.total = page.total
  el('ledger-count').textContent = num(page.total)
  el('ledger-more').hidden = page.nextCursor === null
  if (page.total === 0 && body !== null)
    body.innerHTML = '<tr><td colspan="7" class="muted">No events match.</td></tr>'
}

function ledgerContext() {
  return {
    unit: unit(),
    chronic: chronic(),
    periods: state.roadmap?.periods ?? state.meta?.periods ?? [],
    entries: state.roadmap?.entries ?? [],
    periodName: names(),
    keyOf,
    teamName,
    now: new Date().toISOString(),
  }
}

// ---------------------------------------------------------------- versions view

async function loadVersions() {
  state.versions.loaded = true
  const box = el('versions-notice')
  try {
    const { versions } = /** @type {VersionsResponse} */ (await api('/api/versions?limit=100'))
    state.versions.list = versions
    el('approval').innerHTML = approvalHtml(versions)
    if (versions.length < 2) {
      el('picker').innerHTML = ''
      el('diff').innerHTML = '<p class="muted">One build so far: nothing to compare yet.</p>'
      notice(box, '')
      return
    }
    state.versions.to = versions[0]?.id ?? 0
    // A proposal is compared with what the trackers show: the newest published version.
    const published =
      versions[0]?.status === 'proposed' ? versions.find((v) => v.status === 'published') : undefined
    state.versions.from = published?.id ?? versions[1]?.id ?? 0
    el('picker').innerHTML = pickerHtml(versions, state.versions.from, state.versions.to)
    notice(box, '')
    await loadDiff()
  } catch (error) {
    state.versions.loaded = false
    notice(box, errorText(error))
  }
}

async function loadDiff() {
  const { from, to, list } = state.versions
  const diffBox = el('diff')
  diffBox.setAttribute('aria-busy', 'true')
  try {
    const diff = /** @type {DiffResponse} */ (await api(`/api/versions/${to}/diff?against=${from}`))
    for (const c of diff.changes) if (!state.byId.has(c.epicId)) state.keys.set(c.epicId, c.key)
    const order = new Map((state.roadmap?.periods ?? []).map((p, i) => [p.id, i]))
    diffBox.innerHTML = diffHtml(diff, {
      periodName: names(),
      periodIndex: (id) => (id === null ? Number.POSITIVE_INFINITY : (order.get(id) ?? -1)),
      teamName,
      from: list.find((v) => v.id === from),
      to: list.find((v) => v.id === to),
    })
    notice(el('versions-notice'), '')
  } catch (error) {
    diffBox.innerHTML = ''
    notice(el('versions-notice'), errorText(error))
  } finally {
    diffBox.setAttribute('aria-busy', 'false')
  }
}

// ---------------------------------------------------------------- token

function openTokenDialog() {
  if (tokenDialog.open) return
  const input = /** @type {HTMLInputElement} */ (tokenDialog.querySelector('input[name="token"]'))
  input.value = getToken() ?? ''
  tokenDialog.showModal()
  input.focus()
}

/** The button says whose token the API recognised (meta tells), or that it did not. */
function renderTokenButton() {
  const button = el('token-button')
  const caller = state.meta?.auth.caller ?? null
  const has = getToken() !== null
  let text = 'Token'
  let label = 'API token: none'
  if (has && caller !== null) {
    text = `${caller.name} · ${caller.role}`
    label = `API token of ${caller.name}, ${caller.role}; change it`
  } else if (has && state.meta !== null) {
    text = 'Token not recognised'
    label = 'The API token was not recognised; change it'
  } else if (has) {
    text = 'Token set'
    label = 'API token set for this tab; change it'
  }
  button.textContent = text
  button.setAttribute('aria-label', label)
  button.classList.toggle('is-bad', has && state.meta !== null && caller === null)
}

// ---------------------------------------------------------------- events

document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target : null
  if (target === null) return
  const card = target.closest('.card')
  if (card instanceof HTMLElement && card.dataset.epic !== undefined) {
    void openEpic(card.dataset.epic, { push: true, opener: card })
    return
  }
  const epicLink = target.closest('a[data-epic-link]')
  if (epicLink instanceof HTMLElement && !isModified(event)) {
    event.preventDefault()
    void openEpic(epicLink.dataset.epicLink ?? '', {
      push: true,
      opener: drawer.open ? state.opener : epicLink,
    })
    return
  }
  const nav = target.closest('a[data-nav]')
  if (nav instanceof HTMLAnchorElement && !isModified(event)) {
    event.preventDefault()
    if (drawer.open) closeDrawer({ fromHistory: true })
    navigate(nav.pathname)
    return
  }
  if (target.closest('[data-close]') !== null) {
    closeDrawer()
    return
  }
  const copy = target.closest('[data-copy]')
  if (copy instanceof HTMLElement && !isModified(event)) {
    event.preventDefault()
    void navigator.clipboard?.writeText(copy.dataset.copy ?? '').then(
      () => {
        copy.textContent = 'Link copied'
      },
      () => {},
    )
    return
  }
  const whatIf = target.closest('[data-what-if]')
  if (whatIf instanceof HTMLButtonElement) {
    void runWhatIf(whatIf)
    return
  }
  const ackOpen = target.closest('[data-ack-open]')
  if (ackOpen instanceof HTMLElement) {
    toggleAckForm(ackOpen, true)
    return
  }
  const ackCancel = target.closest('[data-ack-cancel]')
  if (ackCancel !== null) {
    const toggle = ackCancel.closest('.ack-open')?.querySelector('[data-ack-open]')
    if (toggle instanceof HTMLElement) toggleAckForm(toggle, false)
    return
  }
  if (target.closest('[data-paste-token]') !== null) {
    openTokenDialog()
    return
  }
  const revoke = target.closest('[data-revoke]')
  if (revoke instanceof HTMLButtonElement) {
    void revokeOverride(revoke.dataset.revoke ?? '', revoke)
    return
  }
  if (target.closest('[data-swap]') !== null) {
    const { from, to } = state.versions
    state.versions.from = to
    state.versions.to = from
    el('picker').innerHTML = pickerHtml(state.versions.list, state.versions.from, state.versions.to)
    void loadDiff()
  }
})

/** @param {MouseEvent} event */
function isModified(event) {
  return event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0
}

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

drawer.addEventListener('change', (event) => {
  const form = event.target instanceof Element ? event.target.closest('form.ov-form') : null
  if (form instanceof HTMLFormElement) syncOverrideForm(form)
})
drawer.addEventListener('submit', (event) => {
  const form = event.target
  if (form instanceof HTMLFormElement && form.classList.contains('ov-form')) {
    event.preventDefault()
    void submitOverride(form)
  }
  if (form instanceof HTMLFormElement && form.classList.contains('ack-form')) {
    event.preventDefault()
    void submitAck(form)
  }
})
// Escape in a sign-off form closes the form (back to its button), not the drawer.
drawer.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape' || !(event.target instanceof Element)) return
  const toggle = event.target.closest('.ack-open')?.querySelector('[data-ack-open]')
  if (toggle instanceof HTMLElement && toggle.getAttribute('aria-expanded') === 'true') {
    event.preventDefault()
    event.stopPropagation()
    toggleAckForm(toggle, false)
  }
})
el('approval').addEventListener('submit', (event) => {
  const form = event.target
  if (form instanceof HTMLFormElement && form.dataset.approve !== undefined) {
    event.preventDefault()
    void submitApprove(form)
  }
})

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

ledgerForm.addEventListener('change', () => void reloadLedger())
el('ledger-more').addEventListener('click', () => void moreLedger())

el('picker').addEventListener('change', (event) => {
  const select = event.target
  if (!(select instanceof HTMLSelectElement)) return
  if (select.name === 'from') state.versions.from = Number(select.value)
  if (select.name === 'to') state.versions.to = Number(select.value)
  void loadDiff()
})

el('token-button').addEventListener('click', openTokenDialog)
tokenDialog.addEventListener('close', () => {
  const value = tokenDialog.returnValue
  const input = /** @type {HTMLInputElement} */ (tokenDialog.querySelector('input[name="token"]'))
  if (value === 'save') setToken(input.value)
  if (value === 'forget') setToken(null)
  input.value = ''
  renderTokenButton()
  // Opened from the drawer (a what-if without a token): back into the drawer, not behind it.
  const back = drawer.open ? drawerContent.querySelector('#drawer-title') : null
  if (back instanceof HTMLElement) back.focus()
  else el('token-button').focus()
  if (value === 'save' || value === 'forget') void reload()
})

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
    !drawer.open &&
    state.view === 'roadmap'
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

window.addEventListener('popstate', applyRoute)

// ---------------------------------------------------------------- start

function fillTeamSelects() {
  const teams = state.meta?.teams ?? []
  const options = teams.map((t) => `<option value="${esc(t.id)}">${esc(t.name ?? t.id)}</option>`).join('')
  for (const form of [filtersForm, ledgerForm]) {
    const select = form.querySelector('select[name="team"]')
    if (select instanceof HTMLSelectElement && select.options.length <= 1)
      select.insertAdjacentHTML('beforeend', options)
  }
}

async function loadMeta() {
  try {
    state.meta = /** @type {Meta} */ (await api('/api/meta'))
  } catch (error) {
    state.meta = null
    notice(el('roadmap-notice'), errorText(error))
    return
  }
  setTeamNames(new Map(state.meta.teams.map((t) => [t.id, t.name ?? t.id])))
  if (state.meta.name !== undefined) el('roadmap-name').textContent = state.meta.name
  fillTeamSelects()
  renderTokenButton()
  if (state.meta.auth.protectReads && getToken() === null) openTokenDialog()
}

async function reload() {
  state.ledger.loaded = false
  state.versions.loaded = false
  await loadMeta()
  await loadRoadmap()
  if (state.view !== 'roadmap') showView(state.view)
  if (state.epicId !== null) await renderEpic(state.epicId, false)
}

async function start() {
  renderTokenButton()
  // Both requests leave at once; the timeline needs the teams from meta, so it waits for both.
  const meta = loadMeta()
  const roadmap = api('/api/roadmap')
  state.roadmapLoaded = Promise.allSettled([meta, roadmap]).then(([, result]) => {
    if (result.status === 'fulfilled') setRoadmap(/** @type {RoadmapResponse} */ (result.value))
    return result
  })
  await meta
  applyRoute()
  const result = /** @type {PromiseSettledResult<unknown>} */ (await state.roadmapLoaded)
  if (result.status === 'fulfilled') {
    if (state.epicId !== null) markSelected(state.epicId)
  } else showRoadmapError(result.reason)
}

void start()
