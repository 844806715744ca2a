import { compareIds } from './epic.ts'
import type { Period } from './periods.ts'

/**
 * A decision by the roadmap owner, applied before placement. It always carries a rationale: an
 * override without one is ignored and reported, because an unexplained call is what this service
 * exists to prevent.
 *  - pin: plan the epic in `period`, whatever its rank and the capacity left (overbooking is shown).
 *  - defer: not before `period`; without a period, out of the plan altogether.
 *  - exclude: out of the plan; epics it blocks stay blocked.
 */
export interface Override {
  id: string
  epicId: string
  kind: OverrideKind
  period?: string
  rationale: string
  author: string
  createdAt: string
}

export type OverrideKind = 'pin' | 'defer' | 'exclude'

/** The override a roadmap entry was planned under, as stored with the entry. */
export interface AppliedOverride {
  id: string
  kind: OverrideKind
  period: string | null
  rationale: string
  author: string
}

/** Where an epic id stands for the build: open (on the roadmap), closed (done/canceled), unknown. */
export type EpicPresence = 'open' | 'closed' | 'unknown'

/**
 * The one override in force per epic — the latest valid one by createdAt (then id) — and a problem
 * for every override that cannot apply. Overrides of closed epics are moot and ignored silently.
 */
export function effectiveOverrides(
  overrides: readonly Override[],
  presenceOf: (epicId: string) => EpicPresence,
  periods: readonly Period[],
  openPeriodIds: ReadonlySet<string>,
): { byEpic: Map<string, Override>; problems: string[] } {
  const known = new Set(periods.map((p) => p.id))
  const problems: string[] = []
  const byEpic = new Map<string, Override>()
  const sorted = [...overrides].sort((a, b) => compareIds(a.createdAt, b.createdAt) || compareIds(a.id, b.id))
  for (const override of sorted) {
    const presence = presenceOf(override.epicId)
    if (presence === 'closed') continue
    const problem = overrideProblem(override, presence, known, openPeriodIds)
    if (problem !== null)
      problems.push(`override ${override.id} (${override.kind} ${override.epicId}): ${problem}`)
    else byEpic.set(override.epicId, override)
  }
  return { byEpic, problems }
}

function overrideProblem(
  override: Override,
  presence: EpicPresence,
  known: ReadonlySet<string>,
  open: ReadonlySet<string>,
): string | null {
  if (presence === 'unknown') return 'ignored, no such epic'
  if (typeof override.rationale !== 'string' || override.rationale.trim() === '')
    return 'ignored, it has no rationale'
  if (override.kind === 'pin') {
    if (override.period === undefined) return 'ignored, a pin needs a period'
    if (!known.has(override.period)) return `ignored, unknown period '${override.period}'`
    if (!open.has(override.period)) return `ignored, period '${override.period}' has ended`
  }
  if (override.kind === 'defer' && override.period !== undefined && !known.has(override.period)) {
    return `ignored, unknown period '${override.period}'`
  }
  return null
}

export function appliedOverride(override: Override): AppliedOverride {
  return {
    id: override.id,
    kind: override.kind,
    period: override.period ?? null,
    rationale: override.rationale,
    author: override.author,
  }
}
