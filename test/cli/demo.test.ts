// `onetrack demo --once` as a new user runs it: the summary, the failover story, the what-if hint it
// prints (run exactly as printed), and `onetrack build` on its data afterwards — a second build
// with nothing changed records nothing. Then a replay of the next quarter's start with --as-of.
// Next to it, a demo serving on a port of its own: two demos on one machine stay apart.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoVars } from '../helpers/demo.ts'
import { dropPrefix, testRedis, uniquePrefix } from '../helpers/redis.ts'

const ROOT = join(import.meta.dirname, '../..')
const CLI = join(ROOT, 'src/cli.ts')
const dataDir = mkdtempSync(join(tmpdir(), 'onetrack-demo-'))
/** The data folder of the demo that serves. */
const servedDir = mkdtempSync(join(tmpdir(), 'onetrack-demo-served-'))
const prefix = uniquePrefix()
/** The queues a demo killed before it could clean up left behind, named in its lock. */
const stalePrefix = `${prefix}-demo-4194000-dead`

/** A raw id a reader should never see: a Linear slug hash or a UUID. */
const RAW_ID = /\b[0-9a-f]{12}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/

interface Outcome {
  code: number | null
  out: string
  err: string
}

function finished(child: ChildProcess): Promise<Outcome> {
  return new Promise((resolve) => {
    let out = ''
    let err = ''
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
    })
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString()
    })
    child.once('exit', (code) => resolve({ code, out, err }))
  })
}

/** The CLI with the demo's environment: its data folder, a queue prefix of this test's own. */
function start(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ONETRACK_DATA_DIR: dataDir,
      ONETRACK_QUEUE_PREFIX: prefix,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

function onetrack(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return finished(start(args, env))
}

/** Redis keys matching the pattern. */
async function keys(pattern: string): Promise<string[]> {
  const redis = testRedis()
  try {
    const found: string[] = []
    let cursor = '0'
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500)
      found.push(...batch)
      cursor = next
    } while (cursor !== '0')
    return found
  } finally {
    redis.disconnect()
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** The pid of a process that has exited: a demo killed without a chance to clean up. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  await new Promise((resolve) => child.once('exit', resolve))
  return child.pid ?? 4194000
}

/** A demo serving on its own port and data folder, with what it printed so far. */
interface Serving {
  child: ChildProcess
  port: number
  out(): string
  exited: Promise<Outcome>
}

async function startServing(): Promise<Serving> {
  const port = await freePort()
  const child = start(['demo', '--port', String(port)], { ONETRACK_DATA_DIR: servedDir })
  const exited = finished(child)
  let out = ''
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  const deadline = Date.now() + 150_000
  while (!out.includes('roadmap:')) {
    if (child.exitCode !== null) throw new Error(`the serving demo exited: ${JSON.stringify(await exited)}`)
    if (Date.now() > deadline) throw new Error(`the serving demo did not serve within 150 s:\n${out}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return { child, port, out: () => out, exited }
}

/** `onetrack <command>` against the demo's data once the demo has exited, as `npm run demo:*` does. */
function onDemoData(args: string[]): Promise<Outcome> {
  return onetrack([...args, '--config', 'config/demo.yaml'], {
    ...demoVars,
    ONETRACK_DATA_DIR: join(dataDir, 'demo'),
    ONETRACK_QUEUE_PREFIX: `${prefix}-cli`,
  })
}

let demo: Outcome
let serving: Serving
let staleLock: string

beforeAll(async () => {
  // A lock left by a demo that was killed, with a queue key of its own still in Redis.
  staleLock = join(dataDir, 'demo.lock')
  mkdirSync(dataDir, { recursive: true })
  writeFileSync(
    staleLock,
    JSON.stringify({ pid: await deadPid(), queuePrefix: stalePrefix, startedAt: '2026-12-01T00:00:00Z' }),
  )
  const redis = testRedis()
  await redis.set(`${stalePrefix}:build:meta`, 'left behind')
  redis.disconnect()
  ;[demo, serving] = await Promise.all([onetrack(['demo', '--once']), startServing()])
}, 180_000)

afterAll(async () => {
  if (serving !== undefined && serving.child.exitCode === null) serving.child.kill('SIGKILL')
  const redis = testRedis()
  for (const p of [prefix, `${prefix}-cli`]) await dropPrefix(redis, p)
  const left = await keys(`${prefix}-demo*`)
  if (left.length > 0) await redis.del(...left)
  redis.disconnect()
  rmSync(dataDir, { recursive: true, force: true })
  rmSync(servedDir, { recursive: true, force: true })
})

describe('two demos on one machine', () => {
  it('demo links follow the port', async () => {
    const { port } = serving
    const openapi = (await (await fetch(`http://127.0.0.1:${port}/openapi.json`)).json()) as {
      servers: Array<{ url: string }>
    }
    expect(openapi.servers).toEqual([{ url: `http://localhost:${port}` }])
    // The ticket of the live edit, in the simulated Jira: its note links to the epic's page on this port.
    const issue = /(http:\/\/127\.0\.0\.1:\d+\/rest\/api\/3\/issue\/[A-Z]+-\d+)/.exec(serving.out())?.[1]
    expect(issue, serving.out()).toBeDefined()
    const basic = Buffer.from(`onetrack-bot@acme.example:${demoVars.DEMO_JIRA_API_TOKEN}`).toString('base64')
    const ticket = await (await fetch(issue ?? '', { headers: { authorization: `Basic ${basic}` } })).text()
    expect(ticket).toContain(`http://localhost:${port}/epics/`)
    expect(ticket).not.toContain('localhost:3000')
  })

  it('a second demo on the same data folder refuses', async () => {
    const second = await onetrack(['demo', '--once'], { ONETRACK_DATA_DIR: servedDir })
    expect(second.code).toBe(1)
    expect(second.out).toBe('')
    expect(second.err.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^onetrack demo: another demo \\(pid ${serving.child.pid}, since .+\\) is using .+; stop it first, or give this one a data folder of its own: ONETRACK_DATA_DIR=`,
        ),
      ),
    ])
    // The first one's data is untouched, and it still serves from it.
    expect(existsSync(join(servedDir, 'demo'))).toBe(true)
    const roadmap = await fetch(`http://127.0.0.1:${serving.port}/api/roadmap`)
    expect(roadmap.status).toBe(200)
  })

  it('each demo run has its own queue prefix and leaves no keys', async () => {
    const own = new RegExp(`Redis prefix (${prefix}-demo-${serving.child.pid}-[0-9a-f]{4})\\)`).exec(
      serving.out(),
    )?.[1]
    expect(own, serving.out()).toBeDefined()
    // The serving demo's queues are under its prefix alone; the --once run left nothing behind.
    const live = await keys(`${prefix}-demo*`)
    expect(live.length).toBeGreaterThan(0)
    expect(live.filter((k) => !k.startsWith(`${own}:`))).toEqual([])
    serving.child.kill('SIGTERM')
    const stopped = await serving.exited
    expect(stopped.code).toBe(0)
    expect(await keys(`${prefix}-demo*`)).toEqual([])
    expect(existsSync(join(servedDir, 'demo.lock'))).toBe(false)
  }, 30_000)

  it('a stale demo lock is taken over', async () => {
    // The --once run found the lock of a dead demo: it ran, removed the dead one's queues, and let go.
    expect(demo.code).toBe(0)
    expect(await keys(`${stalePrefix}:*`)).toEqual([])
    expect(existsSync(staleLock)).toBe(false)
  })

  it('demo --port abc exits 2 with one line', async () => {
    const bad = await onetrack(['demo', '--port', 'abc'])
    expect(bad.code).toBe(2)
    expect(bad.out).toBe('')
    expect(bad.err).toBe("onetrack demo: --port: must be a port number from 0 to 65535, got 'abc'\n")
    const unknown = await onetrack(['demo', '--prot', '3001'])
    expect(unknown.code).toBe(2)
    expect(unknown.err.trim().split('\n')).toEqual([
      "onetrack demo: Unknown option '--prot' (onetrack demo --help lists the options)",
    ])
  })
})

describe('onetrack demo --once', () => {
  it('runs the demo company through the whole pipeline on the embedded database, at the demo’s date', () => {
    expect(demo.err).toBe('')
    expect(demo.code).toBe(0)
    const output = demo.out
    expect(output).toContain('as of 2026-12-03')
    expect(output).toMatch(/epics synced: {4}jira-shop \d+, linear-platform \d+/)
    expect(output).toMatch(/today's build: {3}version \d+ as of 2026-12-03: \d+ open epics/)
    expect(output).toMatch(/deferral ledger: \d+ deferrals of \d+ epics/)
    expect(output).toMatch(/written back: {4}jira-shop [1-9]\d*, linear-platform [1-9]\d* tickets/)
  })

  it('is a believable company: most committed work ships in its quarter, a few epics roll over', () => {
    const match =
      /committed work: {2}(\d+) of (\d+) epics committed at a quarter's start shipped in it .*; (\d+) rolled over/.exec(
        demo.out,
      )
    expect(match).not.toBeNull()
    const [shipped, committed, rolled] = [match?.[1], match?.[2], match?.[3]].map(Number) as [
      number,
      number,
      number,
    ]
    expect(shipped / committed).toBeGreaterThan(0.7)
    expect(rolled).toBeGreaterThan(0)
    expect(rolled).toBeLessThanOrEqual(10)
  })

  it('asks for at most 15 sign-offs, counted by epic as the report does', () => {
    const match = /owner sign-off: {2}(\d+) epics? await the owner's call/.exec(demo.out)
    expect(match).not.toBeNull()
    const awaiting = Number(match?.[1])
    expect(awaiting).toBeGreaterThan(0)
    expect(awaiting).toBeLessThanOrEqual(15)
    expect(demo.out).toMatch(
      /cost of delay: {3}[\d.]+ EUR k accrued .*, [\d.]+ EUR k of it on epics still open/,
    )
  })

  it('tells the failover story: three committed quarters left, one call signed off with a reason, one pending', () => {
    const output = demo.out
    const story = output.slice(output.indexOf('the story:'))
    expect(story).toMatch(
      /^the story: Database failover and restore drills \(Platform, technical\), deferred 3 times/,
    )
    const deferrals = story.match(/^ {2}2026-\d\d-\d\d {2}Q\d 2026 → Q\d 2026: /gm) ?? []
    expect(deferrals).toEqual([
      expect.stringContaining('Q1 2026 → Q2 2026'),
      expect.anything(),
      expect.anything(),
    ])
    expect(story).toContain('in its place: Enterprise SSO (SAML) for the three pilot deals')
    expect(story).toContain('in its place: Usage-based billing engine')
    expect(story).toContain('in its place: EU data residency for the Munich account')
    expect(story).toMatch(
      /→ accepted by Dana Reyes on 2026-02-18: "Enterprise SSO closes the three pilot deals/,
    )
    expect(story.match(/→ awaiting the owner's call for \d+ days/g)).toHaveLength(1)
    expect(story).toMatch(/cost of delay so far: \d+\.\d EUR k accrued since Q1 2026 ended/)
    expect(story).toMatch(/what if it slips once more, to Q1 2027: \+\d+\.\d EUR k projected cost of delay/)
    // Epics are named by key or title: never a Linear slug hash or a UUID.
    expect(output).not.toMatch(RAW_ID)
  })

  it('prints a what-if hint that works exactly as printed', async () => {
    const line = demo.out.split('\n').find((l) => l.includes('try it:'))
    const command = line?.slice(line.indexOf('try it:') + 'try it:'.length).trim() ?? ''
    expect(command).toContain('npm run demo:what-if -- --defer')
    const hint = await finished(
      spawn('sh', ['-c', command], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? ROOT },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    )
    expect(hint.err).not.toMatch(/error/i)
    expect(hint.code).toBe(0)
    expect(hint.out).toContain(
      'Database failover and restore drills: Q4 2026 → Q1 2027: if deferred to Q1 2027',
    )
    expect(hint.out).toContain('nothing was saved')
  }, 60_000)

  it('builds on the demo’s data: a second build with nothing changed is unchanged', async () => {
    const first = await onDemoData(['build'])
    expect(first.code).toBe(0)
    const second = await onDemoData(['build'])
    expect(second.err).toBe('')
    expect(second.code).toBe(0)
    expect(second.out).toMatch(/^roadmap version \d+ \(unchanged\)/)
    expect(second.out).toContain('no new deferrals')
  }, 60_000)

  it('replays the next quarter’s start with --as-of: the failover drills roll over a fourth time', async () => {
    const replay = await onDemoData(['build', '--as-of', '2027-01-04'])
    expect(replay.code).toBe(0)
    expect(replay.out).toMatch(/^roadmap version \d+ as of 2027-01-04T00:00:00.000Z: /)
    expect(replay.out).toContain('Database failover and restore drills: Q4 2026 → ')
    expect(replay.out).toContain('Q4 2026 ended with it unfinished')
    // The same date again: the roll-overs are recorded once.
    const again = await onDemoData(['build', '--as-of', '2027-01-04'])
    expect(again.code).toBe(0)
    expect(again.out).toContain('no new deferrals')
  }, 60_000)
})
