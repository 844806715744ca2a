import { withCommitments } from './commitments.ts'
import { calendarDayOf } from './dates.ts'
import { type DeferralEvent, digestCounts, digestLedger, isDeferral, type LedgerDigest } from './deferrals.ts'
import { dependencyGraph } from './dependency-graph.ts'
import type { Epic } from './epic.ts'
import { DomainError, DomainErrorCode } from './errors.ts'
import type { Override } from './overrides.ts'
import { planRoadmap } from './planner.ts'
import type { Roadmap } from './roadmap.ts'
import { diffRoadmaps, newDeferrals } from './roadmap-diff.ts'
import { rescoreDeferred, type Score, scoreEpics, scoreValue } from './scoring.ts'
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
  const seen = new Set<string>()
  const duplicates = new Set<string>()
  for (const epic of input.epics) {
    if (seen.has(epic.id)) duplicates.add(epic.id)
    seen.add(epic.id)
  }
  if (duplicates.size > 0) {
    throw new DomainError(
      DomainErrorCode.inputInvalid,
      'Duplicate epic ids',
      [...duplicates].sort().map((id) => `epics: '${id}' appears more than once`),
    )
  }
  const graph = dependencyGraph(input.epics)
  const ledger = digestLedger(input.ledger)
  const horizon = input.settings.plan.commitHorizon ?? 1
  const counts = digestCounts(ledger)
  // Deferrals found so far in this build (epic → committed period): counted in the next round's scores.
  const counted = new Map<string, string>()
  // The plan as it settled, its events, and each breakdown counting the deferrals recorded: an epic
  // counted in an earlier round but not deferred in the end shows its count without that deferral
  // wherever that changes no score (no risk given), so the next build reads the same.
  const settle = (roadmap: Roadmap, scores: ReadonlyMap<string, Score>, rounds: number) => {
    const events = diffRoadmaps(input.previous, roadmap, { ledger })
    const deferred = new Set(events.filter((e) => isDeferral(e.kind)).map((e) => e.epicId))
    const uncounted = [...counted.keys()].filter((id) => !deferred.has(id))
    const exactCounts = new Map(counts)
    for (const id of uncounted) exactCounts.set(id, (counts.get(id) ?? 1) - 1)
    const exact = rescoreDeferred(graph, scores, exactCounts, input.settings.scoring, uncounted)
    const shown = new Map(scores)
    for (const id of uncounted) {
      const score = exact.get(id)
      if (score !== undefined && sameScore(scores.get(id), score)) shown.set(id, score)
    }
    return { roadmap: withScores(roadmap, shown), events, rounds }
  }
  let scores = scoreEpics(input.epics, input.settings.scoring, counts, graph)
  for (let round = 1; ; round++) {
    const planned = planRoadmap({
      epics: input.epics,
      scores,
      overrides: input.overrides,
      settings: input.settings,
      previous: input.previous,
      now: input.now,
      graph,
    })
    const roadmap = withCommitments(planned, input.previous, horizon)
    const fresh = newDeferrals(input.previous, roadmap, ledger).filter(
      (d) => counted.get(d.epicId) !== d.period,
    )
    if (fresh.length === 0 || round === MAX_ROUNDS) return settle(roadmap, scores, round)
    for (const d of fresh) {
      if (!counted.has(d.epicId)) counts.set(d.epicId, (counts.get(d.epicId) ?? 0) + 1)
      counted.set(d.epicId, d.period)
    }
    const rescored = rescoreDeferred(
      graph,
      scores,
      counts,
      input.settings.scoring,
      fresh.map((d) => d.epicId),
    )
    // Compounding that moves no score (no risk given, or no interest) cannot change the plan.
    const moved = fresh.some((d) => !sameScore(scores.get(d.epicId), rescored.get(d.epicId)))
    scores = rescored
    if (!moved) return settle(roadmap, scores, round)
  }
}

function sameScore(a: Score | undefined, b: Score | undefined): boolean {
  return (
    a !== undefined &&
    b !== undefined &&
    scoreValue(a) === scoreValue(b) &&
    a.breakdown.costOfDelay === b.breakdown.costOfDelay
  )
}

/** The same plan with breakdowns that count this build's deferrals (only the count moved). */
function withScores(roadmap: Roadmap, scores: ReadonlyMap<string, Score>): Roadmap {
  return {
    ...roadmap,
    entries: roadmap.entries.map((e) => {
      const score = scores.get(e.epicId)
      return score === undefined || score === e.score ? e : { ...e, score }
    }),
  }
}
