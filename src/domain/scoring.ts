import { type DependencyGraph, dependencyGraph } from './dependency-graph.ts'
import { type EnablementBreakdown, enablementOf } from './enablement.ts'
import type { Epic } from './epic.ts'
import { resolvedScoringSettings, type ScoringSettings } from './settings.ts'

/** The inputs a score needs; an epic missing any of them is unscored, with the missing ones named. */
export type ScoringInputName = 'value' | 'timeCriticality' | 'risk' | 'effort'

/** Everything a person needs to see why an epic scored what it did. */
export interface ScoreBreakdown {
  /** The raw inputs; null = not given. */
  inputs: { value: number | null; timeCriticality: number | null; risk: number | null; effort: number | null }
  /** Distinct periods the epic was planned in and left unfinished, from the ledger. */
  deferrals: number
  /** risk × (1 + riskInterest)^deferrals; null when risk is not given. */
  riskEffective: number | null
  enablement: EnablementBreakdown
  /** Each cost-of-delay term after its weight; null when its input is not given. */
  terms: { value: number | null; timeCriticality: number | null; risk: number | null; enablement: number }
  /** Sum of the terms, per period of delay; null when any term is missing. */
  costOfDelay: number | null
  /** max(effort, minEffort): the divisor; null when effort is not given. */
  effortUsed: number | null
}

export type Score =
  | { status: 'scored'; score: number; costOfDelay: number; breakdown: ScoreBreakdown }
  | { status: 'unscored'; missing: ScoringInputName[]; breakdown: ScoreBreakdown }

/**
 * Scores every open epic with the one framework (DESIGN.md, "Score"):
 *   enablement  = Σ over epics it transitively blocks of value × decay^depth (see enablement.ts)
 *   risk_eff    = risk × (1 + interest)^deferrals
 *   costOfDelay = w.value·value + w.tc·timeCriticality + w.risk·risk_eff + w.enablement·enablement
 *   score       = costOfDelay / max(effort, minEffort)
 * Track never enters the formula. A missing input is never read as zero: the epic is unscored and
 * names what is missing. Closed epics get no score. Returns scores keyed by epic id. Pass `graph`
 * when it is already built — it must be the graph of these same epics (it carries them).
 */
export function scoreEpics(
  epics: readonly Epic[],
  settings: ScoringSettings,
  deferrals: ReadonlyMap<string, number> = new Map(),
  graph: DependencyGraph = dependencyGraph(epics),
): Map<string, Score> {
  const s = resolvedScoringSettings(settings)
  const n = graph.ids.length
  const values = new Float64Array(n)
  for (let i = 0; i < n; i++) values[i] = graph.epics[i]?.inputs.value ?? Number.NaN
  const enablement = enablementOf(graph, values, {
    decay: s.enablementDecay,
    maxDepth: s.enablementMaxDepth,
    maxReach: s.enablementMaxReach,
    contributorsShown: s.enablementContributorsShown,
  })
  const scores = new Map<string, Score>()
  for (let i = 0; i < n; i++) {
    const id = graph.ids[i] as string
    const epic = graph.epics[i] as Epic
    scores.set(id, scoreOf(epic, enablement[i] as EnablementBreakdown, deferrals.get(id) ?? 0, s))
  }
  return scores
}

/**
 * The same scores with new deferral counts for `epicIds`: only their risk term moves, so their
 * enablement (the costly part) is kept from the given scores. Other epics keep their score object.
 */
export function rescoreDeferred(
  graph: DependencyGraph,
  scores: ReadonlyMap<string, Score>,
  counts: ReadonlyMap<string, number>,
  settings: ScoringSettings,
  epicIds: Iterable<string>,
): Map<string, Score> {
  const s = resolvedScoringSettings(settings)
  const next = new Map(scores)
  for (const id of epicIds) {
    const at = graph.indexOf.get(id)
    const before = scores.get(id)
    if (at === undefined || before === undefined) continue
    next.set(id, scoreOf(graph.epics[at] as Epic, before.breakdown.enablement, counts.get(id) ?? 0, s))
  }
  return next
}

function scoreOf(
  epic: Epic,
  enablement: EnablementBreakdown,
  deferrals: number,
  s: ReturnType<typeof resolvedScoringSettings>,
): Score {
  const value = epic.inputs.value ?? null
  const timeCriticality = epic.inputs.timeCriticality ?? null
  const risk = epic.inputs.risk ?? null
  const effort = epic.effort ?? null
  const riskEffective = risk === null ? null : risk * (1 + s.riskInterest) ** deferrals
  const w = s.weights
  const terms = {
    value: value === null ? null : w.value * value,
    timeCriticality: timeCriticality === null ? null : w.timeCriticality * timeCriticality,
    risk: riskEffective === null ? null : w.risk * riskEffective,
    enablement: w.enablement * enablement.total,
  }
  const costOfDelay =
    terms.value === null || terms.timeCriticality === null || terms.risk === null
      ? null
      : terms.value + terms.timeCriticality + terms.risk + terms.enablement
  const effortUsed = effort === null ? null : Math.max(effort, s.minEffort)
  const breakdown: ScoreBreakdown = {
    inputs: { value, timeCriticality, risk, effort },
    deferrals,
    riskEffective,
    enablement,
    terms,
    costOfDelay,
    effortUsed,
  }
  if (costOfDelay === null || effortUsed === null) {
    const missing: ScoringInputName[] = []
    if (value === null) missing.push('value')
    if (timeCriticality === null) missing.push('timeCriticality')
    if (risk === null) missing.push('risk')
    if (effort === null) missing.push('effort')
    return { status: 'unscored', missing, breakdown }
  }
  return { status: 'scored', score: costOfDelay / effortUsed, costOfDelay, breakdown }
}

/**
 * The ranking order of the nodes whose scores are given (in graph order, so ascending epic id):
 * scored epics by score, highest first, then unscored ones; ties keep id order, so the same input
 * always gives the same ranks. Returns node indices, best first.
 */
export function rankOrder(scores: readonly Score[]): number[] {
  const key = Float64Array.from(scores, (s) => (s.status === 'scored' ? s.score : Number.NEGATIVE_INFINITY))
  // Array.prototype.sort is stable, and nodes start in id order: equal keys stay in id order.
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => {
    const ka = key[a] as number
    const kb = key[b] as number
    return ka === kb ? 0 : ka > kb ? -1 : 1
  })
}

/** The number a person reads as the score: the score itself, or null when unscored. */
export function scoreValue(score: Score): number | null {
  return score.status === 'scored' ? score.score : null
}
