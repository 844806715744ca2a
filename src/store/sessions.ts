import { createHash, randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Person } from '../config/index.ts'
import type { Tables } from './tables.ts'

/**
 * Sign-in sessions and sign-ins in progress (migrations/0008_sign_on.sql). The cookie carries a
 * random value; the store keeps only its sha256, so a copy of the database signs nobody in.
 */

/** How long a sign-in may take at the identity provider before its callback is refused. */
export const SIGN_IN_ATTEMPT_MS = 10 * 60_000
/** A session's last use is written at most this often: reading a page is not a write each time. */
const TOUCH_EVERY_MS = 60_000

export interface SessionLimits {
  idleMs: number
  absoluteMs: number
}

export interface Session {
  person: Person
  idToken: string | null
  /** Stable for the session's life, not the cookie itself: what CSRF tokens are bound to. */
  key: string
}

export function newSecretValue(): string {
  return randomBytes(32).toString('base64url')
}

function hashOf(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

export async function createSession(
  db: Kysely<Tables>,
  input: { person: Person; idToken: string | null; now: Date; limits: SessionLimits },
): Promise<{ cookie: string; expiresAt: Date }> {
  const cookie = newSecretValue()
  const expiresAt = new Date(input.now.getTime() + input.limits.absoluteMs)
  await db
    .insertInto('sessions')
    .values({
      id_hash: hashOf(cookie),
      person: JSON.stringify(input.person),
      id_token: input.idToken,
      created_at: input.now,
      seen_at: input.now,
      expires_at: expiresAt,
    })
    .execute()
  return { cookie, expiresAt }
}

/**
 * The session a cookie holds, if it is still alive: not past its absolute expiry and used within
 * the idle limit. A dead one is deleted on the way.
 */
export async function findSession(
  db: Kysely<Tables>,
  cookie: string,
  now: Date,
  limits: SessionLimits,
): Promise<Session | null> {
  const idHash = hashOf(cookie)
  const row = await db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst()
  if (row === undefined) return null
  const idle = now.getTime() - row.seen_at.getTime() > limits.idleMs
  if (idle || now >= row.expires_at) {
    await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute()
    return null
  }
  if (now.getTime() - row.seen_at.getTime() > TOUCH_EVERY_MS) {
    await db.updateTable('sessions').set({ seen_at: now }).where('id_hash', '=', idHash).execute()
  }
  return { person: row.person as unknown as Person, idToken: row.id_token, key: idHash }
}

/** Ends a session; returns its ID token (for the provider's logout), or null when there was none. */
export async function deleteSession(
  db: Kysely<Tables>,
  cookie: string,
): Promise<{ idToken: string | null } | null> {
  const row = await db
    .deleteFrom('sessions')
    .where('id_hash', '=', hashOf(cookie))
    .returning('id_token')
    .executeTakeFirst()
  return row === undefined ? null : { idToken: row.id_token }
}

/** Deletes sessions and sign-ins in progress that can no longer be used. */
export async function pruneSessions(db: Kysely<Tables>, now: Date, limits: SessionLimits): Promise<void> {
  await db
    .deleteFrom('sessions')
    .where((eb) =>
      eb.or([eb('expires_at', '<=', now), eb('seen_at', '<', new Date(now.getTime() - limits.idleMs))]),
    )
    .execute()
  await db
    .deleteFrom('sign_in_attempts')
    .where('created_at', '<', new Date(now.getTime() - SIGN_IN_ATTEMPT_MS))
    .execute()
}

export interface SignInAttempt {
  state: string
  nonce: string
  codeVerifier: string
  /** The page path to return to once signed in. */
  returnTo: string
}

export async function saveSignInAttempt(
  db: Kysely<Tables>,
  attempt: SignInAttempt,
  now: Date,
): Promise<string> {
  const cookie = newSecretValue()
  await db
    .insertInto('sign_in_attempts')
    .values({
      id_hash: hashOf(cookie),
      state: attempt.state,
      nonce: attempt.nonce,
      code_verifier: attempt.codeVerifier,
      return_to: attempt.returnTo,
      created_at: now,
    })
    .execute()
  return cookie
}

/**
 * Takes a sign-in in progress, once: a second callback with the same cookie (a replay, a back
 * button) finds nothing. null too when it is older than SIGN_IN_ATTEMPT_MS.
 */
export async function takeSignInAttempt(
  db: Kysely<Tables>,
  cookie: string,
  now: Date,
): Promise<SignInAttempt | null> {
  const row = await db
    .deleteFrom('sign_in_attempts')
    .where('id_hash', '=', hashOf(cookie))
    .returningAll()
    .executeTakeFirst()
  if (row === undefined || now.getTime() - row.created_at.getTime() > SIGN_IN_ATTEMPT_MS) return null
  return { state: row.state, nonce: row.nonce, codeVerifier: row.code_verifier, returnTo: row.return_to }
}
