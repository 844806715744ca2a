import { commitmentRule } from './commitments.ts'
import { calendarDayOf } from './dates.ts'
import { type DeferralEvent, digestCounts, digestLedger, isDeferral, type LedgerDigest } from './deferrals.ts'
import { type DependencyGraph, dependencyGraph } from './dependency-graph.ts'
import type { Epic } from './epic.ts'
import { DomainError, DomainErrorCode } from './errors.ts'
import type { Override } from './overrides.ts'
import { type Commitments, type Plan, roadmapPlanner } from './planner.ts'
import { type EntryPositions, entryPositions, type Roadmap, type RoadmapEntry } from './roadmap.ts'
import { deferralWatch, diffRoadmaps } from './roadmap-diff.ts'
import {
  rankKey,
  rankOrder,
  rerankOrder,
  type Score,
  scoreNodes,
  scoreValue,
  withDeferrals,
} from './scoring.ts'
import { type RoadmapSettings, roadmapSettingsProblems } from './settings.ts'

export interface BuildInput {
  /** Every synced epic (validated with validateEpic); done and canceled ones included. */
  epics: Epic[]
  overrides: Override[]
  settings: RoadmapSettings
  /** The last stored version; null on the first build. */
  previous: Roadmap | null
  /** Every past event, or its digest (what the store gives): deferral counts (risk interest) and running totals. */
  ledger: readonly DeferralEvent[] | LedgerDigest
  /** ISO timestamp of the build: which periods have ended, and the version's builtAt. */
  now: string
}

/** Rounds of re-planning a build allows for its own deferrals before it settles (it settles in 2–3). */
const MAX_ROUNDS = 12

/**
 * One full build, as the build worker runs it: check the settings, count deferrals from the ledger,
 * build the dependency graph, score, plan, carry or take the commitments, and diff against the
 * previous version. A build is a function of its inputs (DESIGN.md, "Determinism"): the deferrals it
 * records raise their epics' risk in this same build — it re-scores them and plans again until no
 * new deferral appears — so the next build with the same inputs finds nothing to change. An epic
 * whose compounded risk would keep it in its committed period is therefore not deferred (its score
 * shows that risk). Throws a DomainError for invalid settings, an invalid clock or duplicate epic ids.
 */
export function buildRoadmap(input: BuildInput): {
  roadmap: Roadmap
  events: DeferralEvent[]
  /** Plans it took to settle: 1 when no deferral moved a score. */
  rounds: number
} {
  const problems = roadmapSettingsProblems(input.settings)
  if (problems.length > 0)
    throw new DomainError(DomainErrorCode.settingsInvalid, 'Invalid roadmap settings', problems)
  calendarDayOf(input.now)
  const graph = dependencyGraph(input.epics)
  // The graph indexes every id already: each appears once when its open and closed ids add up.
  let distinct = graph.indexOf.size + graph.closedIds.size === input.epics.length
  for (const id of graph.closedIds) distinct &&= !graph.indexOf.has(id)
  if (!distinct) throw duplicateIds(input.epics)
  const ledger = digestLedger(input.ledger)
  const horizon = input.settings.plan.commitHorizon ?? 1
  const counts = digestCounts(ledger)
  // Which previous entry each node continues, matched once for every step that compares versions.
  const previousAt = matchPrevious(input.previous, graph)
  const previousEntryOf = (node: number): RoadmapEntry | undefined => {
    const at = previousAt[node] as number
    return at === -1 ? undefined : input.previous?.entries[at]
  }
  let previousById: Map<string, number> | null = null
  const previousPositions: EntryPositions = {
    get: (epicId) => {
      const node = graph.indexOf.get(epicId)
      if (node !== undefined) return previousAt[node] === -1 ? undefined : previousAt[node]
      // An epic that is not open now: only the whole index knows (rarely asked).
      previousById ??= entryPositions(input.previous)
      return previousById.get(epicId)
    },
  }
  const planner = roadmapPlanner({ ...input, graph, previousPositions })
  const watch = deferralWatch(
    input.previous,
    {
      periods: input.settings.periods,
      builtAt: input.now,
      openIds: planner.openIds,
      nodes: graph.ids.length,
    },
    ledger,
    previousEntryOf,
  )
  const rule = commitmentRule(input.settings.periods, input.now, input.previous, horizon)
  const commitments: Commitments = {
    baseline: rule.baseline,
    commitmentOf: (node, finish) => rule.commitmentOf(previousEntryOf(node), finish),
  }
  // Deferrals found so far in this build (node → committed period): counted in the next round's scores.
  const counted = new Map<number, string>()
  // The plan as it settled, its events, and each breakdown counting the deferrals recorded: an epic
  // counted in an earlier round but not deferred in the end shows its count without that deferral
  // wherever that changes no score (no risk given), so the next build reads the same. Only this plan
  // becomes a roadmap; the rounds before it stay compact.
  const settle = (plan: Plan, scores: readonly Score[], rounds: number) => {
    const roadmap = planner.roadmapOf(plan, commitments)
    const continues = Int32Array.from(plan.byRank, (node) => previousAt[node] as number)
    const nextPositions = {
      get: (epicId: string) => {
        const node = graph.indexOf.get(epicId)
        return node === undefined ? undefined : plan.rank[node]
      },
    }
    const events = diffRoadmaps(input.previous, roadmap, {
      ledger,
      previousPositions,
      nextPositions,
      continues,
    })
    const deferred = new Set(events.filter((e) => isDeferral(e.kind)).map((e) => e.epicId))
    const shown = scores.slice()
    for (const node of counted.keys()) {
      const id = graph.ids[node] as string
      if (deferred.has(id)) continue
      const score = scores[node] as Score
      const exact = withDeferrals(
        graph.epics[node] as Epic,
        score,
        (counts.get(id) ?? 1) - 1,
        input.settings.scoring,
      )
      if (sameScore(score, exact)) shown[node] = exact
    }
    // The entries are this build's own: give them the scores shown in place.
    roadmap.entries.forEach((entry, r) => {
      const score = shown[plan.byRank[r] as number] as Score
      if (score !== entry.score) entry.score = score
    })
    return { roadmap, events, rounds }
  }
  let scores = scoreNodes(graph, input.settings.scoring, counts)
  let byRank = rankOrder(scores)
  const keys = Float64Array.from(scores, rankKey)
  for (let round = 1; ; round++) {
    const plan = planner.place(scores, byRank)
    const fresh = watch(plan.byRank, (node) => planner.finishOf(plan, node)).filter(
      (d) => counted.get(d.node) !== d.period,
    )
    if (fresh.length === 0 || round === MAX_ROUNDS) return settle(plan, scores, round)
    const rescored = scores.slice()
    for (const { node, period } of fresh) {
      const id = graph.ids[node] as string
      if (!counted.has(node)) counts.set(id, (counts.get(id) ?? 0) + 1)
      counted.set(node, period)
      const epic = graph.epics[node] as Epic
      rescored[node] = withDeferrals(epic, scores[node] as Score, counts.get(id) ?? 0, input.settings.scoring)
    }
    // Compounding that moves no score (no risk given, or no interest) cannot change the plan.
    const moved = fresh.some((d) => !sameScore(scores[d.node], rescored[d.node]))
    const changed = fresh.map((d) => d.node)
    scores = rescored
    if (!moved) return settle(plan, scores, round)
    for (const node of changed) keys[node] = rankKey(scores[node] as Score)
    byRank = rerankOrder(byRank, keys, changed) ?? rankOrder(scores)
  }
}

/** For each node, the position of the previous version's entry for its epic (the last one), or -1. */
function matchPrevious(previous: Roadmap | null, graph: DependencyGraph): Int32Array {
  const at = new Int32Array(graph.ids.length).fill(-1)
  const entries = previous?.entries ?? []
  for (let k = 0; k < entries.length; k++) {
    const node = graph.indexOf.get((entries[k] as RoadmapEntry).epicId)
    if (node !== undefined) at[node] = k
  }
  return at
}

function duplicateIds(epics: readonly Epic[]): DomainError {
  const seen = new Set<string>()
  const duplicates = new Set<string>()
  for (const epic of epics) {
    if (seen.has(epic.id)) duplicates.add(epic.id)
    seen.add(epic.id)
  }
  return new DomainError(
    DomainErrorCode.inputInvalid,
    'Duplicate epic ids',
    [...duplicates].sort().map((id) => `epics: '${id}' appears more than once`),
  )
}

function sameScore(a: Score | undefined, b: Score | undefined): boolean {
  return (
    a !== undefined &&
    b !== undefined &&
    scoreValue(a) === scoreValue(b) &&
    a.breakdown.costOfDelay === b.breakdown.costOfDelay
  )
}
