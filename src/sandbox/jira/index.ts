import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import type { SimContext } from './context.ts'
import { MESSAGES, sendError } from './errors.ts'
import { type FaultScope, Faults, type PagingFault, type RateLimitRule } from './faults.ts'
import type { PermissionKey, StateEvent } from './model.ts'
import { type Account, issueJson, type RenderContext, userJson } from './render.ts'
import { accountRoutes } from './routes/account.ts'
import { BulkTasks, bulkRoutes } from './routes/bulk.ts'
import { fieldRoutes } from './routes/fields.ts'
import { issueRoutes } from './routes/issues.ts'
import { searchRoutes } from './routes/search.ts'
import { seedSiteDefaults } from './seed.ts'
import { JiraState } from './state.ts'
import { isTimeZone } from './time.ts'
import { type Delivery, type WebhookConfig, WebhookSender } from './webhooks.ts'

export type { FaultScope, PagingFault, RateLimitRule } from './faults.ts'
export type {
  ChangelogItem,
  CustomFieldType,
  IssuePatch,
  NewIssue,
  PermissionKey,
  SimField,
  SimIssue,
  StatusCategoryKey,
} from './model.ts'
export { addScoringFields, type EpicSeed, type ScoringFields, seedEpics, seedSiteDefaults } from './seed.ts'
export type { JiraState } from './state.ts'
export type { Delivery, WebhookConfig } from './webhooks.ts'

export interface JiraSimulatorOptions {
  /** The one account the site accepts (basic auth email:apiToken) and its time zone. */
  account?: Partial<Account & { apiToken: string }>
  permissions?: Partial<Record<PermissionKey, boolean>>
  webhooks?: WebhookConfig
  rateLimit?: RateLimitRule
  clock?: () => number
  /** Start without the default issue types, statuses and link types. */
  blank?: boolean
  /** How long bulk edit tasks stay RUNNING. */
  bulkTaskDurationMs?: number
}

/**
 * A Jira Cloud site in one process: the REST v3 subset onetrack uses, on the real paths with the real
 * bodies, basic-auth checked, every request counted, faults injectable, and webhooks sent for every
 * change to an issue.
 */
export interface JiraSimulator {
  app: FastifyInstance
  state: JiraState
  account: Account & { apiToken: string }
  /** Starts listening on 127.0.0.1 (port 0: any free port); returns the base URL. */
  listen(port?: number): Promise<string>
  url(): string
  close(): Promise<void>
  requestCount(): number
  /** Requests per route, keyed "METHOD /rest/api/3/path/:param". */
  requestCounts(): Record<string, number>
  resetCounters(): void
  /** Every route the simulator serves, as "METHOD /path/:param". */
  routes(): string[]
  rateLimit(rule: RateLimitRule | null): void
  failNext(count: number, status?: number, scope?: FaultScope): void
  delayNext(count: number, ms: number, scope?: FaultScope): void
  /** Makes the search break its paging (null: pages correctly again). */
  breakPaging(fault: PagingFault | null): void
  /** Removes every injected fault and the rate limit. */
  clearFaults(): void
  setPermissions(permissions: Partial<Record<PermissionKey, boolean>>): void
  webhooks: {
    configure(config: WebhookConfig | null): void
    deliveries(): Delivery[]
    replay(id: string): Promise<void>
    /** Deliveries queued or in flight (sent in parallel, in no guaranteed order, as Jira does). */
    pending(): number
    settled(): Promise<void>
  }
  bulk: BulkTasks
}

export function createJiraSimulator(options: JiraSimulatorOptions = {}): JiraSimulator {
  const state = new JiraState(options.clock)
  if (options.blank !== true) seedSiteDefaults(state)
  Object.assign(state.permissions, options.permissions)
  const account = {
    accountId: '5b10ac8d82e05b22cc7d4ef5',
    email: 'onetrack-bot@example.com',
    apiToken: 'jira-simulator-token',
    displayName: 'onetrack bot',
    timeZone: 'UTC',
    ...options.account,
  }
  if (!isTimeZone(account.timeZone)) throw new Error(`unknown time zone ${account.timeZone}`)
  const expectedAuth = `Basic ${Buffer.from(`${account.email}:${account.apiToken}`).toString('base64')}`
  const faults = new Faults()
  if (options.rateLimit !== undefined) faults.rateLimit(options.rateLimit, state.now())
  const sender = new WebhookSender()
  if (options.webhooks !== undefined) sender.configure(options.webhooks)
  const bulk = new BulkTasks()
  bulk.durationMs = options.bulkTaskDurationMs ?? 0

  let baseUrl = 'http://127.0.0.1'
  let total = 0
  const perRoute = new Map<string, number>()
  const routes: string[] = []
  const render = (request?: FastifyRequest): RenderContext => ({
    state,
    account,
    timeZone: account.timeZone,
    baseUrl: request === undefined ? baseUrl : `${request.protocol}://${request.host}`,
  })
  const ctx: SimContext = { state, account, bulk, faults, render }

  const app = Fastify({ logger: false, forceCloseConnections: true })
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push(`${method} ${route.url}`)
  })
  // Order: count, then slowness, injected failures, rate limit, and only then authentication.
  app.addHook('onRequest', async (request, reply) => {
    const route = `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`
    total += 1
    perRoute.set(route, (perRoute.get(route) ?? 0) + 1)
    const delay = faults.takeDelay(route)
    if (delay > 0) await faults.wait(delay)
    const failure = faults.takeFailure(route)
    if (failure !== null) return sendError(reply, failure, [`Simulated failure (HTTP ${failure}).`])
    const limited = faults.takeRateLimit(state.now())
    if (limited !== null) {
      reply.headers({
        'retry-after': String(limited.retryAfterSeconds),
        'x-ratelimit-limit': String(limited.limit),
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': new Date(limited.resetAt).toISOString(),
        'ratelimit-reason': 'jira-burst-based',
      })
      return sendError(reply, 429, [MESSAGES.rateLimited])
    }
    if (request.headers.authorization !== expectedAuth)
      return sendError(reply, 401, [MESSAGES.unauthenticated])
    return undefined
  })
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, [`No route ${request.method} ${request.url}.`]),
  )
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500
    return sendError(reply, status, [status === 500 ? 'Internal server error.' : error.message])
  })
  accountRoutes(app, ctx)
  searchRoutes(app, ctx)
  issueRoutes(app, ctx)
  fieldRoutes(app, ctx)
  bulkRoutes(app, ctx)

  state.onChange((event) => {
    if (sender.configured) sender.send(...webhook(event, render()))
  })

  return {
    app,
    state,
    account,
    bulk,
    async listen(port = 0) {
      await app.listen({ port, host: '127.0.0.1' })
      baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
      return baseUrl
    },
    url: () => baseUrl,
    async close() {
      faults.cancelAll()
      await app.close()
    },
    requestCount: () => total,
    requestCounts: () => Object.fromEntries(perRoute),
    resetCounters() {
      total = 0
      perRoute.clear()
    },
    routes: () => [...routes],
    rateLimit: (rule) => faults.rateLimit(rule, state.now()),
    failNext: (count, status = 503, scope = {}) => faults.failNext(count, status, scope),
    delayNext: (count, ms, scope = {}) => faults.delayNext(count, ms, scope),
    breakPaging: (fault) => faults.breakPaging(fault),
    clearFaults: () => faults.clear(),
    setPermissions: (permissions) => Object.assign(state.permissions, permissions),
    webhooks: {
      configure: (config) => sender.configure(config),
      deliveries: () => sender.deliveries(),
      replay: (id) => sender.replay(id),
      pending: () => sender.pending(),
      settled: () => sender.settled(),
    },
  }
}

/**
 * A webhook body as Jira sends it for an issue event.
 * @see https://developer.atlassian.com/cloud/jira/platform/webhooks/#example-callback-for-an-issue-related-event
 */
function webhook(event: StateEvent, ctx: RenderContext): [string, unknown] {
  const webhookEvent = `jira:issue_${event.kind}`
  const body: Record<string, unknown> = {
    timestamp: ctx.state.now(),
    webhookEvent,
    issue_event_type_name: event.kind === 'updated' ? 'issue_generic' : `issue_${event.kind}`,
    user:
      event.actor === 'api'
        ? userJson(ctx)
        : { ...userJson({ ...ctx, account: PERSON }), emailAddress: undefined },
    issue: issueJson(ctx, event.issue, { all: true, include: new Set(), exclude: new Set() }),
  }
  if (event.kind === 'updated') {
    body.changelog = { id: String(event.issue.updated % 1_000_000_000), items: event.items }
  }
  return [webhookEvent, body]
}

const PERSON: Account = {
  accountId: '5d53f3cbc6b9320d9ea5bdc2',
  email: 'pat@example.com',
  displayName: 'Pat Planner',
  timeZone: 'UTC',
}
