// The public face of the domain: pure functions over plain data. Nothing here does I/O.
export { accruedCost, accruedCosts, type Lateness, latenessOf, type RateChange } from './accrual.ts'
export { type BuildInput, buildRoadmap } from './build.ts'
export { describeCause, describeDeferral, type PeriodNames, periodNames } from './cause-text.ts'
export { periodContaining, withCommitments } from './commitments.ts'
export {
  type CommittedPeriod,
  DEFERRAL_KINDS,
  type DeferralCause,
  type DeferralEvent,
  type DeferralEventKind,
  type Displacer,
  deferralCounts,
  digestCounts,
  digestLedger,
  type EpicName,
  type InputChange,
  isDeferral,
  type LedgerDigest,
} from './deferrals.ts'
export { type DependencyGraph, dependencyGraph, topologicalOrder } from './dependency-graph.ts'
export type { EnablementBreakdown, EnablementContributor } from './enablement.ts'
export {
  type Epic,
  type EpicStatus,
  type EpicValidation,
  epicIdOf,
  epicLabel,
  parseEpicId,
  type ScoringInputs,
  type Track,
  validateEpic,
} from './epic.ts'
export { DomainError, DomainErrorCode, type FieldProblem, fieldProblemText } from './errors.ts'
export type { AppliedOverride, Override, OverrideKind } from './overrides.ts'
export { buildPeriods, type Period, type PeriodSpec } from './periods.ts'
export { type PlanInput, planRoadmap } from './planner.ts'
export {
  type Asymmetry,
  type AwaitingSignOff,
  buildReport,
  type ChronicDeferral,
  type DecisionNote,
  type PeriodShare,
  type PeriodSlips,
  type ReportedDecision,
  type ReportedOverride,
  type ReportInput,
  type TrackSlips,
  type UnscoredEpic,
  type WeeklyReport,
} from './report.ts'
export {
  type Baseline,
  type ClosedEpic,
  finishPeriod,
  type Placement,
  type Roadmap,
  type RoadmapEntry,
  type TeamLoad,
  type UnplannedReason,
  unplannedReasonText,
} from './roadmap.ts'
export { type DiffOptions, diffRoadmaps } from './roadmap-diff.ts'
export { type Score, type ScoreBreakdown, type ScoringInputName, scoreEpics } from './scoring.ts'
export {
  defaultPlanSettings,
  defaultReportSettings,
  defaultScoringSettings,
  type PlanSettings,
  type ReportSettings,
  type RoadmapSettings,
  roadmapSettingsProblems,
  type ScoringSettings,
  type SpanPolicy,
  type TeamCapacity,
} from './settings.ts'
export {
  applyWhatIf,
  type MovedEpic,
  type NewlyBlocked,
  type PlanCounts,
  planCounts,
  readWhatIf,
  resolveEpicKey,
  WHAT_IF_AUTHOR,
  WHAT_IF_INPUTS,
  type WhatIfChange,
  type WhatIfEpic,
  type WhatIfInput,
  type WhatIfInputName,
  type WhatIfResult,
  whatIf,
  whatIfFieldProblems,
  whatIfProblems,
} from './what-if.ts'
