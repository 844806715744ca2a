import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify'
import { type DocumentNode, execute, GraphQLError, getOperationAST, parse, validate } from 'graphql'
import { seededIds } from './clock.ts'
import { MAX_QUERY_COMPLEXITY, queryComplexity } from './complexity.ts'
import { DEFAULT_RATE_LIMITS, type Fault, FaultPlan, LeakyBucket, type RateLimitOptions } from './limits.ts'
import type { UserRecord } from './records.ts'
import { fieldResolver, type RequestContext } from './resolvers.ts'
import { linearSchema } from './schema.ts'
import { linearErrors, toWireError, type WireError } from './simulator-errors.ts'
import { type WebhookConfig, WebhookSender } from './webhooks.ts'
import { LinearWorkspace } from './workspace.ts'

export interface LinearApiKey {
  key: string
  /** Linear API keys can be limited to reading; mutations need `write`. */
  scopes?: Array<'read' | 'write'>
  /** The user the key belongs to (the actor of its writes). */
  user?: { name: string; email: string }
}

export interface LinearSimulatorOptions {
  apiKeys?: LinearApiKey[]
  now?: () => number
  rateLimits?: Partial<RateLimitOptions>
  maxComplexity?: number
  webhook?: WebhookConfig
  organization?: { name?: string; urlKey?: string }
  /** Seeds the workspace's ids (default: random, like Linear's): the same world on every run. */
  idSeed?: number
}

/** One query document as received, with the errors validating it against the schema gave. */
export interface RecordedQuery {
  query: string
  operationName: string | null
  validationErrors: string[]
  complexity: number | null
}

export const DEFAULT_API_KEY = 'lin_api_simulator_0123456789abcdef'

export interface LinearSimulator {
  app: FastifyInstance
  /** The workspace: add teams, projects, labels, issues, relations; edit, archive, trash, purge. */
  state: LinearWorkspace
  webhooks: {
    configure(config: WebhookConfig | null): void
    deliveries: WebhookSender['deliveries']
    replay: WebhookSender['replay']
    sendStale: WebhookSender['sendStale']
    settled(): Promise<void>
  }
  faults: FaultPlan
  /** The first configured key (read and write by default). */
  apiKey: string
  /** Starts listening on 127.0.0.1 (port 0: any free port); returns the base URL. */
  listen(port?: number): Promise<string>
  url(): string
  /** The GraphQL endpoint: `${url()}/graphql`. */
  graphqlUrl(): string
  close(): Promise<void>
  requestCount(): number
  /** Complexity points of the queries executed (the `x-complexity` of each answer, summed). */
  complexityServed(): number
  queries(): RecordedQuery[]
  resetCounters(): void
  failNext(count: number, status?: number): void
  delayNext(count: number, ms: number): void
  rateLimitNext(count: number, retryAfterMs?: number, status?: 400 | 429): void
  clearFaults(): void
  /** Spends a bucket of the key's rate limit, as if other clients had used it up. */
  drainRateLimit(bucket: 'requests' | 'complexity'): void
}

interface KeyState {
  user: UserRecord
  scopes: Set<string>
  requests: LeakyBucket
  complexity: LeakyBucket
}

/**
 * Linear's GraphQL API in one process: POST /graphql executes documents over the official schema
 * (validated first, as Linear does), with API-key authentication, Relay pagination, complexity and
 * rate limits in Linear's shapes, injectable faults, and signed webhooks for every change.
 */
export function createLinearSimulator(options: LinearSimulatorOptions = {}): LinearSimulator {
  const schema = linearSchema()
  const state = new LinearWorkspace({
    ...(options.now === undefined ? {} : { now: options.now }),
    organization: options.organization ?? {},
    ...(options.idSeed === undefined ? {} : { ids: seededIds(options.idSeed) }),
  })
  const now = () => state.clock.now()
  const limits = { ...DEFAULT_RATE_LIMITS, ...options.rateLimits }
  const maxComplexity = options.maxComplexity ?? MAX_QUERY_COMPLEXITY
  const keys = new Map<string, KeyState>()
  for (const apiKey of options.apiKeys ?? [{ key: DEFAULT_API_KEY }]) {
    const user = state.addUser(apiKey.user ?? { name: 'onetrack bot', email: 'onetrack-bot@acme.example' })
    keys.set(apiKey.key, {
      user,
      scopes: new Set(apiKey.scopes ?? ['read', 'write']),
      requests: new LeakyBucket(limits.requests, limits.periodMs, now),
      complexity: new LeakyBucket(limits.complexity, limits.periodMs, now),
    })
  }
  const sender = new WebhookSender(state)
  if (options.webhook !== undefined) sender.configure(options.webhook)
  const faults = new FaultPlan()
  let requests = 0
  let complexityServed = 0
  const recorded: RecordedQuery[] = []
  let baseUrl = 'http://127.0.0.1'

  const app = Fastify({ logger: false, forceCloseConnections: true })

  const answer = (reply: FastifyReply, status: number, errors: WireError[], data?: unknown) =>
    reply
      .code(status)
      .header('date', new Date(now()).toUTCString())
      .type('application/json; charset=utf-8')
      .send(data === undefined ? { errors } : { data, errors })

  const rateHeaders = (reply: FastifyReply, key: KeyState) =>
    reply.headers({
      'x-ratelimit-requests-limit': String(key.requests.capacity),
      'x-ratelimit-requests-remaining': String(key.requests.remaining()),
      'x-ratelimit-requests-reset': String(key.requests.resetAt()),
      'x-ratelimit-complexity-limit': String(key.complexity.capacity),
      'x-ratelimit-complexity-remaining': String(key.complexity.remaining()),
      'x-ratelimit-complexity-reset': String(key.complexity.resetAt()),
    })

  /** A RATELIMITED answer; `forced` (an injected fault) reports the requests bucket as spent. */
  const limited = (
    reply: FastifyReply,
    key: KeyState | undefined,
    kind: 'requests' | 'complexity',
    waitMs: number,
    options: { status?: 400 | 429; forced?: boolean } = {},
  ) => {
    if (key !== undefined) rateHeaders(reply, key)
    if (options.forced === true) {
      reply.header('x-ratelimit-requests-remaining', '0')
      reply.header('x-ratelimit-requests-reset', String(now() + waitMs))
    }
    reply.header('retry-after', String(Math.max(1, Math.ceil(waitMs / 1000))))
    const capacity = kind === 'requests' ? limits.requests : limits.complexity
    return answer(reply, options.status ?? limits.status, [
      linearErrors.ratelimited(kind, capacity, limits.periodMs),
    ])
  }

  const injected = async (fault: Fault, reply: FastifyReply, key: KeyState | undefined) => {
    switch (fault.kind) {
      case 'delay':
        await sleep(fault.ms)
        return undefined
      case 'disconnect':
        reply.hijack()
        reply.raw.destroy()
        return reply
      case 'server-error': {
        const status = fault.status ?? 500
        if (status === 500) return answer(reply, 500, [linearErrors.internal()])
        return reply
          .code(status)
          .type('text/html')
          .send(`<html><body><h1>${status}</h1>upstream error</body></html>`)
      }
      case 'ratelimit':
        return limited(reply, key, 'requests', fault.retryAfterMs ?? 1000, {
          forced: true,
          ...(fault.status === undefined ? {} : { status: fault.status }),
        })
    }
  }

  app.post('/graphql', async (request, reply) => {
    requests += 1
    const authorization = request.headers.authorization ?? ''
    const key = keys.get(authorization.replace(/^Bearer /, ''))
    const fault = faults.take()
    if (fault !== undefined) {
      const handled = await injected(fault, reply, key)
      if (handled !== undefined) return handled
    }
    if (key === undefined) return answer(reply, 401, [linearErrors.authentication()])
    const body = (request.body ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown }
    if (typeof body.query !== 'string') {
      const error = new GraphQLError('Must provide query string.')
      return answer(reply, 400, [linearErrors.query(error, 'GRAPHQL_PARSE_FAILED')])
    }
    const operationName = typeof body.operationName === 'string' ? body.operationName : null
    const variables = (
      typeof body.variables === 'object' && body.variables !== null ? body.variables : {}
    ) as Record<string, unknown>
    const entry: RecordedQuery = { query: body.query, operationName, validationErrors: [], complexity: null }
    recorded.push(entry)
    let document: DocumentNode
    try {
      document = parse(body.query)
    } catch (error) {
      entry.validationErrors.push((error as GraphQLError).message)
      return answer(reply, 400, [linearErrors.query(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')])
    }
    const invalid = validate(schema, document)
    if (invalid.length > 0) {
      entry.validationErrors.push(...invalid.map((e) => e.message))
      return answer(
        reply,
        400,
        invalid.map((e) => linearErrors.query(e, 'GRAPHQL_VALIDATION_FAILED')),
      )
    }
    const operation = getOperationAST(document, operationName)
    const needed = operation?.operation === 'mutation' ? 'write' : 'read'
    if (!key.scopes.has(needed)) return answer(reply, 403, [linearErrors.forbidden(needed)])
    const complexity = queryComplexity(schema, document, variables, operationName ?? undefined)
    entry.complexity = complexity
    if (complexity > maxComplexity)
      return answer(reply, 400, [linearErrors.tooComplex(complexity, maxComplexity)])
    if (!key.requests.take(1)) return limited(reply, key, 'requests', key.requests.waitFor(1))
    if (!key.complexity.take(complexity))
      return limited(reply, key, 'complexity', key.complexity.waitFor(complexity))
    const context: RequestContext = { ws: state, viewer: key.user, scopes: key.scopes }
    const result = await execute({
      schema,
      document,
      variableValues: variables,
      operationName,
      contextValue: context,
      fieldResolver,
    })
    complexityServed += complexity
    rateHeaders(reply, key).header('x-complexity', String(complexity))
    if (result.errors === undefined) {
      return reply.header('date', new Date(now()).toUTCString()).send({ data: result.data })
    }
    const errors = result.errors.map(toWireError)
    const status = result.data == null ? Math.max(...errors.map((e) => e.extensions.statusCode)) : 200
    return answer(reply, status, errors, result.data ?? null)
  })

  return {
    app,
    state,
    faults,
    apiKey: [...keys.keys()][0] ?? DEFAULT_API_KEY,
    webhooks: {
      configure: (config) => (config === null ? sender.disable() : sender.configure(config)),
      deliveries: () => sender.deliveries(),
      replay: (id) => sender.replay(id),
      sendStale: (id, ageMs) => sender.sendStale(id, ageMs),
      settled: () => sender.flush(),
    },
    async listen(port = 0) {
      await app.listen({ port, host: '127.0.0.1' })
      baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
      return baseUrl
    },
    url: () => baseUrl,
    graphqlUrl: () => `${baseUrl}/graphql`,
    async close() {
      await sender.flush()
      await app.close()
    },
    requestCount: () => requests,
    complexityServed: () => complexityServed,
    queries: () => [...recorded],
    resetCounters() {
      requests = 0
      complexityServed = 0
      recorded.length = 0
    },
    failNext: (count, status = 500) => faults.next(count, { kind: 'server-error', status }),
    delayNext: (count, ms) => faults.next(count, { kind: 'delay', ms }),
    rateLimitNext: (count, retryAfterMs = 1000, status) =>
      faults.next(count, { kind: 'ratelimit', retryAfterMs, ...(status === undefined ? {} : { status }) }),
    clearFaults: () => faults.clear(),
    drainRateLimit(bucket) {
      for (const key of keys.values()) key[bucket].drain()
    },
  }
}
