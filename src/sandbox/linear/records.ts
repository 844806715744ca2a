/**
 * The simulator's stored entities: plain records holding ids of related entities (as Linear's own
 * models do), never nested objects. The GraphQL resolvers turn them into the schema's types, the
 * webhook sender into the `*WebhookPayload` shapes. Timestamps are ISO strings.
 */

export interface Timestamps {
  createdAt: string
  updatedAt: string
  archivedAt: string | null
}

export interface OrganizationRecord {
  id: string
  name: string
  urlKey: string
}

export interface UserRecord extends Timestamps {
  id: string
  name: string
  displayName: string
  email: string
  active: boolean
  admin: boolean
}

export interface TeamRecord extends Timestamps {
  id: string
  key: string
  name: string
  description: string | null
  private: boolean
}

/** A team's workflow state; `type` is Linear's category (triage, backlog, unstarted, started, completed, canceled). */
export interface WorkflowStateRecord extends Timestamps {
  id: string
  teamId: string
  name: string
  type: 'triage' | 'backlog' | 'unstarted' | 'started' | 'completed' | 'canceled'
  color: string
  position: number
}

export type ProjectStatusType = 'backlog' | 'planned' | 'started' | 'paused' | 'completed' | 'canceled'

export interface ProjectStatusRecord extends Timestamps {
  id: string
  name: string
  type: ProjectStatusType
  color: string
  position: number
  indefinite: boolean
  description: string | null
}

/** A project or issue label; a label with `isGroup` is a group whose children are mutually exclusive. */
export interface LabelRecord extends Timestamps {
  id: string
  name: string
  description: string | null
  color: string
  isGroup: boolean
  parentId: string | null
  /** Issue labels only: the team of a team label, null for a workspace label. */
  teamId: string | null
  creatorId: string | null
}

export interface ProjectRecord extends Timestamps {
  id: string
  name: string
  slugId: string
  description: string
  color: string
  icon: string | null
  priority: number
  statusId: string
  teamIds: string[]
  labelIds: string[]
  leadId: string | null
  creatorId: string | null
  sortOrder: number
  prioritySortOrder: number
  startedAt: string | null
  completedAt: string | null
  canceledAt: string | null
  targetDate: string | null
  startDate: string | null
  trashed: boolean | null
}

export interface IssueRecord extends Timestamps {
  id: string
  number: number
  teamId: string
  title: string
  description: string | null
  priority: number
  estimate: number | null
  stateId: string
  projectId: string | null
  parentId: string | null
  labelIds: string[]
  creatorId: string | null
  sortOrder: number
  trashed: boolean | null
}

/** `project` blocks `relatedProject` when `type` is "blocks". */
export interface ProjectRelationRecord extends Timestamps {
  id: string
  type: string
  projectId: string
  relatedProjectId: string
  anchorType: string
  relatedAnchorType: string
  userId: string | null
}

/** `issue` blocks `relatedIssue` when `type` is "blocks". */
export interface IssueRelationRecord extends Timestamps {
  id: string
  type: 'blocks' | 'duplicate' | 'related' | 'similar'
  issueId: string
  relatedIssueId: string
}

export interface CustomerRecord extends Timestamps {
  id: string
  name: string
  slugId: string
  revenue: number | null
  size: number | null
  domains: string[]
  externalIds: string[]
}

export interface CustomerNeedRecord extends Timestamps {
  id: string
  customerId: string | null
  projectId: string | null
  issueId: string | null
  priority: number
  body: string | null
  creatorId: string | null
}

export interface ExternalLinkRecord extends Timestamps {
  id: string
  projectId: string
  label: string
  url: string
  sortOrder: number
  creatorId: string | null
}

export interface AttachmentRecord extends Timestamps {
  id: string
  issueId: string
  title: string
  subtitle: string | null
  url: string
  metadata: Record<string, unknown>
  creatorId: string | null
  groupBySource: boolean
  iconUrl: string | null
}

/** What the webhook sender is told after every change (Linear's resource types). */
export type ChangeType = 'Project' | 'Issue' | 'Attachment' | 'ProjectLabel' | 'IssueLabel' | 'CustomerNeed'

export interface Change {
  type: ChangeType
  action: 'create' | 'update' | 'remove'
  id: string
  /** Previous values of the changed fields (update only), as Linear's `updatedFrom`. */
  updatedFrom?: Record<string, unknown>
  /** The user who made the change. */
  actorId: string
  /** A snapshot of the record after the change (before it for a removal). */
  record: object
}
