import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import { type ErrorCode, errorCodes, isOnetrackError, type OnetrackError } from '../errors.ts'

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown }
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
        message: v.message ?? 'is invalid',
      }))
      return reply
        .code(400)
        .send(body('ONETRACK_BAD_REQUEST', details.map((d) => `${d.path}: ${d.message}`).join('; '), details))
    }
    const status = error.statusCode ?? 500
    if (status === 413) return reply.code(413).send(body('ONETRACK_PAYLOAD_TOO_LARGE', error.message))
    if (status === 429) return reply.code(429).send(body('ONETRACK_RATE_LIMITED', error.message))
    if (status >= 400 && status < 500)
      return reply.code(status).send(body('ONETRACK_BAD_REQUEST', error.message))
    request.log.error({ err: error }, 'request failed')
    return reply.code(500).send(body('ONETRACK_INTERNAL', hidden(request.id)))
  })

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(body('ONETRACK_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  )
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
