import type { DeferralCause, DeferralEvent, EpicName } from './deferrals.ts'
import { epicLabel } from './epic.ts'
import type { Period } from './periods.ts'

/** Period id → the name people use ('Q3 2027'); unknown ids are shown as they are. */
export type PeriodNames = (periodId: string | null) => string

export function periodNames(periods: readonly Period[]): PeriodNames {
  const names = new Map(periods.map((p) => [p.id, p.name]))
  return (id) => (id === null ? 'unplanned' : (names.get(id) ?? id))
}

/** The author of the hypothetical overrides a what-if applies (what-if.ts). */
export const WHAT_IF_AUTHOR = 'what-if'

const round = (n: number) =>
  Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/, '').replace(/\.$/, '')

/** Scoring input names as a product lead says them. */
const INPUT_WORDS: Record<string, string> = {
  value: 'value',
  timeCriticality: 'time criticality',
  risk: 'risk',
  effort: 'effort',
  enablement: 'what it unblocks',
  deferrals: 'times deferred',
}

/** An epic named in a cause; causes recorded before names were kept carry only the id. */
const named = (epic: Partial<EpicName> & { epicId: string }): string =>
  epic.title === undefined || epic.title === '' || epic.key === undefined
    ? (epic.key ?? epic.epicId)
    : epicLabel({ key: epic.key, title: epic.title })

/** Why an epic slipped, in one sentence a roadmap owner would say. */
export function describeCause(cause: DeferralCause, name: PeriodNames): string {
  switch (cause.kind) {
    case 'period_ended':
      return `${name(cause.period)} ended with it unfinished`
    case 'override': {
      const to = cause.period === undefined || cause.period === null ? '' : ` to ${name(cause.period)}`
      if (cause.author === WHAT_IF_AUTHOR) {
        const verb = { pin: 'pinned', defer: 'deferred', exclude: 'excluded' }[cause.override]
        return `if ${verb}${to}`
      }
      return `${cause.author} decided to ${cause.override} it${to}: “${cause.rationale}”`
    }
    case 'cycle':
      return `it is in a dependency cycle (${(cause.names ?? cause.cycle.map((epicId) => ({ epicId }))).map(named).join(' → ')})`
    case 'team_changed':
      return `it moved from team ${cause.from} to team ${cause.to}`
    case 'calendar_changed':
      return `its period ${name(cause.period)} left the calendar`
    case 'blocker_slipped':
      return `${cause.blockers.length === 1 ? 'its blocker' : 'its blockers'} slipped: ${cause.blockers
        .map((b) => `${named(b)} (${name(b.fromPeriod)} → ${name(b.toPeriod)})`)
        .join(', ')}`
    case 'capacity_cut':
      return `team ${cause.team}'s capacity in ${name(cause.period)} was cut from ${round(cause.from)} to ${round(cause.to)}`
    case 'effort_growth':
      return `its estimate grew from ${round(cause.from)} to ${round(cause.to)}`
    case 'unscored':
      return `it can no longer be scored: ${cause.missing.map((m) => INPUT_WORDS[m] ?? m).join(', ')} missing`
    case 'score_drop': {
      const changed = cause.changed
        .map(
          (c) =>
            `${INPUT_WORDS[c.input] ?? c.input} ${c.from === null ? '–' : round(c.from)} → ${c.to === null ? '–' : round(c.to)}`,
        )
        .join(', ')
      const why =
        changed !== '' ? ` (${changed})` : cause.settingsChanged ? ' (the scoring weights changed)' : ''
      return `its score fell from ${round(cause.from)} to ${round(cause.to)}${why}`
    }
    case 'capacity':
      return `higher-scored work took team ${cause.team}'s capacity in ${name(cause.period)}`
    case 'replanned':
      return 'the plan was rebuilt around it'
    case 'canceled':
      return 'it was canceled'
    case 'no_longer_synced':
      return 'it is no longer in its tracker'
  }
}

/**
 * One event in one sentence, e.g. 'Q1 2027 → Q2 2027: higher-scored work took team platform's
 * capacity in Q1 2027'. A deferral's from is the period it was committed to.
 */
export function describeDeferral(event: DeferralEvent, name: PeriodNames): string {
  const move = `${name(event.fromPeriod)} → ${name(event.toPeriod)}`
  return event.cause === null ? move : `${move}: ${describeCause(event.cause, name)}`
}
