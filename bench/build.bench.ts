/**
 * Full roadmap build (validate + score + plan + diff against the previous version) on 1,000, 10,000
 * and 100,000 synthetic epics with ~2 blockers each, against a baseline measured in the same process:
 * sorting the same epics by a precomputed number. The build must grow no worse than n log n, so its
 * ratio to the baseline should stay flat as n grows.
 *
 *   node bench/build.bench.ts [--sizes 1000,10000,100000]
 *
 * Each size runs in its own child process, so its peak RSS (process.resourceUsage().maxRSS) is its
 * own; the data is generated from a fixed seed, so every run builds the same roadmaps.
 */
import { spawnSync } from 'node:child_process'
import {
  buildRoadmap,
  digestLedger,
  type Epic,
  isDeferral,
  type LedgerDigest,
  type Roadmap,
  type RoadmapSettings,
} from '../src/domain/index.ts'
import { median, printTable } from './report.ts'
import { previousWeek, random, rawEpics, settingsFor, THIS_BUILD, validated } from './synthetic-world.ts'

interface Measurement {
  n: number
  runs: number
  buildMs: number
  baselineMs: number
  maxRssMb: number
  retainedHeapMb: number
  roadmapJsonMb: number
  planned: number
  events: number
  deferrals: number
  rounds: number
  cycles: number
}

function measure(n: number, runs: number): Measurement {
  const collect = (globalThis as { gc?: () => void }).gc ?? (() => {})
  const settings = settingsFor(n)
  // What the build worker starts from: the stored previous version, and the ledger's digest (the
  // store computes it in SQL; the worker never holds the events themselves).
  const { previous, ledger } = previousVersion(n, settings)
  const rnd = random(11)
  const keyed = rawEpics(n, 7, 2).map((raw) => ({ id: (raw as { id: string }).id, key: rnd() }))
  // The synced epics as the store holds them; the worker reads them fresh for each build (untimed
  // here), validates them inside the timed build and keeps only the validated epics.
  const stored = JSON.stringify(rawEpics(n, 7, 2))
  let synced: unknown[] | null = null
  const sync = (): void => {
    synced = JSON.parse(stored) as unknown[]
  }
  const validatedSync = (): Epic[] => {
    const epics = validated(synced ?? [])
    synced = null
    return epics
  }
  const build = () =>
    buildRoadmap({
      epics: validatedSync(),
      overrides: [],
      settings,
      previous,
      ledger,
      now: THIS_BUILD,
    })
  // Warm-up, as in a long-running worker: enough builds for the optimising compiler to settle.
  for (let w = Math.max(1, Math.round(20_000 / n)); w > 0; w--) {
    sync()
    build()
  }
  const buildTimes: number[] = []
  const baselineTimes: number[] = []
  for (let r = 0; r < runs; r++) {
    collect()
    let start = performance.now()
    keyed.slice().sort((a, b) => a.key - b.key)
    baselineTimes.push(performance.now() - start)
    sync()
    collect()
    start = performance.now()
    build()
    buildTimes.push(performance.now() - start)
  }
  // Heap a finished build keeps alive (the roadmap and its events), measured around one more build.
  sync()
  const epics = validatedSync()
  collect()
  const before = process.memoryUsage().heapUsed
  const retained = buildRoadmap({ epics, overrides: [], settings, previous, ledger, now: THIS_BUILD })
  collect()
  const retainedHeapMb = (process.memoryUsage().heapUsed - before) / 2 ** 20
  const roadmapJsonMb = JSON.stringify(retained.roadmap).length / 2 ** 20
  return {
    n,
    runs,
    buildMs: median(buildTimes),
    baselineMs: median(baselineTimes),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    retainedHeapMb,
    roadmapJsonMb,
    planned: retained.roadmap.entries.filter((e) => e.period !== null).length,
    events: retained.events.length,
    deferrals: retained.events.filter((e) => isDeferral(e.kind)).length,
    rounds: retained.rounds,
    cycles: retained.roadmap.cycles.length,
  }
}

/** The same world a week earlier, built as the previous version, and the digest of its events. */
function previousVersion(n: number, settings: RoadmapSettings): { previous: Roadmap; ledger: LedgerDigest } {
  const first = previousWeek(n, settings)
  return { previous: first.roadmap, ledger: digestLedger(first.events) }
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? undefined : process.argv[index + 1]
}

const child = argument('child')
if (child !== undefined) {
  process.stdout.write(JSON.stringify(measure(Number(child), Number(argument('runs') ?? 3))))
} else {
  const sizes = (argument('sizes') ?? '1000,10000,100000').split(',').map(Number)
  const runsFor = (n: number): number => (n <= 1_000 ? 15 : n <= 10_000 ? 7 : 3)
  const results: Measurement[] = []
  for (const n of sizes) {
    const out = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        '--max-old-space-size=4096',
        import.meta.filename,
        '--child',
        String(n),
        '--runs',
        String(runsFor(n)),
      ],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    )
    if (out.status !== 0) {
      console.error(out.stderr)
      process.exit(1)
    }
    results.push(JSON.parse(out.stdout) as Measurement)
  }
  const nLogN = (n: number): number => n * Math.log2(n)
  // Growth from the previous size, divided by how much n log n grew: <= 1 is no worse than n log n.
  const growth = (i: number, pick: (m: Measurement) => number): string => {
    const m = results[i] as Measurement
    const before = results[i - 1]
    return before === undefined ? '—' : (pick(m) / pick(before) / (nLogN(m.n) / nLogN(before.n))).toFixed(2)
  }
  printTable('Roadmap build (validate + score + plan + diff against the previous version)', [
    [
      'epics',
      'build ms (median)',
      'baseline sort ms',
      'build / baseline',
      'build growth ÷ n log n',
      'baseline growth ÷ n log n',
      'peak RSS MB',
      'result heap MB',
      'roadmap JSON MB',
      'events (deferrals)',
      'plans per build',
    ],
    ...results.map((m, i) => [
      m.n.toLocaleString('en-US'),
      `${m.buildMs.toFixed(1)} (${m.runs} runs)`,
      m.baselineMs.toFixed(2),
      `${(m.buildMs / m.baselineMs).toFixed(0)}×`,
      growth(i, (r) => r.buildMs),
      growth(i, (r) => r.baselineMs),
      m.maxRssMb.toFixed(0),
      m.retainedHeapMb.toFixed(1),
      m.roadmapJsonMb.toFixed(1),
      `${m.events.toLocaleString('en-US')} (${m.deferrals.toLocaleString('en-US')})`,
      String(m.rounds),
    ]),
  ])
  console.log(
    [
      '',
      'growth ÷ n log n: time at this size / time at the previous size, divided by the growth of n log n;',
      '<= 1 is no worse than n log n. The baseline (a plain sort) shows what the memory hierarchy alone costs.',
      `planned: ${results.map((m) => `${m.planned.toLocaleString('en-US')}/${m.n.toLocaleString('en-US')}`).join(', ')};`,
      `dependency cycles found: ${results.map((m) => m.cycles).join(', ')}.`,
    ].join('\n'),
  )
}
