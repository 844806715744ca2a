import { type IdSource, randomIds, SimulatorClock } from './clock.ts'
import type {
  AttachmentRecord,
  Change,
  CustomerNeedRecord,
  CustomerRecord,
  ExternalLinkRecord,
  IssueRecord,
  IssueRelationRecord,
  LabelRecord,
  OrganizationRecord,
  ProjectRecord,
  ProjectRelationRecord,
  ProjectStatusRecord,
  ProjectStatusType,
  TeamRecord,
  UserRecord,
  WorkflowStateRecord,
} from './records.ts'

const PROJECT_STATUSES: Array<[string, ProjectStatusType, string]> = [
  ['Backlog', 'backlog', '#bec2c8'],
  ['Planned', 'planned', '#e2e2e2'],
  ['In Progress', 'started', '#f2c94c'],
  ['Paused', 'paused', '#0f7488'],
  ['Completed', 'completed', '#5e6ad2'],
  ['Canceled', 'canceled', '#95a2b3'],
]

const WORKFLOW_STATES: Array<[string, WorkflowStateRecord['type'], string]> = [
  ['Backlog', 'backlog', '#bec2c8'],
  ['Todo', 'unstarted', '#e2e2e2'],
  ['In Progress', 'started', '#f2c94c'],
  ['Done', 'completed', '#5e6ad2'],
  ['Canceled', 'canceled', '#95a2b3'],
]

/**
 * Where the simulated workspace keeps its entities, and the rules every change follows: a strictly
 * later `updatedAt`, only the fields that really differ reported (as Linear's `updatedFrom`), the
 * listeners (the webhook sender) told. The people-facing operations are in workspace.ts.
 */
export class WorkspaceStore {
  readonly clock: SimulatorClock
  readonly organization: OrganizationRecord
  readonly users = new Map<string, UserRecord>()
  readonly teams = new Map<string, TeamRecord>()
  readonly workflowStates = new Map<string, WorkflowStateRecord>()
  readonly projectStatuses = new Map<string, ProjectStatusRecord>()
  readonly projectLabels = new Map<string, LabelRecord>()
  readonly issueLabels = new Map<string, LabelRecord>()
  readonly projects = new Map<string, ProjectRecord>()
  readonly issues = new Map<string, IssueRecord>()
  readonly projectRelations = new Map<string, ProjectRelationRecord>()
  readonly issueRelations = new Map<string, IssueRelationRecord>()
  readonly customers = new Map<string, CustomerRecord>()
  readonly customerNeeds = new Map<string, CustomerNeedRecord>()
  readonly externalLinks = new Map<string, ExternalLinkRecord>()
  readonly attachments = new Map<string, AttachmentRecord>()
  /** The person the state API acts as (the author of changes made "in the Linear app"). */
  readonly person: UserRecord
  /** Bumped on every change: derived indexes are rebuilt when it moves. */
  version = 0
  readonly #listeners: Array<(change: Change) => void> = []

  /** Where new records' ids come from. */
  protected readonly ids: IdSource

  constructor(
    options: { now?: () => number; organization?: Partial<OrganizationRecord>; ids?: IdSource } = {},
  ) {
    this.ids = options.ids ?? randomIds()
    this.clock = new SimulatorClock(options.now)
    this.organization = { id: this.ids.id(), name: 'Acme', urlKey: 'acme', ...options.organization }
    PROJECT_STATUSES.forEach(([name, type, color], position) => {
      const status = { id: this.ids.id(), name, type, color, position, indefinite: type !== 'started' }
      this.projectStatuses.set(status.id, { ...status, description: null, ...this.born() })
    })
    this.person = this.addUser({ name: 'Ada Lovelace', email: 'ada@acme.example' })
  }

  /** Listens to every change (the webhook sender). */
  onChange(listener: (change: Change) => void): void {
    this.#listeners.push(listener)
  }

  addUser(input: { name: string; email: string; admin?: boolean }): UserRecord {
    const user: UserRecord = {
      id: this.ids.id(),
      name: input.name,
      displayName: input.name.split(' ')[0]?.toLowerCase() ?? input.name,
      email: input.email,
      active: true,
      admin: input.admin ?? false,
      ...this.born(),
    }
    this.users.set(user.id, user)
    return user
  }

  /** A team with Linear's default workflow states. */
  addTeam(input: { key: string; name?: string }): TeamRecord {
    const team: TeamRecord = {
      id: this.ids.id(),
      key: input.key,
      name: input.name ?? input.key,
      description: null,
      private: false,
      ...this.born(),
    }
    this.teams.set(team.id, team)
    WORKFLOW_STATES.forEach(([name, type, color], position) => {
      const state = { id: this.ids.id(), teamId: team.id, name, type, color, position }
      this.workflowStates.set(state.id, { ...state, ...this.born() })
    })
    return team
  }

  teamByKey(key: string): TeamRecord {
    for (const team of this.teams.values()) if (team.key === key) return team
    throw new Error(`no team with key ${key}`)
  }

  statusOfType(type: ProjectStatusType): ProjectStatusRecord {
    for (const status of this.projectStatuses.values()) if (status.type === type) return status
    throw new Error(`no project status of type ${type}`)
  }

  externalLinksOf(projectId: string): ExternalLinkRecord[] {
    return [...this.externalLinks.values()].filter((l) => l.projectId === projectId)
  }

  attachmentsOf(issueId: string): AttachmentRecord[] {
    return [...this.attachments.values()].filter((a) => a.issueId === issueId)
  }

  project(id: string): ProjectRecord {
    return this.existing(this.projects, id, 'Project')
  }

  issue(id: string): IssueRecord {
    return this.existing(this.issues, id, 'Issue')
  }

  /** Project scope as Linear computes it: the sum of the estimates of its live issues. */
  scopeOf(projectId: string): number {
    let scope = 0
    for (const issue of this.issues.values())
      if (issue.projectId === projectId && issue.archivedAt === null) scope += issue.estimate ?? 0
    return scope
  }

  protected stateOf(teamId: string, type: WorkflowStateRecord['type']): WorkflowStateRecord {
    for (const state of this.workflowStates.values())
      if (state.teamId === teamId && state.type === type) return state
    throw new Error(`team ${teamId} has no workflow state of type ${type}`)
  }

  protected existing<T>(map: Map<string, T>, id: string, what: string): T {
    const record = map.get(id)
    if (record === undefined) throw new EntityNotFound(what, id)
    return record
  }

  /** Applies the fields that differ, stamps `updatedAt`, reports them as `updatedFrom`. */
  protected update<T extends { id: string; updatedAt: string }>(
    type: Change['type'],
    record: T,
    next: Partial<T>,
    actorId: string,
  ): T {
    const updatedFrom: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(next)) {
      const old = (record as Record<string, unknown>)[key]
      if (JSON.stringify(old) !== JSON.stringify(value)) updatedFrom[key] = old
    }
    if (Object.keys(updatedFrom).length === 0) return record
    updatedFrom.updatedAt = record.updatedAt
    Object.assign(record, next, { updatedAt: this.clock.stamp() })
    this.changed({ type, action: 'update', id: record.id, updatedFrom, actorId, record: { ...record } })
    return record
  }

  protected changed(change: Change): void {
    this.version += 1
    for (const listener of this.#listeners) listener(change)
  }

  protected born(): { createdAt: string; updatedAt: string; archivedAt: null } {
    const at = this.clock.stamp()
    return { createdAt: at, updatedAt: at, archivedAt: null }
  }
}

/** Thrown for an id that matches nothing; the GraphQL layer turns it into Linear's error. */
export class EntityNotFound extends Error {
  readonly entity: string

  constructor(entity: string, id: string) {
    super(`Entity not found: ${entity} - Could not find referenced ${entity} (${id}).`)
    this.name = 'EntityNotFound'
    this.entity = entity
  }
}

export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
