import type {
  AttachmentRecord,
  Change,
  CustomerNeedRecord,
  IssueRecord,
  LabelRecord,
  ProjectRecord,
  UserRecord,
} from './records.ts'
import { issueIdentifier, issueUrl, projectUrl, userUrl } from './resolvers.ts'
import type { LinearWorkspace } from './workspace.ts'

/**
 * The `data` of each webhook, shaped as the schema's `*WebhookPayload` types (ProjectWebhookPayload,
 * IssueWebhookPayload, …): ids of related entities plus a few embedded children, timestamps as
 * strings. A test checks these shapes against the schema.
 *
 * @see https://linear.app/developers/webhooks#data-change-events-payload
 */

const PRIORITY_LABELS = ['No priority', 'Urgent', 'High', 'Medium', 'Low']

export function projectData(ws: LinearWorkspace, p: ProjectRecord): Record<string, unknown> {
  const status = ws.projectStatuses.get(p.statusId)
  return {
    archivedAt: p.archivedAt,
    autoArchivedAt: null,
    canceledAt: p.canceledAt,
    color: p.color,
    completedAt: p.completedAt,
    completedIssueCountHistory: [],
    completedScopeHistory: [],
    createdAt: p.createdAt,
    creatorId: p.creatorId,
    description: p.description,
    icon: p.icon,
    id: p.id,
    inProgressScopeHistory: [],
    issueCountHistory: [],
    labelIds: [...p.labelIds],
    leadId: p.leadId,
    memberIds: [],
    name: p.name,
    priority: p.priority,
    prioritySortOrder: p.prioritySortOrder,
    scopeHistory: [ws.scopeOf(p.id)],
    slugId: p.slugId,
    sortOrder: p.sortOrder,
    startDate: p.startDate,
    startedAt: p.startedAt,
    status:
      status === undefined
        ? null
        : { color: status.color, id: status.id, name: status.name, type: status.type },
    statusId: p.statusId,
    targetDate: p.targetDate,
    teamIds: [...p.teamIds],
    trashed: p.trashed,
    updatedAt: p.updatedAt,
    url: projectUrl(ws, p),
  }
}

export function issueData(ws: LinearWorkspace, i: IssueRecord): Record<string, unknown> {
  const team = ws.teams.get(i.teamId)
  const state = ws.workflowStates.get(i.stateId)
  const project = i.projectId === null ? undefined : ws.projects.get(i.projectId)
  return {
    archivedAt: i.archivedAt,
    createdAt: i.createdAt,
    creatorId: i.creatorId,
    description: i.description,
    estimate: i.estimate,
    id: i.id,
    identifier: issueIdentifier(ws, i),
    labelIds: [...i.labelIds],
    labels: i.labelIds.flatMap((id) => {
      const label = ws.issueLabels.get(id)
      return label === undefined
        ? []
        : [{ color: label.color, id, name: label.name, parentId: label.parentId }]
    }),
    number: i.number,
    parentId: i.parentId,
    previousIdentifiers: [],
    priority: i.priority,
    priorityLabel: PRIORITY_LABELS[i.priority] ?? 'No priority',
    prioritySortOrder: i.sortOrder,
    project:
      project === undefined ? null : { id: project.id, name: project.name, url: projectUrl(ws, project) },
    projectId: i.projectId,
    reactionData: {},
    sortOrder: i.sortOrder,
    state:
      state === undefined ? null : { color: state.color, id: state.id, name: state.name, type: state.type },
    stateId: i.stateId,
    subscriberIds: [],
    team: team === undefined ? null : { id: team.id, key: team.key, name: team.name },
    teamId: i.teamId,
    title: i.title,
    trashed: i.trashed,
    updatedAt: i.updatedAt,
    url: issueUrl(ws, i),
  }
}

export function attachmentData(a: AttachmentRecord): Record<string, unknown> {
  return {
    archivedAt: a.archivedAt,
    createdAt: a.createdAt,
    creatorId: a.creatorId,
    groupBySource: a.groupBySource,
    id: a.id,
    issueId: a.issueId,
    metadata: a.metadata,
    subtitle: a.subtitle,
    title: a.title,
    updatedAt: a.updatedAt,
    url: a.url,
  }
}

export function labelData(label: LabelRecord, kind: 'ProjectLabel' | 'IssueLabel'): Record<string, unknown> {
  return {
    archivedAt: label.archivedAt,
    color: label.color,
    createdAt: label.createdAt,
    creatorId: label.creatorId,
    description: label.description,
    id: label.id,
    isGroup: label.isGroup,
    name: label.name,
    parentId: label.parentId,
    ...(kind === 'IssueLabel' ? { teamId: label.teamId } : {}),
    updatedAt: label.updatedAt,
  }
}

export function customerNeedData(n: CustomerNeedRecord): Record<string, unknown> {
  return {
    archivedAt: n.archivedAt,
    body: n.body,
    createdAt: n.createdAt,
    creatorId: n.creatorId,
    customerId: n.customerId,
    id: n.id,
    issueId: n.issueId,
    priority: n.priority,
    projectId: n.projectId,
    updatedAt: n.updatedAt,
  }
}

export function dataOf(ws: LinearWorkspace, change: Change): Record<string, unknown> {
  switch (change.type) {
    case 'Project':
      return projectData(ws, change.record as ProjectRecord)
    case 'Issue':
      return issueData(ws, change.record as IssueRecord)
    case 'Attachment':
      return attachmentData(change.record as AttachmentRecord)
    case 'ProjectLabel':
    case 'IssueLabel':
      return labelData(change.record as LabelRecord, change.type)
    case 'CustomerNeed':
      return customerNeedData(change.record as CustomerNeedRecord)
  }
}

/** The entity's page, as Linear's top-level `url`. */
export function urlOf(ws: LinearWorkspace, change: Change): string | null {
  switch (change.type) {
    case 'Project':
      return projectUrl(ws, change.record as ProjectRecord)
    case 'Issue':
      return issueUrl(ws, change.record as IssueRecord)
    case 'Attachment': {
      const issue = ws.issues.get((change.record as AttachmentRecord).issueId)
      return issue === undefined ? null : issueUrl(ws, issue)
    }
    default:
      return null
  }
}

export function actorOf(ws: LinearWorkspace, user: UserRecord): Record<string, unknown> {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    avatarUrl: null,
    type: 'user',
    url: userUrl(ws, user),
  }
}
