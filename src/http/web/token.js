// @ts-check
// The API token pasted in this tab: the dialog to paste or forget it, and the button that says whose
// it is (as /api/meta recognised it).
import { ApiError, api, getToken, setToken } from './api.js'
import { el, onClick, shared } from './page-state.js'
import { signInHref } from './permissions.js'

const tokenDialog = /** @type {HTMLDialogElement} */ (el('token-dialog'))
const tokenInput = () => /** @type {HTMLInputElement} */ (tokenDialog.querySelector('input[name="token"]'))

/** @type {() => Promise<void>} */
let afterChange = async () => {}

/** What to do once a token is saved or forgotten (the page reads everything again). */
export function onTokenChange(/** @type {() => Promise<void>} */ callback) {
  afterChange = callback
}

export function openTokenDialog() {
  if (tokenDialog.open) return
  const input = tokenInput()
  input.value = getToken() ?? ''
  tokenDialog.showModal()
  input.focus()
}

/** The button says whose token the API recognised (meta tells), or that it did not. */
export function renderTokenButton() {
  const button = el('token-button')
  const caller = shared.meta?.auth.caller ?? null
  const has = getToken() !== null
  let text = 'Token'
  let label = 'API token: none'
  if (has && caller !== null) {
    text = `${caller.name} · ${caller.role}`
    label = `API token of ${caller.name}, ${caller.role}; change it`
  } else if (has && shared.meta !== null) {
    text = 'Token not recognised'
    label = 'The API token was not recognised; change it'
  } else if (has) {
    text = 'Token set'
    label = 'API token set for this tab; change it'
  }
  button.textContent = text
  button.setAttribute('aria-label', label)
  button.classList.toggle('is-bad', has && shared.meta !== null && caller === null)
}

/**
 * With sign-on, who is signed in (and a way out), or a way in that comes back to this page. The
 * token button stays for a token's holder.
 */
export function renderSignIn() {
  const auth = shared.meta?.auth
  const caller = auth?.caller ?? null
  const signedIn = auth?.signOn === true && caller !== null && caller.via === 'page'
  const who = el('signed-in')
  who.hidden = !signedIn
  who.textContent = signedIn ? `${caller.name} · ${caller.role}` : ''
  who.title = signedIn && caller.email !== null ? `Signed in as ${caller.email}` : ''
  el('sign-out').hidden = !signedIn
  const signIn = /** @type {HTMLAnchorElement} */ (el('sign-in'))
  signIn.hidden = auth?.signOn !== true || signedIn
  signIn.href = signInHref()
  el('token-button').hidden = signedIn
}

// The page may have moved on (another view, another epic) since it was drawn: come back to where it is now.
el('sign-in').addEventListener('click', () => {
  const link = el('sign-in')
  if (link instanceof HTMLAnchorElement) link.href = signInHref()
})

el('sign-out').addEventListener('click', async () => {
  const button = /** @type {HTMLButtonElement} */ (el('sign-out'))
  button.disabled = true
  try {
    const { redirect } = /** @type {{ redirect: string }} */ (await api('/auth/logout', { method: 'POST' }))
    location.assign(redirect)
  } catch {
    button.disabled = false
    location.reload()
  }
})

/** Whether a refusal (401) names the service's sign-in: it has single sign-on. */
export function offersSignIn(/** @type {unknown} */ error) {
  const details = error instanceof ApiError ? error.details : undefined
  return typeof details === 'object' && details !== null && 'signIn' in details
}

/**
 * Asked for credentials (a 401): with sign-on (the answer names its sign-in), the way to sign in
 * stands out; without, the token box opens.
 * @param {unknown} error
 */
export function askForCredentials(error) {
  if (!offersSignIn(error)) {
    openTokenDialog()
    return
  }
  const link = el('sign-in')
  link.hidden = false
  if (link instanceof HTMLAnchorElement) link.href = signInHref()
  link.focus()
}

el('token-button').addEventListener('click', openTokenDialog)
onClick('[data-paste-token]', openTokenDialog)

tokenDialog.addEventListener('close', () => {
  const value = tokenDialog.returnValue
  const input = tokenInput()
  if (value === 'save') setToken(input.value)
  if (value === 'forget') setToken(null)
  input.value = ''
  renderTokenButton()
  // Opened from the drawer (a what-if without a token): back into the drawer, not behind it.
  const drawer = /** @type {HTMLDialogElement} */ (el('drawer'))
  const back = drawer.open ? el('drawer-content').querySelector('#drawer-title') : null
  if (back instanceof HTMLElement) back.focus()
  else el('token-button').focus()
  if (value === 'save' || value === 'forget') void afterChange()
})
