/**
 * The world every fault test runs in: the demo company's simulated Jira and Linear, the real API
 * (startPipeline: Postgres, Redis under a unique prefix), and real `onetrack worker` processes
 * that the tests kill with SIGKILL. The config is the demo's with `rankDrift: 0`, so every value
 * onetrack writes — rank included — must equal the latest roadmap once the pipeline settles.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { expect } from 'vitest'
import { loadConfig } from '../../src/config/index.ts'
import { periodNames } from '../../src/domain/index.ts'
import { enqueue } from '../../src/jobs/index.ts'
import { writeBackValues } from '../../src/pipeline/index.ts'
import { type DemoTrackers, HISTORY_STEPS } from '../../src/sandbox/demo/trackers.ts'
import { seededRandom } from '../../src/sandbox/random.ts'
import {
  deferralCountsOf,
  lastDeferrals,
  latestVersion,
  loadLedger,
  unacknowledgedCounts,
  versionById,
  writtenValues,
} from '../../src/store/index.ts'
import {
  jiraValues,
  OWN_FIELD_KEYS,
  type OwnField,
  ownFieldName,
} from '../../src/trackers/jira/own-fields.ts'
import { linkLabel } from '../../src/trackers/linear/write-back-text.ts'
import type { WriteBackValues } from '../../src/trackers/types.ts'
import { demoVars, queuesIdle, sleep, startTestDemoTrackers, until } from '../helpers/demo.ts'
import { type Pipeline, startPipeline } from '../helpers/pipeline.ts'

const CLI = join(import.meta.dirname, '../../src/cli.ts')
export const vars = demoVars

/** FAULT_SEED (printed), FAULT_RUNS: how many times each randomised fault is repeated. */
export const SEED = Number(process.env.FAULT_SEED ?? 9_001)
export const RUNS = Math.max(1, Number(process.env.FAULT_RUNS ?? 5))
/** How long the trackers misbehave in the outage test ("minutes" in the long run). */
export const OUTAGE_SECONDS = Number(process.env.FAULT_OUTAGE_SECONDS ?? 120)

/** A seeded generator, so a failing run reproduces with its seed. */
export const seeded = seededRandom

/** A line on the test's output (the seed, what each run did). */
export const report = (line: string) => process.stdout.write(`${line}\n`)

export { sleep, until }

export interface World {
  trackers: DemoTrackers
  p: Pipeline
  configPath: string
  /** A worker process; `appName` tags its Postgres connections (pg_stat_activity.application_name). */
  worker(appName?: string): ChildProcess
  kill(child: ChildProcess): Promise<void>
  /** SIGKILLs every worker process started so far. */
  stopWorkers(): Promise<void>
  idle(): Promise<void>
  /** What the reconcile schedules do: a sync of each source, here full. */
  reconcile(): Promise<void>
  close(): Promise<void>
}

export async function startWorld(): Promise<World> {
  const trackers = await startTestDemoTrackers()
  trackers.applyStep(HISTORY_STEPS.length)
  const demo = readFileSync('config/demo.yaml', 'utf8')
  const strict = demo
    .replace('      createFields: true', '      createFields: true\n      rankDrift: 0')
    .replace('    epics: projects\n', '    epics: projects\n    writeBack: { rankDrift: 0 }\n')
  expect(strict.match(/rankDrift: 0/g)).toHaveLength(2)
  const configPath = join(mkdtempSync(join(tmpdir(), 'onetrack-faults-')), 'onetrack.yaml')
  writeFileSync(configPath, strict)
  const env = { ...vars, DEMO_JIRA_URL: trackers.jiraUrl, DEMO_LINEAR_URL: trackers.linearUrl }
  const p = await startPipeline(loadConfig(configPath, env))
  trackers.jira.webhooks.configure({
    url: `${p.url}/webhooks/jira/jira-shop`,
    secret: vars.DEMO_JIRA_WEBHOOK_SECRET ?? '',
    retryDelaysMs: [],
  })
  trackers.linear.webhooks.configure({
    url: `${p.url}/webhooks/linear/linear-platform`,
    secret: vars.DEMO_LINEAR_WEBHOOK_SECRET ?? '',
  })
  const children: ChildProcess[] = []

  const world: World = {
    trackers,
    p,
    configPath,
    worker(appName = 'onetrack-fault-worker') {
      const url = new URL(p.db.url ?? '')
      url.searchParams.set('application_name', appName)
      const child = spawn(process.execPath, [CLI, 'worker', '--config', configPath, '--metrics-port', '0'], {
        env: {
          PATH: process.env.PATH ?? '',
          ...env,
          DATABASE_URL: url.toString(),
          ONETRACK_QUEUE_PREFIX: p.prefix,
          ONETRACK_JOB_LOCK_MS: '1000',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      let stderr = ''
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-4_000)
      })
      child.once('exit', (code) => {
        if (code !== 0 && code !== null) report(`worker exited ${code}: ${stderr.slice(-1_500)}`)
      })
      children.push(child)
      return child
    },
    async kill(child) {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
    },
    async stopWorkers() {
      for (const child of children) await world.kill(child)
    },
    async idle() {
      await trackers.jira.webhooks.settled()
      await queuesIdle(p.queues, 180_000)
    },
    async reconcile() {
      for (const sourceId of ['jira-shop', 'linear-platform']) {
        await enqueue(p.queues, 'sync', { sourceId, mode: 'full', reason: 'schedule' })
      }
    },
    async close() {
      for (const child of children) await world.kill(child)
      await p.close()
      await trackers.close()
    },
  }
  return world
}

/**
 * The guarantees, checked on a settled pipeline:
 * 1. every owned field of every ticket (Jira's six fields, the Linear project's onetrack link), and
 *    every value recorded as written for both sources, equals what the latest roadmap says (rank
 *    included: rankDrift 0), and no record is left in doubt;
 * 2. no ledger event twice;
 * 3. no deferral lost: each epic that moved to a later period (or out of the plan) between two
 *    consecutive versions has its event in the ledger, at the later version.
 */
export async function assertConsistent(w: World, label: string): Promise<void> {
  const db = w.p.deps.database.db
  const { mismatches, compared } = await roadmapMismatches(w)
  expect(mismatches.slice(0, 10), `${label}: ${mismatches.length} values differ from the roadmap`).toEqual([])
  report(`${label}: ${compared} tickets equal the roadmap`)
  const ledger = await loadLedger(db)
  const facts = ledger.map((e) => `${e.kind} ${e.epicId} ${e.fromPeriod} ${e.toPeriod} ${e.previousBuiltAt}`)
  const twice = facts.filter((f, i) => facts.indexOf(f) !== i)
  expect(twice, `${label}: events recorded twice`).toEqual([])

  const ids = (await db.selectFrom('roadmap_versions').select('id').orderBy('id').execute()).map((r) => r.id)
  const lost: string[] = []
  let before = ids[0] === undefined ? null : await versionById(db, ids[0])
  for (const id of ids.slice(1)) {
    const after = await versionById(db, id)
    if (before === null || after === null) break
    const order = after.roadmap.periods.map((p) => p.id)
    const index = (period: string | null) => (period === null ? order.length : order.indexOf(period))
    const was = new Map(before.roadmap.entries.map((e) => [e.epicId, e]))
    for (const entry of after.roadmap.entries) {
      const old = was.get(entry.epicId)
      if (old?.period == null || entry.status === 'done' || entry.status === 'canceled') continue
      if (index(old.period) < 0 || index(entry.period) <= index(old.period)) continue
      const recorded = ledger.some(
        (e) => e.epicId === entry.epicId && e.at === after.roadmap.builtAt && e.fromPeriod === old.period,
      )
      if (!recorded) lost.push(`${entry.key} ${old.period} → ${entry.period} at version ${id}`)
    }
    before = after
  }
  expect(lost, `${label}: deferrals without their event`).toEqual([])
}

/**
 * Every way the latest roadmap and the tickets (and the records of what was written to them)
 * differ, one line each, and how many tickets were compared.
 */
export async function roadmapMismatches(w: World): Promise<{ mismatches: string[]; compared: number }> {
  const db = w.p.deps.database.db
  const version = await latestVersion(db)
  if (version === null) throw new Error('no version')
  // As the write-back computes them (src/pipeline/writeback.ts): the ledger as far as this version.
  const [deferrals, lastDeferral, unacknowledged] = await Promise.all([
    deferralCountsOf(db, version.id),
    lastDeferrals(db, version.id),
    unacknowledgedCounts(db, version.id),
  ])
  const context = {
    unacknowledged,
    deferrals,
    lastDeferral,
    names: periodNames(version.roadmap.periods),
    publicUrl: w.p.deps.config.server.publicUrl.replace(/\/$/, ''),
    chronicThreshold: w.p.deps.config.roadmap.chronicDeferralThreshold,
  }
  const fieldIds = Object.fromEntries(
    OWN_FIELD_KEYS.map((f) => [
      f,
      [...w.trackers.jira.state.fields.values()].find((x) => x.name === ownFieldName('onetrack', f))?.id ??
        `missing ${f}`,
    ]),
  ) as Record<OwnField, string>
  const mismatches: string[] = []
  let compared = 0
  for (const sourceId of ['jira-shop', 'linear-platform']) {
    const written = await writtenValues<WriteBackValues>(db, sourceId)
    for (const entry of version.roadmap.entries.filter((e) => e.source === sourceId)) {
      compared += 1
      const expected = writeBackValues(entry, context)
      const record = written.get(entry.epicId)
      if (!isDeepStrictEqual(record?.values, expected))
        mismatches.push(
          `${entry.key} recorded ${JSON.stringify(record?.values)} ≠ ${JSON.stringify(expected)}`,
        )
      if (record?.inDoubt === true) mismatches.push(`${entry.key} record left in doubt`)
      const externalId = entry.epicId.slice(sourceId.length + 1)
      if (sourceId === 'jira-shop') {
        const ticket = w.trackers.jira.state.find(externalId)?.values ?? {}
        const onTicket = Object.fromEntries(OWN_FIELD_KEYS.map((f) => [f, ticket[fieldIds[f]] ?? null]))
        const want = jiraValues(expected)
        if (!isDeepStrictEqual(onTicket, want))
          mismatches.push(`${entry.key} ticket ${JSON.stringify(onTicket)} ≠ ${JSON.stringify(want)}`)
      } else {
        const links = w.trackers.linear.state
          .externalLinksOf(externalId)
          .filter((l) => l.url === expected.pageUrl)
        const want = linkLabel(expected)
        if (links.length !== 1 || links[0]?.label !== want)
          mismatches.push(`${entry.key} links ${JSON.stringify(links.map((l) => l.label))} ≠ ["${want}"]`)
      }
    }
  }
  return { mismatches, compared }
}
