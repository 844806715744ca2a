import { Redis, type RedisOptions } from 'ioredis'
import type { Secret } from './config/index.ts'
import { OnetrackError } from './errors.ts'
import type { Logger } from './logger.ts'

/** The latest error of each connection, so a failed ping can say why. */
const lastErrors = new WeakMap<Redis, Error>()

/**
 * Redis connections for BullMQ. Workers need `maxRetriesPerRequest: null` (blocking commands wait
 * through a reconnect); the API fails fast instead, so a request never hangs on a lost Redis.
 */
export function createRedis(url: Secret, purpose: 'worker' | 'api', overrides: RedisOptions = {}): Redis {
  const redis = new Redis(url.reveal(), {
    maxRetriesPerRequest: purpose === 'worker' ? null : 1,
    enableOfflineQueue: purpose === 'worker',
    connectTimeout: 5_000,
    lazyConnect: true,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
    ...overrides,
  })
  // Errors surface through the commands that fail; the connection reconnects by itself.
  redis.on('error', (error) => lastErrors.set(redis, error))
  redis.on('ready', () => lastErrors.delete(redis))
  return redis
}

/** Connects (if not yet) and pings; throws ONETRACK_QUEUE_UNAVAILABLE with the reason. */
export async function pingRedis(redis: Redis, timeoutMs = 2_000): Promise<void> {
  try {
    await withTimeout(
      ready(redis).then(() => redis.ping()),
      timeoutMs,
    )
  } catch (error) {
    throw new OnetrackError('ONETRACK_QUEUE_UNAVAILABLE', `redis unavailable: ${(error as Error).message}`, {
      cause: error,
    })
  }
}

/**
 * Resolves once the connection is usable; a connection being opened is waited for. One that lost
 * Redis and waits to reconnect fails at once, so readiness answers 503 without hanging.
 */
async function ready(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return
  if (redis.status === 'wait') {
    // connect() rejects with "Connection is closed."; the error event before it says why.
    return redis.connect().catch((error: unknown) => {
      throw lastErrors.get(redis) ?? error
    })
  }
  if (redis.status === 'reconnecting') throw lastErrors.get(redis) ?? new Error('connection is reconnecting')
  if (redis.status === 'end' || redis.status === 'close') throw new Error(`connection is ${redis.status}`)
  await new Promise<void>((resolve, reject) => {
    const onReady = () => {
      redis.off('end', onEnd)
      resolve()
    }
    const onEnd = () => {
      redis.off('ready', onReady)
      reject(new Error('connection closed'))
    }
    redis.once('ready', onReady)
    redis.once('end', onEnd)
  })
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
])

/** Whether an error says Redis cannot be reached (rather than that a command went wrong). */
export function isConnectionError(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code
  return (
    (code !== undefined && CONNECTION_CODES.has(code)) ||
    error.message === 'Connection is closed.' ||
    error.name === 'MaxRetriesPerRequestError' ||
    error.message.startsWith('connect ETIMEDOUT') ||
    error.message.startsWith("Stream isn't writeable")
  )
}

/**
 * A log for Redis errors. Connection errors are written the first at once, then at most one line
 * per `everyMs` with how many were left out: a lost Redis fails every reconnect attempt of every
 * queue, several times a second. `restored()` says once that the connection is back. Other errors
 * are written as they come.
 */
export function throttledErrorLog(
  logger: Logger,
  message: string,
  options: { level?: 'warn' | 'error'; everyMs?: number } = {},
): { error(err: Error, fields?: Record<string, unknown>): void; restored(): void } {
  const level = options.level ?? 'warn'
  const everyMs = options.everyMs ?? 60_000
  let loggedAt = Number.NEGATIVE_INFINITY
  let suppressed = 0
  let failing = false
  return {
    error(err, fields = {}) {
      if (!isConnectionError(err)) {
        logger[level]({ ...fields, err }, message)
        return
      }
      failing = true
      const now = Date.now()
      if (now - loggedAt < everyMs) {
        suppressed += 1
        return
      }
      logger[level]({ ...fields, err, ...(suppressed > 0 ? { suppressed } : {}) }, message)
      loggedAt = now
      suppressed = 0
    },
    restored() {
      if (!failing) return
      failing = false
      loggedAt = Number.NEGATIVE_INFINITY
      suppressed = 0
      logger.info('redis connection restored')
    },
  }
}
