import { type Period, periodProblems } from './periods.ts'

/** The scoring framework's knobs. The same formula applies to product and technical epics. */
export interface ScoringSettings {
  /** Each term of the cost of delay is multiplied by its weight. */
  weights: { value: number; timeCriticality: number; risk: number; enablement: number }
  /** 0 < d <= 1: a transitively blocked epic's value counts × d^depth (depth 1 = directly blocked). */
  enablementDecay: number
  /** risk_eff = risk × (1 + riskInterest)^deferrals. */
  riskInterest: number
  /** score = costOfDelay / max(effort, minEffort); > 0, so tiny estimates cannot explode a score. */
  minEffort: number
  /** Deepest level of blocked epics counted in enablement (default 6). */
  enablementMaxDepth?: number
  /** Most distinct blocked epics counted per epic (default 500); beyond it the breakdown says `truncated`. */
  enablementMaxReach?: number
  /** How many of the largest enablement contributors each breakdown names (default 5). */
  enablementContributorsShown?: number
}

/** Effort units per period for one team; `byPeriod` overrides one period (a capacity cut or boost). */
export interface TeamCapacity {
  team: string
  perPeriod: number
  byPeriod?: Record<string, number>
}

export interface PlanSettings {
  /** In-progress epics keep the period the previous roadmap gave them, while it is open. */
  keepInProgress: boolean
  /**
   * What happens to an epic that fits in no single period: 'spread' (default) books it over
   * consecutive periods; 'whole' leaves it unplanned as too large. See planner.ts.
   */
  span?: SpanPolicy
  /**
   * Periods after the current one that a period's start commits (DESIGN.md, "Commitment"); default 1:
   * the current and the next period. Only committed work can be deferred.
   */
  commitHorizon?: number
}

export type SpanPolicy = 'spread' | 'whole'

export interface ReportSettings {
  /** An epic deferred at least this many times is chronic. */
  chronicThreshold: number
  /** Deferrals of epics whose cost of delay per period is below this are counted but not listed. */
  minCostOfDelay: number
  /** The unit costs are reported in, e.g. 'points' or 'EUR k'. */
  costUnit: string
}

export interface RoadmapSettings {
  scoring: ScoringSettings
  plan: PlanSettings
  periods: Period[]
  capacities: TeamCapacity[]
}

export const defaultScoringSettings: ScoringSettings = {
  weights: { value: 1, timeCriticality: 1, risk: 1, enablement: 1 },
  enablementDecay: 0.5,
  riskInterest: 0.25,
  minEffort: 1,
  enablementMaxDepth: 6,
  enablementMaxReach: 500,
  enablementContributorsShown: 5,
}

export const defaultPlanSettings: PlanSettings = { keepInProgress: true, span: 'spread', commitHorizon: 1 }

export const defaultReportSettings: ReportSettings = {
  chronicThreshold: 3,
  minCostOfDelay: 0,
  costUnit: 'points',
}

/** Scoring settings with every optional knob filled in. */
export type ResolvedScoringSettings = Required<ScoringSettings>

export function resolvedScoringSettings(settings: ScoringSettings): ResolvedScoringSettings {
  return {
    weights: { ...settings.weights },
    enablementDecay: settings.enablementDecay,
    riskInterest: settings.riskInterest,
    minEffort: settings.minEffort,
    enablementMaxDepth: settings.enablementMaxDepth ?? (defaultScoringSettings.enablementMaxDepth as number),
    enablementMaxReach: settings.enablementMaxReach ?? (defaultScoringSettings.enablementMaxReach as number),
    enablementContributorsShown:
      settings.enablementContributorsShown ?? (defaultScoringSettings.enablementContributorsShown as number),
  }
}

const isNonNegative = (n: unknown): boolean => typeof n === 'number' && Number.isFinite(n) && n >= 0
const isPositiveInteger = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 1

/** Every problem with the settings, each naming its field; empty when they can be used. */
export function roadmapSettingsProblems(settings: RoadmapSettings): string[] {
  const problems: string[] = []
  const { scoring, plan, capacities } = settings
  for (const name of ['value', 'timeCriticality', 'risk', 'enablement'] as const) {
    if (!isNonNegative(scoring.weights?.[name]))
      problems.push(`scoring.weights.${name}: must be a number >= 0`)
  }
  const decay = scoring.enablementDecay
  if (!(typeof decay === 'number' && decay > 0 && decay <= 1))
    problems.push('scoring.enablementDecay: must be > 0 and <= 1')
  if (!isNonNegative(scoring.riskInterest)) problems.push('scoring.riskInterest: must be a number >= 0')
  if (
    !(typeof scoring.minEffort === 'number' && Number.isFinite(scoring.minEffort) && scoring.minEffort > 0)
  ) {
    problems.push('scoring.minEffort: must be a number > 0')
  }
  for (const name of ['enablementMaxDepth', 'enablementMaxReach'] as const) {
    if (scoring[name] !== undefined && !isPositiveInteger(scoring[name]))
      problems.push(`scoring.${name}: must be an integer >= 1`)
  }
  const shown = scoring.enablementContributorsShown
  if (shown !== undefined && !(Number.isInteger(shown) && shown >= 0)) {
    problems.push('scoring.enablementContributorsShown: must be an integer >= 0')
  }
  if (typeof plan?.keepInProgress !== 'boolean') problems.push('plan.keepInProgress: must be a boolean')
  const horizon = plan?.commitHorizon
  if (horizon !== undefined && !(Number.isInteger(horizon) && horizon >= 0)) {
    problems.push('plan.commitHorizon: must be an integer >= 0')
  }
  if (plan?.span !== undefined && plan.span !== 'spread' && plan.span !== 'whole') {
    problems.push(`plan.span: must be 'spread' or 'whole'`)
  }
  problems.push(...periodProblems(settings.periods ?? []))
  const periodIds = new Set((settings.periods ?? []).map((p) => p.id))
  const teams = new Set<string>()
  ;(capacities ?? []).forEach((capacity, i) => {
    const at = `capacities[${i}]`
    if (typeof capacity.team !== 'string' || capacity.team === '')
      problems.push(`${at}.team: must be a non-empty string`)
    else if (teams.has(capacity.team)) problems.push(`${at}.team: duplicate team '${capacity.team}'`)
    else teams.add(capacity.team)
    if (!isNonNegative(capacity.perPeriod)) problems.push(`${at}.perPeriod: must be a number >= 0`)
    for (const [period, value] of Object.entries(capacity.byPeriod ?? {})) {
      if (!periodIds.has(period)) problems.push(`${at}.byPeriod.${period}: unknown period`)
      if (!isNonNegative(value)) problems.push(`${at}.byPeriod.${period}: must be a number >= 0`)
    }
  })
  return problems
}
