/**
 * What-if latency: at 10,000 synthetic epics (the world of build.bench.ts), N what-ifs that each
 * defer a random epic of the top 100 planned ones by one period, against a full build
 * (buildRoadmap on the same inputs, no change) measured in the same run.
 *
 *   node --expose-gc bench/what-if.bench.ts [--epics 10000] [--runs 50]
 *
 * Both run in-process on the domain (no store): a what-if through the API or the CLI adds the same
 * store reads a real build does (loadBuildInputs).
 */
import { buildRoadmap, digestLedger, whatIf } from '../src/domain/index.ts'
import { argNumber, percentile, printTable } from './report.ts'
import { previousWeek, random, rawEpics, settingsFor, THIS_BUILD, validated } from './synthetic-world.ts'

const WHAT_IF_AT = '2026-01-19T09:00:00.000Z'

const n = argNumber('epics', 10_000)
const runs = argNumber('runs', 50)
const settings = settingsFor(n)
const first = previousWeek(n, settings)
const epics = validated(rawEpics(n, 7, 2))
// The current (stored) roadmap, and the ledger's digest as the store hands it to a build.
const current = buildRoadmap({
  epics,
  overrides: [],
  settings,
  previous: first.roadmap,
  ledger: first.events,
  now: THIS_BUILD,
})
const ledger = digestLedger([...first.events, ...current.events])
const inputs = { epics, overrides: [], settings, previous: current.roadmap, ledger, now: WHAT_IF_AT }
const periodIds = settings.periods.map((p) => p.id)
const candidates = current.roadmap.entries
  .filter((e) => e.period !== null && e.period !== periodIds.at(-1) && e.status === 'todo')
  .slice(0, 100)
const rnd = random(23)
const pick = () => {
  const entry = candidates[Math.floor(rnd() * candidates.length)] as (typeof candidates)[number]
  const next = periodIds[periodIds.indexOf(entry.period as string) + 1] as string
  return { kind: 'defer' as const, epicId: entry.epicId, period: next, rationale: 'bench' }
}

const fullBuild = () => buildRoadmap(inputs)
const oneWhatIf = () => whatIf({ ...inputs, changes: [pick()] })
// Warm-up, as in a long-running server.
for (let w = 0; w < 5; w++) {
  fullBuild()
  oneWhatIf()
}
const buildTimes: number[] = []
const whatIfTimes: number[] = []
let moved = 0
let deferrals = 0
// With --expose-gc, a collection before each timed call keeps one run's garbage off the next.
const collect = (globalThis as { gc?: () => void }).gc ?? (() => {})
for (let r = 0; r < runs; r++) {
  collect()
  let start = performance.now()
  const result = oneWhatIf()
  whatIfTimes.push(performance.now() - start)
  moved += result.moved.length
  deferrals += result.deferrals.length
  if (r % 2 === 0) {
    collect()
    start = performance.now()
    fullBuild()
    buildTimes.push(performance.now() - start)
  }
}
const fmt = (values: number[], p: number) => percentile(values, p).toFixed(1)
printTable(
  `What-if at ${n.toLocaleString('en-US')} epics: defer one of the top 100 planned epics by a period`,
  [
    ['', 'runs', 'p50 ms', 'p95 ms', 'max ms'],
    [
      'what-if (validate + apply + build + read the diff)',
      String(whatIfTimes.length),
      fmt(whatIfTimes, 50),
      fmt(whatIfTimes, 95),
      fmt(whatIfTimes, 100),
    ],
    [
      'full build (buildRoadmap, same inputs)',
      String(buildTimes.length),
      fmt(buildTimes, 50),
      fmt(buildTimes, 95),
      fmt(buildTimes, 100),
    ],
  ],
)
console.log(
  `\nper what-if on average: ${(moved / runs).toFixed(1)} epics moved, ${(deferrals / runs).toFixed(1)} deferrals.`,
)
