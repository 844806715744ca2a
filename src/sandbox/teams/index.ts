import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify'
import { workflowBodyProblems } from './card.ts'

export { MAX_MESSAGE_BYTES, workflowBodyProblems } from './card.ts'

export interface TeamsPost {
  at: number
  workflowId: string
  /** The Adaptive Card of the first attachment, as posted to the channel. */
  card: Record<string, unknown>
  body: Record<string, unknown>
}

export interface TeamsRequestRecord {
  at: number
  workflowId: string | null
  status: number
  /** The error code answered, or null when accepted. */
  error: string | null
  problems?: string[]
}

export interface TeamsSimulatorOptions {
  clock?: () => number
}

/**
 * Teams Workflows webhooks ("When a Teams webhook request is received") in one process: the trigger
 * URLs with their `sig`, answering 202 Accepted, with the card checked as Teams would render it.
 * The real trigger accepts any JSON and the flow's "post card" step fails later, out of sight of
 * the sender; this simulator refuses a bad card at once with 400 InvalidRequestContent, so a
 * renderer mistake fails the test that made it. Error bodies follow Azure Logic Apps'
 * `{"error": {"code", "message"}}`.
 * @see https://learn.microsoft.com/en-us/connectors/teams/?tabs=text1#microsoft-teams-webhook
 * @see https://learn.microsoft.com/en-us/azure/logic-apps/logic-apps-limits-and-config
 */
export interface TeamsSimulator {
  app: FastifyInstance
  listen(port?: number): Promise<string>
  url(): string
  close(): Promise<void>
  /** A new workflow trigger URL. Call after listen(). */
  createWorkflow(): string
  /** The workflow is deleted: its URL answers 404. */
  deleteWorkflow(url: string): void
  received(): TeamsPost[]
  requests(): TeamsRequestRecord[]
  rateLimitNext(count: number, retryAfterSeconds: number): void
  failNext(count: number, status?: number): void
  clearFaults(): void
}

const PATHS = [
  '/workflows/:workflowId/triggers/manual/paths/invoke',
  '/powerautomate/automations/direct/workflows/:workflowId/triggers/manual/paths/invoke',
]

export function createTeamsSimulator(options: TeamsSimulatorOptions = {}): TeamsSimulator {
  const clock = options.clock ?? Date.now
  /** workflow id → its signature. */
  const workflows = new Map<string, string>()
  const posts: TeamsPost[] = []
  const log: TeamsRequestRecord[] = []
  const faults: Array<{ remaining: number; status: number; retryAfterSeconds?: number }> = []
  let baseUrl = 'http://127.0.0.1'

  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 1024 * 1024 })
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body))
  const fail = (
    reply: FastifyReply,
    workflowId: string | null,
    status: number,
    code: string,
    message: string,
    problems?: string[],
  ) => {
    log.push({
      at: clock(),
      workflowId,
      status,
      error: code,
      ...(problems === undefined ? {} : { problems }),
    })
    return reply.code(status).send({ error: { code, message } })
  }

  for (const path of PATHS) {
    app.post(path, async (request, reply) => {
      const { workflowId } = request.params as { workflowId: string }
      const fault = faults[0]
      if (fault !== undefined) {
        fault.remaining -= 1
        if (fault.remaining <= 0) faults.shift()
        if (fault.retryAfterSeconds !== undefined) {
          reply.header('retry-after', String(fault.retryAfterSeconds))
          return fail(reply, workflowId, 429, 'TooManyRequests', 'Rate limit is exceeded. Try again later.')
        }
        return fail(reply, workflowId, fault.status, 'ServiceUnavailable', 'The service is unavailable.')
      }
      const signature = workflows.get(workflowId)
      if (signature === undefined) {
        return fail(
          reply,
          workflowId,
          404,
          'WorkflowNotFound',
          `The workflow '${workflowId}' could not be found.`,
        )
      }
      const query = request.query as Record<string, string | undefined>
      if (query.sig === undefined) {
        return fail(
          reply,
          workflowId,
          401,
          'DirectApiAuthorizationRequired',
          'The request must be authenticated.',
        )
      }
      if (query.sig !== signature) {
        return fail(
          reply,
          workflowId,
          401,
          'DirectApiInvalidAuthorizationSignature',
          'The signature is not valid.',
        )
      }
      const raw = typeof request.body === 'string' ? request.body : ''
      let body: unknown
      try {
        body = JSON.parse(raw)
      } catch {
        return fail(reply, workflowId, 400, 'InvalidRequestContent', 'The request content is not valid JSON.')
      }
      const problems = workflowBodyProblems(body, Buffer.byteLength(raw))
      if (problems.length > 0) {
        return fail(reply, workflowId, 400, 'InvalidRequestContent', problems.join('; '), problems)
      }
      const message = body as { attachments: Array<{ content: Record<string, unknown> }> }
      posts.push({
        at: clock(),
        workflowId,
        card: message.attachments[0]?.content ?? {},
        body: message as never,
      })
      log.push({ at: clock(), workflowId, status: 202, error: null })
      return reply.code(202).send()
    })
  }
  app.setNotFoundHandler((_request, reply) => fail(reply, null, 404, 'NotFound', 'No such trigger.'))

  return {
    app,
    async listen(port = 0) {
      await app.listen({ port, host: '127.0.0.1' })
      baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
      return baseUrl
    },
    url: () => baseUrl,
    close: () => app.close(),
    createWorkflow() {
      const id = randomBytes(16).toString('hex')
      const sig = randomBytes(24).toString('base64url')
      workflows.set(id, sig)
      return `${baseUrl}/workflows/${id}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${sig}`
    },
    deleteWorkflow(url) {
      const id = /\/workflows\/([^/]+)\//.exec(new URL(url).pathname)?.[1]
      if (id !== undefined) workflows.delete(id)
    },
    received: () => [...posts],
    requests: () => [...log],
    rateLimitNext: (count, retryAfterSeconds) => {
      if (count > 0) faults.push({ remaining: count, status: 429, retryAfterSeconds })
    },
    failNext: (count, status = 502) => {
      if (count > 0) faults.push({ remaining: count, status })
    },
    clearFaults: () => {
      faults.length = 0
    },
  }
}
