import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { DEFAULT_CONFIG_PATH, readEnvironment, Secret } from '../../src/config/index.ts'
import { OnetrackError } from '../../src/errors.ts'

/** The error readEnvironment throws for `vars`; fails the test when it accepts them. */
function errorOf(vars: Record<string, string>): OnetrackError {
  try {
    readEnvironment(vars)
  } catch (error) {
    if (error instanceof OnetrackError) return error
    throw error
  }
  throw new Error(`expected ${JSON.stringify(vars)} to be refused`)
}

function problemsOf(vars: Record<string, string>): string[] {
  const error = errorOf(vars)
  expect(error.code).toBe('ONETRACK_CONFIG_INVALID')
  return (error.details as { problems: string[] }).problems
}

describe('readEnvironment', () => {
  it('gives local defaults for an empty environment', () => {
    const environment = readEnvironment({})

    expect(environment.configPath).toBe('config/onetrack.yaml')
    expect(environment.configPath).toBe(DEFAULT_CONFIG_PATH)
    expect(environment.redisUrl.reveal()).toBe('redis://127.0.0.1:6379')
    expect(environment.databaseUrl).toBeUndefined()
    expect(environment.dataDir).toBe('./data')
    expect(environment.port).toBe(3000)
    expect(environment.host).toBe('0.0.0.0')
    expect(environment.logLevel).toBe('info')
    expect(environment.queuePrefix).toBe('onetrack')
  })

  it('treats variables set to an empty string as unset', () => {
    const environment = readEnvironment({
      ONETRACK_CONFIG: '',
      REDIS_URL: '',
      DATABASE_URL: ' ',
      ONETRACK_DATA_DIR: '',
      PORT: '',
      HOST: '',
      LOG_LEVEL: '',
      ONETRACK_QUEUE_PREFIX: '',
    })

    expect(environment).toMatchObject({
      configPath: 'config/onetrack.yaml',
      databaseUrl: undefined,
      dataDir: './data',
      port: 3000,
      host: '0.0.0.0',
      logLevel: 'info',
      queuePrefix: 'onetrack',
    })
    expect(environment.redisUrl.reveal()).toBe('redis://127.0.0.1:6379')
  })

  it('takes every setting from its variable', () => {
    const vars = {
      ONETRACK_CONFIG: '/etc/onetrack/prod.yaml',
      REDIS_URL: 'rediss://:pw@redis.internal:6380/2',
      DATABASE_URL: 'postgresql://onetrack:pw@db.internal/onetrack',
      ONETRACK_DATA_DIR: '/var/lib/onetrack',
      PORT: '8080',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
      ONETRACK_QUEUE_PREFIX: 'staging',
    }

    const environment = readEnvironment(vars)

    expect(environment).toMatchObject({
      configPath: '/etc/onetrack/prod.yaml',
      dataDir: '/var/lib/onetrack',
      port: 8080,
      host: '127.0.0.1',
      logLevel: 'debug',
      queuePrefix: 'staging',
      vars,
    })
    expect(environment.redisUrl.reveal()).toBe(vars.REDIS_URL)
    expect(environment.databaseUrl?.reveal()).toBe(vars.DATABASE_URL)
  })

  it('keeps the connection strings as secrets: their passwords never print', () => {
    const environment = readEnvironment({
      REDIS_URL: 'redis://:redis-pw-41c@redis:6379',
      DATABASE_URL: 'postgres://app:db-pw-93e@db/onetrack',
    })

    expect(environment.redisUrl).toBeInstanceOf(Secret)
    expect(environment.databaseUrl).toBeInstanceOf(Secret)
    const printed = JSON.stringify({ redis: environment.redisUrl, db: environment.databaseUrl })
    expect(printed).not.toContain('redis-pw-41c')
    expect(printed).not.toContain('db-pw-93e')
    expect(inspect(environment.databaseUrl)).toBe('[secret DATABASE_URL]')
  })

  it.each(['abc', '70000', '-1', '80.5'])('refuses PORT=%s and names it', (port) => {
    expect(problemsOf({ PORT: port })).toEqual([`PORT: must be a port number, got ${port}`])
  })

  it('refuses an unknown LOG_LEVEL and lists the levels', () => {
    expect(problemsOf({ LOG_LEVEL: 'verbose' })).toEqual([
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
    ])
  })

  it('refuses a REDIS_URL that is not redis:// or rediss://', () => {
    expect(problemsOf({ REDIS_URL: 'http://127.0.0.1:6379' })).toEqual([
      'REDIS_URL: must start with redis:// or rediss://',
    ])
  })

  it('refuses a DATABASE_URL that is not postgres and does not repeat its password', () => {
    const vars = { DATABASE_URL: 'mysql://app:db-pw-93e@db/onetrack' }

    expect(problemsOf(vars)).toEqual(['DATABASE_URL: must start with postgres:// or postgresql://'])
    expect(errorOf(vars).message).not.toContain('db-pw')
  })

  it('lists every bad variable together in one error', () => {
    const error = errorOf({ PORT: 'x', LOG_LEVEL: 'loud', REDIS_URL: 'tcp://r', DATABASE_URL: 'sqlite://d' })

    expect(error.message).toBe(
      [
        'environment is not valid:',
        '  - PORT: must be a port number, got x',
        '  - LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
        '  - REDIS_URL: must start with redis:// or rediss://',
        '  - DATABASE_URL: must start with postgres:// or postgresql://',
      ].join('\n'),
    )
  })
})
