import type { GraphQLFieldResolver } from 'graphql'
import { type ConnectionArgs, connection } from './connections.ts'
import { by } from './indexes.ts'
import { mutationResolvers } from './mutations.ts'
import type {
  AttachmentRecord,
  CustomerNeedRecord,
  ExternalLinkRecord,
  IssueRecord,
  IssueRelationRecord,
  LabelRecord,
  ProjectRecord,
  ProjectRelationRecord,
  TeamRecord,
  UserRecord,
  WorkflowStateRecord,
} from './records.ts'
import { notFound, SimulatorUnsupported } from './simulator-errors.ts'
import type { LinearWorkspace } from './workspace.ts'

/** What every resolver sees: the workspace and who is asking. */
export interface RequestContext {
  ws: LinearWorkspace
  viewer: UserRecord
  scopes: ReadonlySet<string>
}

type Resolver = (source: never, args: never, ctx: RequestContext) => unknown
type Args = ConnectionArgs & { id?: string }

const PRIORITY_LABELS = ['No priority', 'Urgent', 'High', 'Medium', 'Low']

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60)
}

export function projectUrl(ws: LinearWorkspace, project: ProjectRecord): string {
  return `https://linear.app/${ws.organization.urlKey}/project/${slug(project.name)}-${project.slugId}`
}

export function issueIdentifier(ws: LinearWorkspace, issue: IssueRecord): string {
  return `${ws.teams.get(issue.teamId)?.key ?? '???'}-${issue.number}`
}

export function issueUrl(ws: LinearWorkspace, issue: IssueRecord): string {
  return `https://linear.app/${ws.organization.urlKey}/issue/${issueIdentifier(ws, issue)}/${slug(issue.title)}`
}

export function userUrl(ws: LinearWorkspace, user: UserRecord): string {
  return `https://linear.app/${ws.organization.urlKey}/profiles/${user.displayName}`
}

function lookup<T>(map: Map<string, T>, id: string | null, entity: string): T {
  const record = id === null ? undefined : map.get(id)
  if (record === undefined) throw notFound(entity)
  return record
}

function findProject(ws: LinearWorkspace, id: string): ProjectRecord {
  const direct = ws.projects.get(id)
  if (direct !== undefined) return direct
  for (const project of ws.projects.values()) if (project.slugId === id) return project
  throw notFound('Project')
}

function findIssue(ws: LinearWorkspace, id: string): IssueRecord {
  const direct = ws.issues.get(id)
  if (direct !== undefined) return direct
  for (const issue of ws.issues.values()) if (issueIdentifier(ws, issue) === id) return issue
  throw notFound('Issue')
}

const list = <T>(map: Map<string, T[]>, key: string): T[] => map.get(key) ?? []

const labelResolvers = (kind: 'projectLabels' | 'issueLabels') => ({
  parent: (l: LabelRecord, _: Args, { ws }: RequestContext) =>
    l.parentId === null ? null : (ws[kind].get(l.parentId) ?? null),
  children: (l: LabelRecord, args: Args, { ws }: RequestContext) =>
    connection(
      [...ws[kind].values()].filter((c) => c.parentId === l.id),
      args,
      { ws, type: 'ProjectLabel' },
    ),
  creator: (l: LabelRecord, _: Args, { ws }: RequestContext) =>
    l.creatorId === null ? null : (ws.users.get(l.creatorId) ?? null),
  organization: (_: LabelRecord, __: Args, { ws }: RequestContext) => ws.organization,
  inheritedFrom: () => null,
  lastAppliedAt: () => null,
  retiredAt: () => null,
  retiredBy: () => null,
})

/** Field resolvers by type; fields not listed here read the record's property of the same name. */
export const resolvers: Record<string, Record<string, Resolver>> = {
  Query: {
    viewer: (_: unknown, __: Args, ctx: RequestContext) => ctx.viewer,
    organization: (_: unknown, __: Args, { ws }: RequestContext) => ws.organization,
    teams: (_: unknown, args: Args, { ws }: RequestContext) =>
      connection(ws.teams.values(), args, { ws, type: 'Team' }),
    team: (_: unknown, { id }: { id: string }, { ws }: RequestContext) =>
      ws.teams.get(id) ?? [...ws.teams.values()].find((t) => t.key === id) ?? lookup(ws.teams, null, 'Team'),
    projects: (_: unknown, args: Args, { ws }: RequestContext) =>
      connection(ws.projects.values(), args, { ws, type: 'Project' }),
    project: (_: unknown, { id }: { id: string }, { ws }: RequestContext) => findProject(ws, id),
    issues: (_: unknown, args: Args, { ws }: RequestContext) =>
      connection(ws.issues.values(), args, { ws, type: 'Issue' }),
    issue: (_: unknown, { id }: { id: string }, { ws }: RequestContext) => findIssue(ws, id),
    projectLabels: (_: unknown, args: Args, { ws }: RequestContext) =>
      connection(ws.projectLabels.values(), args, { ws, type: 'ProjectLabel' }),
    issueLabels: (_: unknown, args: Args, { ws }: RequestContext) =>
      connection(ws.issueLabels.values(), args, { ws, type: 'IssueLabel' }),
    projectStatuses: (_: unknown, args: Args, { ws }: RequestContext) =>
      connection(ws.projectStatuses.values(), args, { ws, type: 'ProjectStatus' }),
    projectRelations: (_: unknown, args: Args, { ws }: RequestContext) =>
      connection(ws.projectRelations.values(), args, { ws, type: 'ProjectRelation' }),
    issueRelations: (_: unknown, args: Args, { ws }: RequestContext) =>
      connection(ws.issueRelations.values(), args, { ws, type: 'IssueRelation' }),
    entityExternalLink: (_: unknown, { id }: { id: string }, { ws }: RequestContext) =>
      lookup(ws.externalLinks, id, 'EntityExternalLink'),
  },
  Mutation: mutationResolvers,
  Project: {
    url: (p: ProjectRecord, _: Args, { ws }: RequestContext) => projectUrl(ws, p),
    status: (p: ProjectRecord, _: Args, { ws }: RequestContext) =>
      lookup(ws.projectStatuses, p.statusId, 'ProjectStatus'),
    state: (p: ProjectRecord, _: Args, { ws }: RequestContext) =>
      ws.projectStatuses.get(p.statusId)?.type ?? 'backlog',
    priorityLabel: (p: ProjectRecord) => PRIORITY_LABELS[p.priority] ?? 'No priority',
    scope: (p: ProjectRecord, _: Args, { ws }: RequestContext) => ws.scopeOf(p.id),
    lead: (p: ProjectRecord, _: Args, { ws }: RequestContext) =>
      p.leadId === null ? null : ws.users.get(p.leadId),
    creator: (p: ProjectRecord, _: Args, { ws }: RequestContext) =>
      p.creatorId === null ? null : (ws.users.get(p.creatorId) ?? null),
    teams: (p: ProjectRecord, args: Args, { ws }: RequestContext) =>
      connection(
        p.teamIds.map((id) => lookup(ws.teams, id, 'Team')),
        args,
        { ws, type: 'Team' },
      ),
    labels: (p: ProjectRecord, args: Args, { ws }: RequestContext) =>
      connection(
        p.labelIds.map((id) => lookup(ws.projectLabels, id, 'ProjectLabel')),
        args,
        { ws, type: 'ProjectLabel' },
      ),
    relations: (p: ProjectRecord, args: Args, { ws }: RequestContext) =>
      connection(list(by.relationsFrom(ws), p.id), args, { ws, type: 'ProjectRelation' }),
    inverseRelations: (p: ProjectRecord, args: Args, { ws }: RequestContext) =>
      connection(list(by.relationsTo(ws), p.id), args, { ws, type: 'ProjectRelation' }),
    externalLinks: (p: ProjectRecord, args: Args, { ws }: RequestContext) =>
      connection(list(by.linksOfProject(ws), p.id), args, { ws, type: 'EntityExternalLink' }),
    needs: (p: ProjectRecord, args: Args, { ws }: RequestContext) =>
      connection(list(by.needsOfProject(ws), p.id), args, { ws, type: 'CustomerNeed' }),
    issues: (p: ProjectRecord, args: Args, { ws }: RequestContext) =>
      connection(list(by.issuesOfProject(ws), p.id), args, { ws, type: 'Issue' }),
  },
  ProjectStatus: {},
  ProjectRelation: {
    project: (r: ProjectRelationRecord, _: Args, { ws }: RequestContext) =>
      lookup(ws.projects, r.projectId, 'Project'),
    relatedProject: (r: ProjectRelationRecord, _: Args, { ws }: RequestContext) =>
      lookup(ws.projects, r.relatedProjectId, 'Project'),
    projectMilestone: () => null,
    relatedProjectMilestone: () => null,
    user: (r: ProjectRelationRecord, _: Args, { ws }: RequestContext) =>
      r.userId === null ? null : (ws.users.get(r.userId) ?? null),
  },
  Issue: {
    identifier: (i: IssueRecord, _: Args, { ws }: RequestContext) => issueIdentifier(ws, i),
    url: (i: IssueRecord, _: Args, { ws }: RequestContext) => issueUrl(ws, i),
    priorityLabel: (i: IssueRecord) => PRIORITY_LABELS[i.priority] ?? 'No priority',
    team: (i: IssueRecord, _: Args, { ws }: RequestContext) => lookup(ws.teams, i.teamId, 'Team'),
    state: (i: IssueRecord, _: Args, { ws }: RequestContext) =>
      lookup(ws.workflowStates, i.stateId, 'WorkflowState'),
    project: (i: IssueRecord, _: Args, { ws }: RequestContext) =>
      i.projectId === null ? null : (ws.projects.get(i.projectId) ?? null),
    parent: (i: IssueRecord, _: Args, { ws }: RequestContext) =>
      i.parentId === null ? null : (ws.issues.get(i.parentId) ?? null),
    assignee: () => null,
    creator: (i: IssueRecord, _: Args, { ws }: RequestContext) =>
      i.creatorId === null ? null : (ws.users.get(i.creatorId) ?? null),
    children: (i: IssueRecord, args: Args, { ws }: RequestContext) =>
      connection(list(by.childrenOf(ws), i.id), args, { ws, type: 'Issue' }),
    labels: (i: IssueRecord, args: Args, { ws }: RequestContext) =>
      connection(
        i.labelIds.map((id) => lookup(ws.issueLabels, id, 'IssueLabel')),
        args,
        { ws, type: 'IssueLabel' },
      ),
    relations: (i: IssueRecord, args: Args, { ws }: RequestContext) =>
      connection(list(by.issueRelationsFrom(ws), i.id), args, { ws, type: 'IssueRelation' }),
    inverseRelations: (i: IssueRecord, args: Args, { ws }: RequestContext) =>
      connection(list(by.issueRelationsTo(ws), i.id), args, { ws, type: 'IssueRelation' }),
    attachments: (i: IssueRecord, args: Args, { ws }: RequestContext) =>
      connection(list(by.attachmentsOfIssue(ws), i.id), args, { ws, type: 'Attachment' }),
    needs: (i: IssueRecord, args: Args, { ws }: RequestContext) =>
      connection(list(by.needsOfIssue(ws), i.id), args, { ws, type: 'CustomerNeed' }),
  },
  IssueRelation: {
    issue: (r: IssueRelationRecord, _: Args, { ws }: RequestContext) => lookup(ws.issues, r.issueId, 'Issue'),
    relatedIssue: (r: IssueRelationRecord, _: Args, { ws }: RequestContext) =>
      lookup(ws.issues, r.relatedIssueId, 'Issue'),
  },
  ProjectLabel: labelResolvers('projectLabels'),
  IssueLabel: {
    ...labelResolvers('issueLabels'),
    team: (l: LabelRecord, _: Args, { ws }: RequestContext) =>
      l.teamId === null ? null : ws.teams.get(l.teamId),
  },
  Team: {
    organization: (_: TeamRecord, __: Args, { ws }: RequestContext) => ws.organization,
  },
  WorkflowState: {
    team: (s: WorkflowStateRecord, _: Args, { ws }: RequestContext) => lookup(ws.teams, s.teamId, 'Team'),
  },
  User: {
    url: (u: UserRecord, _: Args, { ws }: RequestContext) => userUrl(ws, u),
  },
  EntityExternalLink: {
    project: (l: ExternalLinkRecord, _: Args, { ws }: RequestContext) => ws.projects.get(l.projectId) ?? null,
    creator: (l: ExternalLinkRecord, _: Args, { ws }: RequestContext) =>
      l.creatorId === null ? null : (ws.users.get(l.creatorId) ?? null),
    initiative: () => null,
  },
  Attachment: {
    issue: (a: AttachmentRecord, _: Args, { ws }: RequestContext) => lookup(ws.issues, a.issueId, 'Issue'),
    creator: (a: AttachmentRecord, _: Args, { ws }: RequestContext) =>
      a.creatorId === null ? null : (ws.users.get(a.creatorId) ?? null),
    source: () => null,
    sourceType: () => null,
  },
  CustomerNeed: {
    customer: (n: CustomerNeedRecord, _: Args, { ws }: RequestContext) =>
      n.customerId === null ? null : (ws.customers.get(n.customerId) ?? null),
    project: (n: CustomerNeedRecord, _: Args, { ws }: RequestContext) =>
      n.projectId === null ? null : (ws.projects.get(n.projectId) ?? null),
    issue: (n: CustomerNeedRecord, _: Args, { ws }: RequestContext) =>
      n.issueId === null ? null : (ws.issues.get(n.issueId) ?? null),
  },
}

/**
 * The one field resolver: a listed resolver, else the record's own property. A field neither
 * implements fails the request (never a silent null), so the simulator cannot pass a query it
 * does not really answer.
 */
export const fieldResolver: GraphQLFieldResolver<unknown, RequestContext> = (source, args, ctx, info) => {
  const resolver = resolvers[info.parentType.name]?.[info.fieldName]
  if (resolver !== undefined)
    return (resolver as (s: unknown, a: unknown, c: RequestContext) => unknown)(source, args, ctx)
  if (typeof source === 'object' && source !== null && info.fieldName in source) {
    return (source as Record<string, unknown>)[info.fieldName]
  }
  if (info.fieldName === '__typename') return info.parentType.name
  throw new SimulatorUnsupported(`${info.parentType.name}.${info.fieldName}`)
}
