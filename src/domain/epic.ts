import { isIsoInstant } from './dates.ts'

/** Track comes from the mapping rules; it is for reporting only and never changes the formula. */
export type Track = 'product' | 'technical'
export type EpicStatus = 'todo' | 'in_progress' | 'done' | 'canceled'

export const TRACKS: readonly Track[] = ['product', 'technical']
export const EPIC_STATUSES: readonly EpicStatus[] = ['todo', 'in_progress', 'done', 'canceled']

/** Scoring inputs mapped from tracker fields. A missing input is "not given", never 0. */
export interface ScoringInputs {
  value?: number
  timeCriticality?: number
  risk?: number
}

export interface Epic {
  /** Stable identity across syncs: `source:externalId`, e.g. 'jira-acme:PLAT-12'. */
  id: string
  /** The key people know the epic by (PLAT-12). */
  key: string
  title: string
  url: string
  /** The configured source it was synced from; the prefix of `id`. */
  source: string
  team: string
  track: Track
  status: EpicStatus
  inputs: ScoringInputs
  /** Effort in the same units as team capacity; missing = not estimated. */
  effort?: number
  /** Ids of epics (from any source) that block this one. */
  blockers: string[]
  updatedAt: string
}

/**
 * An epic's id: its source and the tracker's id of it, `source:externalId`. Source ids cannot hold
 * a colon (config), so the first colon separates them; the external id may hold more.
 */
export function epicIdOf(sourceId: string, externalId: string): string {
  return `${sourceId}:${externalId}`
}

/** The parts of an epic id; null for one without a colon (not an epic id). */
export function parseEpicId(epicId: string): { source: string; externalId: string } | null {
  const colon = epicId.indexOf(':')
  if (colon === -1) return null
  return { source: epicId.slice(0, colon), externalId: epicId.slice(colon + 1) }
}

/** A key people read and type: PROJECT-123 (Jira keys, Linear issue identifiers). */
const READABLE_KEY = /^[A-Za-z][A-Za-z0-9_]*-\d+$/

/**
 * How every sentence names an epic: 'PLAT-12 Failover drills' where the key is one people use, the
 * title alone where the key is an internal id (a Linear project's slug hash, a UUID).
 */
export function epicLabel(epic: { key: string; title: string }): string {
  return READABLE_KEY.test(epic.key) ? `${epic.key} ${epic.title}` : epic.title
}

/** Epics still to be planned: the others are finished, one way or another. */
export function isOpen(status: EpicStatus): boolean {
  return status === 'todo' || status === 'in_progress'
}

export type EpicValidation = { ok: true; epic: Epic } | { ok: false; id?: string; problems: string[] }

const INPUT_NAMES = ['value', 'timeCriticality', 'risk'] as const

/**
 * Checks raw data from a tracker mapping and returns a clean Epic (unknown fields dropped, blockers
 * de-duplicated and sorted, null inputs read as "not given") or every problem found, each naming its
 * field — so bad data is reported at the boundary instead of surfacing as NaN inside scoring.
 */
export function validateEpic(raw: unknown): EpicValidation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, problems: ['epic: must be an object'] }
  }
  const r = raw as Record<string, unknown>
  const problems: string[] = []
  const id = typeof r.id === 'string' ? r.id : undefined
  const text = (field: string, allowEmpty = false): string => {
    const value = r[field]
    if (typeof value !== 'string' || (!allowEmpty && value.trim() === '')) {
      problems.push(`${field}: must be a ${allowEmpty ? '' : 'non-empty '}string`)
      return ''
    }
    return value
  }
  const epicId = text('id')
  const key = text('key')
  const title = text('title')
  const url = text('url', true)
  const source = text('source')
  const team = text('team')
  if (epicId !== '' && source !== '' && !epicId.startsWith(epicIdOf(source, ''))) {
    problems.push(`id: must be 'source:externalId' with source '${source}', got '${epicId}'`)
  } else if (epicId !== '' && epicId.length === source.length + 1) {
    problems.push('id: external id after the source prefix is empty')
  }
  const track = r.track
  if (!TRACKS.includes(track as Track)) problems.push(`track: must be one of ${TRACKS.join(', ')}`)
  const status = r.status
  if (!EPIC_STATUSES.includes(status as EpicStatus))
    problems.push(`status: must be one of ${EPIC_STATUSES.join(', ')}`)

  const inputs: ScoringInputs = {}
  const rawInputs = r.inputs ?? {}
  if (typeof rawInputs !== 'object' || rawInputs === null || Array.isArray(rawInputs)) {
    problems.push('inputs: must be an object')
  } else {
    for (const name of INPUT_NAMES) {
      const value = (rawInputs as Record<string, unknown>)[name]
      if (value === undefined || value === null) continue
      if (isNonNegativeNumber(value)) inputs[name] = value
      else problems.push(`inputs.${name}: must be a number >= 0`)
    }
  }
  let effort: number | undefined
  if (r.effort !== undefined && r.effort !== null) {
    if (isNonNegativeNumber(r.effort)) effort = r.effort
    else problems.push('effort: must be a number >= 0')
  }
  let blockers: string[] = []
  if (r.blockers !== undefined && r.blockers !== null) {
    if (!Array.isArray(r.blockers) || r.blockers.some((b) => typeof b !== 'string' || b === '')) {
      problems.push('blockers: must be a list of epic ids')
    } else {
      blockers = sortedDistinct(r.blockers as string[])
      if (epicId !== '' && blockers.includes(epicId)) problems.push('blockers: an epic cannot block itself')
    }
  }
  if (!isIsoInstant(r.updatedAt)) problems.push('updatedAt: must be an ISO timestamp')

  if (problems.length > 0) return id === undefined ? { ok: false, problems } : { ok: false, id, problems }
  const epic: Epic = {
    id: epicId,
    key,
    title,
    url,
    source,
    team,
    track: track as Track,
    status: status as EpicStatus,
    inputs,
    blockers,
    updatedAt: r.updatedAt as string,
  }
  if (effort !== undefined) epic.effort = effort
  return { ok: true, epic }
}

/** The ids sorted, each once (no Set per epic: a sync validates every epic). */
function sortedDistinct(ids: readonly string[]): string[] {
  const sorted = ids.slice()
  // An insertion sort: an epic has a handful of blockers, too few to pay for a sort call.
  for (let i = 1; i < sorted.length; i++) {
    const id = sorted[i] as string
    let at = i
    for (; at > 0 && compareIds(sorted[at - 1] as string, id) > 0; at--) sorted[at] = sorted[at - 1] as string
    sorted[at] = id
  }
  let kept = 0
  for (const id of sorted) if (kept === 0 || sorted[kept - 1] !== id) sorted[kept++] = id
  sorted.length = kept
  return sorted
}

function isNonNegativeNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
}

/** Code-unit order, the same everywhere (not locale-dependent), for every tie-break by id. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
