import type { GraphQLError } from 'graphql'
import { EntityNotFound } from './workspace.ts'

/**
 * Linear's error shape: every failure is a GraphQL `errors` entry whose `extensions` carry a `type`
 * (what @linear/sdk maps to its error classes: "authentication error", "forbidden", "ratelimited",
 * "invalid input", …), a `code`, the HTTP `statusCode`, whether it is the user's fault, and a
 * message meant for people.
 *
 * @see https://linear.app/developers/graphql#errors
 * @see https://github.com/linear/linear/blob/master/packages/sdk/src/error.ts
 */
export interface LinearErrorExtensions {
  type: string
  code: string
  statusCode: number
  userError: boolean
  userPresentableMessage: string
}

export interface WireError {
  message: string
  extensions: LinearErrorExtensions
  path?: ReadonlyArray<string | number>
  locations?: ReadonlyArray<{ line: number; column: number }>
}

/** An error a resolver throws to answer the way Linear does (graphql-js keeps its `extensions`). */
export class LinearApiError extends Error {
  readonly extensions: LinearErrorExtensions

  constructor(message: string, extensions: LinearErrorExtensions) {
    super(message)
    this.name = 'LinearApiError'
    this.extensions = extensions
  }
}

/** Something the simulator does not implement: fails loudly rather than answering wrongly. */
export class SimulatorUnsupported extends LinearApiError {
  constructor(what: string) {
    const message = `The Linear simulator does not implement ${what}.`
    super(message, {
      type: 'internal error',
      code: 'SIMULATOR_UNSUPPORTED',
      statusCode: 500,
      userError: false,
      userPresentableMessage: message,
    })
    this.name = 'SimulatorUnsupported'
  }
}

export const linearErrors = {
  authentication: (): WireError => ({
    message: 'Authentication required, not authenticated',
    extensions: {
      type: 'authentication error',
      code: 'AUTHENTICATION_ERROR',
      statusCode: 401,
      userError: true,
      userPresentableMessage: 'You need to authenticate to access this operation.',
    },
  }),
  forbidden: (scope: string): WireError => ({
    message: `Invalid scope: \`${scope}\` required`,
    extensions: {
      type: 'forbidden',
      code: 'FORBIDDEN',
      statusCode: 403,
      userError: true,
      userPresentableMessage: `The API key does not have the \`${scope}\` scope this operation requires.`,
    },
  }),
  ratelimited: (kind: 'requests' | 'complexity', limit: number, periodMs: number): WireError => {
    const hours = periodMs / 3_600_000
    const message = `Rate limit exceeded. Only ${limit} ${kind === 'requests' ? 'requests' : 'complexity points'} are allowed per ${hours === 1 ? 'hour' : `${periodMs / 1000} seconds`}.`
    return {
      message,
      extensions: {
        type: 'ratelimited',
        code: 'RATELIMITED',
        statusCode: 429,
        userError: true,
        userPresentableMessage: message,
      },
    }
  },
  query: (error: GraphQLError, code: 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED'): WireError => ({
    message: error.message,
    ...(error.locations === undefined ? {} : { locations: error.locations }),
    extensions: {
      type: 'graphql error',
      code,
      statusCode: 400,
      userError: true,
      userPresentableMessage: error.message,
    },
  }),
  invalidInput: (message: string): WireError => ({
    message: `Argument Validation Error - ${message}`,
    extensions: {
      type: 'invalid input',
      code: 'INPUT_ERROR',
      statusCode: 400,
      userError: true,
      userPresentableMessage: message,
    },
  }),
  tooComplex: (complexity: number, max: number): WireError => ({
    message: `Query too complex - complexity is ${complexity}, maximum allowed is ${max}.`,
    extensions: {
      type: 'invalid input',
      code: 'QUERY_TOO_COMPLEX',
      statusCode: 400,
      userError: true,
      userPresentableMessage: `Query too complex: ${complexity} points (maximum ${max}). Request fewer items per page.`,
    },
  }),
  internal: (): WireError => ({
    message: 'Internal server error',
    extensions: {
      type: 'internal error',
      code: 'INTERNAL_SERVER_ERROR',
      statusCode: 500,
      userError: false,
      userPresentableMessage: 'An unexpected error occurred.',
    },
  }),
}

/** Turns an execution error into the wire shape; anything not thrown on purpose is internal. */
export function toWireError(error: GraphQLError): WireError {
  const original =
    error.originalError instanceof EntityNotFound ? notFound(error.originalError.entity) : error.originalError
  const extensions =
    original instanceof LinearApiError
      ? original.extensions
      : original === undefined || original === null
        ? linearErrors.query(error, 'GRAPHQL_VALIDATION_FAILED').extensions
        : linearErrors.internal().extensions
  return {
    message:
      original instanceof LinearApiError
        ? original.message
        : original == null
          ? error.message
          : 'Internal server error',
    extensions,
    ...(error.path === undefined ? {} : { path: error.path }),
    ...(error.locations === undefined ? {} : { locations: error.locations }),
  }
}

export function notFound(entity: string): LinearApiError {
  return new LinearApiError(`Entity not found: ${entity}`, {
    type: 'invalid input',
    code: 'INPUT_ERROR',
    statusCode: 400,
    userError: true,
    userPresentableMessage: `Could not find referenced ${entity}.`,
  })
}

export function invalidInput(message: string): LinearApiError {
  const wire = linearErrors.invalidInput(message)
  return new LinearApiError(wire.message, wire.extensions)
}
