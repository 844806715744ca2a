import { fold } from './labels.ts'
import { effortFromScope, type LinearSourceConfig, usesCustomerRevenue } from './settings.ts'
import type { WorkspaceFacts } from './workspace-facts.ts'

/**
 * Which epics a verified Linear event concerns. Linear sends data-change events per entity type
 * (Project, Issue, Attachment, CustomerNeed, …) with the entity's fields and, for an update, the
 * previous values of the changed ones in `updatedFrom`. An event is for onetrack when it changes a
 * field the mapping reads on an epic of the configured teams; events onetrack caused itself (its
 * attachment, its chronic label) are ignored so a write-back never triggers a sync of its own.
 * Relations have no events: the periodic full sync brings dependency changes.
 *
 * @see https://linear.app/developers/webhooks#data-change-events-payload
 */
export interface LinearEvent {
  action: string
  type: string
  data: Record<string, unknown>
  updatedFrom?: Record<string, unknown> | null
}

export type Route = { ignored: string } | { externalIds: string[] }

export interface RoutingContext {
  source: LinearSourceConfig
  facts: WorkspaceFacts
  publicUrl: string
}

/** Project fields the mapping reads (status arrives as statusId; scope through Issue events). */
const PROJECT_FIELDS = new Set([
  'name',
  'slugId',
  'priority',
  'statusId',
  'labelIds',
  'teamIds',
  'archivedAt',
  'trashed',
])
const ISSUE_EPIC_FIELDS = new Set([
  'title',
  'priority',
  'estimate',
  'stateId',
  'labelIds',
  'teamId',
  'projectId',
  'parentId',
  'archivedAt',
  'trashed',
])
/** Issue fields that change a project's scope (the sum of its issues' estimates). */
const SCOPE_FIELDS = new Set(['estimate', 'projectId', 'archivedAt', 'trashed'])

export function routeEvent(ctx: RoutingContext, event: LinearEvent): Route {
  const { source } = ctx
  if (event.type === 'Attachment' && ownUrl(ctx, event.data.url)) return { ignored: 'own write' }
  if ((event.type === 'ProjectLabel' || event.type === 'IssueLabel') && isChronicName(ctx, event.data.name)) {
    return { ignored: 'own write' }
  }
  if (event.type === 'CustomerNeed') {
    if (!usesCustomerRevenue(source)) return { ignored: 'customer requests are not an input of this source' }
    const id = source.epics === 'projects' ? event.data.projectId : event.data.issueId
    return typeof id === 'string' ? { externalIds: [id] } : { ignored: 'customer request on no epic' }
  }
  if (source.epics === 'projects') {
    if (event.type === 'Project') return projectEvent(ctx, event)
    if (event.type === 'Issue') return issueOfProjectEvent(ctx, event)
  } else if (event.type === 'Issue') {
    return issueEpicEvent(ctx, event)
  }
  return { ignored: `${event.type} events do not concern epics` }
}

function projectEvent(ctx: RoutingContext, event: LinearEvent): Route {
  const teams = [...strings(event.data.teamIds), ...strings(event.updatedFrom?.teamIds)]
  if (ctx.facts.knowsTeams() && !teams.some((id) => ctx.facts.teamKeys.has(id))) {
    return { ignored: 'project of another team' }
  }
  const changed = changedFields(event)
  if (changed !== null) {
    if (isOwnLabelChange(ctx, event, changed)) return { ignored: 'own write' }
    if (!changed.some((f) => PROJECT_FIELDS.has(f))) return { ignored: 'no field onetrack reads changed' }
  }
  return typeof event.data.id === 'string'
    ? { externalIds: [event.data.id] }
    : { ignored: 'event without an id' }
}

/** With projects as epics, an issue matters only through its project's scope (when effort is scope). */
function issueOfProjectEvent(ctx: RoutingContext, event: LinearEvent): Route {
  if (!effortFromScope(ctx.source))
    return { ignored: 'issues do not feed project epics with this configuration' }
  const changed = changedFields(event)
  if (changed !== null && !changed.some((f) => SCOPE_FIELDS.has(f))) {
    return { ignored: 'no field onetrack reads changed' }
  }
  const projects = [...new Set([...strings(event.data.projectId), ...strings(event.updatedFrom?.projectId)])]
  return projects.length > 0 ? { externalIds: projects } : { ignored: 'issue in no project' }
}

function issueEpicEvent(ctx: RoutingContext, event: LinearEvent): Route {
  const team = event.data.team as { key?: unknown } | null | undefined
  const key = typeof team?.key === 'string' ? team.key : ctx.facts.teamKeys.get(String(event.data.teamId))
  const movedFrom = ctx.facts.teamKeys.get(String(event.updatedFrom?.teamId))
  if (
    key !== undefined &&
    !ctx.source.teams.includes(key) &&
    (movedFrom === undefined || !ctx.source.teams.includes(movedFrom))
  ) {
    return { ignored: 'issue of another team' }
  }
  const changed = changedFields(event)
  if (changed !== null) {
    if (isOwnLabelChange(ctx, event, changed)) return { ignored: 'own write' }
    if (!changed.some((f) => ISSUE_EPIC_FIELDS.has(f))) return { ignored: 'no field onetrack reads changed' }
  }
  const ids = strings(event.data.id)
  // A sub-issue's estimate counts towards its parent epic's effort.
  if (ctx.source.epics === 'parent-issues' && effortFromScope(ctx.source)) {
    ids.push(...strings(event.data.parentId), ...strings(event.updatedFrom?.parentId))
  }
  return ids.length > 0 ? { externalIds: [...new Set(ids)] } : { ignored: 'event without an id' }
}

/** Fields an update changed (besides updatedAt); null when not an update or Linear did not say. */
function changedFields(event: LinearEvent): string[] | null {
  if (event.action !== 'update' || event.updatedFrom === undefined || event.updatedFrom === null) return null
  return Object.keys(event.updatedFrom).filter((f) => f !== 'updatedAt')
}

/** Only labels changed, and only the chronic label: onetrack adding or removing it. */
function isOwnLabelChange(ctx: RoutingContext, event: LinearEvent, changed: string[]): boolean {
  if (changed.length !== 1 || changed[0] !== 'labelIds') return false
  const before = new Set(strings(event.updatedFrom?.labelIds))
  const after = new Set(strings(event.data.labelIds))
  const diff = [...before, ...after].filter((id) => before.has(id) !== after.has(id))
  const named = (id: string) =>
    Array.isArray(event.data.labels) &&
    event.data.labels.some((l: { id?: unknown; name?: unknown }) => l.id === id && isChronicName(ctx, l.name))
  return diff.length > 0 && diff.every((id) => ctx.facts.chronicLabelIds.has(id) || named(id))
}

function isChronicName(ctx: RoutingContext, name: unknown): boolean {
  const chronic = ctx.source.writeBack.chronicLabel
  return chronic !== undefined && typeof name === 'string' && fold(name) === fold(chronic)
}

/** onetrack's own attachments point at its pages. */
function ownUrl(ctx: RoutingContext, url: unknown): boolean {
  const base = ctx.publicUrl.replace(/\/+$/, '')
  return typeof url === 'string' && (url === base || url.startsWith(`${base}/`))
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
}
