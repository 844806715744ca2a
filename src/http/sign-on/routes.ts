import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { type OnetrackConfig, personFrom } from '../../config/index.ts'
import { OnetrackError } from '../../errors.ts'
import {
  createSession,
  type Database,
  deleteSession,
  pruneSessions,
  SIGN_IN_ATTEMPT_MS,
  saveSignInAttempt,
  takeSignInAttempt,
} from '../../store/index.ts'
import { cookieNames, sessionLimits } from '../plugins/auth.ts'
import { RelyingParty } from './relying-party.ts'

export interface SignOnDeps {
  config: OnetrackConfig
  database: Database
  now(): Date
  secure: boolean
}

/** The sign-in in progress: only the callback reads it (`__Secure-`: only https may set it). */
const attemptCookie = (secure: boolean) => (secure ? '__Secure-onetrack-sign-in' : 'onetrack-sign-in')
const ATTEMPT_PATH = '/auth/'

/**
 * Sign-on with the company's identity provider (auth.oidc): /auth/login sends the browser there,
 * /auth/callback checks what comes back and opens a session, /auth/logout ends it (and, where the
 * provider offers it, the provider's session too). Without auth.oidc none of these exist.
 */
export const signOnRoutes: FastifyPluginAsyncTypebox<SignOnDeps> = async (app, deps) => {
  const { oidc } = deps.config.auth
  if (oidc === undefined) return
  const relyingParty = new RelyingParty(oidc)
  const names = cookieNames(deps.secure)
  const attemptName = attemptCookie(deps.secure)
  const limits = sessionLimits(deps.config.auth)
  const db = deps.database.db
  const home = new URL('/', oidc.redirectUrl).href
  // Nothing of a sign-in is ever cached, by the browser or anything between.
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('cache-control', 'no-store')
  })
  const sessionCookie = {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: deps.secure,
  }

  app.get(
    '/auth/login',
    {
      schema: {
        tags: ['sign-on'],
        summary: 'Sign in: redirects to the identity provider',
        querystring: Type.Object({
          returnTo: Type.Optional(
            Type.String({
              maxLength: 2000,
              description: 'a path of this site to come back to, such as /epics/…',
            }),
          ),
        }),
      },
    },
    async (request, reply) => {
      const { url, attempt } = await relyingParty.begin(localPath(request.query.returnTo))
      // Anyone may start a sign-in: what they leave behind is cleared as it expires.
      await pruneSessions(db, deps.now(), limits)
      const value = await saveSignInAttempt(db, attempt, deps.now())
      // Lax, so the provider's redirect back (a top-level GET from its site) carries it.
      void reply.setCookie(attemptName, value, {
        ...sessionCookie,
        path: ATTEMPT_PATH,
        maxAge: SIGN_IN_ATTEMPT_MS / 1000,
      })
      return reply.redirect(url.href, 302)
    },
  )

  app.get(
    '/auth/callback',
    {
      schema: {
        tags: ['sign-on'],
        summary: 'Where the identity provider sends the browser back (register this as the redirect URL)',
      },
    },
    async (request, reply) => {
      const value = request.cookies[attemptName]
      void reply.clearCookie(attemptName, { ...sessionCookie, path: ATTEMPT_PATH })
      const now = deps.now()
      const attempt = value === undefined ? null : await takeSignInAttempt(db, value, now)
      if (attempt === null) {
        throw new OnetrackError(
          'ONETRACK_BAD_REQUEST',
          'this sign-in has expired or was used already: sign in again from the page',
        )
      }
      // The URL as the provider called it, on the registered redirect URL (whatever proxy is between).
      const callback = new URL(oidc.redirectUrl)
      callback.search = new URL(request.url, 'http://x').search
      const identity = await relyingParty.finish(callback, attempt)
      const person = personFrom(deps.config, {
        email: identity.email,
        name: identity.name,
        subject: identity.subject,
        groups: identity.groups,
      })
      const who = identity.email ?? identity.name ?? identity.subject
      if (person === null && oidc.unmapped === 'refuse') {
        request.log.warn({ subject: identity.subject }, 'sign-in refused: the person is mapped to no role')
        throw new OnetrackError(
          'ONETRACK_FORBIDDEN',
          `${who} signed in, but onetrack gives them no role: ask an owner to add them to auth.people or auth.groups`,
        )
      }
      const signedIn = person ?? {
        name: identity.name ?? who,
        role: 'viewer' as const,
        ...(identity.email === undefined ? {} : { email: identity.email }),
        subject: identity.subject,
        groups: identity.groups,
      }
      // A new session at every sign-in: one planted before it is worth nothing after.
      const before = request.cookies[names.session]
      if (before !== undefined) await deleteSession(db, before)
      const session = await createSession(db, { person: signedIn, idToken: identity.idToken, now, limits })
      request.log.info({ subject: identity.subject, role: signedIn.role }, 'signed in')
      // Max-Age, not Expires: the browser counts it on its own clock, whatever onetrack's says.
      const maxAge = Math.floor((session.expiresAt.getTime() - now.getTime()) / 1000)
      void reply.setCookie(names.session, session.cookie, { ...sessionCookie, maxAge })
      return reply.redirect(attempt.returnTo, 303)
    },
  )

  app.post(
    '/auth/logout',
    {
      schema: {
        tags: ['sign-on'],
        summary: 'Sign out: ends the session; answers where to go next (the provider’s logout, or the page)',
        response: { 200: Type.Object({ redirect: Type.String() }) },
      },
    },
    async (request, reply) => {
      const value = request.cookies[names.session]
      void reply.clearCookie(names.session, sessionCookie)
      const ended = value === undefined ? null : await deleteSession(db, value)
      if (ended === null) return { redirect: '/' }
      request.log.info({ subject: request.caller?.subject }, 'signed out')
      const provider = await relyingParty.logoutUrl(ended.idToken, home).catch(() => null)
      return { redirect: provider?.href ?? '/' }
    },
  )
}

/** A path of this site only: anything else (another host, `//host`, a scheme) returns to the page. */
function localPath(returnTo: string | undefined): string {
  if (returnTo === undefined || !returnTo.startsWith('/') || returnTo.startsWith('//')) return '/'
  // A backslash reads as a slash to browsers (`/\\host`); control characters have no place in a path.
  if ([...returnTo].some((c) => c === '\\' || c.charCodeAt(0) < 0x20)) return '/'
  return returnTo
}
