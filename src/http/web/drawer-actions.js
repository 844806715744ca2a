// @ts-check
// What the drawer lets people do: record or revoke an override (then wait for the build it queued),
// ask what one more period of deferral would cost, and sign an epic's open deferrals off.
/** @import { AckResponse, VersionsResponse, WhatIfResponse } from './types.d.ts' */
import { ApiError, api, errorText, getToken } from './api.js'
import { staleLedger } from './deferrals-view.js'
import { OVERRIDE_HINTS } from './drawer.js'
import { drawerContent, drawerEpic, renderEpic } from './drawer-view.js'
import { esc } from './format.js'
import { el, nameOf, names, onClick, periodIndexer, shared, showFormError } from './page-state.js'
import { loadRoadmap } from './roadmap-view.js'
import { staleVersions } from './versions-view.js'
import { whatIfHtml } from './whatif.js'

const drawer = el('drawer')

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
    await api('/api/overrides', { method: 'POST', body })
    status.textContent = 'Recorded. Rebuilding the roadmap…'
    await afterChange(epicId, status)
  } catch (e) {
    status.textContent = ''
    showFormError(error, errorText(e))
  } finally {
    button.disabled = false
  }
}

/** @param {string} overrideId @param {HTMLButtonElement} button */
async function revokeOverride(overrideId, button) {
  const epicId = drawerEpic()
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
  const before = shared.roadmap?.version.id ?? 0
  const built = await waitForVersion(before, 30_000)
  await loadRoadmap()
  staleVersions()
  staleLedger()
  if (drawerEpic() === epicId) await renderEpic(epicId, false)
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

// ---------------------------------------------------------------- what-if

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
    const entry = shared.byId.get(epicId)
    const name = names()
    html = whatIfHtml(result, {
      epicId,
      name: nameOf(epicId),
      from: name(entry?.period ?? null),
      to: name(period),
      periodName: name,
      periodIndex: periodIndexer(),
      nameOf,
    })
  } catch (error) {
    html = `<p class="form-error" role="alert">${esc(errorText(error))}</p>`
  }
  if (drawerEpic() !== epicId) return
  // The drawer may have been redrawn meanwhile: write into the box it shows now.
  const now = resultBox()
  if (now instanceof HTMLElement) {
    now.innerHTML = html
    now.setAttribute('aria-busy', 'false')
  }
  const again = drawerContent.querySelector('[data-what-if]')
  if (again instanceof HTMLButtonElement) again.disabled = false
}

// ---------------------------------------------------------------- sign-off

/** Shows or hides the "accept with a reason" form. @param {HTMLElement} toggle @param {boolean} open */
function toggleAckForm(toggle, open) {
  const form = document.getElementById(toggle.getAttribute('aria-controls') ?? '')
  if (!(form instanceof HTMLFormElement)) return
  form.hidden = !open
  toggle.setAttribute('aria-expanded', String(open))
  toggle.hidden = open
  if (open) form.querySelector('textarea')?.focus()
  else toggle.focus()
}

/**
 * Signs the epic off (owner token): one reason accepts every deferral of it still open, then the
 * history shows them signed off and the card's badge goes.
 */
async function submitAck(/** @type {HTMLFormElement} */ form) {
  const epicId = form.dataset.ackEpic ?? ''
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
  /** @type {AckResponse} */
  let answer
  try {
    answer = await api(`/api/epics/${encodeURIComponent(epicId)}/ack`, { method: 'POST', body: { reason } })
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
  staleLedger()
  // No build: the sign-off changes the ledger, not the plan. Refresh the badge and the history.
  await Promise.all([loadRoadmap(), drawerEpic() === epicId ? renderEpic(epicId, false) : null])
  // The focus goes to the newest deferral this call answered.
  const answered = answer.events.filter((e) => e.acknowledgement?.decisionId === answer.decision.id).at(-1)
  const done =
    answered === undefined ? null : drawerContent.querySelector(`#ev-${CSS.escape(answered.id)} .ack-done`)
  if (done instanceof HTMLElement) done.focus()
}

// ---------------------------------------------------------------- events

onClick('[data-what-if]', (button) => {
  if (button instanceof HTMLButtonElement) void runWhatIf(button)
})
onClick('[data-ack-open]', (toggle) => toggleAckForm(toggle, true))
onClick('[data-ack-cancel]', (cancel) => {
  const toggle = cancel.closest('.ack-open')?.querySelector('[data-ack-open]')
  if (toggle instanceof HTMLElement) toggleAckForm(toggle, false)
})
onClick('[data-revoke]', (button) => {
  if (button instanceof HTMLButtonElement) void revokeOverride(button.dataset.revoke ?? '', button)
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
