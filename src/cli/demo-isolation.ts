// What keeps two demos on one machine apart: a lock on the data folder (its database belongs to one
// demo at a time) and queues under a prefix of the run's own, removed from Redis when it stops.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname } from 'node:path'
import type { Secret } from '../config/index.ts'
import { isAlive } from '../process.ts'
import { createRedis, pingRedis } from '../redis.ts'

/** Who holds a demo's data folder: the process, the queue prefix it runs under, since when. */
export interface DemoHolder {
  pid: number
  queuePrefix: string
  startedAt: string
}

export interface DemoLock {
  path: string
  /** Removes the lock file, if it is still this process's. */
  release(): void
}

export type DemoLockOutcome =
  | { ok: true; lock: DemoLock; stale: DemoHolder | null }
  | { ok: false; path: string; holder: DemoHolder }

/** The lock beside the demo's data folder (data/demo → data/demo.lock), so wiping the folder keeps it. */
export function demoLockPath(dataDir: string): string {
  return `${dataDir.replace(/[\\/]+$/, '')}.lock`
}

/**
 * Takes the data folder for this process. A lock whose process is gone (a demo killed, or crashed)
 * is stale: it is taken over and its holder returned, so its leftover queues can be removed.
 */
export function takeDemoLock(dataDir: string, queuePrefix: string): DemoLockOutcome {
  const path = demoLockPath(dataDir)
  mkdirSync(dirname(path), { recursive: true })
  const mine: DemoHolder = { pid: process.pid, queuePrefix, startedAt: new Date().toISOString() }
  let stale: DemoHolder | null = null
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(path, `${JSON.stringify(mine)}\n`, { flag: 'wx' })
      return { ok: true, lock: { path, release: () => releaseLock(path) }, stale }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const holder = readHolder(path)
    if (holder !== null && holder.pid !== process.pid && isAlive(holder.pid))
      return { ok: false, path, holder }
    stale = holder ?? stale
    rmSync(path, { force: true })
  }
  const holder = readHolder(path)
  return { ok: false, path, holder: holder ?? { pid: 0, queuePrefix: '', startedAt: '' } }
}

function releaseLock(path: string): void {
  if (readHolder(path)?.pid === process.pid) rmSync(path, { force: true })
}

function readHolder(path: string): DemoHolder | null {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<DemoHolder>
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0) return null
    return {
      pid: value.pid,
      queuePrefix: typeof value.queuePrefix === 'string' ? value.queuePrefix : '',
      startedAt: typeof value.startedAt === 'string' ? value.startedAt : '',
    }
  } catch {
    return null
  }
}

/** Deletes every Redis key under the prefix (BullMQ's keys are `prefix:queue:…`); how many went. */
export async function removeQueueKeys(redisUrl: Secret, prefix: string): Promise<number> {
  if (prefix === '') return 0
  const redis = createRedis(redisUrl, 'api')
  try {
    await pingRedis(redis)
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}:*`
    let removed = 0
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500)
      if (keys.length > 0) removed += await redis.unlink(...keys)
      cursor = next
    } while (cursor !== '0')
    return removed
  } finally {
    redis.disconnect()
  }
}

/** Whether the port can be listened on at 127.0.0.1 now; for port 0, a free one to use. */
export function probePort(
  port: number,
): Promise<{ ok: true; port: number } | { ok: false; problem: string }> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) =>
      resolve({ ok: false, problem: error.code === 'EADDRINUSE' ? 'in use' : error.message }),
    )
    server.listen(port, '127.0.0.1', () => {
      const address = server.address()
      const chosen = typeof address === 'object' && address !== null ? address.port : port
      server.close(() => resolve({ ok: true, port: chosen }))
    })
  })
}
