// @ts-check
/** @import { LedgerEvent, Period } from './types.d.ts' */

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

/** What an event is, as a heading. */
export function eventTitle(/** @type {LedgerEvent} */ event, /** @type {PeriodNames} */ name) {
  switch (event.kind) {
    case 'deferred':
      return `Deferred ${name(event.fromPeriod)} → ${name(event.toPeriod)}`
    case 'rolled_over':
      return `Rolled over ${name(event.fromPeriod)} → ${name(event.toPeriod)}`
    case 'replanned':
      return `Replanned ${name(event.fromPeriod)} → ${name(event.toPeriod)}`
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

/**
 * A key people read and type (PROJECT-123: Jira keys, Linear issue identifiers) — the rule the
 * service's sentences follow (domain epicLabel). Other keys are internal ids (a Linear project's
 * slug hash) and are never shown: the title names the epic then.
 */
const READABLE_KEY = /^[A-Za-z][A-Za-z0-9_]*-\d+$/

/** The key to show next to an epic's title; '' when its key is an internal id. */
export function shownKey(/** @type {string} */ key) {
  return READABLE_KEY.test(key) ? key : ''
}

/** An epic as people name it: 'PLAT-12 Failover drills', or the title alone. */
export function epicName(/** @type {{ key: string, title: string }} */ epic) {
  const key = shownKey(epic.key)
  return key === '' ? epic.title : `${key} ${epic.title}`
}

export function plural(/** @type {number} */ n, /** @type {string} */ one, many = `${one}s`) {
  return `${num(n, 1)} ${n === 1 ? one : many}`
}
