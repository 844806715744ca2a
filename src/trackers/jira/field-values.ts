import type { EpicStatus } from '../../domain/index.ts'

/**
 * Reading Jira field values into onetrack's terms. Number fields arrive as numbers, but people also
 * map select lists ("3"), text fields and the like: whatever reads as a number ≥ 0 counts, an empty
 * value is "not given" (never 0), and anything else is a problem worded for the person who fixes it.
 */
export type NumberRead = { ok: true; value: number | null } | { ok: false; problem: string }

export function readNumber(raw: unknown): NumberRead {
  if (raw === null || raw === undefined) return { ok: true, value: null }
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) return { ok: false, problem: `not a number: ${raw}` }
    return raw < 0 ? { ok: false, problem: `must be 0 or more, got ${raw}` } : { ok: true, value: raw }
  }
  if (typeof raw === 'string') {
    const text = raw.trim()
    if (text === '') return { ok: true, value: null }
    const value = Number(text)
    return Number.isFinite(value)
      ? readNumber(value)
      : { ok: false, problem: `not a number: '${shorten(text)}'` }
  }
  if (typeof raw === 'object' && !Array.isArray(raw) && 'value' in raw) {
    return readNumber((raw as { value: unknown }).value)
  }
  return { ok: false, problem: `not a number: ${shorten(JSON.stringify(raw))}` }
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text
}

/**
 * The name a team field shows: a text value, a select option's value, a team's name or title (the
 * Atlassian Team field), a user's display name; for a list, its first entry.
 */
export function teamLabel(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null
  if (typeof raw === 'string') return raw.trim() === '' ? null : raw.trim()
  if (Array.isArray(raw)) return teamLabel(raw[0])
  if (typeof raw === 'object') {
    const o = raw as Record<string, unknown>
    for (const key of ['value', 'name', 'title', 'displayName']) {
      if (typeof o[key] === 'string' && o[key] !== '') return o[key] as string
    }
  }
  return null
}

/**
 * Resolutions and statuses that close an epic without doing it. Jira only says "done" (the status
 * category); these names, the defaults of Jira's templates and common variants, say it was dropped.
 * @see https://support.atlassian.com/jira-cloud-administration/docs/what-are-issue-statuses-priorities-and-resolutions/
 */
const CANCELED = new Set([
  "won't do",
  "won't fix",
  'wont do',
  'wont fix',
  'canceled',
  'cancelled',
  'declined',
  'rejected',
  'abandoned',
  'obsolete',
  'duplicate',
  'cannot reproduce',
])

function isCanceledName(name: unknown): boolean {
  return typeof name === 'string' && CANCELED.has(name.trim().toLowerCase().replaceAll('’', "'"))
}

/**
 * Status category → status: new → todo, indeterminate → in_progress, done → done, or canceled when
 * the resolution or the status name says the work was dropped.
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-workflow-status-categories/
 */
export function readStatus(fields: Record<string, unknown>): { status: EpicStatus; problem?: string } {
  const status = fields.status as { name?: unknown; statusCategory?: { key?: unknown } } | null | undefined
  const category = status?.statusCategory?.key
  switch (category) {
    case 'new':
      return { status: 'todo' }
    case 'indeterminate':
      return { status: 'in_progress' }
    case 'done': {
      const resolution = (fields.resolution as { name?: unknown } | null | undefined)?.name
      return { status: isCanceledName(resolution) || isCanceledName(status?.name) ? 'canceled' : 'done' }
    }
    default:
      return {
        status: 'todo',
        problem: `Status '${String(status?.name ?? '?')}': unknown status category '${String(category)}', read as to do`,
      }
  }
}
