/**
 * Requests the Jira connector makes, counted by the Jira simulator over HTTP, against the minimum
 * Jira allows: a full sync of 10,000 epics (pages of 100, the largest page when fields are asked
 * for, plus the fixed calls: account time zone, issue types, fields, approximate count), incremental
 * syncs after N edits, and write-back per changed epic (one edit per epic, or one bulk edit for a
 * change many epics share).
 *
 *   node bench/jira-requests.bench.ts [--epics 10000]
 */
import { stringify } from 'yaml'
import { parseConfig } from '../src/config/index.ts'
import { createLogger } from '../src/logger.ts'
import { addScoringFields, createJiraSimulator, seedEpics } from '../src/sandbox/jira/index.ts'
import { createJiraConnector, type JiraSource } from '../src/trackers/jira/index.ts'
import type { TrackerConnector, WriteBackItem, WriteBackValues } from '../src/trackers/types.ts'
import { argNumber, printTable } from './report.ts'

const EPICS = argNumber('epics', 10_000)
const PAGE = 100
const FIXED_CALLS = 4

const sim = createJiraSimulator({ account: { apiToken: 'bench-token', timeZone: 'Europe/Berlin' } })
const fields = addScoringFields(sim.state)
const epics = seedEpics(sim.state, fields, { count: EPICS, lastUpdated: sim.state.now() - 3_600_000 })
for (const name of ['score', 'rank', 'deferrals', 'cost of delay'])
  sim.state.addField({ name: `onetrack ${name}`, type: 'float' })
for (const name of ['period', 'note']) sim.state.addField({ name: `onetrack ${name}`, type: 'textfield' })
const url = await sim.listen()

const config = parseConfig(
  stringify({
    roadmap: {
      periods: { quarters: { start: '2027-Q1', count: 4 } },
      teams: [{ id: 'checkout', capacity: 40 }],
    },
    sources: [
      {
        id: 'jira-bench',
        kind: 'jira',
        baseUrl: url,
        email: sim.account.email,
        apiToken: `\${TOKEN}`,
        jql: 'project = SHOP',
        team: 'checkout',
        fields: {
          value: 'Business Value',
          timeCriticality: 'Time Criticality',
          risk: 'Risk Reduction',
          effort: 'Story Points',
        },
        // The budget paces requests; this benchmark counts them.
        requestsPerSecond: 100_000,
      },
    ],
  }),
  '/bench/jira.yaml',
  { TOKEN: 'bench-token' },
)
const source = config.sources[0] as JiraSource
const deps = { logger: createLogger({ level: 'silent' }), publicUrl: 'http://onetrack.bench' }
const newConnector = () => createJiraConnector(source, deps, { bulkPollIntervalMs: 5 })

async function measure(run: () => Promise<unknown>): Promise<{ requests: number; ms: number }> {
  sim.resetCounters()
  const started = performance.now()
  await run()
  return { requests: sim.requestCount(), ms: Math.round(performance.now() - started) }
}

async function sync(connector: TrackerConnector, mode: 'full' | 'incremental', cursor: string | null) {
  let fetched = 0
  const outcome = await connector.sync(
    { mode, cursor, signal: AbortSignal.timeout(600_000) },
    async (page) => {
      fetched += page.epics.length
    },
  )
  return { fetched, cursor: outcome.cursor }
}

const rows: string[][] = [['scenario', 'epics', 'requests', 'minimum', 'per epic', 'time']]
const row = (name: string, count: number, requests: number, minimum: number, ms: number) =>
  rows.push([
    name,
    String(count),
    String(requests),
    String(minimum),
    (requests / Math.max(1, count)).toFixed(3),
    `${ms} ms`,
  ])

const connector = newConnector()
let cursor: string | null = null
let fetched = 0
const full = await measure(async () => {
  ;({ cursor, fetched } = await sync(connector, 'full', null))
})
row(`full sync (pages of ${PAGE})`, fetched, full.requests, Math.ceil(EPICS / PAGE) + FIXED_CALLS, full.ms)

for (const edits of [10, 100, 1000]) {
  for (let i = 0; i < edits; i++) {
    const epic = epics[Math.floor((i * EPICS) / edits)]
    if (epic !== undefined)
      sim.state.updateIssue(epic.id, { summary: `${epic.summary} (edit ${edits}.${i})` })
  }
  const incremental = await measure(async () => {
    ;({ cursor, fetched } = await sync(connector, 'incremental', cursor))
  })
  row(
    `incremental sync after ${edits} edits`,
    fetched,
    incremental.requests,
    Math.ceil(edits / PAGE),
    incremental.ms,
  )
}

const values = (i: number, overrides: Partial<WriteBackValues> = {}): WriteBackValues => ({
  score: 100 - i / 10,
  rank: i + 1,
  period: '2027-Q1',
  deferrals: 0,
  costOfDelay: 20,
  note: 'Planned.',
  pageUrl: `http://onetrack.bench/epics/${i}`,
  chronic: false,
  ...overrides,
})
const items = (count: number, change: (i: number) => Partial<WriteBackValues>): WriteBackItem[] =>
  epics.slice(0, count).map((epic, i) => ({
    epicId: `jira-bench:${epic.id}`,
    externalId: epic.id,
    previous: values(i),
    values: values(i, change(i)),
  }))

const writer = newConnector()
const cold = await measure(() =>
  writer.writeBack(
    items(1, () => ({ rank: 5_000 })),
    AbortSignal.timeout(60_000),
  ),
)
row('write-back, 1 changed epic (first: field lookup)', 1, cold.requests, 2, cold.ms)
const one = await measure(() =>
  writer.writeBack(
    items(1, () => ({ rank: 5_001 })),
    AbortSignal.timeout(60_000),
  ),
)
row('write-back, 1 changed epic', 1, one.requests, 1, one.ms)
const distinct = await measure(() =>
  writer.writeBack(
    items(100, (i) => ({ rank: 200 - i, score: i })),
    AbortSignal.timeout(60_000),
  ),
)
row('write-back, 100 epics, own values each', 100, distinct.requests, 100, distinct.ms)
const shared = await measure(() =>
  writer.writeBack(
    items(100, () => ({ period: '2027-Q2' })),
    AbortSignal.timeout(60_000),
  ),
)
row('write-back, 100 epics, one shared change (bulk edit)', 100, shared.requests, 2, shared.ms)
const unchanged = await measure(() =>
  writer.writeBack(
    items(100, () => ({})),
    AbortSignal.timeout(60_000),
  ),
)
row('write-back, 100 epics, nothing changed', 100, unchanged.requests, 0, unchanged.ms)

printTable(`Jira connector requests (${EPICS.toLocaleString('en')} epics, counted by the simulator)`, rows)
await sim.close()
