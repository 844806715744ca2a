/**
 * A tiny HTTP "browser" for sign-in tests: keeps cookies across hosts, follows redirects, reads and
 * submits the simple server-rendered forms of the identity sandbox (src/sandbox/identity).
 */

interface StoredCookie {
  name: string
  value: string
  path: string
  /** Epoch milliseconds; undefined for a session cookie. */
  expiresAt: number | undefined
}

/** The RFC 6265 default path: the request path up to, not including, its last slash. */
function defaultPath(url: URL): string {
  const last = url.pathname.lastIndexOf('/')
  return last <= 0 ? '/' : url.pathname.slice(0, last)
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true
  if (!requestPath.startsWith(cookiePath)) return false
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/'
}

/** Cookies by hostname, as browsers keep them (not by port): 127.0.0.1 and localhost are two sites. */
export class CookieJar {
  readonly #byHost = new Map<string, StoredCookie[]>()

  /** Takes every Set-Cookie of a response to a request for `url`. */
  store(url: URL, response: Response): void {
    for (const line of response.headers.getSetCookie()) this.set(url, line)
  }

  set(url: URL, setCookie: string): void {
    const [pair = '', ...attributes] = setCookie.split(';')
    const eq = pair.indexOf('=')
    if (eq <= 0) return
    const cookie: StoredCookie = {
      name: pair.slice(0, eq).trim(),
      value: pair.slice(eq + 1).trim(),
      path: defaultPath(url),
      expiresAt: undefined,
    }
    let maxAge: number | undefined
    for (const attribute of attributes) {
      const [key = '', ...rest] = attribute.split('=')
      const value = rest.join('=').trim()
      switch (key.trim().toLowerCase()) {
        case 'path':
          if (value.startsWith('/')) cookie.path = value
          break
        case 'max-age':
          maxAge = Number.parseInt(value, 10)
          break
        case 'expires': {
          const at = Date.parse(value)
          if (!Number.isNaN(at)) cookie.expiresAt = at
          break
        }
      }
    }
    // Max-Age wins over Expires; zero or less deletes at once.
    if (maxAge !== undefined && !Number.isNaN(maxAge)) cookie.expiresAt = Date.now() + maxAge * 1000
    const kept = (this.#byHost.get(url.hostname) ?? []).filter(
      (c) => !(c.name === cookie.name && c.path === cookie.path),
    )
    if (cookie.expiresAt === undefined || cookie.expiresAt > Date.now()) kept.push(cookie)
    this.#byHost.set(url.hostname, kept)
  }

  /** The Cookie header for a request to `url`, or undefined when no cookie applies. */
  header(url: string | URL): string | undefined {
    const target = new URL(url)
    const now = Date.now()
    const live = (this.#byHost.get(target.hostname) ?? []).filter(
      (c) => (c.expiresAt === undefined || c.expiresAt > now) && pathMatches(target.pathname, c.path),
    )
    if (live.length === 0) return undefined
    // Longer paths first, as browsers send them.
    return live
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ')
  }

  /** The names of the cookies kept for a hostname, for assertions. */
  names(hostname: string): string[] {
    const now = Date.now()
    return (this.#byHost.get(hostname) ?? [])
      .filter((c) => c.expiresAt === undefined || c.expiresAt > now)
      .map((c) => c.name)
  }
}

export interface FollowResult {
  /** The last response: a non-redirect answer, or the redirect whose Location `stopAt` accepted. */
  response: Response
  /** The URL that answered, or the Location where `stopAt` stopped. */
  url: URL
  body: string
}

export interface FollowOptions {
  /** Stops at a redirect to a URL for which this is true, without requesting it. */
  stopAt?: (url: URL) => boolean
  method?: string
  body?: URLSearchParams
  /** Default 20. */
  maxHops?: number
}

/** Follows 3xx answers as a browser does (303, and 301/302 after a POST, turn into GET), keeping cookies. */
export async function follow(
  url: string,
  jar: CookieJar,
  options: FollowOptions = {},
): Promise<FollowResult> {
  let target = new URL(url)
  let method = options.method ?? (options.body === undefined ? 'GET' : 'POST')
  let body = options.body
  const maxHops = options.maxHops ?? 20
  for (let hop = 0; hop <= maxHops; hop++) {
    const headers = new Headers()
    const cookie = jar.header(target)
    if (cookie !== undefined) headers.set('cookie', cookie)
    if (body !== undefined) headers.set('content-type', 'application/x-www-form-urlencoded')
    headers.set('accept', 'text/html,application/json;q=0.9,*/*;q=0.8')
    const response = await fetch(target, {
      method,
      headers,
      redirect: 'manual',
      ...(body === undefined ? {} : { body: body.toString() }),
    })
    jar.store(target, response)
    const location = response.headers.get('location')
    if (response.status < 300 || response.status > 399 || location === null)
      return { response, url: target, body: await response.text() }
    const next = new URL(location, target)
    if (options.stopAt?.(next) === true) return { response, url: next, body: await response.text() }
    await response.body?.cancel()
    if (
      response.status === 303 ||
      ((response.status === 301 || response.status === 302) && method === 'POST')
    ) {
      method = 'GET'
      body = undefined
    }
    target = next
  }
  throw new Error(`more than ${maxHops} redirects from ${url}`)
}

export interface HtmlForm {
  id: string | undefined
  action: URL
  method: string
  /** Hidden and other named inputs, in document order. */
  fields: Array<[string, string]>
  /** Submit buttons inside the form or pointing at it with `form="id"`, with their attributes. */
  buttons: Array<Record<string, string>>
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos);/gi, (_all, entity: string) => {
    const lower = entity.toLowerCase()
    if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16))
    if (lower.startsWith('#')) return String.fromCodePoint(Number.parseInt(lower.slice(1), 10))
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[lower] ?? ''
  })
}

function attributesOf(tag: string): Record<string, string> {
  const attributes: Record<string, string> = {}
  for (const m of tag.matchAll(/([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    const name = m[1]?.toLowerCase()
    if (name === undefined) continue
    attributes[name] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '')
  }
  return attributes
}

/** The forms of a page served at `pageUrl` (the plain markup of the sandboxes, not any HTML). */
export function formsIn(html: string, pageUrl: URL): HtmlForm[] {
  const buttonTags = [...html.matchAll(/<button\b[^>]*>/gi)].map((m) => ({
    at: m.index,
    attributes: attributesOf(m[0].slice('<button'.length)),
  }))
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map((m) => {
    const attributes = attributesOf(m[1] ?? '')
    const inner = m[2] ?? ''
    const start = m.index
    const end = start + m[0].length
    const fields: Array<[string, string]> = []
    for (const input of inner.matchAll(/<input\b([^>]*)>/gi)) {
      const a = attributesOf(input[1] ?? '')
      if (a.name !== undefined && !['submit', 'button', 'image'].includes(a.type ?? 'text'))
        fields.push([a.name, a.value ?? ''])
    }
    const buttons = buttonTags
      .filter(
        (b) =>
          (b.at > start && b.at < end && b.attributes.form === undefined) ||
          b.attributes.form === attributes.id,
      )
      .filter((b) => (b.attributes.type ?? 'submit') === 'submit')
      .map((b) => b.attributes)
    return {
      id: attributes.id,
      action: new URL(attributes.action ?? '', pageUrl),
      method: (attributes.method ?? 'get').toUpperCase(),
      fields,
      buttons,
    }
  })
}

/** Submits `form` by pressing `button` (its name=value joins the fields), following where it leads. */
export function submit(
  form: HtmlForm,
  button: Record<string, string> | undefined,
  jar: CookieJar,
  options: { stopAt?: (url: URL) => boolean } = {},
): Promise<FollowResult> {
  const data = new URLSearchParams(form.fields)
  if (button?.name !== undefined) data.append(button.name, button.value ?? '')
  if (form.method === 'GET') {
    const url = new URL(form.action)
    url.search = data.toString()
    return follow(url.href, jar, options)
  }
  return follow(form.action.href, jar, { ...options, method: form.method, body: data })
}

/**
 * Signs in at the identity sandbox as `subject`: follows from `startUrl` (the relying party's login
 * route, or an authorization URL) to the provider's login page, presses the person's button, and
 * follows on to the end (or to `stopAt`, e.g. the relying party's callback when no server runs there).
 * The jar must hold no provider session yet, or the provider skips its login page.
 */
export async function signInAs(
  startUrl: string,
  subject: string,
  jar: CookieJar,
  options: { stopAt?: (url: URL) => boolean } = {},
): Promise<FollowResult> {
  const page = await follow(startUrl, jar, options)
  for (const form of formsIn(page.body, page.url)) {
    const button = form.buttons.find((b) => b['data-subject'] === subject)
    if (button !== undefined) return submit(form, button, jar, options)
  }
  throw new Error(
    `no sign-in button for "${subject}" at ${page.url.href} (status ${page.response.status}): ${page.body.slice(0, 300)}`,
  )
}
