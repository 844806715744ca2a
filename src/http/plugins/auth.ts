import { createHash, timingSafeEqual } from 'node:crypto'
import cookie from '@fastify/cookie'
import csrf from '@fastify/csrf-protection'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { AuthConfig, Person, Role } from '../../config/index.ts'
import { OnetrackError } from '../../errors.ts'
import { type Database, findSession, type SessionLimits } from '../../store/index.ts'
import { sendError } from '../error-handler.ts'

export type { Role }

const rank: Record<Role, number> = { viewer: 0, editor: 1, owner: 2 }

/** Who is calling and how: a bearer token (`api`), or a person signed in on the page (`page`). */
export interface Caller extends Person {
  via: 'api' | 'page'
}

declare module 'fastify' {
  interface FastifyInstance {
    /** A preHandler that lets only callers with at least `role` through. */
    requireRole(role: Role): (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
  interface FastifyRequest {
    caller: Caller | null
    /** The sign-in session the caller came with (page callers only): what CSRF tokens bind to. */
    sessionKey: string | null
  }
}

interface StoredToken {
  name: string
  role: Role
  digest: Buffer
}

/** The session cookie, and the CSRF secret's, on plain http (localhost) and on https. */
export function cookieNames(secure: boolean): { session: string; csrf: string } {
  // `__Host-` cookies are Secure, host-only and Path=/: a sibling subdomain cannot plant one.
  return secure
    ? { session: '__Host-onetrack-session', csrf: '__Host-onetrack-csrf' }
    : { session: 'onetrack-session', csrf: 'onetrack-csrf' }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export interface AuthOptions {
  auth: AuthConfig
  database: Database
  now: () => Date
  /** Cookies are Secure: onetrack is reached over https (anything but localhost). */
  secure: boolean
}

export function sessionLimits(auth: AuthConfig): SessionLimits {
  return { idleMs: auth.session.idleMinutes * 60_000, absoluteMs: auth.session.absoluteHours * 3_600_000 }
}

/**
 * Who is calling. Bearer tokens from the config (values from the environment), for scripts and the
 * API: both sides are hashed before a constant-time compare, so neither the token nor its length
 * leaks through timing; Basic auth with the token as password is accepted too. With sign-on
 * (auth.oidc), a session cookie names a signed-in person, and every write it makes must carry the
 * page's CSRF token (`x-csrf-token`); a token's calls need none, since no browser adds them by itself.
 */
export const authPlugin = fp<AuthOptions>(
  async (app, options) => {
    const { auth } = options
    const tokens: StoredToken[] = auth.tokens.map((t) => ({
      name: t.name,
      role: t.role,
      digest: digest(t.token.reveal()),
    }))
    const signOn = auth.oidc !== undefined && auth.session.secret !== undefined
    const names = cookieNames(options.secure)
    const limits = sessionLimits(auth)

    app.decorateRequest('caller', null)
    app.decorateRequest('sessionKey', null)
    if (signOn) {
      await app.register(cookie, { secret: auth.session.secret?.reveal() ?? '' })
      await app.register(csrf, {
        sessionPlugin: '@fastify/cookie',
        cookieKey: names.csrf,
        cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure: options.secure, signed: true },
        // A token is good for one session only: bound to it by an HMAC with the session secret.
        getUserInfo: (request) => request.sessionKey ?? '',
        csrfOpts: { hmacKey: auth.session.secret?.reveal() ?? '', userInfo: true },
      })
    }

    app.addHook('onRequest', async (request, reply) => {
      const presented = presentedToken(request.headers.authorization)
      if (presented !== undefined) {
        const candidate = digest(presented)
        let match: StoredToken | undefined
        // Compare with every token (no early exit) so timing does not tell which one matched.
        for (const token of tokens) if (timingSafeEqual(token.digest, candidate)) match = token
        request.caller = match === undefined ? null : { name: match.name, role: match.role, via: 'api' }
        return
      }
      if (!signOn) return
      const value = request.cookies[names.session]
      if (value === undefined || value === '') return
      const session = await findSession(options.database.db, value, options.now(), limits)
      if (session === null) return
      request.caller = { ...session.person, via: 'page' }
      request.sessionKey = session.key
      if (SAFE_METHODS.has(request.method)) return
      // Synchronous: it either passes or has already answered 403 (the error handler shapes it).
      let passed = false
      app.csrfProtection(request, reply, () => {
        passed = true
      })
      if (!passed) return reply
    })

    app.decorate('requireRole', (role: Role) => async (request: FastifyRequest, reply: FastifyReply) => {
      const denied = refusal(request, role, signOn, names.session)
      if (denied === undefined) return
      if (denied.code === 'ONETRACK_UNAUTHORIZED') {
        reply.header('www-authenticate', 'Bearer realm="onetrack", Basic realm="onetrack"')
      }
      await sendError(reply, denied)
    })
  },
  { name: 'onetrack-auth' },
)

function refusal(
  request: FastifyRequest,
  role: Role,
  signOn: boolean,
  sessionCookie: string,
): OnetrackError | undefined {
  if (request.caller === null) {
    const hadSession = signOn && request.cookies?.[sessionCookie] !== undefined
    const message =
      request.headers.authorization !== undefined
        ? 'the token is not valid'
        : hadSession
          ? 'your session has ended: sign in again'
          : signOn
            ? 'sign in, or send a bearer token'
            : 'a bearer token is required'
    // The page offers the sign-in instead of a token box when the answer says where it is.
    return new OnetrackError(
      'ONETRACK_UNAUTHORIZED',
      message,
      signOn && request.headers.authorization === undefined ? { details: { signIn: '/auth/login' } } : {},
    )
  }
  if (rank[request.caller.role] < rank[role]) {
    return new OnetrackError(
      'ONETRACK_FORBIDDEN',
      `${request.caller.name} has role ${request.caller.role}; this needs ${role} or above`,
    )
  }
  return undefined
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

function presentedToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const [scheme, value] = header.split(' ', 2)
  if (value === undefined || value === '') return undefined
  if (scheme?.toLowerCase() === 'bearer') return value
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    return colon === -1 ? undefined : decoded.slice(colon + 1)
  }
  return undefined
}
