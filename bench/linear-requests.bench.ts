/**
 * Requests and complexity the Linear connector spends against the Linear simulator (the official
 * schema, Linear's published complexity rule, pages of at most 250): a full sync of 5,000 projects
 * with ~2 blocking relations each, against the minimum pagination allows — ceil(5000 / 250) pages
 * plus fixed calls (none: the label catalogue and team ids ride along on the first page);
 * then incremental syncs, a targeted sync and write-back per changed epic.
 *
 *   node bench/linear-requests.bench.ts [--projects 5000]
 *
 * Counts, not timings: they do not vary between runs or machines (the workspace is seeded).
 */
import { pino } from 'pino'
import { parseConfig } from '../src/config/index.ts'
import { createLinearSimulator, seedWorkspace } from '../src/sandbox/linear/index.ts'
import { createLinearConnector, type LinearSourceConfig } from '../src/trackers/linear/index.ts'
import type { SyncRequest, TrackerConnector, WriteBackItem, WriteBackValues } from '../src/trackers/types.ts'
import { argNumber, printTable } from './report.ts'

const PROJECTS = argNumber('projects', 5000)
const PAGE = 250
const PUBLIC_URL = 'http://onetrack.bench'

let now = Date.parse('2026-03-02T09:00:00.000Z')
const sim = createLinearSimulator({ now: () => now })
const seeded = seedWorkspace(sim.state, { projects: PROJECTS, relationsPerProject: 2, issuesPerProject: 2 })
now += 3_600_000
await sim.listen()

function source(inputs: Record<string, unknown>): LinearSourceConfig {
  const yaml = JSON.stringify({
    roadmap: {
      periods: { quarters: { start: '2027-Q1', count: 4 } },
      teams: [{ id: 'platform', capacity: 30 }],
    },
    sources: [
      {
        id: 'lin',
        kind: 'linear',
        apiUrl: sim.graphqlUrl(),
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a config environment reference, not a template
        apiKey: '${LINEAR_KEY}',
        requestsPerSecond: 1000,
        teams: ['PLAT', 'WEB'],
        team: 'platform',
        inputs,
        track: { default: 'product', rules: [{ label: 'tech-debt', track: 'technical' }] },
        writeBack: { chronicLabel: 'Chronically deferred' },
      },
    ],
  })
  return parseConfig(yaml, '/bench/linear.yaml', { LINEAR_KEY: sim.apiKey }).sources[0] as LinearSourceConfig
}

const standard = {
  value: { labelGroup: 'Value' },
  risk: { labelGroup: 'Risk' },
  timeCriticality: { priority: true },
  effort: { from: 'scope' },
}
const deps = { logger: pino({ level: 'silent' }), publicUrl: PUBLIC_URL }

interface Spent {
  requests: number
  complexity: number
  maxQuery: number
  epics: number
}

async function measure(run: () => Promise<number>): Promise<Spent> {
  sim.resetCounters()
  const epics = await run()
  const queries = sim.queries()
  return {
    requests: sim.requestCount(),
    complexity: sim.complexityServed(),
    maxQuery: Math.max(0, ...queries.map((q) => q.complexity ?? 0)),
    epics,
  }
}

async function sync(connector: TrackerConnector, request: Omit<SyncRequest, 'signal'>) {
  let epics = 0
  const outcome = await connector.sync({ ...request, signal: AbortSignal.timeout(120_000) }, async (page) => {
    epics += page.epics.length
  })
  return { epics, outcome }
}

const fmt = (n: number) => n.toLocaleString('en-US')
const rows: string[][] = [
  ['operation', 'epics', 'requests', 'minimum', 'complexity (points)', 'largest query'],
]
const add = (name: string, spent: Spent, minimum: string) =>
  rows.push([
    name,
    fmt(spent.epics),
    fmt(spent.requests),
    minimum,
    fmt(spent.complexity),
    fmt(spent.maxQuery),
  ])

const linear = createLinearConnector(source(standard), deps)
let cursor: string | null = null
const full = await measure(async () => {
  const result = await sync(linear, { mode: 'full', cursor: null })
  cursor = result.outcome.cursor
  return result.epics
})
add(
  `full sync, ${fmt(PROJECTS)} projects, ${fmt(seeded.relations)} relations`,
  full,
  `${Math.ceil(PROJECTS / PAGE)} + 0`,
)

const withCustomers = createLinearConnector(
  source({ ...standard, value: { labelGroup: 'Value', customerRevenue: true } }),
  deps,
)
const fuller = await measure(async () => (await sync(withCustomers, { mode: 'full', cursor: null })).epics)
add('full sync, + customer requests in the selection', fuller, `${Math.ceil(PROJECTS / PAGE)} + 0`)

now += 60_000
const quiet = await measure(async () => (await sync(linear, { mode: 'incremental', cursor })).epics)
add('incremental, nothing changed', quiet, '1')

now += 60_000
for (const [i, id] of seeded.projectIds.slice(0, 50).entries())
  sim.state.updateProject(id, { name: `Renamed ${i}` })
now += 60_000
const changed = await measure(async () => (await sync(linear, { mode: 'incremental', cursor })).epics)
add('incremental, 50 projects changed', changed, '1')

const one = await measure(
  async () =>
    (await sync(linear, { mode: 'epic', cursor, externalId: seeded.projectIds[7] as string })).epics,
)
add('targeted sync of one epic (webhook)', one, '1')

function values(id: string, rank: number, chronic = false): WriteBackValues {
  return {
    score: 10,
    rank,
    period: '2027-Q1',
    deferrals: 0,
    costOfDelay: 20,
    note: '',
    pageUrl: `${PUBLIC_URL}/epics/lin:${id}`,
    chronic,
  }
}
const items = (
  ids: string[],
  rank: (i: number) => number,
  previous: (i: number) => WriteBackValues | null,
): WriteBackItem[] =>
  ids.map((id, i) => ({
    epicId: `lin:${id}`,
    externalId: id,
    values: values(id, rank(i)),
    previous: previous(i),
  }))

const written = (spent: Spent, n: number) => ({ ...spent, epics: n })
const first = await measure(async () => {
  const outcome = await linear.writeBack(
    items(
      seeded.projectIds,
      (i) => i + 1,
      () => null,
    ),
    AbortSignal.timeout(120_000),
  )
  return outcome.written.length
})
add('write-back, first write of every epic', first, `${Math.ceil(PROJECTS / 20)} + lookups`)
const hundred = seeded.projectIds.slice(0, 100)
const moved = await measure(async () => {
  const outcome = await linear.writeBack(
    items(
      hundred,
      (i) => i + 2,
      (i) => values(hundred[i] as string, i + 1),
    ),
    AbortSignal.timeout(60_000),
  )
  return outcome.written.length
})
add('write-back, 100 epics changed rank', written(moved, 100), '5 + lookups')
const same = await measure(async () => {
  const outcome = await linear.writeBack(
    items(
      seeded.projectIds,
      (i) => i + 1,
      (i) => values(seeded.projectIds[i] as string, i + 1),
    ),
    AbortSignal.timeout(60_000),
  )
  return outcome.written.length
})
add(`write-back, ${fmt(PROJECTS)} epics, nothing changed`, same, '0')

printTable(`Linear connector against the simulator (pages ≤ ${PAGE}, queries ≤ 10,000 points)`, rows)
console.log(
  `\nwrite-back per changed epic: ${(first.requests / first.epics).toFixed(3)} requests (first write), ` +
    `${(moved.requests / 100).toFixed(3)} (rank changes)`,
)
await sim.close()
