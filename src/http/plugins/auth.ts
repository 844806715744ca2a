import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { AuthConfig } from '../../config/index.ts'
import { OnetrackError } from '../../errors.ts'
import { sendError } from '../error-handler.ts'

export type Role = 'viewer' | 'editor' | 'owner'
const rank: Record<Role, number> = { viewer: 0, editor: 1, owner: 2 }

export interface Caller {
  name: string
  role: Role
}

declare module 'fastify' {
  interface FastifyInstance {
    /** A preHandler that lets only callers with at least `role` through. */
    requireRole(role: Role): (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
  interface FastifyRequest {
    caller: Caller | null
  }
}

interface StoredToken {
  name: string
  role: Role
  digest: Buffer
}

/**
 * Bearer tokens from the config (values from the environment). Both sides are hashed before a
 * constant-time compare, so neither the token nor its length leaks through timing. Basic auth with
 * the token as password is accepted too, so a browser can open the dashboard.
 */
export const authPlugin = fp<{ auth: AuthConfig }>(
  async (app, { auth }) => {
    const tokens: StoredToken[] = auth.tokens.map((t) => ({
      name: t.name,
      role: t.role,
      digest: digest(t.token.reveal()),
    }))

    app.decorateRequest('caller', null)
    app.addHook('onRequest', async (request) => {
      const presented = presentedToken(request.headers.authorization)
      if (presented === undefined) return
      const candidate = digest(presented)
      let match: StoredToken | undefined
      // Compare with every token (no early exit) so timing does not tell which one matched.
      for (const token of tokens) if (timingSafeEqual(token.digest, candidate)) match = token
      request.caller = match === undefined ? null : { name: match.name, role: match.role }
    })

    app.decorate('requireRole', (role: Role) => async (request: FastifyRequest, reply: FastifyReply) => {
      const denied = refusal(request, role)
      if (denied === undefined) return
      if (denied.code === 'ONETRACK_UNAUTHORIZED') {
        reply.header('www-authenticate', 'Bearer realm="onetrack", Basic realm="onetrack"')
      }
      await sendError(reply, denied)
    })
  },
  { name: 'onetrack-auth' },
)

function refusal(request: FastifyRequest, role: Role): OnetrackError | undefined {
  if (request.caller === null) {
    return new OnetrackError(
      'ONETRACK_UNAUTHORIZED',
      request.headers.authorization === undefined ? 'a bearer token is required' : 'the token is not valid',
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
