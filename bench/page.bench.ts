/**
 * The web page in headless Chromium (Debian's, never a download): first paint and time to a
 * rendered timeline with 1,000 open epics (and more with --sizes), median of N cold loads, against
 * a baseline page in the same run that fetches the whole /api/roadmap and writes one plain list
 * item per epic — the cost of the public answer alone.
 *
 * The page loads /api/roadmap/timeline (the same answer with the entries cut to what cards show) in
 * one request, so `roadmap-loaded` is also when all its data has arrived. It draws the lanes that
 * fill the first screen and leaves the others as shells drawn when scrolled near: `timeline-rendered`
 * and `timeline-painted` are the visible timeline inserted and painted; `cards drawn` and `lanes
 * drawn` count what is on the page then, `timeline-complete` when every lane is drawn (the bench
 * waits for it: data-ready is set then).
 *
 *   node bench/page.bench.ts [--loads 9] [--sizes 1000,5000] [--verbose]
 *
 * Data: synthetic epics from a fixed seed (8 teams, 8 quarters, ~2 blockers each, 30% technical,
 * 10% in progress, 3% missing an input), built by the domain three times a quarter apart so the
 * roadmap carries deferrals, and stored in an embedded PGlite database; the app is the real one.
 */
import { Writable } from 'node:stream'
import { chromium } from 'playwright-core'
import { parseConfig, Secret } from '../src/config/index.ts'
import {
  buildRoadmap,
  type DeferralEvent,
  type Epic,
  type Roadmap,
  validateEpic,
} from '../src/domain/index.ts'
import { buildApp } from '../src/http/app.ts'
import { closeQueues, createQueues } from '../src/jobs/index.ts'
import { createLogger } from '../src/logger.ts'
import { createMetrics } from '../src/metrics.ts'
import { createRedis } from '../src/redis.ts'
import { migrate, openDatabase, saveRoadmapVersion } from '../src/store/index.ts'
import { connectorRegistry } from '../src/trackers/index.ts'
import { argNumber, median, printTable } from './report.ts'
import { random } from './synthetic-world.ts'

const loads = argNumber('loads', 9)
const verbose = process.argv.includes('--verbose')
const sizesArg = process.argv.indexOf('--sizes')
const sizes = (sizesArg === -1 ? '1000' : (process.argv[sizesArg + 1] ?? '1000')).split(',').map(Number)
const TEAMS = ['checkout', 'growth', 'search', 'payments', 'mobile', 'platform', 'data', 'identity']
const BUILDS = ['2026-01-12T09:00:00.000Z', '2026-04-13T09:00:00.000Z', '2026-07-13T09:00:00.000Z']

const SUBJECTS = ['Checkout', 'Search ranking', 'Invoices', 'Event bus', 'Session store', 'Audit log']
const MORE = ['Mobile onboarding', 'Partner API', 'Data warehouse', 'SSO for enterprise', 'Rate limits']
const WHAT = ['migration', 'redesign', 'in two regions', 'v2', 'hardening', 'self-service', 'clean-up']

/** `n` open epics (and the done ones of earlier builds); build `step` finishes some and re-estimates others. */
function epicsAt(n: number, step: number): Epic[] {
  const rnd = random(42)
  const epics: Epic[] = []
  const fibonacci = [1, 2, 3, 5, 8, 13, 20]
  for (let i = 0; i < n; i++) {
    const blockers: string[] = []
    const count = Math.floor(rnd() * 4)
    for (let k = 0; k < count && i > 0; k++)
      blockers.push(`jira:E${i - 1 - Math.floor(rnd() * Math.min(i, 200))}`)
    const subjects = rnd() < 0.5 ? SUBJECTS : MORE
    const title = `${subjects[Math.floor(rnd() * subjects.length)]} ${WHAT[Math.floor(rnd() * WHAT.length)]}, phase ${1 + (i % 7)}`
    const grows = rnd() < 0.15 * step
    const started = rnd() < 0.1
    const raw = {
      id: `jira:E${i}`,
      key: `E-${i}`,
      title,
      url: `https://jira.example/browse/E-${i}`,
      source: 'jira',
      team: TEAMS[i % TEAMS.length],
      track: rnd() < 0.3 ? 'technical' : 'product',
      status: started ? 'in_progress' : 'todo',
      inputs: {
        value: Math.round(rnd() * 20),
        timeCriticality: Math.round(rnd() * 8),
        risk: rnd() < 0.03 ? null : Math.round(rnd() * 13),
      },
      effort: (fibonacci[Math.floor(rnd() * fibonacci.length)] ?? 5) + (grows ? 3 : 0),
      blockers: [...new Set(blockers)],
      updatedAt: BUILDS[0],
    }
    const checked = validateEpic(raw)
    if (checked.ok) epics.push(checked.epic)
  }
  return epics
}

function configYaml(n: number): string {
  // Room for about 70% of the effort (average ~7 units) over the eight quarters.
  const capacity = Math.round(((n / TEAMS.length) * 7 * 0.7) / 8)
  return `roadmap:
  name: Bench (${n} epics)
  periods: { quarters: { start: 2026-Q1, count: 8 } }
  costOfDelayUnit: EUR k
  teams:
${TEAMS.map((t) => `    - { id: ${t}, name: ${t[0]?.toUpperCase()}${t.slice(1)}, capacity: ${capacity} }`).join('\n')}
`
}

const BASELINE = `<!doctype html><html><head><meta charset="utf-8"><title>baseline</title></head><body>
<h1>Baseline</h1><ul id="list"></ul><script type="module">
const roadmap = await fetch('/api/roadmap').then((r) => r.json())
performance.mark('roadmap-loaded')
document.getElementById('list').innerHTML = roadmap.entries.map((e) => '<li>' + e.key + ' ' + e.title + '</li>').join('')
performance.mark('timeline-rendered')
requestAnimationFrame(() => setTimeout(() => { performance.mark('timeline-painted'); document.documentElement.dataset.ready = 'timeline' }, 0))
</script></body></html>`

/** Runs in the page (a string: the bench is type-checked without the DOM's types). */
const COLLECT = `(() => {
  const paint = (name) => performance.getEntriesByType('paint').find((e) => e.name === name)?.startTime ?? NaN
  const mark = (name) => performance.getEntriesByName(name, 'mark')[0]?.startTime ?? NaN
  const json = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/api/roadmap') || e.name.endsWith('/api/roadmap/timeline'))
  return {
    firstPaint: paint('first-paint'),
    firstContentfulPaint: paint('first-contentful-paint'),
    fetchStart: json?.startTime ?? NaN,
    responseEnd: json?.responseEnd ?? NaN,
    roadmapLoaded: mark('roadmap-loaded'),
    rendered: mark('timeline-rendered'),
    painted: mark('timeline-painted'),
    complete: mark('timeline-complete'),
    cards: document.querySelectorAll('.card, #list li').length,
    lanes: document.querySelectorAll('.tl-lane:not(.is-pending)').length + '/' + document.querySelectorAll('.tl-lane').length,
    jsonKb: (json?.encodedBodySize ?? 0) / 1024,
  }
})()`

interface Load {
  firstPaint: number
  firstContentfulPaint: number
  /** The /api/roadmap request: when it left, when its last byte arrived. */
  fetchStart: number
  responseEnd: number
  /** The JSON parsed, in the page's hands. */
  roadmapLoaded: number
  rendered: number
  painted: number
  /** Every lane drawn (the page draws those below the first screen after it is painted). */
  complete: number
  cards: number
  /** Lanes drawn / all lanes. */
  lanes: string
  jsonKb: number
}

async function measure(n: number) {
  const database = await openDatabase({ dataDir: 'memory://' })
  await migrate(database)
  const config = parseConfig(configYaml(n), 'bench.yaml', {})
  const { roadmapSettings } = await import('../src/config/index.ts')
  let previous: Roadmap | null = null
  const ledger: DeferralEvent[] = []
  for (const [step, at] of BUILDS.entries()) {
    const { roadmap, events } = buildRoadmap({
      epics: epicsAt(n, step),
      overrides: [],
      settings: roadmapSettings(config),
      previous,
      ledger,
      now: at,
    })
    await saveRoadmapVersion(database.db, { trigger: `bench:${step}`, configHash: 'bench', roadmap, events })
    ledger.push(...events)
    previous = roadmap
  }
  const redis = createRedis(new Secret(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'REDIS_URL'), 'api')
  const queues = createQueues({ connection: redis, prefix: 'bench-page' })
  const logger = createLogger({
    level: 'warn',
    destination: new Writable({ write: (_c, _e, done) => done() }),
  })
  const app = await buildApp({
    config,
    database,
    redis,
    queues,
    logger,
    metrics: createMetrics(),
    connectorFor: connectorRegistry(config.sources, { logger, publicUrl: config.server.publicUrl }),
    now: () => new Date(BUILDS.at(-1) ?? ''),
  })
  app.get('/bench-baseline', { schema: { hide: true } }, (_request, reply) =>
    reply.type('text/html').send(BASELINE),
  )
  const url = await app.listen({ port: 0, host: '127.0.0.1' })

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  })
  const once = async (path: string): Promise<Load> => {
    // A new context per load: a cold cache, as a first visit.
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
    const page = await context.newPage()
    await page.goto(`${url}${path}`)
    await page.waitForSelector('html[data-ready="timeline"]', { timeout: 30_000 })
    const load = (await page.evaluate(COLLECT)) as Load
    await context.close()
    if (verbose) console.log(path, JSON.stringify(load))
    return load
  }
  await once('/') // warm-up: the server's JIT and the browser's first process
  await once('/bench-baseline')
  const page: Load[] = []
  const baseline: Load[] = []
  for (let i = 0; i < loads; i++) {
    page.push(await once('/'))
    baseline.push(await once('/bench-baseline'))
  }
  await browser.close()
  await app.close()
  await closeQueues(queues)
  // The queues' meta keys: leave the machine's Redis as it was.
  const keys = await redis.keys('bench-page:*')
  if (keys.length > 0) await redis.del(...keys)
  redis.disconnect()
  await database.close()
  return { n, page, baseline }
}

const rows = [
  [
    'open epics',
    'cards drawn',
    'lanes drawn',
    'roadmap JSON KB',
    'first paint ms',
    'first contentful paint ms',
    'roadmap request ms (sent → received)',
    'timeline rendered ms (render)',
    'timeline painted ms',
    'all lanes drawn ms',
    'baseline painted ms',
    'page / baseline',
  ],
]
for (const n of sizes) {
  const { page, baseline } = await measure(n)
  const m = (loadsOf: Load[], key: Exclude<keyof Load, 'lanes'>) => median(loadsOf.map((l) => l[key]))
  const render = m(page, 'rendered') - m(page, 'roadmapLoaded')
  rows.push([
    n.toLocaleString('en'),
    String(page[0]?.cards ?? 0),
    page[0]?.lanes ?? '',
    m(page, 'jsonKb').toFixed(0),
    m(page, 'firstPaint').toFixed(0),
    m(page, 'firstContentfulPaint').toFixed(0),
    `${m(page, 'fetchStart').toFixed(0)} → ${m(page, 'responseEnd').toFixed(0)}`,
    `${m(page, 'rendered').toFixed(0)} (${render.toFixed(0)})`,
    m(page, 'painted').toFixed(0),
    Number.isNaN(m(page, 'complete')) ? '–' : m(page, 'complete').toFixed(0),
    m(baseline, 'painted').toFixed(0),
    `${(m(page, 'painted') / m(baseline, 'painted')).toFixed(2)}×`,
  ])
}
printTable(`Web page in headless Chromium: median of ${loads} cold loads (ms since navigation start)`, rows)
