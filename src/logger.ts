import { type DestinationStream, type Logger, pino } from 'pino'
import pretty from 'pino-pretty'

export type { Logger }

/**
 * Every path that may carry a credential, in one place. Secrets loaded from the config are `Secret`
 * objects that serialise to a marker anyway; these paths cover headers and raw payloads.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature"]',
  'req.headers["linear-signature"]',
  'req.headers["x-slack-signature"]',
  'req.headers["x-onetrack-signature"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.Authorization',
  ...secretKeys().flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
]

/** Keys whose values are credentials wherever they appear (top level, or one or two levels down). */
function secretKeys(): string[] {
  return [
    'authorization',
    'Authorization',
    'apiToken',
    'apiKey',
    'token',
    'password',
    'secret',
    'webhookSecret',
    'signingSecret',
    'webhookUrl',
    'botToken',
    'databaseUrl',
    'redisUrl',
    'clientSecret',
    'idToken',
    'id_token',
    'codeVerifier',
  ]
}

export interface LoggerOptions {
  level: string
  /** Where lines go; defaults to stdout, pretty-printed when it is a terminal. */
  destination?: DestinationStream
}

export function createLogger(options: LoggerOptions): Logger {
  const destination =
    options.destination ??
    (process.stdout.isTTY ? pretty({ colorize: true, sync: true }) : pino.destination(1))
  return pino(
    {
      level: options.level,
      base: { service: 'onetrack' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.errWithCause },
    },
    destination,
  )
}
