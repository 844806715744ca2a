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
  const scoreAt = scoreNodes(graph, settings, deferrals)
  const scores = new Map<string, Score>()
  for (let i = 0; i < scoreAt.length; i++) scores.set(graph.ids[i] as string, scoreAt[i] as Score)
  return scores
}

/** scoreEpics by node of the graph (scoreAt[i] scores graph.ids[i]). */
export function scoreNodes(
  graph: DependencyGraph,
  settings: ScoringSettings,
  deferrals: ReadonlyMap<string, number>,
): Score[] {
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
  const scores: Score[] = new Array(n)
  for (let i = 0; i < n; i++) {
    const id = graph.ids[i] as string
    const epic = graph.epics[i] as Epic
    scores[i] = scoreOf(epic, enablement[i] as EnablementBreakdown, deferrals.get(id) ?? 0, s)
  }
  return scores
}

/**
 * An epic's score with another deferral count: only its risk term moves, so its enablement (the
 * costly part) is kept from the score it had.
 */
export function withDeferrals(
  epic: Epic,
  before: Score,
  deferrals: number,
  settings: ScoringSettings,
): Score {
  return scoreOf(epic, before.breakdown.enablement, deferrals, resolvedScoringSettings(settings))
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
  const key = rankKeys(scores)
  // Array.prototype.sort is stable, and nodes start in id order: equal keys stay in id order.
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => {
    const ka = key[a] as number
    const kb = key[b] as number
    return ka === kb ? 0 : ka > kb ? -1 : 1
  })
}

/**
 * rankOrder after only the scores of `changed` nodes moved, from the order before and each node's
 * rankKey now: the others keep their order, so they are merged with the changed ones sorted, in
 * linear time instead of sorting every node again. Null when a key is NaN, which has no place in an
 * order: leave that to rankOrder, as before.
 */
export function rerankOrder(
  order: readonly number[],
  key: Float64Array,
  changed: readonly number[],
): number[] | null {
  if (key.some(Number.isNaN)) return null
  const compare = byKey(key)
  const moved = new Uint8Array(key.length)
  for (const node of changed) moved[node] = 1
  const incoming = [...new Set(changed)].sort(compare)
  const merged: number[] = new Array(order.length)
  let k = 0
  let m = 0
  for (const node of order) {
    if (moved[node] === 1) continue
    while (m < incoming.length && compare(incoming[m] as number, node) < 0)
      merged[k++] = incoming[m++] as number
    merged[k++] = node
  }
  while (m < incoming.length) merged[k++] = incoming[m++] as number
  return merged
}

/** What ranks a score: its value, unscored ones after every scored one. */
export function rankKey(score: Score): number {
  return score.status === 'scored' ? score.score : Number.NEGATIVE_INFINITY
}

function rankKeys(scores: readonly Score[]): Float64Array {
  return Float64Array.from(scores, rankKey)
}

/** Highest key first; equal keys by node index (id order). */
function byKey(key: Float64Array): (a: number, b: number) => number {
  return (a, b) => {
    const ka = key[a] as number
    const kb = key[b] as number
    return ka === kb ? a - b : ka > kb ? -1 : 1
  }
}

/** The number a person reads as the score: the score itself, or null when unscored. */
export function scoreValue(score: Score): number | null {
  return score.status === 'scored' ? score.score : null
}
