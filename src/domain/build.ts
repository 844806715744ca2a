import { calendarDayOf } from './dates.ts'
import { type DeferralEvent, digestCounts, digestLedger, type LedgerDigest } from './deferrals.ts'
import { dependencyGraph } from './dependency-graph.ts'
import type { Epic } from './epic.ts'
import { DomainError, DomainErrorCode } from './errors.ts'
import type { Override } from './overrides.ts'
import { planRoadmap } from './planner.ts'
import type { Roadmap } from './roadmap.ts'
import { diffRoadmaps } from './roadmap-diff.ts'
import { scoreEpics } from './scoring.ts'
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

/**
 * One full build, as the build worker runs it: check the settings, count deferrals from the ledger,
 * build the dependency graph, score, plan, and diff against the previous version. The new events are
 * NOT folded into this build's scores: a deferral raises the risk from the next build on.
 * Throws a DomainError for invalid settings, an invalid clock or duplicate epic ids.
 */
export function buildRoadmap(input: BuildInput): { roadmap: Roadmap; events: DeferralEvent[] } {
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
  const scores = scoreEpics(input.epics, input.settings.scoring, digestCounts(ledger), graph)
  const roadmap = planRoadmap({
    epics: input.epics,
    scores,
    overrides: input.overrides,
    settings: input.settings,
    previous: input.previous,
    now: input.now,
    graph,
  })
  const events = diffRoadmaps(input.previous, roadmap, { ledger })
  return { roadmap, events }
}
