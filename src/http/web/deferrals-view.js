// @ts-check
// The deferrals view: what the deferrals cost (numbers and chart) and the ledger, newest first,
// filtered and paged by the API.
/** @import { CostResponse, DeferralsResponse } from './types.d.ts' */
import { api, errorText } from './api.js'
import { num } from './format.js'
import { costHtml, ledgerRowsHtml, ledgerTableHtml } from './ledger.js'
import { chronic, el, learnEpic, names, notice, periods, shared, teamName, unit } from './page-state.js'

const ledgerForm = /** @type {HTMLFormElement} */ (el('ledger-filters'))

const state = { loaded: false, cursor: /** @type {string | null} */ (null) }

/** Loads the view the first time it is shown (and after staleLedger). */
export function showDeferrals() {
  if (!state.loaded) void loadDeferrals()
}

/** The ledger changed (a sign-off, a build): read it again when the view is next shown. */
export function staleLedger() {
  state.loaded = false
}

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
  state.loaded = true
  const box = el('deferrals-notice')
  const table = el('ledger')
  table.innerHTML = ledgerTableHtml(unit())
  try {
    const [costData, page] = await Promise.all([
      api('/api/deferrals/cost').then((r) => /** @type {CostResponse} */ (r)),
      api(`/api/deferrals?${ledgerQuery()}`).then((r) => /** @type {DeferralsResponse} */ (r)),
      shared.roadmapLoaded,
    ])
    notice(box, '')
    const costBox = el('cost')
    // One layout read, so the chart is drawn at its real width and its text is not scaled.
    costBox.innerHTML = costHtml(costData, page.total, ledgerContext(), costBox.clientWidth - 36)
    appendLedger(page)
  } catch (error) {
    state.loaded = false
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
  if (state.cursor === null) return
  const params = ledgerQuery()
  params.set('cursor', state.cursor)
  try {
    appendLedger(/** @type {DeferralsResponse} */ (await api(`/api/deferrals?${params}`)))
  } catch (error) {
    notice(el('deferrals-notice'), errorText(error))
  }
}

/** @param {DeferralsResponse} page */
function appendLedger(page) {
  const body = el('ledger').querySelector('tbody')
  for (const e of page.events) learnEpic(e.epicId, e.epic)
  if (body !== null) body.insertAdjacentHTML('beforeend', ledgerRowsHtml(page.events, ledgerContext()))
  state.cursor = page.nextCursor
  el('ledger-count').textContent = num(page.total)
  el('ledger-more').hidden = page.nextCursor === null
  if (page.total === 0 && body !== null)
    body.innerHTML = '<tr><td colspan="6" class="muted">No events match.</td></tr>'
}

function ledgerContext() {
  return {
    unit: unit(),
    chronic: chronic(),
    periods: periods(),
    entries: shared.roadmap?.entries ?? [],
    periodName: names(),
    teamName,
    now: new Date().toISOString(),
  }
}

ledgerForm.addEventListener('change', () => void reloadLedger())
el('ledger-more').addEventListener('click', () => void moreLedger())
