import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import { Secret } from '../../src/config/index.ts'
import { createRedis } from '../../src/redis.ts'

export const REDIS_URL = new Secret(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'REDIS_URL')

/** A prefix no other test uses, so tests can share the one Redis of the machine. */
export function uniquePrefix(): string {
  return `test-${randomUUID().slice(0, 8)}`
}

export function testRedis(purpose: 'worker' | 'api' = 'worker'): Redis {
  return createRedis(REDIS_URL, purpose)
}

/** Deletes every key under the prefix (BullMQ keys are `prefix:queue:...`). */
export async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500)
    if (keys.length > 0) await redis.del(...keys)
    cursor = next
  } while (cursor !== '0')
}
