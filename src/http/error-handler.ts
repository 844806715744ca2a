import { maxHeaderSize, STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { type ErrorCode, errorCodes, isOnetrackError, OnetrackError } from '../errors.ts'
import { patternMessages } from './routes/api/schemas.ts'

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown }
}

/**
 * The code of an answer the framework or a plugin gives by its status alone (a body too large, a
 * wrong content type, a rate limit). A 4xx with no code of its own answers 400, so that status and
 * code always agree with the catalogue.
 */
const codeByStatus: Readonly<Partial<Record<number, ErrorCode>>> = {
  400: 'ONETRACK_BAD_REQUEST',
  401: 'ONETRACK_UNAUTHORIZED',
  403: 'ONETRACK_FORBIDDEN',
  404: 'ONETRACK_NOT_FOUND',
  408: 'ONETRACK_REQUEST_TIMEOUT',
  409: 'ONETRACK_CONFLICT',
  413: 'ONETRACK_PAYLOAD_TOO_LARGE',
  415: 'ONETRACK_UNSUPPORTED_MEDIA_TYPE',
  429: 'ONETRACK_RATE_LIMITED',
  431: 'ONETRACK_HEADERS_TOO_LARGE',
}

/**
 * One error body for every route: `{ error: { code, message, details? } }`. Validation failures
 * say what was wrong; 5xx answers hide their text (the log has it, under the request id).
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isOnetrackError(error)) {
      const status = error.statusCode
      if (status >= 500) request.log.error({ err: error }, 'request failed')
      return reply
        .code(status)
        .send(body(error.code, status >= 500 ? hidden(request.id) : error.message, error.details))
    }
    if (error.validation !== undefined) {
      const details = error.validation.map((v) => ({
        path: `${error.validationContext ?? 'body'}${v.instancePath}`,
        message: validationMessage(v),
      }))
      return reply
        .code(400)
        .send(body('ONETRACK_BAD_REQUEST', details.map((d) => `${d.path}: ${d.message}`).join('; '), details))
    }
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500
    if (status >= 400 && status < 500) {
      const code = codeByStatus[status] ?? 'ONETRACK_BAD_REQUEST'
      return reply.code(errorCodes[code].status).send(body(code, clientMessage(code, error, request)))
    }
    request.log.error({ err: error }, 'request failed')
    return reply.code(500).send(body('ONETRACK_INTERNAL', hidden(request.id)))
  })

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(body('ONETRACK_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  )

  // Fastify's own answer to a request that arrives while it closes is not in the one shape
  // (`return503OnClosing: false` in app.ts hands such requests to this hook instead).
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return
    reply.header('connection', 'close')
    return sendError(
      reply,
      new OnetrackError('ONETRACK_SHUTTING_DOWN', 'the server is shutting down: retry in a moment'),
    )
  })
}

/**
 * Errors Fastify raises before routing (a malformed URL such as `/webhooks/%ff/x`, a path
 * parameter over the router's length limit) answer 400 in the one error shape.
 */
export function frameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  void reply.code(400).send(body('ONETRACK_BAD_REQUEST', error.message))
}

/**
 * Node answers some requests before Fastify sees them: one that is not valid HTTP, one whose
 * request line and headers pass `maxHeaderSize` (a very long URL), one that did not arrive in time.
 * This writes those answers in the one error shape, then closes the connection as Node does.
 */
export function clientErrorHandler(
  this: FastifyInstance,
  error: NodeJS.ErrnoException,
  socket: Socket,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const [code, message]: [ErrorCode, string] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [
          'ONETRACK_HEADERS_TOO_LARGE',
          `the request line and headers are over ${maxHeaderSize} bytes: shorten the URL or the headers`,
        ]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? ['ONETRACK_REQUEST_TIMEOUT', 'the request did not arrive whole in time']
        : ['ONETRACK_BAD_REQUEST', 'the request is not valid HTTP']
  this.log.debug({ err: error }, 'client error')
  // A response already under way on this connection cannot be followed by another one.
  const busy = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent
  if (socket.writable && busy !== true) {
    const status = errorCodes[code].status
    const text = JSON.stringify(body(code, message))
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(text)}\r\n` +
        'Connection: close\r\n\r\n' +
        text,
    )
  }
  socket.destroy(error)
}

/**
 * Sends an OnetrackError in the one error shape. For hooks that run inside third-party plugins
 * (the dashboard) whose own error handler would otherwise reshape a thrown error.
 */
export function sendError(reply: FastifyReply, error: OnetrackError): FastifyReply {
  return reply.code(error.statusCode).send(body(error.code, error.message, error.details))
}

function body(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } }
}

function hidden(requestId: string): string {
  return `${errorCodes.ONETRACK_INTERNAL.summary} (request ${requestId})`
}

/** Ajv's words, but the string patterns of the API said in words rather than as a regular expression. */
function validationMessage(v: {
  keyword: string
  params: Record<string, unknown>
  message?: string
}): string {
  const pattern = v.keyword === 'pattern' ? v.params.pattern : undefined
  return (typeof pattern === 'string' ? patternMessages[pattern] : undefined) ?? v.message ?? 'is invalid'
}

function clientMessage(code: ErrorCode, error: FastifyError, request: FastifyRequest): string {
  if (error.code?.startsWith('FST_CSRF_')) {
    return 'a signed-in write needs the page’s CSRF token (x-csrf-token), missing or wrong here: reload the page and try again'
  }
  if (code !== 'ONETRACK_UNSUPPORTED_MEDIA_TYPE') return error.message
  const type = request.headers['content-type']
  return `content type ${type === undefined ? '(none)' : `'${type.slice(0, 100)}'`} is not read here: send application/json`
}
