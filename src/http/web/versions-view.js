// @ts-check
// The versions view: the proposal waiting for approval (publish mode on-approval), and two builds
// picked to see what changed between them.
/** @import { ApproveResponse, DiffResponse, VersionMeta, VersionsResponse } from './types.d.ts' */
import { api, errorText } from './api.js'
import { plural } from './format.js'
import {
  el,
  learnEpic,
  names,
  notice,
  onClick,
  periodIndexer,
  showFormError,
  teamName,
} from './page-state.js'
import { loadRoadmap } from './roadmap-view.js'
import { approvalHtml, diffHtml, pickerHtml } from './versions.js'

const state = { loaded: false, list: /** @type {VersionMeta[]} */ ([]), from: 0, to: 0 }

/** Loads the view the first time it is shown (and after staleVersions). */
export function showVersions() {
  if (!state.loaded) void loadVersions()
}

/** A build was made or approved: read the versions again when the view is next shown. */
export function staleVersions() {
  state.loaded = false
}

async function loadVersions() {
  state.loaded = true
  const box = el('versions-notice')
  try {
    const { versions } = /** @type {VersionsResponse} */ (await api('/api/versions?limit=100'))
    state.list = versions
    el('approval').innerHTML = approvalHtml(versions)
    if (versions.length < 2) {
      el('picker').innerHTML = ''
      el('diff').innerHTML = '<p class="muted">One build so far: nothing to compare yet.</p>'
      notice(box, '')
      return
    }
    state.to = versions[0]?.id ?? 0
    // A proposal is compared with what the trackers show: the newest published version.
    const published =
      versions[0]?.status === 'proposed' ? versions.find((v) => v.status === 'published') : undefined
    state.from = published?.id ?? versions[1]?.id ?? 0
    el('picker').innerHTML = pickerHtml(versions, state.from, state.to)
    notice(box, '')
    await loadDiff()
  } catch (error) {
    state.loaded = false
    notice(box, errorText(error))
  }
}

async function loadDiff() {
  const { from, to, list } = state
  const diffBox = el('diff')
  diffBox.setAttribute('aria-busy', 'true')
  try {
    const diff = /** @type {DiffResponse} */ (await api(`/api/versions/${to}/diff?against=${from}`))
    for (const c of diff.changes) learnEpic(c.epicId, c)
    diffBox.innerHTML = diffHtml(diff, {
      periodName: names(),
      periodIndex: periodIndexer(),
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

el('picker').addEventListener('change', (event) => {
  const select = event.target
  if (!(select instanceof HTMLSelectElement)) return
  if (select.name === 'from') state.from = Number(select.value)
  if (select.name === 'to') state.to = Number(select.value)
  void loadDiff()
})
onClick('[data-swap]', () => {
  const { from, to } = state
  state.from = to
  state.to = from
  el('picker').innerHTML = pickerHtml(state.list, state.from, state.to)
  void loadDiff()
})
el('approval').addEventListener('submit', (event) => {
  const form = event.target
  if (form instanceof HTMLFormElement && form.dataset.approve !== undefined) {
    event.preventDefault()
    void submitApprove(form)
  }
})
