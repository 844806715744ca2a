// @ts-check
// What the person on the page may do, from /api/meta's caller, so the page offers only that: a
// call they may not make is shown disabled with the reason on hover. The server enforces every
// rule anyway; this only spares people a form that would be refused.
import { esc } from './format.js'
import { shared } from './page-state.js'

const SIGN_IN_REASON = 'Sign in to make this call: it is recorded with your name'

/** The sign-in that comes back to this very page (the drawer's epic included). */
export function signInHref() {
  return `/auth/login?returnTo=${encodeURIComponent(location.pathname + location.search)}`
}

/** Why the caller may not make a call of this kind; null when they may (or nobody is known yet). */
function refusal(/** @type {'edit' | 'signOff' | 'approve'} */ kind, /** @type {string | null} */ team) {
  const auth = shared.meta?.auth
  if (auth === undefined) return null
  const caller = auth.caller
  if (caller === null) {
    // Without sign-on the page asks for a token when a call needs one.
    return auth.signOn ? SIGN_IN_REASON : null
  }
  if (caller.role === 'viewer') return `${caller.name} has the viewer role: this needs an editor or an owner`
  if (kind === 'approve' && !caller.roadmapOwner) return 'Only a roadmap owner approves a version'
  if (kind === 'signOff' && !caller.roadmapOwner && (team === null || !caller.teams.includes(team))) {
    return `Only ${team === null ? 'a roadmap owner' : `a roadmap owner or an owner of team ${team}`} signs off these deferrals`
  }
  return null
}

export const mayEdit = () => refusal('edit', null)
export const maySignOff = (/** @type {string | null} */ team) => refusal('signOff', team)
export const mayApprove = () => refusal('approve', null)

/**
 * A button's markup as the caller may use it: as given, or disabled inside a span that carries the
 * reason (a disabled button gets no hover of its own).
 * @param {string} button the button's HTML @param {string | null} reason
 */
export function guarded(button, reason) {
  if (reason === null) return button
  return `<span class="why-not" title="${esc(reason)}">${button.replace('<button ', '<button disabled aria-disabled="true" ')}<span class="sr-only"> (${esc(reason)})</span></span>`
}

/**
 * For someone signed out of a service with sign-on: a way in from where they are (the drawer covers
 * the top bar's), that comes back to this page. Empty otherwise.
 */
export function signInLink() {
  const auth = shared.meta?.auth
  if (auth === undefined || !auth.signOn || auth.caller !== null) return ''
  return `<a class="btn btn-quiet" data-sign-in href="${esc(signInHref())}" title="${esc(SIGN_IN_REASON)}">Sign in to decide</a>`
}
