import { afterEach, describe, expect, it, vi } from 'vitest'
import { Secret } from '../src/config/index.ts'
import { createRedis, pingRedis, throttledErrorLog } from '../src/redis.ts'
import { capturedLogger } from './helpers/logs.ts'

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390'), { code: 'ECONNREFUSED' })
}

describe('throttledErrorLog', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('logs a lost connection once a minute, with how many errors it left out', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { logger, lines } = capturedLogger()
    const log = throttledErrorLog(logger, 'queue connection error')
    // 2.5 a second for a minute and a bit: the first, then the one a minute later, with the 149 between.
    for (let i = 0; i <= 151; i++) {
      log.error(refused(), { queue: 'sync' })
      vi.setSystemTime(Date.now() + 400)
    }
    const logged = lines().map((l) => JSON.parse(l) as { msg: string; suppressed?: number })
    expect(logged.map((l) => [l.msg, l.suppressed])).toEqual([
      ['queue connection error', undefined],
      ['queue connection error', 149],
    ])
  })

  it('says once that the connection is back, and logs the next outage at once', () => {
    const { logger, lines } = capturedLogger()
    const log = throttledErrorLog(logger, 'queue connection error')
    log.restored()
    log.error(refused())
    log.error(refused())
    log.restored()
    log.restored()
    log.error(refused())
    expect(lines().map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      'queue connection error',
      'redis connection restored',
      'queue connection error',
    ])
  })

  it('logs errors that are not about the connection as they come', () => {
    const { logger, lines } = capturedLogger()
    const log = throttledErrorLog(logger, 'worker error', { level: 'error' })
    log.error(new Error('Missing lock for job 7'))
    log.error(new Error('Missing lock for job 8'))
    expect(lines()).toHaveLength(2)
  })
})

describe('pingRedis', () => {
  it('names the reason, and fails at once while the connection waits to reconnect', async () => {
    // Port 1 on loopback: nothing listens.
    const redis = createRedis(new Secret('redis://127.0.0.1:1', 'REDIS_URL'), 'api', { disconnectTimeout: 0 })
    try {
      await expect(pingRedis(redis)).rejects.toMatchObject({
        code: 'ONETRACK_QUEUE_UNAVAILABLE',
        message: 'redis unavailable: connect ECONNREFUSED 127.0.0.1:1',
      })
      const started = Date.now()
      await expect(pingRedis(redis, 5_000)).rejects.toMatchObject({ code: 'ONETRACK_QUEUE_UNAVAILABLE' })
      expect(Date.now() - started).toBeLessThan(1_000)
    } finally {
      redis.disconnect()
    }
  })
})
