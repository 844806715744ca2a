import type { FastifyReply } from 'fastify'

/**
 * Jira's error body: `{"errorMessages": [...], "errors": {field: message}}` (ErrorCollection).
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/intro/#status-codes
 */
export interface ErrorCollection {
  errorMessages: string[]
  errors: Record<string, string>
}

export function errorCollection(messages: string[], errors: Record<string, string> = {}): ErrorCollection {
  return { errorMessages: messages, errors }
}

export function sendError(
  reply: FastifyReply,
  status: number,
  messages: string[],
  errors: Record<string, string> = {},
): FastifyReply {
  return reply.code(status).send(errorCollection(messages, errors))
}

/** The bulk operation endpoints answer errors in their own shape (BulkOperationErrorResponse). */
export function sendBulkError(reply: FastifyReply, status: number, messages: string[]): FastifyReply {
  return reply.code(status).send({ errors: messages.map((message) => ({ message })) })
}

export const MESSAGES = {
  unauthenticated: 'Client must be authenticated to access this resource.',
  issueNotFound: 'Issue does not exist or you do not have permission to see it.',
  noEditPermission: 'You do not have permission to edit issues in this project.',
  notAdmin: 'Only Jira administrators can access custom fields.',
  noBulkPermission: 'You do not have the global permission to make bulk changes.',
  rateLimited: 'Rate limit exceeded.',
  unbounded: 'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
} as const
