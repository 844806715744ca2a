import type {
  AttachmentRecord,
  CustomerNeedRecord,
  CustomerRecord,
  ExternalLinkRecord,
  IssueRecord,
  IssueRelationRecord,
  LabelRecord,
  ProjectRecord,
  ProjectRelationRecord,
  ProjectStatusType,
  WorkflowStateRecord,
} from './records.ts'
import { definedOnly, WorkspaceStore } from './workspace-store.ts'

export { EntityNotFound } from './workspace-store.ts'

export interface ProjectInput {
  name: string
  /** Team keys, e.g. ['PLAT']. */
  teams: string[]
  status?: ProjectStatusType
  /** 0 none, 1 urgent, 2 high, 3 medium, 4 low. */
  priority?: number
  labelIds?: string[]
  description?: string
}

export interface ProjectPatch {
  name?: string
  priority?: number
  status?: ProjectStatusType
  labelIds?: string[]
  teams?: string[]
  description?: string
}

export interface IssueInput {
  team: string
  title: string
  estimate?: number | null
  projectId?: string | null
  parentId?: string | null
  labelIds?: string[]
  state?: WorkflowStateRecord['type']
  priority?: number
}

export type IssuePatch = Partial<Omit<IssueInput, 'team'>>

/**
 * The simulated Linear workspace: every entity the GraphQL endpoint serves, and the state API tests
 * and the demo use to play the people working in Linear. Every change stamps `updatedAt` and tells
 * the listeners (the webhook sender) what changed, with Linear's `updatedFrom` of the old values.
 * Changes Linear sends no webhook for (relations, external links) notify nobody.
 */
export class LinearWorkspace extends WorkspaceStore {
  readonly #issueNumbers = new Map<string, number>()

  /** Finds or creates a project label (in a group, created as needed): its id. */
  projectLabel(name: string, group?: string): string {
    return this.#label(this.projectLabels, 'ProjectLabel', name, group, null)
  }

  /** Finds or creates an issue label (workspace-wide, or of a team): its id. */
  issueLabel(name: string, group?: string, teamKey?: string): string {
    const teamId = teamKey === undefined ? null : this.teamByKey(teamKey).id
    return this.#label(this.issueLabels, 'IssueLabel', name, group, teamId)
  }

  createLabel(
    kind: 'ProjectLabel' | 'IssueLabel',
    input: {
      name: string
      parentId?: string | null
      isGroup?: boolean
      color?: string
      teamId?: string | null
    },
    actorId: string = this.person.id,
  ): LabelRecord {
    const label: LabelRecord = {
      id: this.ids.id(),
      name: input.name,
      description: null,
      color: input.color ?? '#5e6ad2',
      isGroup: input.isGroup ?? false,
      parentId: input.parentId ?? null,
      teamId: input.teamId ?? null,
      creatorId: actorId,
      ...this.born(),
    }
    ;(kind === 'ProjectLabel' ? this.projectLabels : this.issueLabels).set(label.id, label)
    this.changed({ type: kind, action: 'create', id: label.id, actorId, record: { ...label } })
    return label
  }

  addProject(input: ProjectInput, actorId: string = this.person.id): ProjectRecord {
    const status = this.statusOfType(input.status ?? 'planned')
    const born = this.born()
    const project: ProjectRecord = {
      id: this.ids.id(),
      name: input.name,
      slugId: this.ids.slugId(),
      description: input.description ?? '',
      color: '#bec2c8',
      icon: null,
      priority: input.priority ?? 0,
      statusId: status.id,
      teamIds: input.teams.map((key) => this.teamByKey(key).id),
      labelIds: [...(input.labelIds ?? [])],
      leadId: null,
      creatorId: actorId,
      sortOrder: this.projects.size,
      prioritySortOrder: this.projects.size,
      startedAt: status.type === 'started' ? born.createdAt : null,
      completedAt: status.type === 'completed' ? born.createdAt : null,
      canceledAt: status.type === 'canceled' ? born.createdAt : null,
      targetDate: null,
      startDate: null,
      trashed: null,
      ...born,
    }
    this.projects.set(project.id, project)
    this.changed({ type: 'Project', action: 'create', id: project.id, actorId, record: { ...project } })
    return project
  }

  /** Edits a project as a person would; only fields that really change are stamped and reported. */
  updateProject(id: string, patch: ProjectPatch, actorId: string = this.person.id): ProjectRecord {
    const project = this.existing(this.projects, id, 'Project')
    const next: Partial<ProjectRecord> = {}
    if (patch.name !== undefined) next.name = patch.name
    if (patch.priority !== undefined) next.priority = patch.priority
    if (patch.description !== undefined) next.description = patch.description
    if (patch.labelIds !== undefined) next.labelIds = [...patch.labelIds]
    if (patch.teams !== undefined) next.teamIds = patch.teams.map((key) => this.teamByKey(key).id)
    if (patch.status !== undefined) {
      const status = this.statusOfType(patch.status)
      next.statusId = status.id
      const at = new Date(this.clock.now()).toISOString()
      if (status.type === 'started' && project.startedAt === null) next.startedAt = at
      next.completedAt = status.type === 'completed' ? (project.completedAt ?? at) : null
      next.canceledAt = status.type === 'canceled' ? (project.canceledAt ?? at) : null
    }
    return this.update('Project', project, next, actorId)
  }

  archiveProject(id: string, actorId: string = this.person.id): ProjectRecord {
    const project = this.existing(this.projects, id, 'Project')
    return this.update('Project', project, { archivedAt: this.clock.stamp() }, actorId)
  }

  unarchiveProject(id: string, actorId: string = this.person.id): ProjectRecord {
    const project = this.existing(this.projects, id, 'Project')
    return this.update('Project', project, { archivedAt: null, trashed: null }, actorId)
  }

  /** Deleting a project in Linear moves it to the trash: archived, `trashed`, a `remove` event. */
  trashProject(id: string, actorId: string = this.person.id): ProjectRecord {
    const project = this.existing(this.projects, id, 'Project')
    const at = this.clock.stamp()
    Object.assign(project, { archivedAt: at, trashed: true, updatedAt: at })
    this.changed({ type: 'Project', action: 'remove', id, actorId, record: { ...project } })
    return project
  }

  /** The trash emptied: the project and what hangs on it are gone for good. */
  purgeProject(id: string, actorId: string = this.person.id): void {
    const project = this.existing(this.projects, id, 'Project')
    this.projects.delete(id)
    for (const [key, r] of this.projectRelations)
      if (r.projectId === id || r.relatedProjectId === id) this.projectRelations.delete(key)
    for (const [key, link] of this.externalLinks) if (link.projectId === id) this.externalLinks.delete(key)
    for (const [key, need] of this.customerNeeds) if (need.projectId === id) this.customerNeeds.delete(key)
    for (const issue of this.issues.values()) if (issue.projectId === id) issue.projectId = null
    if (project.trashed !== true)
      this.changed({ type: 'Project', action: 'remove', id, actorId, record: { ...project } })
    else this.version += 1
  }

  addIssue(input: IssueInput, actorId: string = this.person.id): IssueRecord {
    const team = this.teamByKey(input.team)
    const number = (this.#issueNumbers.get(team.id) ?? 0) + 1
    this.#issueNumbers.set(team.id, number)
    const issue: IssueRecord = {
      id: this.ids.id(),
      number,
      teamId: team.id,
      title: input.title,
      description: null,
      priority: input.priority ?? 0,
      estimate: input.estimate ?? null,
      stateId: this.stateOf(team.id, input.state ?? 'unstarted').id,
      projectId: input.projectId ?? null,
      parentId: input.parentId ?? null,
      labelIds: [...(input.labelIds ?? [])],
      creatorId: actorId,
      sortOrder: number,
      trashed: null,
      ...this.born(),
    }
    this.issues.set(issue.id, issue)
    this.changed({ type: 'Issue', action: 'create', id: issue.id, actorId, record: { ...issue } })
    return issue
  }

  updateIssue(id: string, patch: IssuePatch, actorId: string = this.person.id): IssueRecord {
    const issue = this.existing(this.issues, id, 'Issue')
    const next: Partial<IssueRecord> = {}
    if (patch.title !== undefined) next.title = patch.title
    if (patch.estimate !== undefined) next.estimate = patch.estimate
    if (patch.projectId !== undefined) next.projectId = patch.projectId
    if (patch.parentId !== undefined) next.parentId = patch.parentId
    if (patch.priority !== undefined) next.priority = patch.priority
    if (patch.labelIds !== undefined) next.labelIds = [...patch.labelIds]
    if (patch.state !== undefined) next.stateId = this.stateOf(issue.teamId, patch.state).id
    return this.update('Issue', issue, next, actorId)
  }

  archiveIssue(id: string, actorId: string = this.person.id): IssueRecord {
    const issue = this.existing(this.issues, id, 'Issue')
    return this.update('Issue', issue, { archivedAt: this.clock.stamp() }, actorId)
  }

  trashIssue(id: string, actorId: string = this.person.id): IssueRecord {
    const issue = this.existing(this.issues, id, 'Issue')
    const at = this.clock.stamp()
    Object.assign(issue, { archivedAt: at, trashed: true, updatedAt: at })
    this.changed({ type: 'Issue', action: 'remove', id, actorId, record: { ...issue } })
    return issue
  }

  /** `blockerId` blocks `blockedId`. Linear sends no webhook for relations. */
  relateProjects(blockerId: string, blockedId: string, type = 'blocks'): ProjectRelationRecord {
    this.existing(this.projects, blockerId, 'Project')
    this.existing(this.projects, blockedId, 'Project')
    const relation: ProjectRelationRecord = {
      id: this.ids.id(),
      type,
      projectId: blockerId,
      relatedProjectId: blockedId,
      anchorType: 'project',
      relatedAnchorType: 'project',
      userId: this.person.id,
      ...this.born(),
    }
    this.projectRelations.set(relation.id, relation)
    this.version += 1
    return relation
  }

  relateIssues(blockerId: string, blockedId: string, type: IssueRelationRecord['type'] = 'blocks') {
    this.existing(this.issues, blockerId, 'Issue')
    this.existing(this.issues, blockedId, 'Issue')
    const relation: IssueRelationRecord = {
      id: this.ids.id(),
      type,
      issueId: blockerId,
      relatedIssueId: blockedId,
      ...this.born(),
    }
    this.issueRelations.set(relation.id, relation)
    this.version += 1
    return relation
  }

  removeRelation(id: string): void {
    if (!this.projectRelations.delete(id) && !this.issueRelations.delete(id))
      throw new Error(`no relation ${id}`)
    this.version += 1
  }

  addCustomer(input: { name: string; revenue?: number | null }): CustomerRecord {
    const customer: CustomerRecord = {
      id: this.ids.id(),
      name: input.name,
      slugId: this.ids.slugId(),
      revenue: input.revenue ?? null,
      size: null,
      domains: [],
      externalIds: [],
      ...this.born(),
    }
    this.customers.set(customer.id, customer)
    this.version += 1
    return customer
  }

  /** A customer request on a project or an issue (an issue's need counts for its project too). */
  addCustomerNeed(
    input: { customerId: string; projectId?: string; issueId?: string; body?: string },
    actorId: string = this.person.id,
  ): CustomerNeedRecord {
    const issue = input.issueId === undefined ? undefined : this.existing(this.issues, input.issueId, 'Issue')
    const need: CustomerNeedRecord = {
      id: this.ids.id(),
      customerId: input.customerId,
      projectId: input.projectId ?? issue?.projectId ?? null,
      issueId: input.issueId ?? null,
      priority: 0,
      body: input.body ?? null,
      creatorId: actorId,
      ...this.born(),
    }
    this.customerNeeds.set(need.id, need)
    this.changed({ type: 'CustomerNeed', action: 'create', id: need.id, actorId, record: { ...need } })
    return need
  }

  /** A project resource link. Linear has no webhook resource type for these. */
  createExternalLink(
    input: { projectId: string; label: string; url: string; sortOrder?: number },
    actorId: string = this.person.id,
  ): ExternalLinkRecord {
    this.existing(this.projects, input.projectId, 'Project')
    const link: ExternalLinkRecord = {
      id: this.ids.id(),
      projectId: input.projectId,
      label: input.label,
      url: input.url,
      sortOrder: input.sortOrder ?? this.externalLinksOf(input.projectId).length,
      creatorId: actorId,
      ...this.born(),
    }
    this.externalLinks.set(link.id, link)
    this.version += 1
    return link
  }

  updateExternalLink(
    id: string,
    patch: { label?: string; url?: string; sortOrder?: number },
  ): ExternalLinkRecord {
    const link = this.existing(this.externalLinks, id, 'EntityExternalLink')
    Object.assign(link, definedOnly(patch), { updatedAt: this.clock.stamp() })
    this.version += 1
    return link
  }

  deleteExternalLink(id: string): void {
    this.existing(this.externalLinks, id, 'EntityExternalLink')
    this.externalLinks.delete(id)
    this.version += 1
  }

  /** Linear's attachmentCreate: an upsert keyed by (issue, url). */
  upsertAttachment(
    input: Pick<AttachmentRecord, 'issueId' | 'url' | 'title'> &
      Partial<Pick<AttachmentRecord, 'subtitle' | 'metadata' | 'iconUrl' | 'groupBySource'>>,
    actorId: string = this.person.id,
  ): AttachmentRecord {
    this.existing(this.issues, input.issueId, 'Issue')
    for (const existing of this.attachments.values()) {
      if (existing.issueId !== input.issueId || existing.url !== input.url) continue
      const next: Partial<AttachmentRecord> = definedOnly({
        title: input.title,
        subtitle: input.subtitle,
        metadata: input.metadata,
        iconUrl: input.iconUrl,
      })
      return this.update('Attachment', existing, next, actorId)
    }
    const attachment: AttachmentRecord = {
      id: this.ids.id(),
      issueId: input.issueId,
      url: input.url,
      title: input.title,
      subtitle: input.subtitle ?? null,
      metadata: input.metadata ?? {},
      iconUrl: input.iconUrl ?? null,
      groupBySource: input.groupBySource ?? false,
      creatorId: actorId,
      ...this.born(),
    }
    this.attachments.set(attachment.id, attachment)
    this.changed({
      type: 'Attachment',
      action: 'create',
      id: attachment.id,
      actorId,
      record: { ...attachment },
    })
    return attachment
  }

  #label(
    labels: Map<string, LabelRecord>,
    kind: 'ProjectLabel' | 'IssueLabel',
    name: string,
    group: string | undefined,
    teamId: string | null,
  ): string {
    const parentId = group === undefined ? null : this.#label(labels, kind, group, undefined, teamId)
    if (group !== undefined) {
      const parent = labels.get(parentId as string)
      if (parent !== undefined && !parent.isGroup) parent.isGroup = true
    }
    for (const label of labels.values())
      if (label.name === name && label.parentId === parentId && label.teamId === teamId) return label.id
    return this.createLabel(kind, { name, parentId, isGroup: false, teamId }).id
  }
}
