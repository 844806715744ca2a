import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type OnetrackConfig, parseConfig } from '../../src/config/index.ts'
import {
  type IdentityPerson,
  type IdentityProvider,
  onetrackClient,
  startIdentityProvider,
} from '../../src/sandbox/identity/index.ts'
import { EPICS, seedHistory } from '../helpers/api-history.ts'
import { startTestApp, type TestApp } from '../helpers/app.ts'
import { freePort } from '../helpers/cli.ts'
import { TEST_SOURCES_YAML, testEnv } from '../helpers/config.ts'
import { capturedLogger } from '../helpers/logs.ts'
import { CookieJar, follow, formsIn, signInAs, submit } from '../helpers/oidc.ts'

const SESSION_SECRET = 'session-secret-of-the-sign-on-test-4f2a9c1e'
const CLIENT_SECRET = 'client-secret-of-the-sign-on-test-77aa01'

const people = [
  { subject: 'u-dana', name: 'Dana Reyes', email: 'dana@acme.test', groups: ['leadership'], title: 'CPTO' },
  {
    subject: 'u-sam',
    name: 'Sam Okafor',
    email: 'sam@acme.test',
    groups: ['platform'],
    title: 'Platform lead',
  },
  { subject: 'u-priya', name: 'Priya Natarajan', email: 'priya@acme.test', groups: ['product'] },
  { subject: 'u-alex', name: 'Alex Kim', email: 'alex@acme.test', groups: [] },
]

function signOnConfig(
  base: string,
  issuer: string,
  unmapped: 'viewer' | 'refuse' = 'viewer',
): OnetrackConfig {
  return parseConfig(
    `
server: { publicUrl: "${base}" }
auth:
  tokens:
    - { name: olivia, token: "\${T_OWNER}", role: owner }
  people:
    - { email: dana@acme.test, role: owner }
    - { email: Sam@Acme.test, name: Sam O., role: editor }
    - { email: alex@acme.test, role: viewer }
  groups:
    - { group: product, role: editor }
  oidc:
    issuer: ${issuer}
    clientId: onetrack
    clientSecret: \${OIDC_SECRET}
    scopes: [openid, email, profile, groups]
    redirectUrl: ${base}/auth/callback
    unmapped: ${unmapped}
  session: { secret: "\${SESSION_SECRET}", idleMinutes: 30, absoluteHours: 8 }
roadmap:
  periods: { quarters: { start: 2027-Q1, count: 4 } }
  teams:
    - { id: checkout, capacity: 40 }
    - { id: platform, capacity: 30, owners: [sam@acme.test] }
${TEST_SOURCES_YAML}`,
    '/test/onetrack.yaml',
    { ...testEnv, OIDC_SECRET: CLIENT_SECRET, SESSION_SECRET },
  )
}

/** The test's identity provider, with onetrack at `base` as its client. */
function providerFor(base: string, who: IdentityPerson[] = people): Promise<IdentityProvider> {
  return startIdentityProvider({
    people: who,
    clients: [onetrackClient(base, 'onetrack', CLIENT_SECRET)],
  })
}

describe('sign-on with an OpenID provider', () => {
  const captured = capturedLogger('debug')
  let idp: IdentityProvider
  let t: TestApp
  let base: string
  let clock = new Date('2027-04-06T09:00:00Z')

  beforeAll(async () => {
    const port = await freePort()
    base = `http://localhost:${port}`
    idp = await providerFor(base)
    t = await startTestApp({
      config: signOnConfig(base, idp.issuer),
      now: () => clock,
      logger: captured.logger,
    })
    await seedHistory(t, signOnConfig(base, idp.issuer))
    await t.app.listen({ port, host: '127.0.0.1' })
  })
  afterAll(async () => {
    await t?.close()
    await idp?.close()
  })

  /** Signs the person in through the provider; the jar then holds their session. */
  async function signedIn(subject: string) {
    const jar = new CookieJar()
    const end = await signInAs(`${base}/auth/login?returnTo=/deferrals`, subject, jar)
    expect(end.url.href).toBe(`${base}/deferrals`)
    const meta = await call(jar, 'GET', '/api/meta')
    return { jar, meta: meta.body as MetaBody }
  }

  interface MetaBody {
    auth: {
      signOn: boolean
      csrfToken: string | null
      caller: {
        name: string
        role: string
        email: string | null
        via: string
        roadmapOwner: boolean
        teams: string[]
      } | null
    }
  }

  async function call(
    jar: CookieJar,
    method: string,
    path: string,
    options: { body?: unknown; csrf?: string | null } = {},
  ): Promise<{ status: number; body: unknown; response: Response }> {
    const url = new URL(path, base)
    const headers: Record<string, string> = { accept: 'application/json' }
    const cookie = jar.header(url)
    if (cookie !== undefined) headers.cookie = cookie
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    if (typeof options.csrf === 'string') headers['x-csrf-token'] = options.csrf
    const response = await fetch(url, {
      method,
      headers,
      redirect: 'manual',
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    })
    jar.store(url, response)
    const text = await response.text()
    return { status: response.status, body: text === '' ? null : JSON.parse(text), response }
  }

  async function decisionsBy(author: string) {
    const rows = await t.database.db
      .selectFrom('decisions')
      .selectAll()
      .where('author', '=', author)
      .execute()
    return rows
  }

  it('signs a person in: the callback opens a session behind an HttpOnly, SameSite=Lax cookie', async () => {
    const jar = new CookieJar()
    const atCallback = await signInAs(`${base}/auth/login?returnTo=/versions`, 'u-dana', jar, {
      stopAt: (url) => url.pathname === '/versions',
    })
    expect(atCallback.response.status).toBe(303)
    expect(atCallback.url.href).toBe(`${base}/versions`)
    const cookies = atCallback.response.headers.getSetCookie()
    const session = cookies.find((c) => c.startsWith('onetrack-session='))
    expect(session).toMatch(/HttpOnly/i)
    expect(session).toMatch(/SameSite=Lax/i)
    expect(session).toMatch(/Path=\//)
    expect(session).toMatch(/Max-Age=28800/)
    // Plain http on localhost: no Secure flag, or the browser would drop it.
    expect(session).not.toMatch(/Secure/i)
    // The sign-in in progress is gone once used.
    expect(cookies.find((c) => c.startsWith('onetrack-sign-in='))).toMatch(/Expires=Thu, 01 Jan 1970/)

    const meta = (await call(jar, 'GET', '/api/meta')).body as MetaBody
    expect(meta.auth.signOn).toBe(true)
    expect(meta.auth.caller).toEqual({
      name: 'Dana Reyes',
      role: 'owner',
      email: 'dana@acme.test',
      via: 'page',
      roadmapOwner: true,
      teams: ['checkout', 'platform'],
    })
    expect(meta.auth.csrfToken).toEqual(expect.any(String))
    // Only the hash of the cookie is stored.
    const value = session?.split(';')[0]?.split('=')[1] ?? ''
    const stored = await t.database.db.selectFrom('sessions').select('id_hash').execute()
    expect(stored.map((s) => s.id_hash)).not.toContain(value)
  })

  it('maps people by email (any case), by group and by owners lists, and the rest to viewer', async () => {
    const sam = (await signedIn('u-sam')).meta.auth.caller
    expect(sam).toMatchObject({ name: 'Sam O.', role: 'editor', roadmapOwner: false, teams: ['platform'] })
    const priya = (await signedIn('u-priya')).meta.auth.caller
    expect(priya).toMatchObject({ name: 'Priya Natarajan', role: 'editor', teams: [] })
    const alex = (await signedIn('u-alex')).meta.auth.caller
    expect(alex).toMatchObject({ role: 'viewer', teams: [] })
  })

  it("records an owner's sign-off from the page with the person's email and subject", async () => {
    const { jar, meta } = await signedIn('u-dana')
    const answer = await call(jar, 'POST', `/api/epics/${encodeURIComponent(EPICS.dbUpgrade)}/ack`, {
      body: { reason: 'Postgres 13 holds until Q4' },
      csrf: meta.auth.csrfToken,
    })
    expect(answer.status).toBe(201)
    const [decision] = await decisionsBy('Dana Reyes')
    expect(decision).toMatchObject({
      kind: 'acknowledgement',
      author_email: 'dana@acme.test',
      author_subject: 'u-dana',
      via: 'page',
      epic_id: EPICS.dbUpgrade,
    })
    const log = (await call(jar, 'GET', '/api/decisions?author=Dana%20Reyes')).body as {
      decisions: Array<{ authorEmail: string | null; via: string }>
    }
    expect(log.decisions[0]).toMatchObject({ authorEmail: 'dana@acme.test', via: 'page' })
  })

  it('refuses a signed-in write without the CSRF token, or with one of another session: nothing recorded', async () => {
    const { jar } = await signedIn('u-sam')
    const other = await signedIn('u-priya')
    const before = (await t.database.db.selectFrom('decisions').select('id').execute()).length
    const body = { epicId: EPICS.observability, kind: 'pin', period: '2027-Q3', rationale: 'needed for SLOs' }
    const missing = await call(jar, 'POST', '/api/overrides', { body })
    expect(missing.status).toBe(403)
    expect(missing.body).toMatchObject({ error: { code: 'ONETRACK_FORBIDDEN' } })
    expect(JSON.stringify(missing.body)).toContain('CSRF')
    const foreign = await call(jar, 'POST', '/api/overrides', { body, csrf: other.meta.auth.csrfToken })
    expect(foreign.status).toBe(403)
    expect((await t.database.db.selectFrom('decisions').select('id').execute()).length).toBe(before)
    // A token's call needs no CSRF token: no browser sends it by itself.
    const scripted = await fetch(`${base}/api/meta`, {
      headers: { authorization: `Bearer ${testEnv.T_OWNER}` },
    })
    expect(((await scripted.json()) as MetaBody).auth).toMatchObject({
      caller: { via: 'api' },
      csrfToken: null,
    })
  })

  it('answers a call without credentials with 401 and where to sign in', async () => {
    const answer = await call(new CookieJar(), 'POST', '/api/overrides', {
      body: { epicId: EPICS.cache, kind: 'exclude', rationale: 'x' },
    })
    expect(answer.status).toBe(401)
    expect(answer.body).toEqual({
      error: {
        code: 'ONETRACK_UNAUTHORIZED',
        message: 'sign in, or send a bearer token',
        details: { signIn: '/auth/login' },
      },
    })
  })

  it("refuses a viewer's write with 403 and the reason", async () => {
    const { jar, meta } = await signedIn('u-alex')
    const answer = await call(jar, 'POST', `/api/epics/${encodeURIComponent(EPICS.savedCarts)}/ack`, {
      body: { reason: 'fine' },
      csrf: meta.auth.csrfToken,
    })
    expect(answer.status).toBe(403)
    expect(answer.body).toMatchObject({
      error: { code: 'ONETRACK_FORBIDDEN', message: expect.stringContaining('Alex Kim has role viewer') },
    })
    expect(await decisionsBy('Alex Kim')).toEqual([])
  })

  it('refuses a callback whose state was forged, and opens no session', async () => {
    const jar = new CookieJar()
    const atCallback = await signInAs(`${base}/auth/login`, 'u-dana', jar, {
      stopAt: (url) => url.pathname === '/auth/callback',
    })
    const forged = new URL(atCallback.url)
    forged.searchParams.set('state', 'forged-state')
    const answer = await follow(forged.href, jar)
    expect(answer.response.status).toBe(401)
    expect(answer.body).toContain('ONETRACK_UNAUTHORIZED')
    expect(answer.response.headers.getSetCookie().some((c) => c.startsWith('onetrack-session='))).toBe(false)
    expect(((await call(jar, 'GET', '/api/meta')).body as MetaBody).auth.caller).toBeNull()
  })

  it('refuses a replayed callback and a replayed code', async () => {
    const jar = new CookieJar()
    const atCallback = await signInAs(`${base}/auth/login`, 'u-dana', jar, {
      stopAt: (url) => url.pathname === '/auth/callback',
    })
    const attemptCookie = jar.header(new URL('/auth/callback', base)) ?? ''
    const first = await follow(atCallback.url.href, jar, { stopAt: () => true })
    expect(first.response.status).toBe(303)
    // The same request again, with the sign-in cookie it carried: the attempt was taken once.
    const replay = await fetch(atCallback.url, { headers: { cookie: attemptCookie }, redirect: 'manual' })
    expect(replay.status).toBe(400)
    expect(await replay.text()).toContain('expired or was used already')
    // The old code under a fresh sign-in's state: the provider refuses the code itself.
    const fresh = new CookieJar()
    const begun = await follow(`${base}/auth/login`, fresh, { stopAt: (url) => url.origin !== base })
    const state = begun.url.searchParams.get('state') ?? ''
    const swapped = new URL(atCallback.url)
    swapped.searchParams.set('state', state)
    const reused = await follow(swapped.href, fresh, { stopAt: () => true })
    expect(reused.response.status).toBe(401)
    expect(reused.body).toContain('invalid_grant')
    expect(((await call(fresh, 'GET', '/api/meta')).body as MetaBody).auth.caller).toBeNull()
  })

  it('ends a session left idle, and one past its absolute limit however used', async () => {
    const { jar, meta } = await signedIn('u-sam')
    const started = clock
    try {
      clock = new Date(started.getTime() + 31 * 60_000)
      const idle = await call(jar, 'POST', '/api/overrides', {
        body: { epicId: EPICS.cache, kind: 'exclude', rationale: 'not this year' },
        csrf: meta.auth.csrfToken,
      })
      expect(idle.status).toBe(401)
      expect(idle.body).toMatchObject({ error: { message: 'your session has ended: sign in again' } })
      clock = started
      const again = await signedIn('u-sam')
      expect(again.meta.auth.caller?.name).toBe('Sam O.')
      // Used every 20 minutes: never idle, but over 8 hours since sign-in.
      for (let minutes = 20; minutes <= 8 * 60; minutes += 20) {
        clock = new Date(started.getTime() + minutes * 60_000)
        const meta = (await call(again.jar, 'GET', '/api/meta')).body as MetaBody
        if (minutes < 8 * 60) expect(meta.auth.caller?.name).toBe('Sam O.')
        else expect(meta.auth.caller).toBeNull()
      }
    } finally {
      clock = started
    }
  })

  it('signs out: the session ends here and at the provider, which comes back to the page', async () => {
    const { jar, meta } = await signedIn('u-priya')
    const withoutToken = await call(jar, 'POST', '/auth/logout')
    expect(withoutToken.status).toBe(403)
    const out = await call(jar, 'POST', '/auth/logout', { csrf: meta.auth.csrfToken })
    expect(out.status).toBe(200)
    const redirect = new URL((out.body as { redirect: string }).redirect)
    expect(redirect.origin).toBe(idp.issuer)
    expect(redirect.searchParams.get('id_token_hint')).toEqual(expect.any(String))
    expect(((await call(jar, 'GET', '/api/meta')).body as MetaBody).auth.caller).toBeNull()
    // The provider asks to confirm, then sends the browser back to onetrack's page.
    const confirm = await follow(redirect.href, jar)
    const [form] = formsIn(confirm.body, confirm.url)
    if (form === undefined) throw new Error(`no logout form in ${confirm.body}`)
    const back = await submit(form, form.buttons[0], jar, { stopAt: (url) => url.origin === base })
    expect(back.url.href).toBe(`${base}/`)
  })

  it('never writes the session secret, the client secret, cookies or tokens to the log', () => {
    const text = captured.text()
    expect(text).toContain('signed in')
    expect(text).not.toContain(SESSION_SECRET)
    expect(text).not.toContain(CLIENT_SECRET)
    expect(text).not.toMatch(/eyJ[\w-]+\.eyJ/) // no JWT (ID token)
    expect(text).not.toMatch(/onetrack-session=[\w-]{20}/)
  })
})

describe('sign-on that refuses people it cannot map', () => {
  it('answers 403 with who signed in and what to do, and opens no session', async () => {
    const port = await freePort()
    const base = `http://localhost:${port}`
    const idp = await providerFor(base, [
      { subject: 'u-zed', name: 'Zed Stranger', email: 'zed@elsewhere.test', groups: [] },
    ])
    const t = await startTestApp({ config: signOnConfig(base, idp.issuer, 'refuse') })
    try {
      await t.app.listen({ port, host: '127.0.0.1' })
      const jar = new CookieJar()
      const end = await signInAs(`${base}/auth/login`, 'u-zed', jar)
      expect(end.response.status).toBe(403)
      expect(end.body).toContain('zed@elsewhere.test signed in, but onetrack gives them no role')
      expect(await t.database.db.selectFrom('sessions').select('id_hash').execute()).toEqual([])
    } finally {
      await t.close()
      await idp.close()
    }
  })
})

describe('sign-on behind https', () => {
  it('marks every cookie Secure, host-only (__Host-), HttpOnly and SameSite=Lax, and caches nothing', async () => {
    const base = 'https://onetrack.acme.test'
    const idp = await providerFor(base)
    const t = await startTestApp({ config: signOnConfig(base, idp.issuer) })
    try {
      const login = await t.app.inject({ url: '/auth/login?returnTo=/deferrals' })
      expect(login.statusCode).toBe(302)
      expect(login.headers['cache-control']).toBe('no-store')
      const attempt = login.headers['set-cookie'] as string
      expect(attempt).toMatch(
        /^__Secure-onetrack-sign-in=[\w-]+; Max-Age=600; Path=\/auth\/; HttpOnly; Secure; SameSite=Lax$/,
      )
      // The provider's side, as a browser would go through it, up to the https callback.
      const jar = new CookieJar()
      const atCallback = await signInAs(login.headers.location as string, 'u-dana', jar, {
        stopAt: (url) => url.origin === base,
      })
      const callback = await t.app.inject({
        url: `${atCallback.url.pathname}${atCallback.url.search}`,
        headers: { cookie: attempt.split(';')[0] ?? '' },
      })
      expect(callback.statusCode).toBe(303)
      expect(callback.headers.location).toBe('/deferrals')
      expect(callback.headers['cache-control']).toBe('no-store')
      const cookies = [callback.headers['set-cookie']].flat().join('\n')
      expect(cookies).toMatch(
        /^__Host-onetrack-session=[\w-]+; Max-Age=28800; Path=\/; HttpOnly; Secure; SameSite=Lax$/m,
      )
      // The page's CSRF secret, signed, under the same rules.
      const session = cookies.match(/^(__Host-onetrack-session=[\w-]+)/m)?.[1] ?? ''
      const meta = await t.app.inject({ url: '/api/meta', headers: { cookie: session } })
      expect(meta.json().auth.caller).toMatchObject({ email: 'dana@acme.test', via: 'page' })
      expect(meta.headers['cache-control']).toBe('no-store')
      expect(meta.headers['set-cookie']).toMatch(
        /^__Host-onetrack-csrf=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
      )
    } finally {
      await t.close()
      await idp.close()
    }
  })
})
