import { format } from 'node:util'
import * as client from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type IdentityPerson,
  type IdentityProvider,
  startIdentityProvider,
} from '../../src/sandbox/identity/index.ts'
import { CookieJar, follow, formsIn, signInAs, submit } from '../helpers/oidc.ts'

// No relying party runs here: every redirect back to it stops the "browser".
const RP = 'http://localhost:1'
const CALLBACK = `${RP}/auth/callback`
const SIGNED_OUT = `${RP}/signed-out`
const atRp = (url: URL) => url.origin === RP

const PEOPLE: IdentityPerson[] = [
  {
    subject: 'u-dana',
    name: 'Dana Reyes',
    email: 'dana@acme.example',
    groups: ['leadership', 'product'],
    title: 'CPTO',
  },
  {
    subject: 'u-priya',
    name: 'Priya Nair',
    email: 'priya@acme.example',
    groups: ['platform'],
    title: 'Platform lead',
  },
  { subject: 'u-conor', name: 'Conor <O’Brien> & "Co"', email: 'conor@acme.example', groups: [] },
]
const ONETRACK = {
  clientId: 'onetrack',
  clientSecret: 'onetrack-demo-secret',
  redirectUris: [CALLBACK],
  postLogoutRedirectUris: [SIGNED_OUT],
}

// The demo prints its story to the console: the provider must say nothing there. (vi.spyOn would not
// do: vitest clears mock calls before each test, and the start happens before the first.)
const terminal = globalThis.console
const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const
const printed: string[] = []
const originalConsole = new Map(CONSOLE_METHODS.map((method) => [method, terminal[method]]))

let idp: IdentityProvider
let config: client.Configuration

beforeAll(async () => {
  for (const method of CONSOLE_METHODS)
    terminal[method] = (...args: unknown[]) => {
      printed.push(`console.${method}: ${format(...args)}`)
      originalConsole.get(method)?.apply(terminal, args)
    }
  idp = await startIdentityProvider({ people: PEOPLE, clients: [ONETRACK], title: 'Acme sign-in (demo)' })
  config = await client.discovery(new URL(idp.issuer), ONETRACK.clientId, ONETRACK.clientSecret, undefined, {
    execute: [client.allowInsecureRequests],
  })
})

afterAll(async () => {
  await idp.close()
  for (const [method, original] of originalConsole) terminal[method] = original
  expect(printed).toEqual([])
})

async function authorization(configuration = config) {
  const pkceCodeVerifier = client.randomPKCECodeVerifier()
  const expectedState = client.randomState()
  const expectedNonce = client.randomNonce()
  const url = client.buildAuthorizationUrl(configuration, {
    redirect_uri: CALLBACK,
    scope: 'openid email profile groups',
    code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
    code_challenge_method: 'S256',
    state: expectedState,
    nonce: expectedNonce,
  })
  return { url, checks: { pkceCodeVerifier, expectedState, expectedNonce, idTokenExpected: true } }
}

async function signIn(subject: string, jar = new CookieJar()) {
  const { url, checks } = await authorization()
  const callback = await signInAs(url.href, subject, jar, { stopAt: atRp })
  return { jar, callback, checks }
}

describe('identity sandbox (oidc-provider) with openid-client as the relying party', () => {
  it('signs a person in: the ID token names them, userinfo gives their email, name and groups', async () => {
    const { jar, callback, checks } = await signIn('u-dana')
    expect(callback.url.href.startsWith(`${CALLBACK}?`)).toBe(true)
    expect(callback.url.searchParams.get('iss')).toBe(idp.issuer)

    const tokens = await client.authorizationCodeGrant(config, callback.url, checks)
    const idToken = tokens.claims()
    expect(idToken).toMatchObject({ sub: 'u-dana', iss: idp.issuer, aud: 'onetrack' })
    // oidc-provider's conformant default: with an access token issued, scope claims are userinfo's only.
    expect(idToken).not.toHaveProperty('email')
    expect(idToken).not.toHaveProperty('groups')

    const userinfo = await client.fetchUserInfo(config, tokens.access_token, 'u-dana')
    expect(userinfo).toEqual({
      sub: 'u-dana',
      name: 'Dana Reyes',
      email: 'dana@acme.example',
      email_verified: true,
      groups: ['leadership', 'product'],
    })
    // http on loopback: the provider's cookies are kept, and none is marked Secure.
    expect(jar.names('127.0.0.1')).toEqual(expect.arrayContaining(['_session', '_session.sig']))
  })

  it('lists every person on the login page, escaped, and refuses an unknown subject with 400', async () => {
    const jar = new CookieJar()
    const { url } = await authorization()
    const page = await follow(url.href, jar)
    expect(page.response.status).toBe(200)
    expect(page.response.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(page.body).not.toMatch(/<script/i)
    expect(page.body).toContain('<h1>Acme sign-in (demo)</h1>')
    expect(page.body).toContain('Sign in as Dana Reyes — CPTO')
    expect(page.body).toContain('Sign in as Priya Nair — Platform lead')
    expect(page.body).toContain('Conor &lt;O’Brien&gt; &amp; &quot;Co&quot;')
    const [form, ...others] = formsIn(page.body, page.url)
    expect(others).toEqual([])
    expect(form?.method).toBe('POST')
    expect(form?.buttons.map((b) => [b['data-subject'], b.name, b.value])).toEqual(
      PEOPLE.map((p) => [p.subject, 'subject', p.subject]),
    )

    if (form === undefined) throw new Error('no login form')
    const refused = await submit(form, { name: 'subject', value: 'u-mallory' }, jar, { stopAt: atRp })
    expect(refused.response.status).toBe(400)
    expect(refused.body).toContain('No person with subject &quot;u-mallory&quot;')

    // The sign-in is still open: a known person can go on from the same page.
    const accepted = await submit(form, form.buttons[2], jar, { stopAt: atRp })
    expect(accepted.url.searchParams.has('code')).toBe(true)
  })

  it('refuses an authorization code used twice with invalid_grant', async () => {
    const { callback, checks } = await signIn('u-priya')
    const tokens = await client.authorizationCodeGrant(config, callback.url, checks)
    await expect(client.authorizationCodeGrant(config, callback.url, checks)).rejects.toMatchObject({
      error: 'invalid_grant',
    })
    // The replay also revokes what the code had given.
    await expect(client.fetchUserInfo(config, tokens.access_token, 'u-priya')).rejects.toMatchObject({
      status: 401,
    })
  })

  it('signs out (RP-initiated logout) back to a registered post_logout_redirect_uri', async () => {
    const { jar, callback, checks } = await signIn('u-dana')
    const tokens = await client.authorizationCodeGrant(config, callback.url, checks)
    const endSession = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: SIGNED_OUT,
      state: 'bye',
    })

    const confirmation = await follow(endSession.href, jar)
    expect(confirmation.response.status).toBe(200)
    expect(confirmation.body).not.toMatch(/<script/i)
    const [form] = formsIn(confirmation.body, confirmation.url)
    expect(form?.fields.map(([name]) => name)).toEqual(['xsrf'])
    expect(form?.buttons).toEqual([{ type: 'submit', form: 'op.logoutForm', name: 'logout', value: 'yes' }])
    if (form === undefined) throw new Error('no logout form')

    const back = await submit(form, form.buttons[0], jar, { stopAt: atRp })
    expect(back.response.status).toBe(303)
    expect(back.url.href).toBe(`${SIGNED_OUT}?state=bye`)
    expect(jar.names('127.0.0.1')).not.toContain('_session')

    // Signed out for real: the next sign-in shows the login page again.
    const { url } = await authorization()
    expect((await follow(url.href, jar)).body).toContain('data-subject="u-dana"')
  })

  it('refuses a post_logout_redirect_uri the client did not register', async () => {
    const { jar, callback, checks } = await signIn('u-priya')
    const tokens = await client.authorizationCodeGrant(config, callback.url, checks)
    const endSession = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: 'http://localhost:1/elsewhere',
    })
    const answer = await follow(endSession.href, jar)
    expect(answer.response.status).toBe(400)
    expect(answer.body).toContain('post_logout_redirect_uri not registered')
  })

  it('takes a client added or replaced after start, and refuses metadata oidc-provider would not accept', async () => {
    const LATE = { ...ONETRACK, clientId: 'late-demo', clientSecret: 'late-secret' }
    await idp.addClient({ ...LATE, redirectUris: [`${RP}/not-yet/callback`] })
    const late = await client.discovery(new URL(idp.issuer), 'late-demo', 'late-secret', undefined, {
      execute: [client.allowInsecureRequests],
    })
    const early = await follow((await authorization(late)).url.href, new CookieJar())
    expect(early.response.status).toBe(400)
    expect(early.body).toContain('redirect_uri did not match')

    // As the demo does once it knows its port: the same client, now with its real callback.
    await idp.addClient(LATE)
    const { url, checks } = await authorization(late)
    const callback = await signInAs(url.href, 'u-priya', new CookieJar(), { stopAt: atRp })
    const tokens = await client.authorizationCodeGrant(late, callback.url, checks)
    expect(tokens.claims()?.aud).toBe('late-demo')

    await expect(
      idp.addClient({ ...ONETRACK, clientId: 'broken', redirectUris: ['not a url'] }),
    ).rejects.toThrow(/redirect_uris/)
  })

  it('closes promptly with a keep-alive connection still open', async () => {
    const other = await startIdentityProvider({ people: PEOPLE, clients: [] })
    await (await fetch(`${other.issuer}/.well-known/openid-configuration`)).text()
    const started = performance.now()
    await other.close()
    expect(performance.now() - started).toBeLessThan(1000)
  })
})
