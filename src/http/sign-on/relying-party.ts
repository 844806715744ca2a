import * as client from 'openid-client'
import type { OnetrackConfig } from '../../config/index.ts'
import { isLoopback } from '../../config/load.ts'
import { OnetrackError } from '../../errors.ts'
import type { SignInAttempt } from '../../store/index.ts'

type OidcConfig = NonNullable<OnetrackConfig['auth']['oidc']>

/** What the identity provider says about the person who signed in. */
export interface Identity {
  subject: string
  email: string | undefined
  name: string | undefined
  groups: string[]
  idToken: string
}

/**
 * onetrack as an OpenID Connect relying party (openid-client, a certified implementation):
 * authorization code flow with PKCE, state and nonce. The provider's metadata is discovered on
 * first use and kept; a provider that cannot be reached fails that sign-in (503) and is asked again
 * at the next one, so onetrack starts whether or not the provider is up.
 */
export class RelyingParty {
  readonly #settings: OidcConfig
  #discovered: Promise<client.Configuration> | undefined

  constructor(settings: OidcConfig) {
    this.#settings = settings
  }

  /** Where to send the browser to sign in, and what its callback must match. */
  async begin(returnTo: string): Promise<{ url: URL; attempt: SignInAttempt }> {
    const config = await this.#configuration()
    const codeVerifier = client.randomPKCECodeVerifier()
    const attempt: SignInAttempt = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier,
      returnTo,
    }
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.#settings.redirectUrl,
      scope: [...new Set(['openid', ...this.#settings.scopes])].join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: attempt.state,
      nonce: attempt.nonce,
    })
    return { url, attempt }
  }

  /**
   * Checks the callback against its attempt (state, then the code exchange with the PKCE verifier,
   * then the ID token's signature, audience and nonce), and reads who signed in: the ID token's
   * claims, completed by userinfo when the provider keeps email, name or groups there.
   */
  async finish(callbackUrl: URL, attempt: SignInAttempt): Promise<Identity> {
    const config = await this.#configuration()
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>
    try {
      tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: attempt.codeVerifier,
        expectedState: attempt.state,
        expectedNonce: attempt.nonce,
        idTokenExpected: true,
      })
    } catch (error) {
      throw new OnetrackError('ONETRACK_UNAUTHORIZED', `sign-in refused: ${describe(error)}`, {
        cause: error,
      })
    }
    const claims = tokens.claims()
    if (claims === undefined || tokens.id_token === undefined) {
      throw new OnetrackError('ONETRACK_UNAUTHORIZED', 'sign-in refused: the provider sent no ID token')
    }
    let all: Record<string, unknown> = claims
    const groupsClaim = this.#settings.groupsClaim
    if (claims.email === undefined || claims.name === undefined || claims[groupsClaim] === undefined) {
      try {
        const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub)
        all = { ...info, ...claims }
      } catch (error) {
        throw new OnetrackError('ONETRACK_UNAUTHORIZED', `sign-in refused: userinfo: ${describe(error)}`, {
          cause: error,
        })
      }
    }
    const groups = all[groupsClaim]
    return {
      subject: claims.sub,
      email: typeof all.email === 'string' && all.email_verified !== false ? all.email : undefined,
      name: typeof all.name === 'string' ? all.name : undefined,
      groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
      idToken: tokens.id_token,
    }
  }

  /** The provider's logout (RP-initiated) for this session, or null when the provider has none. */
  async logoutUrl(idToken: string | null, returnTo: string): Promise<URL | null> {
    const config = await this.#configuration()
    if (config.serverMetadata().end_session_endpoint === undefined) return null
    return client.buildEndSessionUrl(config, {
      post_logout_redirect_uri: returnTo,
      ...(idToken === null ? {} : { id_token_hint: idToken }),
    })
  }

  #configuration(): Promise<client.Configuration> {
    if (this.#discovered === undefined) {
      const { issuer, clientId, clientSecret } = this.#settings
      const url = new URL(issuer)
      // Plain http only for a provider on this machine (the demo's, a test's); config validation
      // refuses it anywhere else.
      const loopback = url.protocol === 'http:' && isLoopback(url.hostname)
      this.#discovered = client
        .discovery(url, clientId, clientSecret.reveal(), undefined, {
          ...(loopback ? { execute: [client.allowInsecureRequests] } : {}),
          timeout: 10,
        })
        .catch((error: unknown) => {
          this.#discovered = undefined
          throw new OnetrackError(
            'ONETRACK_SIGN_ON_UNAVAILABLE',
            `the identity provider at ${issuer} cannot be reached or is not an OpenID provider: ${describe(error)}`,
            { cause: error },
          )
        })
    }
    return this.#discovered
  }
}

function describe(error: unknown): string {
  // The provider's own words: a refused code (invalid_grant), a person who declined (access_denied).
  if (error instanceof client.ResponseBodyError || error instanceof client.AuthorizationResponseError) {
    return `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`
  }
  return error instanceof Error ? error.message : String(error)
}
