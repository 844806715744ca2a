import type { DeferralCause, DeferralEvent } from './deferrals.ts'
import type { Period } from './periods.ts'

/** Period id → the name people use ('Q3 2027'); unknown ids are shown as they are. */
export type PeriodNames = (periodId: string | null) => string

/** Epic id → the name people use (its key); by default the id itself. */
export type EpicNames = (epicId: string) => string

const asIs: EpicNames = (id) => id

export function periodNames(periods: readonly Period[]): PeriodNames {
  const names = new Map(periods.map((p) => [p.id, p.name]))
  return (id) => (id === null ? 'unplanned' : (names.get(id) ?? id))
}

const round = (n: number) =>
  Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/, '').replace(/\.$/, '')

/** Why an epic slipped, in one sentence a roadmap owner would say. */
export function describeCause(cause: DeferralCause, name: PeriodNames, epic: EpicNames = asIs): string {
  switch (cause.kind) {
    case 'period_ended':
      return `${name(cause.period)} ended with it unfinished`
    case 'override':
      return `${cause.author} decided to ${cause.override} it: ${cause.rationale}`
    case 'cycle':
      return `it is in a dependency cycle (${cause.cycle.map(epic).join(' → ')})`
    case 'team_changed':
      return `it moved from team ${cause.from} to team ${cause.to}`
    case 'calendar_changed':
      return `its period ${name(cause.period)} left the calendar`
    case 'blocker_slipped':
      return `a blocker slipped: ${cause.blockers
        .map((b) => `${epic(b.epicId)} (${name(b.fromPeriod)} → ${name(b.toPeriod)})`)
        .join(', ')}`
    case 'capacity_cut':
      return `team ${cause.team}'s capacity in ${name(cause.period)} was cut from ${round(cause.from)} to ${round(cause.to)}`
    case 'effort_growth':
      return `its estimate grew from ${round(cause.from)} to ${round(cause.to)}`
    case 'unscored':
      return `it can no longer be scored: ${cause.missing.join(', ')} missing`
    case 'score_drop': {
      const changed = cause.changed
        .map(
          (c) => `${c.input} ${c.from === null ? '–' : round(c.from)} → ${c.to === null ? '–' : round(c.to)}`,
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

/** '<from> → <to>: <cause>', e.g. 'Q1 2027 → Q2 2027: higher-scored work took team platform's capacity in Q1 2027'. */
export function describeDeferral(event: DeferralEvent, name: PeriodNames, epic: EpicNames = asIs): string {
  const move = `${name(event.fromPeriod)} → ${name(event.toPeriod)}`
  return event.cause === null ? move : `${move}: ${describeCause(event.cause, name, epic)}`
}
