// The demo company's year of planning, replayed build by build at the dates it happened: what the
// teams committed at each quarter's start, what arrived mid-quarter and took a committed epic's
// place, what shipped by the quarter's end (most of it) and what rolled over (a few), and the
// owner's sign-offs along the way. The trackers change as the teams would have changed them; onetrack
// syncs and builds at each step with its clock set to the step's date, exactly as it would have run.
import type { OnetrackConfig, Person } from '../config/index.ts'
import {
  type DeferralEvent,
  epicLabel,
  isDeferral,
  parseEpicId,
  periodContaining,
  type Roadmap,
  type RoadmapEntry,
} from '../domain/index.ts'
import type { Logger } from '../logger.ts'
import {
  acceptEpicDeferrals,
  type BuildSummary,
  type PipelineDeps,
  runBuild,
  runSync,
} from '../pipeline/index.ts'
import { HISTORY, STORY_REFS, type StepPhase } from '../sandbox/demo/company.ts'
import type { DemoTrackers } from '../sandbox/demo/trackers.ts'
import { seededRandom } from '../sandbox/random.ts'
import { latestVersion, loadLedger, unacknowledgedDeferrals } from '../store/index.ts'

/** The story's epic: committed every quarter, deferred three quarters running. */
export const STORY_REF = 'PLAT-FAILOVER'

/**
 * What the roadmap owner said when accepting the failover drills' deferrals out of Q1 and Q2, two
 * days after each; the one out of Q3 waits for the owner's call when the demo opens.
 */
export const STORY_REASONS: Readonly<Record<string, string>> = {
  '2026-Q1': 'Enterprise SSO closes the three pilot deals this quarter; the drills lead Q2.',
  '2026-Q2': 'Usage-based billing launches with the new pricing in June; the drills get Q3, and no later.',
}

/** How many of the epics committed to a quarter roll over at its end (started, not finished). */
const ROLL_OVERS_PER_QUARTER = 2
/** Share of the committed work the product teams leave unstarted at a quarter's start. */
const UNSTARTED_SHARE = 0.25
const DAY_MS = 86_400_000

export interface ReplayStep {
  at: string
  phase: StepPhase
  /** The quarter the step falls in. */
  period: string | null
  build: BuildSummary
  /** Epics that appeared in the trackers at this step. */
  appeared: number
  /** Epics committed to the quarter by the baseline its start took (start steps). */
  committed: number
  /** Epics finished before this step's build (end steps). */
  shipped: number
  /** Epics committed to this quarter, started, and not finished by its end (end steps). */
  heldBack: number
  /** Epics whose deferrals the owner signed off at this step. */
  signedOff: number
}

export interface QuarterOutcome {
  period: string
  /** Epics committed to it at its start. */
  committed: number
  /** Of those, shipped before it ended. */
  shipped: number
  /** Of those, still unfinished when it ended (roll-overs). */
  rolledOver: number
}

export interface Replay {
  steps: ReplayStep[]
  /** The quarters that ended during the replay: what was committed at their start and what shipped. */
  quarters: QuarterOutcome[]
  /** The epic id of a demo epic by its story handle. */
  epicIdOf(ref: string): string | undefined
}

/**
 * Replays the demo's history up to `until` (every step dated on or before it). The caller's deps
 * are used with the clock of each step; the trackers get the same clock. Deterministic: the same
 * company and the same dates make the same ledger on every run.
 */
export async function replayDemoHistory(
  deps: PipelineDeps,
  trackers: DemoTrackers,
  options: { until: string; onStep?: (step: ReplayStep) => void },
): Promise<Replay> {
  const { config } = deps
  const db = deps.database.db
  const sourceIds = sourceIdsOf(config)
  const demoEpics = new Map(trackers.epics.map((e) => [e.ref, e]))
  const epicIdOf = (ref: string): string | undefined => {
    const epic = demoEpics.get(ref)
    const id = trackers.trackerId(ref)
    return epic === undefined || id === undefined ? undefined : `${sourceIds[epic.tracker]}:${id}`
  }
  const refOf = (epicId: string): string | undefined => {
    const parsed = parseEpicId(epicId)
    return parsed === null ? undefined : trackers.refOf(parsed.externalId)
  }
  const owner = ownerOf(config)
  const next = seededRandom(2026_12)
  const started = new Set<string>()
  const rolledOver = new Set<string>()
  const committedTo = new Map<string, Set<string>>()
  const steps: ReplayStep[] = []
  let previous: Roadmap | null = null

  for (const [index, { at, phase }] of HISTORY.entries()) {
    if (Date.parse(at) > Date.parse(options.until)) break
    const stepDeps: PipelineDeps = { ...deps, now: () => new Date(at) }
    const period = previous === null ? null : periodContaining(previous.periods, at.slice(0, 10))

    // The owner's review: the deferrals recorded two steps ago or earlier are signed off, a week
    // after each (the story's own are answered when they happen, and its last one is left open).
    const reviewed = HISTORY[index - 1]?.at
    const signedOff =
      owner === null || reviewed === undefined
        ? 0
        : await reviewDeferrals(stepDeps, owner, reviewed, at, epicIdOf(STORY_REF))

    trackers.setClock(Date.parse(at))
    const before = trackers.epics.filter((e) => trackers.trackerId(e.ref) !== undefined).length
    trackers.applyStep(index)
    const appeared = trackers.epics.filter((e) => trackers.trackerId(e.ref) !== undefined).length - before

    // The quarter's end: what is planned to finish in it ships, but for a few started epics.
    let shipped = 0
    let heldBack = 0
    if (phase === 'end' && previous !== null && period !== null) {
      const due = previous.entries.filter((e) => finishOf(e) === period.id)
      const candidates = due.filter((e) => {
        const ref = refOf(e.epicId)
        return (
          e.commitment === period.id &&
          started.has(e.epicId) &&
          !rolledOver.has(e.epicId) &&
          ref !== undefined &&
          !STORY_REFS.has(ref)
        )
      })
      const held = new Set<string>()
      while (held.size < Math.min(ROLL_OVERS_PER_QUARTER, candidates.length)) {
        const pick = candidates[Math.floor(next() * candidates.length)] as RoadmapEntry
        held.add(pick.epicId)
      }
      for (const entry of due) {
        const ref = refOf(entry.epicId)
        if (ref === undefined || demoEpics.get(ref)?.ships === false) continue
        if (held.has(entry.epicId)) {
          rolledOver.add(entry.epicId)
          heldBack++
          continue
        }
        trackers.finish(ref)
        shipped++
      }
    }

    for (const source of config.sources) {
      await runSync(
        stepDeps,
        { sourceId: source.id, mode: 'full', reason: 'schedule' },
        AbortSignal.timeout(120_000),
      )
    }
    const build = await runBuild(stepDeps, `history:${at.slice(0, 10)}`)
    const version = await latestVersion(db)
    const roadmap = version?.roadmap ?? null

    // The quarter's start: the teams start the work committed to it. Platform starts everything
    // but the failover drills; the product teams leave about a quarter of theirs for later.
    let committed = 0
    const current = roadmap === null ? null : periodContaining(roadmap.periods, at.slice(0, 10))
    if (phase === 'start' && roadmap !== null && current !== null) {
      const promised = roadmap.entries.filter((e) => e.commitment === current.id)
      committedTo.set(current.id, new Set(promised.map((e) => e.epicId)))
      committed = promised.length
      for (const entry of roadmap.entries) {
        if (entry.commitment !== current.id || finishOf(entry) !== current.id || entry.status !== 'todo')
          continue
        const ref = refOf(entry.epicId)
        const epic = ref === undefined ? undefined : demoEpics.get(ref)
        if (ref === undefined || epic === undefined || epic.ships === false) continue
        if (epic.team !== 'PLAT' && next() < UNSTARTED_SHARE) continue
        trackers.start(ref)
        started.add(entry.epicId)
      }
      for (const entry of roadmap.entries) if (entry.status === 'in_progress') started.add(entry.epicId)
    }

    // The story: the owner accepts the drills' first two deferrals two days after each, with a reason.
    const storyId = epicIdOf(STORY_REF)
    const storySignedOff =
      owner === null || storyId === undefined ? 0 : await signOffStory(stepDeps, owner, storyId, at)

    const step: ReplayStep = {
      at,
      phase,
      period: current?.id ?? null,
      build,
      appeared,
      committed,
      shipped,
      heldBack,
      signedOff: signedOff + storySignedOff,
    }
    steps.push(step)
    options.onStep?.(step)
    previous = roadmap
  }
  return { steps, quarters: await quarterOutcomes(deps, committedTo, options.until), epicIdOf }
}

/** The period an entry is planned to finish in (its last span); null when unplanned. */
function finishOf(entry: Pick<RoadmapEntry, 'period' | 'spans'>): string | null {
  return entry.spans.at(-1)?.period ?? entry.period
}

function sourceIdsOf(config: OnetrackConfig): Record<'jira' | 'linear', string> {
  return {
    jira: config.sources.find((s) => s.kind === 'jira')?.id ?? 'jira',
    linear: config.sources.find((s) => s.kind === 'linear')?.id ?? 'linear',
  }
}

/** How the owner made the history's calls: on the page when they are a person who signs in. */
const viaOf = (owner: Person): 'api' | 'page' => (owner.email === undefined ? 'api' : 'page')

/** Who signed the history's deferrals off: the roadmap's owner among the people, else an owner token. */
function ownerOf(config: OnetrackConfig): Person | null {
  const person = config.auth.people.find((p) => p.role === 'owner')
  if (person !== undefined) return { name: person.name ?? person.email, role: 'owner', email: person.email }
  const token = config.auth.tokens.find((t) => t.role === 'owner')
  return token === undefined ? null : { name: token.name, role: 'owner' }
}

const quiet = (deps: PipelineDeps): Pick<Logger, 'info' | 'error'> => deps.logger

/**
 * Signs off, by epic, every open deferral recorded before `before` (one call answers all of an
 * epic's open deferrals), a week after the newest of them and before `at` — but never the story's
 * epic. Returns the epics answered.
 */
async function reviewDeferrals(
  deps: PipelineDeps,
  owner: Person,
  before: string,
  at: string,
  storyId: string | undefined,
): Promise<number> {
  const open = (await unacknowledgedDeferrals(deps.database.db)).filter(
    (e) => e.epicId !== storyId && Date.parse(e.at) < Date.parse(before),
  )
  const byEpic = new Map<string, DeferralEvent[]>()
  for (const event of open) byEpic.set(event.epicId, [...(byEpic.get(event.epicId) ?? []), event])
  for (const [epicId, events] of byEpic) {
    const latest = events.at(-1) as DeferralEvent
    const when = Math.min(Date.parse(latest.at) + 7 * DAY_MS, Date.parse(at) - 3_600_000)
    await acceptEpicDeferrals(
      { ...deps, now: () => new Date(when) },
      { person: owner, epicId, reason: reasonFor(latest), via: viaOf(owner) },
      quiet(deps),
    )
  }
  return byEpic.size
}

/** The owner's reason for accepting a deferral, from its cause. */
function reasonFor(event: DeferralEvent): string {
  const first = event.displacedBy[0]
  switch (event.cause?.kind) {
    case 'period_ended':
      return 'Nearly there: it finishes in the first weeks of next quarter.'
    case 'capacity':
    case 'capacity_cut':
      return first === undefined
        ? 'Higher-value work comes first this quarter; it keeps its place next.'
        : `${epicLabel(first)} is worth more this quarter; this one goes next.`
    case 'blocker_slipped':
      return 'It cannot start before its blocker ships; accepted.'
    case 'effort_growth':
      return 'The new estimate no longer fits this quarter; accepted.'
    default:
      return 'Accepted at the planning review.'
  }
}

/**
 * The story's sign-offs: the failover drills' deferrals out of Q1 and Q2 are accepted two days after
 * they happen, each with its reason (STORY_REASONS); the one out of Q3 stays open.
 */
async function signOffStory(deps: PipelineDeps, owner: Person, storyId: string, at: string): Promise<number> {
  const fresh = (await loadLedger(deps.database.db)).filter(
    (e) => e.epicId === storyId && isDeferral(e.kind) && Date.parse(e.at) === Date.parse(at),
  )
  const reason = fresh.length === 1 ? STORY_REASONS[fresh[0]?.fromPeriod ?? ''] : undefined
  if (reason === undefined) return 0
  await acceptEpicDeferrals(
    { ...deps, now: () => new Date(Date.parse(at) + 2 * DAY_MS) },
    { person: owner, epicId: storyId, reason, via: viaOf(owner) },
    quiet(deps),
  )
  return 1
}

/** For each quarter that ended by `until`: what was committed at its start, shipped in it, rolled over. */
async function quarterOutcomes(
  deps: PipelineDeps,
  committedTo: ReadonlyMap<string, ReadonlySet<string>>,
  until: string,
): Promise<QuarterOutcome[]> {
  const ledger = await loadLedger(deps.database.db)
  const periods = (await latestVersion(deps.database.db))?.roadmap.periods ?? []
  const outcomes: QuarterOutcome[] = []
  for (const [id, committed] of committedTo) {
    const period = periods.find((p) => p.id === id)
    if (period === undefined || Date.parse(`${period.end}T00:00:00Z`) > Date.parse(until)) continue
    const end = Date.parse(`${period.end}T00:00:00Z`)
    const shipped = new Set(
      ledger
        .filter((e) => e.kind === 'completed' && committed.has(e.epicId) && Date.parse(e.at) < end)
        .map((e) => e.epicId),
    )
    const rolled = new Set(
      ledger.filter((e) => e.kind === 'rolled_over' && e.fromPeriod === id).map((e) => e.epicId),
    )
    outcomes.push({ period: id, committed: committed.size, shipped: shipped.size, rolledOver: rolled.size })
  }
  return outcomes
}
