// @ts-check
// The page's entry point: loads the API's meta and the roadmap (both asked for by boot.js before
// the modules arrived), then shows the view the URL names. Each view lives in its own module:
// roadmap-view.js, drawer-view.js (+ drawer-actions.js), deferrals-view.js, versions-view.js;
// router.js maps URLs to them. Plain ES modules, no build step.
/** @import { Meta, RoadmapResponse } from './types.d.ts' */
import { api, errorText, getToken, setCsrfToken } from './api.js'
import { staleLedger } from './deferrals-view.js'
import { setTeamNames } from './drawer.js'
import './drawer-actions.js'
import { drawerEpic, markSelected, renderEpic } from './drawer-view.js'
import { esc } from './format.js'
import { el, notice, shared } from './page-state.js'
import { loadRoadmap, setRoadmap, showRoadmapError } from './roadmap-view.js'
import { applyRoute, showView } from './router.js'
import { onTokenChange, openTokenDialog, renderSignIn, renderTokenButton } from './token.js'
import { staleVersions } from './versions-view.js'

performance.mark('app-start')

function fillTeamSelects() {
  const teams = shared.meta?.teams ?? []
  const options = teams.map((t) => `<option value="${esc(t.id)}">${esc(t.name ?? t.id)}</option>`).join('')
  for (const form of [el('filters'), el('ledger-filters')]) {
    const select = form.querySelector('select[name="team"]')
    if (select instanceof HTMLSelectElement && select.options.length <= 1)
      select.insertAdjacentHTML('beforeend', options)
  }
}

async function loadMeta() {
  try {
    shared.meta = /** @type {Meta} */ (await api('/api/meta'))
  } catch (error) {
    shared.meta = null
    notice(el('roadmap-notice'), errorText(error))
    return
  }
  setTeamNames(new Map(shared.meta.teams.map((t) => [t.id, t.name ?? t.id])))
  el('roadmap-name').textContent = shared.meta.name
  setCsrfToken(shared.meta.auth.csrfToken)
  fillTeamSelects()
  renderTokenButton()
  renderSignIn()
  const anonymous = getToken() === null && shared.meta.auth.caller === null
  if (shared.meta.auth.protectReads && anonymous && !shared.meta.auth.signOn) openTokenDialog()
}

/** Everything again, as the new token sees it. */
async function reload() {
  staleLedger()
  staleVersions()
  await loadMeta()
  await loadRoadmap()
  if (shared.view !== 'roadmap') showView(shared.view)
  const epicId = drawerEpic()
  if (epicId !== null) await renderEpic(epicId, false)
}

async function start() {
  renderTokenButton()
  // Both requests leave at once; the timeline needs the teams from meta, so it waits for both.
  const meta = loadMeta()
  const roadmap = api('/api/roadmap/timeline')
  shared.roadmapLoaded = Promise.allSettled([meta, roadmap]).then(([, result]) => {
    if (result.status === 'fulfilled') setRoadmap(/** @type {RoadmapResponse} */ (result.value))
    return result
  })
  await meta
  applyRoute()
  const result = /** @type {PromiseSettledResult<unknown>} */ (await shared.roadmapLoaded)
  if (result.status === 'fulfilled') {
    const epicId = drawerEpic()
    if (epicId !== null) markSelected(epicId)
  } else showRoadmapError(result.reason)
}

onTokenChange(reload)
void start()
