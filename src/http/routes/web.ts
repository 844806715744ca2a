import { join } from 'node:path'
import helmet from '@fastify/helmet'
import fastifyStatic from '@fastify/static'
import type { FastifyError, FastifyPluginAsync, FastifyReply } from 'fastify'

/** The page's static files: index.html, ES modules, styles. Served as they are, no build step. */
export const WEB_ROOT = join(import.meta.dirname, '..', 'web')

/** The page's client-side routes: each serves index.html, and the page opens the view (or epic). */
export const PAGE_ROUTES = ['/', '/epics/:id', '/deferrals', '/versions'] as const

/** Files the browser may fetch: not the type declarations next to them. */
const SERVED = /^\/?[\w-]+\.(?:html|js|css|svg|png)$/

/**
 * Only this origin's scripts, styles and API: no inline script or style anywhere in the page (sizes
 * are classes, charts are SVG attributes), so nothing needs 'unsafe-inline'.
 */
const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
}

function cacheHeaders(reply: FastifyReply): void {
  // No fingerprints in the file names: the browser revalidates each time (ETag, 304 when unchanged).
  reply.header('cache-control', 'no-cache')
}

/** The web page at `/` (and its client-side routes), its assets under `/assets/`. Hidden from OpenAPI. */
export const webRoutes: FastifyPluginAsync = async (app) => {
  // helmet's headers (CSP, nosniff, frame and referrer policies, HSTS, COOP/CORP) on the page and
  // its assets only: registered in this encapsulated plugin, so /docs (Swagger UI, which needs
  // inline code) and the JSON API keep theirs.
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    referrerPolicy: { policy: 'same-origin' },
  })
  // A path that climbs out of the asset folder (`/assets/../x`) is refused by the static server
  // with 403; it answers like any other file that is not served here, so it tells nothing.
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error.statusCode === 403) return reply.callNotFound()
    throw error
  })
  await app.register(fastifyStatic, {
    root: WEB_ROOT,
    prefix: '/assets/',
    schemaHide: true,
    index: false,
    cacheControl: false,
    etag: true,
    lastModified: true,
    allowedPath: (pathName) => SERVED.test(pathName),
    setHeaders: (reply) => cacheHeaders(reply),
  })
  for (const url of PAGE_ROUTES) {
    app.get(url, { schema: { hide: true } }, (_request, reply) => reply.sendFile('index.html'))
  }
}
