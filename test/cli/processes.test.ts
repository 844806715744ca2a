import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cliRunner, exited, freePort, waitFor } from '../helpers/cli.ts'
import { dropPrefix, testRedis, uniquePrefix } from '../helpers/redis.ts'

const prefix = uniquePrefix()
const { dataDir, writeConfig, run } = cliRunner({ folder: 'onetrack-cli', queuePrefix: prefix })

const VALID = `
auth:
  tokens: [{ name: olivia, token: "\${T_OWNER}", role: owner }]
roadmap:
  periods: { quarters: { start: 2027-Q1, count: 4 } }
  teams: [{ id: checkout, capacity: 40 }]
`

afterAll(async () => {
  const redis = testRedis()
  await dropPrefix(redis, prefix)
  await dropPrefix(redis, `${prefix}-demo`)
  redis.disconnect()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('onetrack CLI', () => {
  it('exits 2 and lists every problem of an invalid config file', async () => {
    const path = writeConfig(
      'bad.yaml',
      `roadmap:\n  periods: { quarters: { start: 2027-Q5, count: 4 } }\n  teams: [{ id: checkout, capacity: -1 }]\n`,
    )
    const child = run(['serve', '--config', path])
    expect(await exited(child)).toBe(2)
    expect(child.output()).toContain('roadmap.periods.quarters.start: must be a quarter such as 2027-Q1')
    expect(child.output()).toContain('roadmap.teams[0].capacity: must be >= 0')
  })

  it('exits 2 and points to the example when the config file is missing', async () => {
    const child = run(['worker', '--config', join(dataDir, 'nope.yaml')])
    expect(await exited(child)).toBe(2)
    expect(child.output()).toContain('config/onetrack.example.yaml')
  })

  it('doctor names a source whose tracker cannot be reached, and fails', async () => {
    const path = writeConfig(
      'unreachable.yaml',
      `${VALID}sources:
  - { id: jira-x, kind: jira, baseUrl: "http://127.0.0.1:9", email: a@b.c, apiToken: "\${T_JIRA}", jql: project = X, team: checkout }
`,
    )
    const child = run(['doctor', '--config', path])
    expect(await exited(child)).toBe(1)
    expect(child.output()).toMatch(/^ok {3}config: /m)
    expect(child.output()).toMatch(/^ok {3}redis: reachable/m)
    expect(child.output()).toMatch(/^FAIL source jira-x: jira: /m)
  }, 60_000)

  it('prints help for every command', async () => {
    for (const command of ['serve', 'worker', 'migrate', 'doctor']) {
      const child = run([command, '--help'])
      expect(await exited(child)).toBe(0)
      expect(child.output()).toContain(`usage: onetrack ${command}`)
    }
  })

  it('serves health, readiness, the OpenAPI document and metrics, and stops cleanly on SIGTERM', async () => {
    const port = await freePort()
    const child = run([
      'serve',
      '--config',
      writeConfig('ok.yaml', VALID),
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
    ])
    const base = `http://127.0.0.1:${port}`
    await waitFor(
      () =>
        fetch(`${base}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
      'the API to listen',
    )
    expect((await fetch(`${base}/readyz`)).status).toBe(200)
    expect(((await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string }).openapi).toBe(
      '3.1.0',
    )
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('onetrack_queue_jobs')
    const exit = exited(child)
    child.kill('SIGTERM')
    expect(await exit).toBe(0)
  })

  it('starts all workers and exits 0 on SIGTERM', async () => {
    const port = await freePort()
    const child = run(['worker', '--config', writeConfig('ok.yaml', VALID), '--metrics-port', String(port)])
    await waitFor(() => child.output().includes('workers started'), 'the workers to start')
    expect(child.output()).toContain('"queues":["sync","build","writeback","report"]')
    const metrics = `http://127.0.0.1:${port}/metrics`
    await waitFor(
      () =>
        fetch(metrics).then(
          (r) => r.ok,
          () => false,
        ),
      'the worker metrics to listen',
    )
    expect(await (await fetch(metrics)).text()).toContain('onetrack_job_duration_seconds')
    const exit = exited(child)
    const stopAt = Date.now()
    child.kill('SIGTERM')
    expect(await exit).toBe(0)
    expect(child.output()).toContain('workers stopped')
    expect(Date.now() - stopAt).toBeLessThan(10_000)
  })
})
