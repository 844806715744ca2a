import type { IdentityPerson } from './index.ts'

/** Served by the sandbox itself: the pages carry no inline style or script, so a strict CSP holds. */
export const STYLESHEET_PATH = '/assets/sign-in.css'

export const STYLESHEET = `body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#172b4d;margin:0}
main{max-width:26rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.2)}
h1{font-size:1.4rem;margin:0 0 .5rem}
p{margin:0 0 1.5rem;color:#5e6c84}
form{margin:0}
button{display:block;width:100%;margin:0 0 .75rem;padding:.75rem 1rem;border:1px solid #c1c7d0;border-radius:6px;background:#fff;font:inherit;text-align:left;cursor:pointer}
button:hover,button:focus{border-color:#0052cc;background:#deebff}
.email{display:block;font-size:.85rem;color:#5e6c84}
`

/** Content-Security-Policy of every page: no script at all, styles from the stylesheet only. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'"

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c)
}

function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`
}

/**
 * One POST form, one submit button per person: `name="subject"`, `value` and `data-subject` both the
 * person's subject, so a test picks a person by subject whether it reads HTML or drives a browser.
 */
export function loginPage(options: {
  title: string
  action: string
  clientId: string
  people: IdentityPerson[]
}): string {
  const buttons = options.people.map((person) => {
    const who = person.title === undefined ? person.name : `${person.name} — ${person.title}`
    const subject = escapeHtml(person.subject)
    return `<button type="submit" name="subject" value="${subject}" data-subject="${subject}">Sign in as ${escapeHtml(who)} <span class="email">${escapeHtml(person.email)}</span></button>`
  })
  return layout(
    options.title,
    `<h1>${escapeHtml(options.title)}</h1>
<p>Choose who signs in to ${escapeHtml(options.clientId)}.</p>
<form id="sign-in" method="post" action="${escapeHtml(options.action)}">
${buttons.join('\n')}
</form>`,
  )
}

/**
 * oidc-provider's `form` is its own `<form id="op.logoutForm">` with the hidden `xsrf` field: it is
 * kept as it is, and the button submits it with `logout=yes` (end the whole session, not only the
 * one client's).
 */
export function logoutPage(title: string, form: string): string {
  return layout(
    title,
    `<h1>Sign out?</h1>
<p>This ends your session with ${escapeHtml(title)}.</p>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>`,
  )
}

export function signedOutPage(title: string): string {
  return layout(title, `<h1>Signed out</h1>\n<p>Your session with ${escapeHtml(title)} has ended.</p>`)
}

export function errorPage(title: string, heading: string, message: string): string {
  return layout(title, `<h1>${escapeHtml(heading)}</h1>\n<p>${escapeHtml(message)}</p>`)
}
