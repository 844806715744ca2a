import { Redis } from 'ioredis'
import type { Secret } from './config/index.ts'
import { OnetrackError } from './errors.ts'

/**
 * Redis connections for BullMQ. Workers need `maxRetriesPerRequest: null` (blocking commands wait
 * through a reconnect); the API fails fast instead, so a request never hangs on a lost Redis.
 */
export function createRedis(url: Secret, purpose: 'worker' | 'api'): Redis {
  const redis = new Redis(url.reveal(), {
    maxRetriesPerRequest: purpose === 'worker' ? null : 1,
    enableOfflineQueue: purpose === 'worker',
    connectTimeout: 5_000,
    lazyConnect: true,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
  })
  // Errors surface through the commands that fail; the connection reconnects by itself.
  redis.on('error', () => {})
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

/** Resolves once the connection is usable; a connection still being opened is waited for. */
async function ready(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return
  if (redis.status === 'wait') return redis.connect()
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
