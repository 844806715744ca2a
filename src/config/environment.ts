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
  /** How often each worker looks for jobs whose lock lapsed (ONETRACK_JOB_STALLED_CHECK_MS). */
  jobStalledCheckMs: number | undefined
  /** How long a command waits at start for the database and Redis to answer before it gives up. */
  startupWaitSeconds: number
  /**
   * The pipeline's clock when set (ONETRACK_NOW, or a command's --as-of): builds, what-ifs, reports
   * and decisions run at this instant instead of the real time, so a planning history can be replayed.
   */
  now: Date | undefined
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
  const stalledCheck = Number(vars.ONETRACK_JOB_STALLED_CHECK_MS)
  if (
    nonEmpty(vars.ONETRACK_JOB_STALLED_CHECK_MS) !== undefined &&
    !(Number.isInteger(stalledCheck) && stalledCheck >= 100)
  ) {
    problems.push(
      `ONETRACK_JOB_STALLED_CHECK_MS: must be a whole number of milliseconds, at least 100, got ${vars.ONETRACK_JOB_STALLED_CHECK_MS}`,
    )
  }
  const startupWait = Number(nonEmpty(vars.ONETRACK_STARTUP_WAIT_SECONDS) ?? '30')
  if (!(Number.isFinite(startupWait) && startupWait >= 0 && startupWait <= 3600)) {
    problems.push(
      `ONETRACK_STARTUP_WAIT_SECONDS: must be a number of seconds from 0 to 3600, got ${vars.ONETRACK_STARTUP_WAIT_SECONDS}`,
    )
  }
  const logLevel = nonEmpty(vars.LOG_LEVEL) ?? 'info'
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')}`)
  const redisUrl = nonEmpty(vars.REDIS_URL) ?? 'redis://127.0.0.1:6379'
  if (!/^rediss?:\/\//.test(redisUrl)) problems.push('REDIS_URL: must start with redis:// or rediss://')
  const now = nonEmpty(vars.ONETRACK_NOW) === undefined ? undefined : parseInstant(vars.ONETRACK_NOW ?? '')
  if (now !== undefined && !now.ok) problems.push(`ONETRACK_NOW: ${now.problem}`)
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
    jobStalledCheckMs: nonEmpty(vars.ONETRACK_JOB_STALLED_CHECK_MS) === undefined ? undefined : stalledCheck,
    startupWaitSeconds: startupWait,
    now: now?.ok === true ? now.at : undefined,
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

/** The form ONETRACK_NOW and --as-of take, for messages. */
export const INSTANT_FORM =
  'an ISO date such as 2026-10-05 (midnight UTC) or timestamp such as 2026-10-05T09:00:00Z'

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/

/**
 * A point in time as ONETRACK_NOW and --as-of take it: a date (midnight UTC) or a timestamp with
 * its offset (Z or ±HH:MM; without one it would depend on the machine's time zone). A date that
 * does not exist (2026-02-30) is refused rather than rolled over.
 */
export function parseInstant(text: string): { ok: true; at: Date } | { ok: false; problem: string } {
  const trimmed = text.trim()
  const match = INSTANT.exec(trimmed)
  const refuse = { ok: false as const, problem: `must be ${INSTANT_FORM}, got '${text}'` }
  if (match === null) return refuse
  const [, year, month, day, hour, minute, second, zone] = match
  if (hour !== undefined && zone === undefined) return refuse
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)))
  if (date.toISOString().slice(0, 10) !== `${year}-${month}-${day}`) return refuse
  if (hour === undefined) return { ok: true, at: date }
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second ?? 0) > 59) return refuse
  const at = new Date(trimmed)
  return Number.isNaN(at.getTime()) ? refuse : { ok: true, at }
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text
}
