import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseWhatIfArgs } from '../../src/cli/what-if.ts'
import { parseConfig } from '../../src/config/index.ts'
import { closeQueues, createQueues, type Queues } from '../../src/jobs/index.ts'
import { createMetrics } from '../../src/metrics.ts'
import { runBuild } from '../../src/pipeline/index.ts'
import { registerSources, saveSyncBatch } from '../../src/store/index.ts'
import { testEnv } from '../helpers/config.ts'
import { type TestDatabase, testDatabase } from '../helpers/database.ts'
import { epicRecord } from '../helpers/epics.ts'
import { capturedLogger } from '../helpers/logs.ts'
import { dropPrefix, testRedis, uniquePrefix } from '../helpers/redis.ts'

const CLI = join(import.meta.dirname, '../../src/cli.ts')

/** Quarters from the current one, so the CLI's real clock finds them open. */
function quarters(): string[] {
  const now = new Date()
  const ids: string[] = []
  for (let i = 0; i < 4; i++) {
    const month = now.getUTCMonth() + i * 3
    const year = now.getUTCFullYear() + Math.floor(month / 12)
    ids.push(`${year}-Q${Math.floor((month % 12) / 3) + 1}`)
  }
  return ids
}

const QUARTERS = quarters()
/** '2027-Q3' → 'Q3 2027', as the CLI names a quarter. */
const names = (id: string) => `${id.slice(5)} ${id.slice(0, 4)}`
const CONFIG = `
roadmap:
  periods: { quarters: { start: ${QUARTERS[0]}, count: 4 } }
  teams: [{ id: checkout, capacity: 20 }]
sources:
  - id: jira-test
    kind: jira
    baseUrl: http://127.0.0.1:9
    email: bot@example.com
    apiToken: \${T_JIRA}
    jql: project = T
    team: checkout
`

function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', ...testEnv, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString()
    })
    child.once('exit', (code) => resolve({ code, out, err }))
  })
}

describe('onetrack what-if', () => {
  let store: TestDatabase
  let queues: Queues
  const redis = testRedis()
  const prefix = uniquePrefix()
  const dir = mkdtempSync(join(tmpdir(), 'onetrack-what-if-'))
  const configPath = join(dir, 'onetrack.yaml')
  let env: Record<string, string>

  beforeAll(async () => {
    writeFileSync(configPath, CONFIG)
    const config = parseConfig(CONFIG, configPath, testEnv)
    store = await testDatabase()
    queues = createQueues({ connection: redis, prefix })
    await registerSources(store.database.db, config.sources)
    const now = new Date(Date.now() - 60_000)
    await saveSyncBatch(store.database.db, {
      sourceId: 'jira-test',
      mode: 'full',
      epics: [
        epicRecord('1', { title: 'One-click checkout', inputs: { value: 10, timeCriticality: 0, risk: 0 } }),
        epicRecord('2', { title: 'Saved carts', inputs: { value: 8, timeCriticality: 0, risk: 0 } }),
        epicRecord('3', { title: 'Gift cards', inputs: { value: 6, timeCriticality: 0, risk: 0 } }),
        epicRecord('4', { title: 'Wish lists', inputs: { value: 4, timeCriticality: 0, risk: 0 } }),
      ],
      inScope: ['1', '2', '3', '4'],
      cursor: null,
      now,
    })
    await runBuild(
      {
        config,
        database: store.database,
        queues,
        logger: capturedLogger().logger,
        metrics: createMetrics(),
        connectorFor: () => {
          throw new Error('no tracker')
        },
        now: () => now,
      },
      'test',
    )
    env = { DATABASE_URL: store.url as string, ONETRACK_CONFIG: configPath }
  })
  afterAll(async () => {
    await closeQueues(queues)
    await dropPrefix(redis, prefix)
    redis.disconnect()
    await store.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  const rows = async () =>
    (
      await sql<{
        n: string
      }>`select (select count(*) from epics) + (select count(*) from overrides) + (select count(*) from roadmap_versions) + (select count(*) from deferral_events) + (select count(*) from sources) as n`.execute(
        store.database.db,
      )
    ).rows[0]?.n

  it('prints the moves, the deferrals with their causes and the cost of delay, and saves nothing', async () => {
    const before = await rows()
    const [q1, , q3] = QUARTERS as [string, string, string]
    const { code, out, err } = await run(
      ['what-if', '--defer', 'SHOP-1', '--to', q3, '--set', 'shop-2.value=1'],
      env,
    )
    expect(err).toBe('')
    expect(code).toBe(0)
    expect(out).toContain(`--defer SHOP-1 --to ${q3}`)
    expect(out).toMatch(/epics that move \(\d+\):/)
    expect(out).toContain('SHOP-1 One-click checkout:')
    expect(out).toContain(`if deferred to ${names(q3)}`)
    expect(out).toContain('its score fell from 0.8 to 0.1 (value 8 → 1)')
    expect(out).toContain('projected cost of delay per committed period')
    expect(out).toContain('nothing was saved')
    expect(await rows()).toBe(before)

    const json = await run(['what-if', '--exclude', 'SHOP-2', '--json'], env)
    expect(json.code).toBe(0)
    const result = JSON.parse(json.out)
    expect(result.deferrals[0]).toMatchObject({
      epicId: 'jira-test:2',
      fromPeriod: q1,
      toPeriod: null,
      cause: { kind: 'override', override: 'exclude' },
    })
    expect(result.moved.map((m: { key: string }) => m.key)).toContain('SHOP-2')
    expect(result.unit).toBe('points')
    expect(result.roadmap).toBeUndefined()
  })

  it('names the flag at fault, and exits 2', async () => {
    const unknown = await run(['what-if', '--defer', 'NOPE-1', '--to', QUARTERS[1] as string], env)
    expect(unknown.code).toBe(2)
    expect(unknown.err).toContain(`--defer NOPE-1 --to ${QUARTERS[1]}: no epic with key, id or title NOPE-1`)
    const period = await run(['what-if', '--pin', 'SHOP-1', '--to', '1999-Q1'], env)
    expect(period.code).toBe(2)
    expect(period.err).toContain("--pin SHOP-1 --to 1999-Q1: unknown period '1999-Q1'")
    const none = await run(['what-if'], env)
    expect(none.code).toBe(2)
    expect(none.err).toContain('give at least one change')
  })
})

describe('what-if arguments', () => {
  it('pairs each --to with the --defer or --pin before it, in order', () => {
    expect(
      parseWhatIfArgs([
        '--pin',
        'A-1',
        '--to',
        '2027-Q1',
        '--defer',
        'B-2',
        '--defer',
        'C-3',
        '--to',
        '2027-Q3',
        '--capacity',
        'platform:2027-Q2=0',
        '--set',
        'D-4.effort=none',
      ]),
    ).toEqual({
      drafts: [
        { flag: '--pin A-1 --to 2027-Q1', kind: 'pin', key: 'A-1', period: '2027-Q1' },
        { flag: '--defer B-2', kind: 'defer', key: 'B-2' },
        { flag: '--defer C-3 --to 2027-Q3', kind: 'defer', key: 'C-3', period: '2027-Q3' },
        {
          flag: '--capacity platform:2027-Q2=0',
          kind: 'capacity',
          team: 'platform',
          period: '2027-Q2',
          capacity: 0,
        },
        { flag: '--set D-4.effort=none', kind: 'input', key: 'D-4', input: 'effort', value: null },
      ],
      problems: [],
    })
    expect(parseWhatIfArgs(['--pin', 'A-1', '--set', 'A-1.speed=3', '--to', 'x']).problems).toEqual([
      '--pin A-1: a pin needs --to PERIOD',
      '--set A-1.speed=3: write KEY.INPUT=N with INPUT one of value, timeCriticality, risk, effort',
      '--to x: must follow a --defer KEY or --pin KEY',
    ])
  })
})
