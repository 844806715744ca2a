import type { Issue } from 'jira.js/cloud'
import { epicIdOf, type ScoringInputs, type Track } from '../../domain/index.ts'
import type { DependencyLink, SyncedEpic } from '../types.ts'
import { readUrls } from './dependency-field.ts'
import { type ResolvedField, resolveFieldRef } from './field-catalog.ts'
import { readNumber, readStatus, teamLabel } from './field-values.ts'
import { EPIC_HIERARCHY_LEVEL, type SiteMetadata } from './metadata.ts'
import { browseUrl, type JiraSource } from './source.ts'
import { parseJiraDateTime } from './time-zone.ts'

/**
 * Turns Jira issues into onetrack epics by the source's mapping. Never throws for bad data: every
 * problem is written on the epic, in words that name the field, and the rest of the epic (and of the
 * page) is still mapped.
 */
export interface MappingPlan {
  source: JiraSource
  inputs: Array<{ input: keyof ScoringInputs; field: ResolvedField }>
  effort: ResolvedField | null
  team: ResolvedField | null
  /** The field listing URLs of items (in other trackers) that block the epic. */
  blockedBy: ResolvedField | null
}

export interface ChildEstimate {
  sum: number
  estimated: number
  total: number
}

/** System fields every sync reads. */
const BASE_FIELDS = [
  'summary',
  'status',
  'resolution',
  'issuetype',
  'project',
  'labels',
  'components',
  'issuelinks',
  'updated',
]

export function mappingPlan(source: JiraSource, metadata: SiteMetadata): MappingPlan {
  const resolve = (ref: string | undefined, setting: string) =>
    ref === undefined ? null : resolveFieldRef(metadata.fields, ref, setting)
  const inputs: MappingPlan['inputs'] = []
  for (const input of ['value', 'timeCriticality', 'risk'] as const) {
    const field = resolve(source.fields[input], `fields.${input}`)
    if (field !== null) inputs.push({ input, field })
  }
  return {
    source,
    inputs,
    effort: resolve(source.fields.effort, 'fields.effort'),
    team: resolve(source.fields.team, 'fields.team'),
    blockedBy: resolve(source.fields.blockedBy, 'fields.blockedBy'),
  }
}

/** The fields a search asks for: the system ones and every mapped custom field. */
export function searchFields(plan: MappingPlan): string[] {
  const ids = [
    ...plan.inputs.map((i) => i.field),
    plan.team,
    plan.blockedBy,
    plan.source.effortFromChildren ? null : plan.effort,
  ]
    .filter((f): f is { ok: true; id: string; name: string } => f?.ok === true)
    .map((f) => f.id)
  return [...new Set([...BASE_FIELDS, ...ids])]
}

export function mapEpic(issue: Issue, plan: MappingPlan, children: ChildEstimate | undefined): SyncedEpic {
  const { source } = plan
  const fields = (issue.fields ?? {}) as Record<string, unknown>
  const problems: string[] = []
  const key = issue.key ?? String(issue.id)

  const inputs: ScoringInputs = {}
  for (const { input, field } of plan.inputs) {
    const value = readField(fields, field, problems)
    if (value !== null) inputs[input] = value
  }

  const status = readStatus(fields)
  if (status.problem !== undefined) problems.push(status.problem)

  let updated = parseJiraDateTime(fields.updated)
  if (Number.isNaN(updated)) {
    problems.push(`Updated: not a date: '${String(fields.updated)}'`)
    updated = 0
  }

  return {
    externalId: String(issue.id),
    key,
    title: typeof fields.summary === 'string' ? fields.summary : key,
    url: browseUrl(source, key),
    team: readTeam(fields, plan, problems),
    track: readTrack(fields, source),
    status: status.status,
    inputs,
    effort: readEffort(fields, plan, children, problems),
    blockers: readBlockers(fields, source),
    links: readLinks(fields, plan, problems),
    updatedAt: new Date(updated).toISOString(),
    problems,
  }
}

function readField(fields: Record<string, unknown>, field: ResolvedField, problems: string[]): number | null {
  if (!field.ok) {
    problems.push(field.problem)
    return null
  }
  const read = readNumber(fields[field.id])
  if (read.ok) return read.value
  problems.push(`${field.name} (${field.id}): ${read.problem}`)
  return null
}

function readEffort(
  fields: Record<string, unknown>,
  plan: MappingPlan,
  children: ChildEstimate | undefined,
  problems: string[],
): number | null {
  if (plan.effort === null) {
    if (plan.source.effortFromChildren) {
      problems.push(
        "effortFromChildren: set fields.effort to the children's estimate field (e.g. Story Points)",
      )
    }
    return null
  }
  if (!plan.source.effortFromChildren) return readField(fields, plan.effort, problems)
  if (!plan.effort.ok) {
    problems.push(plan.effort.problem)
    return null
  }
  if (children === undefined || children.total === 0) return null
  const missing = children.total - children.estimated
  if (missing > 0) {
    problems.push(
      children.estimated === 0
        ? `Effort: none of the ${children.total} child issues has ${plan.effort.name}`
        : `Effort: ${missing} of ${children.total} child issues have no ${plan.effort.name}; the sum counts the others`,
    )
  }
  return children.estimated === 0 ? null : children.sum
}

function readTeam(fields: Record<string, unknown>, plan: MappingPlan, problems: string[]): string | null {
  const { source } = plan
  const fallback = source.team ?? null
  const noTeam = () => {
    if (fallback === null) problems.push('Team: no team (map fields.team, or give the source a default team)')
    return fallback
  }
  if (plan.team === null) return noTeam()
  if (!plan.team.ok) {
    problems.push(plan.team.problem)
    return noTeam()
  }
  const raw = fields[plan.team.id]
  const label = teamLabel(raw)
  if (label === null) return noTeam()
  if (source.teamMap === undefined) return label
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined
  const mapped = source.teamMap[label] ?? (typeof id === 'string' ? source.teamMap[id] : undefined)
  if (mapped !== undefined) return mapped
  problems.push(`${plan.team.name} (${plan.team.id}): '${label}' is not in teamMap`)
  return fallback
}

/** The first rule whose every condition holds (label, project key or name, component) gives the track. */
function readTrack(fields: Record<string, unknown>, source: JiraSource): Track {
  const labels = (Array.isArray(fields.labels) ? fields.labels : []).map((l) => String(l).toLowerCase())
  const project = (fields.project ?? {}) as { key?: unknown; name?: unknown }
  const components = (Array.isArray(fields.components) ? fields.components : []).map((c) =>
    String((c as { name?: unknown }).name ?? '').toLowerCase(),
  )
  const same = (a: unknown, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase()
  const rule = source.track.rules.find(
    (r) =>
      (r.label === undefined || labels.includes(r.label.toLowerCase())) &&
      (r.project === undefined || same(project.key, r.project) || same(project.name, r.project)) &&
      (r.component === undefined || components.includes(r.component.toLowerCase())),
  )
  return rule?.track ?? source.track.default
}

/** The URLs in the `fields.blockedBy` field: each names an item that blocks the epic. */
function readLinks(fields: Record<string, unknown>, plan: MappingPlan, problems: string[]): DependencyLink[] {
  if (plan.blockedBy === null) return []
  if (!plan.blockedBy.ok) {
    problems.push(plan.blockedBy.problem)
    return []
  }
  const read = readUrls(fields[plan.blockedBy.id])
  if (!read.ok) {
    problems.push(`${plan.blockedBy.name} (${plan.blockedBy.id}): ${read.problem}`)
    return []
  }
  return read.urls.map((url) => ({ url, relation: 'blocked_by' as const }))
}

/**
 * In X's `issuelinks`, an entry of the blocks type with `inwardIssue: Y` reads "X is blocked by Y".
 * Blockers that are not epics (a story blocking an epic) are left out: the planner orders epics. An
 * epic of a project another source syncs gets that source's id (config `blockerSources`).
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-links/
 */
function readBlockers(fields: Record<string, unknown>, source: JiraSource): string[] {
  const links = Array.isArray(fields.issuelinks) ? fields.issuelinks : []
  const wanted = source.blockLinkType.toLowerCase()
  const blockers = new Set<string>()
  for (const link of links as Array<Record<string, unknown>>) {
    const type = (link.type ?? {}) as { id?: unknown; name?: unknown }
    if (String(type.name).toLowerCase() !== wanted && String(type.id) !== source.blockLinkType) continue
    const inward = link.inwardIssue as
      | { id?: unknown; key?: unknown; fields?: { issuetype?: { hierarchyLevel?: unknown } } }
      | undefined
    if (inward?.id === undefined) continue
    const level = inward.fields?.issuetype?.hierarchyLevel
    if (typeof level === 'number' && level !== EPIC_HIERARCHY_LEVEL) continue
    const project = typeof inward.key === 'string' ? inward.key.slice(0, inward.key.lastIndexOf('-')) : ''
    blockers.add(epicIdOf(source.blockerSources?.[project] ?? source.id, String(inward.id)))
  }
  return [...blockers].sort()
}
