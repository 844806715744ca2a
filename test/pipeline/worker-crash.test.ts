import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/index.ts'
import { enqueue } from '../../src/jobs/index.ts'
import { rankWriteRule } from '../../src/pipeline/index.ts'
import { type DemoTrackers, HISTORY_STEPS } from '../../src/sandbox/demo/trackers.ts'
import { latestVersion, loadLedger } from '../../src/store/index.ts'
import type { WriteBackValues } from '../../src/trackers/types.ts'
import { queuesIdle, startTestDemoTrackers, until, demoVars as vars } from '../helpers/demo.ts'
import { type Pipeline, startPipeline } from '../helpers/pipeline.ts'

const CLI = join(import.meta.dirname, '../../src/cli.ts')
const PUT_ISSUE = 'PUT /rest/api/3/issue/:issueIdOrKey'
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

const idle = () => queuesIdle(p.queues)

beforeAll(async () => {
  trackers = await startTestDemoTrackers()
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
    // Ranks that moved by less than the configured drift may wait for the settle time; every other
    // rank on a ticket is the roadmap's.
    const source = p.deps.config.sources.find((s) => s.id === 'jira-shop')
    if (source === undefined) throw new Error('the demo has no jira-shop source')
    const due = rankWriteRule(source.writeBack, new Date())
    for (const entry of version?.roadmap.entries.filter((e) => e.source === 'jira-shop') ?? []) {
      const onTicket = trackers.jira.state.find(entry.epicId.split(':')[1] ?? '')?.values[rankField]
      expect(typeof onTicket, entry.key).toBe('number')
      const written = { values: { rank: onTicket as number } as WriteBackValues, writtenAt: new Date() }
      expect(
        due(entry.rank, written),
        `${entry.key}: rank ${onTicket} on the ticket, ${entry.rank} planned`,
      ).toBe(false)
    }
    expect(trackers.jira.state.find(last?.epicId.split(':')[1] ?? '')?.values[rankField]).toBe(1)
    const ledger = await loadLedger(p.deps.database.db)
    const facts = ledger.map(
      (e) => `${e.kind} ${e.epicId} ${e.fromPeriod} ${e.toPeriod} ${e.previousBuiltAt}`,
    )
    expect(new Set(facts).size).toBe(facts.length)
  }, 90_000)
})
