import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseEnv } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/index.ts'
import { enqueue, jobNames } from '../../src/jobs/index.ts'
import { type DemoTrackers, HISTORY_STEPS, startDemoTrackers } from '../../src/sandbox/demo/trackers.ts'
import { latestVersion, loadLedger } from '../../src/store/index.ts'
import { type Pipeline, startPipeline } from '../helpers/pipeline.ts'

const CLI = join(import.meta.dirname, '../../src/cli.ts')
const PUT_ISSUE = 'PUT /rest/api/3/issue/:issueIdOrKey'
const vars = parseEnv(readFileSync('config/demo.env', 'utf8'))
let trackers: DemoTrackers
let p: Pipeline
const children: ChildProcess[] = []

/** A real `onetrack worker` process on the test's database and queues; dead jobs move on after 1 s. */
function worker(): ChildProcess {
  const child = spawn(
    process.execPath,
    [CLI, 'worker', '--config', 'config/demo.yaml', '--metrics-port', '0'],
    {
      env: {
        PATH: process.env.PATH ?? '',
        ...vars,
        DEMO_JIRA_URL: trackers.jiraUrl,
        DEMO_LINEAR_URL: trackers.linearUrl,
        DATABASE_URL: p.db.url ?? '',
        ONETRACK_QUEUE_PREFIX: p.prefix,
        ONETRACK_JOB_LOCK_MS: '1000',
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    },
  )
  children.push(child)
  return child
}

async function until(check: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** No job waiting, running or delayed — but the next runs of the reconcile schedules — three checks running. */
async function idle(): Promise<void> {
  let quiet = 0
  await until(async () => {
    let busy = 0
    for (const name of jobNames) {
      const counts = await p.queues[name].getJobCounts('waiting', 'active', 'prioritized')
      busy += Object.values(counts).reduce((a, b) => a + b, 0)
      const delayed = await p.queues[name].getJobs(['delayed'])
      busy += delayed.filter((job) => job.repeatJobKey === undefined).length
    }
    quiet = busy === 0 ? quiet + 1 : 0
    return quiet >= 3
  }, 'the pipeline to settle')
}

beforeAll(async () => {
  trackers = await startDemoTrackers({
    jiraEmail: 'onetrack-bot@acme.example',
    jiraToken: vars.DEMO_JIRA_API_TOKEN ?? '',
    jiraWebhookSecret: vars.DEMO_JIRA_WEBHOOK_SECRET ?? '',
    linearApiKey: vars.DEMO_LINEAR_API_KEY ?? '',
    linearWebhookSecret: vars.DEMO_LINEAR_WEBHOOK_SECRET ?? '',
  })
  trackers.applyStep(HISTORY_STEPS.length)
  p = await startPipeline(
    loadConfig('config/demo.yaml', {
      ...vars,
      DEMO_JIRA_URL: trackers.jiraUrl,
      DEMO_LINEAR_URL: trackers.linearUrl,
    }),
  )
  trackers.jira.webhooks.configure({
    url: `${p.url}/webhooks/jira/jira-shop`,
    secret: vars.DEMO_JIRA_WEBHOOK_SECRET ?? '',
    retryDelaysMs: [],
  })
})

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL')
  await p.close()
  await trackers.close()
})

describe('a worker killed in the middle of a write-back', () => {
  it('leaves the next worker to finish it: every ticket right, no event twice', async () => {
    const first = worker()
    for (const sourceId of ['jira-shop', 'linear-platform']) {
      await enqueue(p.queues, 'sync', { sourceId, mode: 'full', reason: 'manual' })
    }
    await idle()

    // Slow Jira's edits down, then move the lowest-ranked Jira epic to the top: every rank above
    // it changes, so the write-back has dozens of tickets to update.
    trackers.jira.delayNext(1_000, 150, { route: PUT_ISSUE })
    const before = await latestVersion(p.deps.database.db)
    const last = before?.roadmap.entries
      .filter((e) => e.source === 'jira-shop' && e.score.status === 'scored')
      .at(-1)
    trackers.jira.state.updateIssue(last?.epicId.split(':')[1] ?? '', {
      fields: { [trackers.scoringFields.value.id]: 5000 },
    })
    const puts = () => trackers.jira.requestCounts()[PUT_ISSUE] ?? 0
    const putsBefore = puts()
    await until(async () => puts() >= putsBefore + 5, 'the write-back to be under way')
    first.kill('SIGKILL')
    await new Promise((resolve) => first.once('exit', resolve))
    expect(await p.queues.writeback.getActiveCount()).toBeGreaterThan(0)

    trackers.jira.clearFaults()
    worker()
    await idle()

    const version = await latestVersion(p.deps.database.db)
    const rankField =
      [...trackers.jira.state.fields.values()].find((f) => f.name === 'onetrack rank')?.id ?? ''
    for (const entry of version?.roadmap.entries.filter((e) => e.source === 'jira-shop') ?? []) {
      expect(trackers.jira.state.find(entry.epicId.split(':')[1] ?? '')?.values[rankField], entry.key).toBe(
        entry.rank,
      )
    }
    const ledger = await loadLedger(p.deps.database.db)
    const facts = ledger.map(
      (e) => `${e.kind} ${e.epicId} ${e.fromPeriod} ${e.toPeriod} ${e.previousBuiltAt}`,
    )
    expect(new Set(facts).size).toBe(facts.length)
  }, 90_000)
})
