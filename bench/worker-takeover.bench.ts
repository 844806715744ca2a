/**
 * How long a write-back stays stalled when the worker running it dies: an `onetrack worker`
 * process writing every ticket is SIGKILLed and a new one started at once (as a supervisor does);
 * measured from the kill until the next ticket write reaches Jira (the new worker took the job
 * over; its start-up, about a second, is part of the figure).
 * Run once with BullMQ's own timings (30 s lock, 30 s stalled check) and once with onetrack's
 * defaults, in the same process, over the same world.
 *
 *   node bench/worker-takeover.bench.ts [--epics 2000] [--kills 3]
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { parseConfig } from '../src/config/index.ts'
import { enqueue } from '../src/jobs/index.ts'
import { runBuild, runSync, runWriteback } from '../src/pipeline/index.ts'
import { addScoringFields, createJiraSimulator, seedEpics } from '../src/sandbox/jira/index.ts'
import { queuesIdle } from '../test/helpers/demo.ts'
import { startPipeline } from '../test/helpers/pipeline.ts'
import { jiraCompany } from './jira-company.ts'
import { argNumber, median, printTable } from './report.ts'

const epicCount = argNumber('epics', 2_000)
const kills = argNumber('kills', 3)
const TOKEN = 'bench-token'
const SECRET = 'bench-secret'
const PUT_ISSUE = 'PUT /rest/api/3/issue/:issueIdOrKey'
const CLI = join(import.meta.dirname, '../src/cli.ts')

const sim = createJiraSimulator({ account: { apiToken: TOKEN } })
const fields = addScoringFields(sim.state)
seedEpics(sim.state, fields, { count: epicCount, projects: ['SHOP'] })
const simUrl = await sim.listen()
const yaml = stringify(
  jiraCompany({
    simUrl,
    email: sim.account.email,
    jql: 'project = SHOP',
    // One ticket at a time, so the write-back is long enough to be killed in its middle.
    writeBack: { createFields: true, bulkEdit: false },
  }),
)
const configPath = join(mkdtempSync(join(tmpdir(), 'onetrack-bench-')), 'onetrack.yaml')
writeFileSync(configPath, yaml)
const p = await startPipeline(parseConfig(yaml, configPath, { TOKEN, SECRET }))
const signal = AbortSignal.timeout(600_000)
await runSync(p.deps, { sourceId: 'jira-shop', mode: 'full', reason: 'manual' }, signal)
const build = await runBuild(p.deps, 'bench')
const versionId = build.versionId ?? 0
await runWriteback(p.deps, { sourceId: 'jira-shop', versionId }, signal)

function worker(timings: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [CLI, 'worker', '--config', configPath, '--metrics-port', '0'], {
    env: {
      PATH: process.env.PATH ?? '',
      TOKEN,
      SECRET,
      DATABASE_URL: p.db.url ?? '',
      ONETRACK_QUEUE_PREFIX: p.prefix,
      LOG_LEVEL: 'error',
      ...timings,
    },
    stdio: 'ignore',
  })
}

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<number> {
  const started = performance.now()
  while (!(await check())) {
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 5))
  }
  return performance.now() - started
}

/**
 * Seconds from the SIGKILL of the worker running a write-back until the next ticket is written,
 * with a replacement worker started at once (as a supervisor restarts a dead process).
 */
async function takeover(timings: Record<string, string>): Promise<number> {
  let current = worker(timings)
  await until(async () => (await p.queues.writeback.getWorkersCount()) > 0, 30_000)
  // Every ticket to be written again, slowly enough to last well past the measurement.
  await p.db.database.db.deleteFrom('writeback_state').execute()
  sim.delayNext(100_000, 15, { route: PUT_ISSUE })
  await enqueue(p.queues, 'writeback', { sourceId: 'jira-shop', versionId })
  const before = sim.requestCount()
  await until(() => sim.requestCount() > before + 20, 60_000)
  const exited = new Promise((r) => current.once('exit', r))
  current.kill('SIGKILL')
  await exited
  const killed = performance.now()
  current = worker(timings)
  // Requests already in flight from the dead worker may still land: wait for the counter to rest.
  await new Promise((r) => setTimeout(r, 100))
  const resting = sim.requestCount()
  await until(() => sim.requestCount() > resting, 120_000)
  const seconds = (performance.now() - killed) / 1000
  sim.clearFaults()
  await queuesIdle(p.queues, 600_000)
  const stopped = new Promise((r) => current.once('exit', r))
  current.kill('SIGKILL')
  await stopped
  console.log(`  ${seconds.toFixed(1)} s`)
  return seconds
}

const settings: Array<[string, Record<string, string>]> = [
  [
    'BullMQ defaults (lock 30 s, stalled check 30 s)',
    { ONETRACK_JOB_LOCK_MS: '30000', ONETRACK_JOB_STALLED_CHECK_MS: '30000' },
  ],
  ['onetrack defaults (lock 10 s, stalled check 2 s)', {}],
]
const rows: string[][] = [['worker timings', 'runs', 'median s', 'min s', 'max s']]
for (const [name, timings] of settings) {
  console.log(name)
  // Workers share one stalled check per queue, spaced by a key that lives one interval: the last
  // check of the previous timings would otherwise delay the first of these by up to 30 s.
  await p.redis.del(p.queues.writeback.keys['stalled-check'] ?? '')
  const seconds: number[] = []
  for (let i = 0; i < kills; i++) seconds.push(await takeover(timings))
  rows.push([
    name,
    String(seconds.length),
    median(seconds).toFixed(1),
    Math.min(...seconds).toFixed(1),
    Math.max(...seconds).toFixed(1),
  ])
}
printTable(`SIGKILL of the worker running a write-back → the next ticket written (${epicCount} epics)`, rows)
await p.close()
await sim.close()
