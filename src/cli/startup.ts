import type { Environment, Secret } from '../config/index.ts'
import { type ErrorCode, OnetrackError } from '../errors.ts'
import { createRedis, pingRedis } from '../redis.ts'
import { openDatabase } from '../store/index.ts'

/** What a command needs to answer before it starts. */
export interface Dependencies {
  database: boolean
  redis: boolean
}

interface Probe {
  /** "Redis at redis://host:6379", without credentials. */
  name: string
  code: ErrorCode
  check(timeoutMs: number): Promise<void>
  close(): Promise<void>
  /** Why the last check failed. */
  reason?: string
  /** The dependency answered with a refusal that waiting cannot change (a wrong password). */
  final?: boolean
}

const PROBE_TIMEOUT_MS = 2_000
const RETRY_EVERY_MS = 500

/**
 * Waits until the database and Redis answer, for at most `env.startupWaitSeconds`
 * (ONETRACK_STARTUP_WAIT_SECONDS): a process started together with them gets the time they take to
 * come up, and one started without them stops with one sentence instead of retrying forever.
 * `say` gets one line, once, naming what is waited for. The embedded database opens with the
 * process, so only Postgres is waited for. Throws ONETRACK_STORE_UNAVAILABLE or
 * ONETRACK_QUEUE_UNAVAILABLE naming what did not answer.
 */
export async function waitForDependencies(
  env: Environment,
  needs: Dependencies,
  say: (line: string) => void,
): Promise<void> {
  const probes: Probe[] = []
  if (needs.database && env.databaseUrl !== undefined) probes.push(await postgresProbe(env, env.databaseUrl))
  if (needs.redis) probes.push(redisProbe(env))
  if (probes.length === 0) return
  const seconds = env.startupWaitSeconds
  const deadline = Date.now() + seconds * 1_000
  try {
    let failing = await failingOf(probes, PROBE_TIMEOUT_MS)
    if (failing.length > 0 && failing.every((p) => !p.final) && Date.now() < deadline) {
      say(`waiting up to ${seconds} s for ${names(failing)} to answer (${reasons(failing)})`)
    }
    while (failing.length > 0 && failing.every((p) => !p.final) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(RETRY_EVERY_MS, deadline - Date.now())))
      failing = await failingOf(failing, Math.max(100, Math.min(PROBE_TIMEOUT_MS, deadline - Date.now())))
    }
    const first = failing[0]
    if (first === undefined) return
    const refused = failing.find((p) => p.final)
    const sentence =
      refused === undefined
        ? `${names(failing)} did not answer within ${seconds} s (${reasons(failing)})`
        : `${refused.name} refused the connection (${refused.reason})`
    throw new OnetrackError((refused ?? first).code, `${sentence}; run \`onetrack doctor\` for details`, {
      details: { waited: failing.map((p) => p.name) },
    })
  } finally {
    await Promise.all(probes.map((p) => p.close()))
  }
}

async function failingOf(probes: Probe[], timeoutMs: number): Promise<Probe[]> {
  const results = await Promise.all(
    probes.map(async (probe) => {
      try {
        await probe.check(timeoutMs)
        return null
      } catch (error) {
        // A check cut short while a reconnect was under way says less than the error before it.
        const reason = reasonOf(error)
        if (probe.reason === undefined || !reason.startsWith('no answer within')) probe.reason = reason
        probe.final = isRefusal(error)
        return probe
      }
    }),
  )
  return results.filter((p) => p !== null)
}

function redisProbe(env: Environment): Probe {
  // Reconnect at the pace of the checks, not with the growing delays of a long-lived connection.
  // ioredis waits disconnectTimeout for a socket that failed to connect to close (it never does)
  // before the process can exit; a probe has nothing to flush.
  const redis = createRedis(env.redisUrl, 'api', {
    retryStrategy: () => RETRY_EVERY_MS,
    disconnectTimeout: 0,
  })
  return {
    name: `Redis at ${withoutCredentials(env.redisUrl)}`,
    code: 'ONETRACK_QUEUE_UNAVAILABLE',
    check: (timeoutMs) => pingRedis(redis, timeoutMs),
    close: async () => redis.disconnect(),
  }
}

async function postgresProbe(env: Environment, url: Secret): Promise<Probe> {
  const database = await openDatabase({ databaseUrl: url, dataDir: env.dataDir, poolSize: 1 })
  return {
    name: `Postgres at ${withoutCredentials(url)}`,
    code: 'ONETRACK_STORE_UNAVAILABLE',
    check: (timeoutMs) => withTimeout(database.ping(), timeoutMs),
    close: () => database.close().catch(() => {}),
  }
}

/** Postgres answered and said no: a wrong password or database name does not fix itself. */
function isRefusal(error: unknown): boolean {
  const code = (causeOf(error) as { code?: unknown }).code
  return typeof code === 'string' && (code.startsWith('28') || code === '3D000')
}

function names(probes: Probe[]): string {
  return probes.map((p) => p.name).join(' and ')
}

function reasons(probes: Probe[]): string {
  return probes.map((p) => p.reason ?? 'no answer').join('; ')
}

function reasonOf(error: unknown): string {
  const cause = causeOf(error)
  // A host name with several addresses (localhost: ::1 and 127.0.0.1) fails with an AggregateError
  // whose own message is empty.
  const first = cause instanceof AggregateError ? (cause.errors[0] as unknown) : cause
  if (first instanceof Error && first.message !== '') return first.message
  return cause instanceof Error && cause.message !== '' ? cause.message : 'no answer'
}

/** The error under onetrack's wrapper ("redis unavailable: …"), which says it more plainly. */
function causeOf(error: unknown): unknown {
  return error instanceof OnetrackError && error.cause !== undefined ? error.cause : error
}

/** A connection URL as it may be printed: scheme, host, port and database, no user or password. */
export function withoutCredentials(url: Secret): string {
  try {
    const parsed = new URL(url.reveal())
    parsed.username = ''
    parsed.password = ''
    parsed.search = ''
    return parsed.toString()
  } catch {
    return `[${url.envName}]`
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
