// @ts-check
/** @import { DeferralCause, DeferralEvent, Period } from './types.d.ts' */

const ESCAPES = /** @type {Record<string, string>} */ ({
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
})

/** Escapes text for HTML content and attribute values: everything from the API goes through it. */
export function esc(/** @type {unknown} */ value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c)
}

/** A number as people read it: integers as they are, others with at most `digits` decimals. */
export function num(/** @type {number | null | undefined} */ n, digits = 1) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–'
  if (Number.isInteger(n)) return n.toLocaleString('en')
  return n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: 0 })
}

/** A score, always with two decimals so a column of them lines up. */
export function score(/** @type {number | null | undefined} */ n) {
  return n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(2)
}

/** An amount in the configured cost unit ('64.6 EUR k', '12 points'). */
export function cost(/** @type {number | null | undefined} */ n, /** @type {string} */ unit) {
  return `${num(n, 1)} ${unit}`
}

const DAY = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' })
const DAY_TIME = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
})
const MONTH = new Intl.DateTimeFormat('en-GB', { month: 'short', timeZone: 'UTC' })

export function day(/** @type {string} */ iso) {
  return DAY.format(new Date(iso))
}

export function dayTime(/** @type {string} */ iso) {
  return DAY_TIME.format(new Date(iso))
}

/** 'Jan – Mar' for a period ('YYYY-MM-DD' dates, end exclusive). */
export function periodRange(/** @type {Period} */ period) {
  const start = new Date(`${period.start}T00:00:00Z`)
  const last = new Date(Date.parse(`${period.end}T00:00:00Z`) - 86_400_000)
  return `${MONTH.format(start)} – ${MONTH.format(last)}`
}

/** '3 days ago', 'in 2 hours': for build times. */
export function ago(/** @type {string} */ iso, now = Date.now()) {
  const seconds = Math.round((Date.parse(iso) - now) / 1000)
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })
  const abs = Math.abs(seconds)
  if (abs < 60) return rtf.format(seconds, 'second')
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute')
  if (abs < 86_400) return rtf.format(Math.round(seconds / 3600), 'hour')
  return rtf.format(Math.round(seconds / 86_400), 'day')
}

/** @typedef {(periodId: string | null) => string} PeriodNames */

/** Period id → the name people use; null is "unplanned". */
export function periodNamer(/** @type {readonly Period[]} */ periods) {
  const names = new Map(periods.map((p) => [p.id, p.name]))
  /** @type {PeriodNames} */
  const name = (id) => (id === null ? 'unplanned' : (names.get(id) ?? id))
  return name
}

/** @typedef {(epicId: string) => string} EpicLabel */

/**
 * Why an epic slipped, in one sentence a roadmap owner would say. The same sentences as the
 * service's reports (src/domain/cause-text.ts), with epic ids shown as the keys people know.
 */
export function describeCause(
  /** @type {DeferralCause} */ cause,
  /** @type {PeriodNames} */ name,
  /** @type {EpicLabel} */ label = (id) => id,
) {
  switch (cause.kind) {
    case 'period_ended':
      return `${name(cause.period)} ended with it unfinished`
    case 'override':
      return `${cause.author} decided to ${cause.override} it: “${cause.rationale}”`
    case 'cycle':
      return `it is in a dependency cycle (${cause.cycle.map(label).join(' → ')})`
    case 'team_changed':
      return `it moved from team ${cause.from} to team ${cause.to}`
    case 'calendar_changed':
      return `its period ${name(cause.period)} left the calendar`
    case 'blocker_slipped':
      return `a blocker slipped: ${cause.blockers
        .map((b) => `${label(b.epicId)} (${name(b.fromPeriod)} → ${name(b.toPeriod)})`)
        .join(', ')}`
    case 'capacity_cut':
      return `team ${cause.team}’s capacity in ${name(cause.period)} was cut from ${num(cause.from, 2)} to ${num(cause.to, 2)}`
    case 'effort_growth':
      return `its estimate grew from ${num(cause.from, 2)} to ${num(cause.to, 2)}`
    case 'unscored':
      return `it can no longer be scored: ${cause.missing.map(inputName).join(', ')} missing`
    case 'score_drop': {
      const changed = cause.changed
        .map((c) => `${inputName(c.input)} ${num(c.from, 2)} → ${num(c.to, 2)}`)
        .join(', ')
      const why =
        changed !== '' ? ` (${changed})` : cause.settingsChanged ? ' (the scoring weights changed)' : ''
      return `its score fell from ${num(cause.from, 2)} to ${num(cause.to, 2)}${why}`
    }
    case 'capacity':
      return `higher-scored work took team ${cause.team}’s capacity in ${name(cause.period)}`
    case 'replanned':
      return 'the plan was rebuilt around it'
    case 'canceled':
      return 'it was canceled'
    case 'no_longer_synced':
      return 'it is no longer in its tracker'
  }
}

/** Scoring inputs in words. */
export function inputName(/** @type {string} */ input) {
  switch (input) {
    case 'value':
      return 'business value'
    case 'timeCriticality':
      return 'time criticality'
    case 'risk':
      return 'risk reduction'
    case 'effort':
      return 'effort'
    case 'enablement':
      return 'enablement'
    case 'deferrals':
      return 'deferrals'
    default:
      return input
  }
}

/** What an event is, as a heading. */
export function eventTitle(/** @type {DeferralEvent} */ event, /** @type {PeriodNames} */ name) {
  switch (event.kind) {
    case 'deferred':
      return `Deferred ${name(event.fromPeriod)} → ${name(event.toPeriod)}`
    case 'rolled_over':
      return `Rolled over ${name(event.fromPeriod)} → ${name(event.toPeriod)}`
    case 'pulled_in':
      return `Pulled in ${name(event.fromPeriod)} → ${name(event.toPeriod)}`
    case 'added':
      return `Added to the roadmap${event.toPeriod === null ? ', unplanned' : ` in ${name(event.toPeriod)}`}`
    case 'removed':
      return 'Removed from the roadmap'
    case 'completed':
      return 'Completed'
  }
}

/** Whether the event counts as a deferral. */
export function isDeferral(/** @type {DeferralEvent['kind']} */ kind) {
  return kind === 'deferred' || kind === 'rolled_over'
}

/** 'SHOP-12' from an epic id when the page knows the epic, else the part after the source. */
export function shortId(/** @type {string} */ epicId) {
  const colon = epicId.indexOf(':')
  return colon === -1 ? epicId : epicId.slice(colon + 1)
}

export function plural(/** @type {number} */ n, /** @type {string} */ one, many = `${one}s`) {
  return `${num(n, 1)} ${n === 1 ? one : many}`
}
