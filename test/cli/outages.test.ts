import { type ChildProcess, spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { connect } from 'node:net'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { cliRunner, exited, freePort, waitFor as waitWithin } from '../helpers/cli.ts'
import { TEST_TOKENS } from '../helpers/config.ts'
import { uniquePrefix } from '../helpers/redis.ts'

const { dataDir, children, writeConfig, run } = cliRunner({
  folder: 'onetrack-outages',
  queuePrefix: uniquePrefix(),
})

const CONFIG = writeConfig(
  'outages.yaml',
  `
auth:
  tokens: [{ name: olivia, token: "\${T_OWNER}", role: owner }]
roadmap:
  periods: { quarters: { start: 2027-Q1, count: 4 } }
  teams: [{ id: checkout, capacity: 40 }]
sources:
  - { id: jira-x, kind: jira, baseUrl: "http://127.0.0.1:9", email: a@b.c, apiToken: "\${T_JIRA}", jql: project = X, team: checkout }
`,
)

afterEach(async () => {
  // Whatever a failed test left running: CLI processes and the test's own redis-server.
  await Promise.all(
    children.splice(0).map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exit = exited(child)
      child.kill('SIGKILL')
      await exit
    }),
  )
})

afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

/** Start-ups here wait out unreachable services: longer than the helper's default. */
const waitFor = (check: () => boolean | Promise<boolean>, what: string) => waitWithin(check, what, 45_000)

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** A Redis of the test's own, so it can be stopped without touching the machine's. */
async function startRedis(port: number): Promise<ChildProcess> {
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: 'ignore' },
  )
  children.push(server)
  await waitFor(() => listening(port), `redis-server on port ${port}`)
  return server
}

async function stopRedis(server: ChildProcess): Promise<void> {
  const exit = exited(server)
  server.kill('SIGKILL')
  await exit
}

function lines(output: string): string[] {
  return output.split('\n').filter((line) => line.trim() !== '')
}

describe('onetrack when Redis or Postgres is down', () => {
  it.each(['worker', 'build', 'serve --workers', 'sync'])(
    'a command exits 1 with one sentence when Redis is down: %s',
    async (line) => {
      const command = line.split(' ')
      const port = await freePort()
      const args = command[0] === 'serve' ? ['--port', String(await freePort()), '--host', '127.0.0.1'] : []
      const child = run([...command, ...args, '--config', CONFIG], {
        REDIS_URL: `redis://127.0.0.1:${port}`,
        ONETRACK_STARTUP_WAIT_SECONDS: '1',
      })
      expect(await exited(child)).toBe(1)
      const printed = lines(child.output())
      expect(printed).toHaveLength(2)
      expect(printed[0]).toContain(
        `waiting up to 1 s for Redis at redis://127.0.0.1:${port} to answer (connect ECONNREFUSED 127.0.0.1:${port})`,
      )
      expect(printed[1]).toBe(
        `onetrack: ONETRACK_QUEUE_UNAVAILABLE: Redis at redis://127.0.0.1:${port} did not answer within 1 s (connect ECONNREFUSED 127.0.0.1:${port}); run \`onetrack doctor\` for details`,
      )
    },
    60_000,
  )

  it('a command exits 1 with one sentence when Postgres is down, and prints no password', async () => {
    const port = await freePort()
    const child = run(['migrate'], {
      DATABASE_URL: `postgres://onetrack:pg-pw-5d1e@127.0.0.1:${port}/onetrack`,
      ONETRACK_STARTUP_WAIT_SECONDS: '1',
    })
    expect(await exited(child)).toBe(1)
    expect(lines(child.output())).toEqual([
      `onetrack migrate: waiting up to 1 s for Postgres at postgres://127.0.0.1:${port}/onetrack to answer (connect ECONNREFUSED 127.0.0.1:${port})`,
      `onetrack: ONETRACK_STORE_UNAVAILABLE: Postgres at postgres://127.0.0.1:${port}/onetrack did not answer within 1 s (connect ECONNREFUSED 127.0.0.1:${port}); run \`onetrack doctor\` for details`,
    ])
  }, 60_000)

  it('waits for a Redis that comes up within the wait, then starts', async () => {
    const port = await freePort()
    const metricsPort = await freePort()
    const child = run(['worker', '--config', CONFIG, '--metrics-port', String(metricsPort)], {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      ONETRACK_STARTUP_WAIT_SECONDS: '30',
    })
    await waitFor(() => child.output().includes('waiting up to 30 s for Redis'), 'the waiting line')
    const redis = await startRedis(port)
    await waitFor(() => child.output().includes('workers started'), 'the workers to start')
    // Listening on the metrics port comes last: then SIGTERM reaches the shutdown handler.
    await waitFor(
      () =>
        fetch(`http://127.0.0.1:${metricsPort}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
      'the worker metrics to listen',
    )
    expect(child.output().match(/waiting up to/g)).toHaveLength(1)
    expect(child.output()).not.toContain('queue connection error')
    const exit = exited(child)
    child.kill('SIGTERM')
    expect(await exit).toBe(0)
    await stopRedis(redis)
  }, 120_000)

  it('readyz is 503 while Redis is down and 200 again after', async () => {
    const redisPort = await freePort()
    let redis = await startRedis(redisPort)
    const port = await freePort()
    const child = run(['serve', '--config', CONFIG, '--port', String(port), '--host', '127.0.0.1'], {
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    })
    const base = `http://127.0.0.1:${port}`
    const status = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, { headers }).then(
        (r) => r.status,
        () => 0,
      )
    await waitFor(async () => (await status('/healthz')) === 200, 'the API to listen')
    expect(await status('/readyz')).toBe(200)

    await stopRedis(redis)
    await waitFor(async () => (await status('/readyz')) === 503, 'readiness to fail')
    const started = Date.now()
    const readiness = await fetch(`${base}/readyz`)
    // Fails at once while the connection waits to reconnect, not after the 2 s ping timeout.
    expect(Date.now() - started).toBeLessThan(1_500)
    expect(readiness.status).toBe(503)
    expect(await readiness.json()).toMatchObject({
      ready: false,
      checks: { database: { ok: true }, redis: { ok: false } },
    })
    // Routes that need no queue keep answering.
    expect(await status('/healthz')).toBe(200)
    expect(await status('/api/epics', { authorization: `Bearer ${TEST_TOKENS.owner}` })).toBe(200)
    expect(await status('/metrics')).toBe(200)
    // Reconnect attempts go on for a while: their errors are logged once, not at every attempt.
    await new Promise((r) => setTimeout(r, 2_000))

    redis = await startRedis(redisPort)
    await waitFor(async () => (await status('/readyz')) === 200, 'readiness to come back')
    await waitFor(() => child.output().includes('redis connection restored'), 'the restored line')
    expect(child.output().match(/"queue connection error"/g) ?? []).toHaveLength(1)

    const exit = exited(child)
    child.kill('SIGTERM')
    expect(await exit).toBe(0)
    await stopRedis(redis)
  }, 150_000)
})
