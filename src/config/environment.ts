import { OnetrackError } from '../errors.ts'
import { Secret } from './secret.ts'

/** Process settings that come from the environment rather than the config file. */
export interface Environment {
  configPath: string
  redisUrl: Secret
  /** Postgres when set; otherwise the embedded PGlite database in dataDir. */
  databaseUrl: Secret | undefined
  dataDir: string
  port: number
  host: string
  logLevel: string
  /** Redis key prefix of every queue, so several deployments can share one Redis. */
  queuePrefix: string
  /** How long a worker's job lock lasts: a dead worker's job moves on after about this long. */
  jobLockMs: number | undefined
  /** The raw environment, for resolving `${NAME}` references in the config file. */
  vars: Readonly<Record<string, string | undefined>>
}

export const DEFAULT_CONFIG_PATH = 'config/onetrack.yaml'
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

/** The only place that reads process.env (tests pass their own record). */
export function readEnvironment(
  vars: Readonly<Record<string, string | undefined>> = process.env,
): Environment {
  const problems: string[] = []
  const port = integer('PORT', vars.PORT, 3000)
  const jobLock = Number(vars.ONETRACK_JOB_LOCK_MS)
  if (nonEmpty(vars.ONETRACK_JOB_LOCK_MS) !== undefined && !(Number.isInteger(jobLock) && jobLock >= 500)) {
    problems.push(
      `ONETRACK_JOB_LOCK_MS: must be a whole number of milliseconds, at least 500, got ${vars.ONETRACK_JOB_LOCK_MS}`,
    )
  }
  const logLevel = nonEmpty(vars.LOG_LEVEL) ?? 'info'
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')}`)
  const redisUrl = nonEmpty(vars.REDIS_URL) ?? 'redis://127.0.0.1:6379'
  if (!/^rediss?:\/\//.test(redisUrl)) problems.push('REDIS_URL: must start with redis:// or rediss://')
  const databaseUrl = nonEmpty(vars.DATABASE_URL)
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL: must start with postgres:// or postgresql://')
  }
  if (problems.length > 0) {
    throw new OnetrackError(
      'ONETRACK_CONFIG_INVALID',
      `environment is not valid:\n  - ${problems.join('\n  - ')}`,
      {
        details: { problems },
      },
    )
  }
  return {
    configPath: nonEmpty(vars.ONETRACK_CONFIG) ?? DEFAULT_CONFIG_PATH,
    redisUrl: new Secret(redisUrl, 'REDIS_URL'),
    databaseUrl: databaseUrl === undefined ? undefined : new Secret(databaseUrl, 'DATABASE_URL'),
    dataDir: nonEmpty(vars.ONETRACK_DATA_DIR) ?? './data',
    port,
    host: nonEmpty(vars.HOST) ?? '0.0.0.0',
    logLevel,
    queuePrefix: nonEmpty(vars.ONETRACK_QUEUE_PREFIX) ?? 'onetrack',
    jobLockMs: nonEmpty(vars.ONETRACK_JOB_LOCK_MS) === undefined ? undefined : jobLock,
    vars,
  }

  function integer(name: string, text: string | undefined, fallback: number): number {
    if (nonEmpty(text) === undefined) return fallback
    const n = Number(text)
    if (!/^[0-9]+$/.test(text?.trim() ?? '') || n > 65535)
      problems.push(`${name}: must be a port number, got ${text}`)
    return n
  }
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text
}
