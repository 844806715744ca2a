import zlib from 'node:zlib'
import compress from '@fastify/compress'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifySchema } from 'fastify'
import type { Redis } from 'ioredis'
import type { OnetrackConfig } from '../config/index.ts'
import type { Queues } from '../jobs/index.ts'
import type { Logger } from '../logger.ts'
import type { Metrics } from '../metrics.ts'
import type { Database } from '../store/index.ts'
import type { TrackerConnector } from '../trackers/types.ts'
import { clientErrorHandler, frameworkError, installErrorHandling } from './error-handler.ts'
import { authPlugin } from './plugins/auth.ts'
import { DASHBOARD_PATH, dashboardPlugin } from './plugins/dashboard.ts'
import { apiRoutes } from './routes/api/index.ts'
import { healthRoutes } from './routes/health.ts'
import { metricsRoutes } from './routes/metrics.ts'
import { reportRoutes } from './routes/reports.ts'
import { slackRoutes } from './routes/slack.ts'
import { webRoutes } from './routes/web.ts'
import { webhookRoutes } from './routes/webhooks.ts'
import { signOnRoutes } from './sign-on/routes.ts'

export interface AppDeps {
  config: OnetrackConfig
  database: Database
  /** The API's Redis connection (fails fast when Redis is down). */
  redis: Redis
  queues: Queues
  logger: Logger
  metrics: Metrics
  connectorFor(sourceId: string): TrackerConnector
  now(): Date
}

export const API_VERSION = '0.1.0'

/** Every route the app serves, as registered (HEAD routes Fastify adds for GETs included). */
export interface RouteSummary {
  method: string
  url: string
  /** The route's schema as registered (params, querystring, body), when it has one. */
  schema?: FastifySchema
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The routes registered so far: tests check that every write route is protected. */
    routeList(): RouteSummary[]
  }
}

/**
 * The whole HTTP service as one plugin tree: external plugins (OpenAPI), then our own decorators
 * (auth), then encapsulated route groups. The CLI, the demo and the tests all build it here.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.server.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
    // Errors Fastify raises before routing, those Node answers before Fastify (a URL over the
    // header limit) and the answer to a request arriving during shutdown: all in the one error shape.
    frameworkErrors: frameworkError,
    clientErrorHandler,
    return503OnClosing: false,
  })

  const routes: RouteSummary[] = []
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      routes.push({ method, url: route.url, ...(route.schema === undefined ? {} : { schema: route.schema }) })
    }
  })
  app.decorate('routeList', () => [...routes])

  installErrorHandling(app)
  // The roadmap of thousands of epics is megabytes of JSON: compressed, it is a tenth of that on
  // the wire. Brotli at quality 4 (zlib's default, 11, costs seconds per megabyte), gzip otherwise.
  await app.register(compress, {
    global: true,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } },
  })
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpRequestDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    )
  })

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'onetrack',
        version: API_VERSION,
        description:
          'One merged roadmap for product and engineering epics from Jira and Linear, scored with one framework, with a deferral history.',
      },
      servers: [{ url: deps.config.server.publicUrl }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'a token from auth.tokens' },
        },
      },
      tags: [
        { name: 'operations', description: 'health, readiness and metrics' },
        { name: 'webhooks', description: 'deliveries from Jira and Linear' },
        { name: 'sign-on', description: 'people sign in with the company’s identity provider (auth.oidc)' },
        { name: 'reports', description: 'weekly deferral reports and their deliveries' },
        {
          name: 'api',
          description:
            'the REST API under /api: roadmap, versions, epics, deferral ledger, capacity, overrides',
        },
      ],
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  // Cookies are Secure wherever people reach onetrack over https (config refuses http outside localhost).
  const secure =
    new URL(deps.config.auth.oidc?.redirectUrl ?? deps.config.server.publicUrl).protocol === 'https:'
  await app.register(authPlugin, { auth: deps.config.auth, database: deps.database, now: deps.now, secure })
  await app.register(signOnRoutes, { ...deps, secure })
  await app.register(healthRoutes, { database: deps.database, redis: deps.redis })
  await app.register(metricsRoutes, { metrics: deps.metrics, queues: deps.queues, database: deps.database })
  await app.register(dashboardPlugin, { queues: deps.queues })
  await app.register(webhookRoutes, deps)
  await app.register(reportRoutes, deps)
  await app.register(slackRoutes, deps)
  await app.register(apiRoutes, { ...deps, prefix: '/api' })
  await app.register(webRoutes)

  return app
}

export { DASHBOARD_PATH }
