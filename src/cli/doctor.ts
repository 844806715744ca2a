import { ConfigError, type Environment, type OnetrackConfig, readEnvironment } from '../config/index.ts'
import { type Command, commonOptions, configFromArgs } from './command.ts'

interface Check {
  name: string
  ok: boolean
  detail: string
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check the config, the database, Redis and every source and channel, one line each',
  usage: 'onetrack doctor [--config file]',
  options: { ...commonOptions },
  async run(values) {
    const env = readEnvironment()
    let config: OnetrackConfig
    try {
      config = configFromArgs(values, env)
    } catch (error) {
      print({ name: 'config', ok: false, detail: (error as Error).message })
      return error instanceof ConfigError ? 2 : 1
    }
    const checks: Check[] = [
      {
        name: 'config',
        ok: true,
        detail: `${config.path} (${config.sources.length} sources, ${config.channels.length} channels)`,
      },
      await checkDatabase(env),
      await checkRedis(env),
      ...(await Promise.all(config.sources.map((s) => checkSource(config, s)))),
      ...config.channels.map((c) => ({
        name: `channel ${c.id}`,
        ok: true,
        detail: `${c.kind}, ${c.schedule.cron} ${c.schedule.timezone}`,
      })),
    ]
    for (const check of checks) print(check)
    return checks.every((c) => c.ok) ? 0 : 1
  },
}

function print(check: Check) {
  console.log(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`)
}

/** Asks the tracker itself whether the source's credentials work and may do what onetrack needs. */
async function checkSource(
  config: OnetrackConfig,
  source: OnetrackConfig['sources'][number],
): Promise<Check> {
  const { createConnector } = await import('../trackers/index.ts')
  const { createLogger } = await import('../logger.ts')
  const name = `source ${source.id}`
  const webhook =
    source.webhookSecret !== undefined
      ? 'webhook secret set'
      : source.allowUnsigned
        ? 'no webhook secret: unsigned webhooks are taken (allowUnsigned)'
        : 'no webhook secret configured: webhooks are refused'
  try {
    const connector = createConnector(source, {
      logger: createLogger({ level: 'silent' }),
      publicUrl: config.server.publicUrl,
    })
    const result = await connector.checkCredentials(AbortSignal.timeout(15_000))
    return { name, ok: result.ok, detail: `${source.kind}: ${result.detail}; ${webhook}` }
  } catch (error) {
    return { name, ok: false, detail: `${source.kind}: ${(error as Error).message}` }
  }
}

async function checkDatabase(env: Environment): Promise<Check> {
  const { openDatabase, readMigrations } = await import('../store/index.ts')
  try {
    const database = await openDatabase({ databaseUrl: env.databaseUrl, dataDir: env.dataDir })
    try {
      await database.ping()
      const applied = await database.db
        .selectFrom('schema_migrations')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst()
        .catch(() => ({ n: 0 }))
      const pending = readMigrations().length - Number(applied?.n ?? 0)
      return {
        name: 'database',
        ok: true,
        detail: `${database.kind} reachable${pending > 0 ? `, ${pending} migrations pending (run onetrack migrate)` : ', migrations up to date'}`,
      }
    } finally {
      await database.close()
    }
  } catch (error) {
    return { name: 'database', ok: false, detail: (error as Error).message }
  }
}

async function checkRedis(env: Environment): Promise<Check> {
  const { createRedis, pingRedis } = await import('../redis.ts')
  const redis = createRedis(env.redisUrl, 'api')
  try {
    await pingRedis(redis)
    return { name: 'redis', ok: true, detail: 'reachable' }
  } catch (error) {
    return {
      name: 'redis',
      ok: false,
      detail: `${(error as Error).message} (start one: redis-server --daemonize yes)`,
    }
  } finally {
    redis.disconnect()
  }
}
