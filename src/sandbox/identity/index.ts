import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider, { type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider'
import { interactionHandler, sendHtml } from './interactions.ts'
import { errorPage, logoutPage, PAGE_CSP, STYLESHEET, STYLESHEET_PATH, signedOutPage } from './pages.ts'
import { MemoryStore } from './store.ts'

export interface IdentityPerson {
  /** The `sub` claim, stable. */
  subject: string
  name: string
  email: string
  /** The `groups` claim. */
  groups: string[]
  /** Shown on the login page ("CPTO", "Platform lead"). */
  title?: string
}

export interface IdentityClient {
  clientId: string
  clientSecret: string
  redirectUris: string[]
  postLogoutRedirectUris: string[]
}

/**
 * A company's OpenID provider in one process, for the demo and the tests: oidc-provider (certified)
 * with the authorization code flow and PKCE (S256, required), scopes `openid email profile groups`,
 * userinfo and RP-initiated logout. Its login page lists the people; consent is granted at once.
 * ID tokens carry `sub` only (oidc-provider's conformant default, since an access token is issued
 * with them): name, email, email_verified and groups come from userinfo.
 */
/** onetrack reached at `publicUrl`, as a client: its sign-in callback, and its page after a logout. */
export function onetrackClient(publicUrl: string, clientId: string, clientSecret: string): IdentityClient {
  const base = publicUrl.replace(/\/+$/, '')
  return {
    clientId,
    clientSecret,
    redirectUris: [`${base}/auth/callback`],
    postLogoutRedirectUris: [`${base}/`],
  }
}

export interface IdentityProvider {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  issuer: string
  /** Adds or replaces a client after start (the demo learns its port late). Throws on bad metadata. */
  addClient(client: IdentityClient): Promise<void>
  close(): Promise<void>
}

export interface IdentityProviderOptions {
  people: IdentityPerson[]
  clients: IdentityClient[]
  /** Default '127.0.0.1'. */
  host?: string
  /** Default 0: any free port. */
  port?: number
  /** The login page's heading, e.g. "Acme sign-in (demo)". */
  title?: string
}

const TTL_SECONDS = {
  AccessToken: 60 * 60,
  AuthorizationCode: 60,
  IdToken: 60 * 60,
  Interaction: 60 * 60,
  Session: 24 * 60 * 60,
  Grant: 24 * 60 * 60,
}

function clientMetadata(client: IdentityClient): ClientMetadata {
  return {
    client_id: client.clientId,
    client_secret: client.clientSecret,
    // Web clients may register http redirect URIs (localhost included) for the code flow; only the
    // implicit flow would require https.
    application_type: 'web',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    // oidc-provider accepts client_secret_post as well from a client registered for basic.
    token_endpoint_auth_method: 'client_secret_basic',
  }
}

function signingKey(): object {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' }
}

function configuration(
  title: string,
  store: MemoryStore,
  people: ReadonlyMap<string, IdentityPerson>,
): Configuration {
  const html = (ctx: KoaContextWithOIDC, body: string) => {
    ctx.type = 'html'
    ctx.set('content-security-policy', PAGE_CSP)
    ctx.body = body
  }
  return {
    adapter: store.adapter,
    jwks: { keys: [signingKey()] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: ['openid'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      groups: ['groups'],
    },
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    // Browsers never call this provider from a page: no CORS.
    clientBasedCORS: () => false,
    ttl: TTL_SECONDS,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => html(ctx, logoutPage(title, form)),
        postLogoutSuccessSource: async (ctx) => html(ctx, signedOutPage(title)),
      },
    },
    findAccount: async (_ctx, sub) => {
      const person = people.get(sub)
      if (person === undefined) return undefined
      return {
        accountId: person.subject,
        claims: () => ({
          sub: person.subject,
          name: person.name,
          email: person.email,
          email_verified: true,
          groups: [...person.groups],
        }),
      }
    },
    renderError: async (ctx, out) =>
      html(ctx, errorPage(title, 'Sign-in failed', out.error_description ?? out.error)),
  }
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

export async function startIdentityProvider(options: IdentityProviderOptions): Promise<IdentityProvider> {
  const host = options.host ?? '127.0.0.1'
  const title = options.title ?? 'Sign in'
  const people = new Map(options.people.map((person) => [person.subject, person]))
  const store = new MemoryStore()

  // The issuer holds the port, so the provider is built once the server listens.
  let handle: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined
  const server = createServer((req, res) => {
    if (handle === undefined) {
      res.writeHead(503).end()
      return
    }
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy()
      else sendHtml(res, 500, errorPage(title, 'Provider error', String(error)))
    })
  })
  const port = await listen(server, options.port ?? 0, host)
  const issuer = `http://${host.includes(':') ? `[${host}]` : host}:${port}`

  const provider = new Provider(issuer, configuration(title, store, people))
  const addClient = async (client: IdentityClient) => {
    const metadata = clientMetadata(client)
    try {
      await provider.Client.validate(metadata)
    } catch (cause) {
      // oidc-provider's message is only the error code; the description says what is wrong.
      const description = (cause as { error_description?: string }).error_description ?? String(cause)
      throw new Error(`identity client ${client.clientId}: ${description}`, { cause })
    }
    // Clients live in the adapter, not in the static configuration, so they can be added later.
    store.put('Client', client.clientId, metadata)
  }
  for (const client of options.clients) await addClient(client)

  const interactions = interactionHandler(provider, people, title)
  const oidc = provider.callback()
  handle = async (req, res) => {
    if (req.url === STYLESHEET_PATH) {
      res.writeHead(200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=3600' })
      res.end(STYLESHEET)
    } else if (req.url === '/favicon.ico') {
      // Browsers ask for it: an empty answer keeps their consoles (and browser tests) free of 404s.
      res.writeHead(204).end()
    } else if (!(await interactions(req, res))) await oidc(req, res)
  }

  return {
    issuer,
    addClient,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)))
        server.closeAllConnections()
      }),
  }
}
