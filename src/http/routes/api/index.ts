import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { OnetrackConfig } from '../../../config/index.ts'
import type { Queues } from '../../../jobs/index.ts'
import type { Database } from '../../../store/index.ts'
import { decisionRoutes } from './decisions.ts'
import { deferralRoutes } from './deferrals.ts'
import { epicRoutes } from './epics.ts'
import { metaRoutes } from './meta.ts'
import { overrideRoutes } from './overrides.ts'
import { roadmapApiRoutes } from './roadmap.ts'
import { whatIfRoutes } from './what-if.ts'

export interface ApiDeps {
  config: OnetrackConfig
  database: Database
  queues: Queues
  now(): Date
}

/**
 * The REST API the web page (and scripts) read: the roadmap and its versions, epics, the deferral
 * ledger, capacity, and the owner's overrides. Reads are open unless `auth.protectReads` (then a
 * viewer token or above); writes always need an editor token or above. Register with prefix /api.
 */
export const apiRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, options) => {
  // Only the deps go down: the options also carry this plugin's own prefix.
  const deps: ApiDeps = {
    config: options.config,
    database: options.database,
    queues: options.queues,
    now: () => options.now(),
  }
  if (deps.config.auth.protectReads) app.addHook('onRequest', app.requireRole('viewer'))
  await app.register(roadmapApiRoutes, deps)
  await app.register(epicRoutes, deps)
  await app.register(deferralRoutes, deps)
  await app.register(overrideRoutes, deps)
  await app.register(decisionRoutes, deps)
  await app.register(metaRoutes, deps)
  await app.register(whatIfRoutes, deps)
}

/** The OpenAPI security of a read: a bearer token only when reads are protected. */
export function readSecurity(config: OnetrackConfig): { security?: Array<Record<string, string[]>> } {
  return config.auth.protectReads ? { security: [{ bearer: [] }] } : {}
}
