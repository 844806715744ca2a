import {
  type Actor,
  type ChangelogItem,
  type CustomFieldType,
  defaultSearcher,
  type IssuePatch,
  type NewIssue,
  type PermissionKey,
  type SimField,
  type SimIssue,
  type SimIssueType,
  type SimLink,
  type SimLinkType,
  type SimProject,
  type SimStatus,
  type StateEvent,
  type StatusCategoryKey,
} from './model.ts'

/**
 * The simulated Jira site's data: projects, issue types (with hierarchy levels), statuses and their
 * categories, custom fields, link types, issues and their links. Tests and the demo change it through
 * these methods; every change to an issue is announced (with Jira-style changelog items) so the
 * webhook sender can deliver it.
 */
export class JiraState {
  readonly projects = new Map<string, SimProject>()
  readonly issueTypes = new Map<string, SimIssueType>()
  readonly statuses = new Map<string, SimStatus>()
  readonly fields = new Map<string, SimField>()
  readonly linkTypes = new Map<string, SimLinkType>()
  readonly issues = new Map<string, SimIssue>()
  /** Child ids by parent id: JQL's `parent in (…)` looks them up, as Jira's index does. */
  readonly #children = new Map<string, Set<string>>()
  readonly links = new Map<string, SimLink>()
  readonly permissions: Record<PermissionKey, boolean> = {
    BROWSE_PROJECTS: true,
    EDIT_ISSUES: true,
    ADMINISTER: true,
    BULK_CHANGE: true,
  }
  /** Select option value → option id, per field. */
  readonly options = new Map<string, Map<string, string>>()
  readonly #keys = new Map<string, string>()
  readonly #formerKeys = new Map<string, string>()
  readonly #counters = new Map<string, number>()
  readonly #listeners: Array<(event: StateEvent) => void> = []
  readonly #clock: () => number

  constructor(clock: () => number = Date.now) {
    this.#clock = clock
  }

  now(): number {
    return this.#clock()
  }

  onChange(listener: (event: StateEvent) => void): void {
    this.#listeners.push(listener)
  }

  #emit(event: StateEvent): void {
    for (const listener of this.#listeners) listener(event)
  }

  #next(counter: string, start: number): string {
    const value = (this.#counters.get(counter) ?? start) + 1
    this.#counters.set(counter, value)
    return String(value)
  }

  addProject(input: { key: string; name?: string }): SimProject {
    if (!/^[A-Z][A-Z0-9]+$/.test(input.key)) throw new Error(`project key ${input.key} is not a Jira key`)
    const project = { id: this.#next('project', 10000), key: input.key, name: input.name ?? input.key }
    this.projects.set(project.id, project)
    return project
  }

  addIssueType(input: { name: string; hierarchyLevel: number; description?: string }): SimIssueType {
    const type = {
      id: this.#next('issuetype', 10000),
      name: input.name,
      hierarchyLevel: input.hierarchyLevel,
      description: input.description ?? '',
    }
    this.issueTypes.set(type.id, type)
    return type
  }

  addStatus(input: { name: string; category: StatusCategoryKey }): SimStatus {
    const status = { id: this.#next('status', 10000), name: input.name, category: input.category }
    this.statuses.set(status.id, status)
    return status
  }

  addLinkType(input: { name: string; inward: string; outward: string }): SimLinkType {
    const type = { id: this.#next('linktype', 10000), ...input }
    this.linkTypes.set(type.id, type)
    return type
  }

  addField(input: {
    name: string
    type: CustomFieldType
    searcherKey?: string | null
    description?: string
    onScreen?: boolean
  }): SimField {
    const field: SimField = {
      id: `customfield_${this.#next('field', 10019)}`,
      name: input.name,
      type: input.type,
      searcherKey: input.searcherKey === undefined ? defaultSearcher(input.type) : input.searcherKey,
      description: input.description ?? '',
      onScreen: input.onScreen ?? true,
    }
    this.fields.set(field.id, field)
    return field
  }

  optionId(fieldId: string, value: string): string {
    let options = this.options.get(fieldId)
    if (options === undefined) {
      options = new Map()
      this.options.set(fieldId, options)
    }
    let id = options.get(value)
    if (id === undefined) {
      id = this.#next('option', 10100)
      options.set(value, id)
    }
    return id
  }

  /** An issue by id, key or a key it had before a move; undefined when there is none. */
  find(ref: string): SimIssue | undefined {
    const byId = this.issues.get(ref)
    if (byId !== undefined) return byId
    const id = this.#keys.get(ref.toUpperCase()) ?? this.#formerKeys.get(ref.toUpperCase())
    return id === undefined ? undefined : this.issues.get(id)
  }

  #issue(ref: string): SimIssue {
    const issue = this.find(ref)
    if (issue === undefined) throw new Error(`no issue ${ref}`)
    return issue
  }

  projectByKey(key: string): SimProject | undefined {
    for (const project of this.projects.values()) if (project.key === key.toUpperCase()) return project
    return undefined
  }

  issueType(ref: string): SimIssueType | undefined {
    return (
      this.issueTypes.get(ref) ??
      [...this.issueTypes.values()].find((t) => t.name.toLowerCase() === ref.toLowerCase())
    )
  }

  status(ref: string): SimStatus | undefined {
    return (
      this.statuses.get(ref) ??
      [...this.statuses.values()].find((s) => s.name.toLowerCase() === ref.toLowerCase())
    )
  }

  linkType(ref: string): SimLinkType | undefined {
    return (
      this.linkTypes.get(ref) ??
      [...this.linkTypes.values()].find((t) => t.name.toLowerCase() === ref.toLowerCase())
    )
  }

  /** A custom field by id or (unique) name. */
  field(ref: string): SimField {
    const byId = this.fields.get(ref)
    if (byId !== undefined) return byId
    const named = [...this.fields.values()].filter((f) => f.name.toLowerCase() === ref.toLowerCase())
    if (named.length !== 1) throw new Error(`${named.length} custom fields are named ${ref}`)
    return named[0] as SimField
  }

  addIssue(input: NewIssue): SimIssue {
    const project = this.projectByKey(input.project)
    if (project === undefined) throw new Error(`no project ${input.project}`)
    const type = this.issueType(input.type ?? 'Epic')
    if (type === undefined) throw new Error(`no issue type ${input.type}`)
    const status = this.#statusOrDefault(input.status)
    const now = this.now()
    const id = this.#next('issue', 10000)
    const issue: SimIssue = {
      id,
      key: `${project.key}-${this.#next(`key:${project.key}`, 0)}`,
      projectId: project.id,
      typeId: type.id,
      summary: input.summary ?? `Issue ${id}`,
      statusId: status.id,
      resolution: input.resolution ?? (status.category === 'done' ? 'Done' : null),
      labels: [...(input.labels ?? [])],
      components: [...(input.components ?? [])],
      parentId: input.parent === undefined ? null : this.#issue(input.parent).id,
      created: input.created ?? input.updated ?? now,
      updated: input.updated ?? input.created ?? now,
      values: {},
    }
    for (const [ref, value] of Object.entries(input.fields ?? {})) {
      const field = this.field(ref)
      issue.values[field.id] = this.#checkedValue(field, value)
    }
    this.issues.set(id, issue)
    this.#keys.set(issue.key, id)
    this.#adopt(issue.parentId, id)
    this.#emit({ kind: 'created', issue, actor: 'person' })
    return issue
  }

  #statusOrDefault(name: string | undefined): SimStatus {
    const status =
      name === undefined ? [...this.statuses.values()].find((s) => s.category === 'new') : this.status(name)
    if (status === undefined) throw new Error(`no status ${name ?? 'of category new'}`)
    return status
  }

  #checkedValue(field: SimField, value: unknown): unknown {
    if (value === null || value === undefined) return null
    const ok =
      field.type === 'float' ? typeof value === 'number' && Number.isFinite(value) : typeof value === 'string'
    if (!ok) throw new Error(`${field.name} (${field.type}) cannot hold ${JSON.stringify(value)}`)
    if (field.type === 'select') this.optionId(field.id, value as string)
    return value
  }

  /**
   * Changes an issue as a person (or a client's PUT) would: bumps `updated` when anything changed and
   * announces the change with its changelog items. Returns the items (empty: nothing changed).
   */
  updateIssue(ref: string, patch: IssuePatch, options: { at?: number; actor?: Actor } = {}): ChangelogItem[] {
    const issue = this.#issue(ref)
    const items: ChangelogItem[] = []
    if (patch.summary !== undefined && patch.summary !== issue.summary) {
      items.push(jiraItem('summary', issue.summary, patch.summary))
      issue.summary = patch.summary
    }
    if (patch.status !== undefined) {
      const status = this.#statusOrDefault(patch.status)
      if (status.id !== issue.statusId) {
        const before = this.statuses.get(issue.statusId)
        items.push({
          ...jiraItem('status', before?.name ?? null, status.name),
          from: issue.statusId,
          to: status.id,
        })
        issue.statusId = status.id
        const resolution =
          patch.resolution !== undefined ? patch.resolution : status.category === 'done' ? 'Done' : null
        if (resolution !== issue.resolution) {
          items.push(jiraItem('resolution', issue.resolution, resolution))
          issue.resolution = resolution
        }
      }
    } else if (patch.resolution !== undefined && patch.resolution !== issue.resolution) {
      items.push(jiraItem('resolution', issue.resolution, patch.resolution))
      issue.resolution = patch.resolution
    }
    if (patch.labels !== undefined && patch.labels.join(' ') !== issue.labels.join(' ')) {
      items.push(jiraItem('labels', issue.labels.join(' '), patch.labels.join(' ')))
      issue.labels = [...patch.labels]
    }
    if (patch.components !== undefined && patch.components.join(',') !== issue.components.join(',')) {
      items.push(jiraItem('Component', issue.components.join(', '), patch.components.join(', ')))
      issue.components = [...patch.components]
    }
    if (patch.parent !== undefined) {
      const parent = patch.parent === null ? null : this.#issue(patch.parent)
      if ((parent?.id ?? null) !== issue.parentId) {
        const before = issue.parentId === null ? undefined : this.issues.get(issue.parentId)
        items.push({
          ...jiraItem('IssueParentAssociation', before?.key ?? null, parent?.key ?? null),
          fieldId: 'parent',
          from: issue.parentId,
          to: parent?.id ?? null,
        })
        this.#children.get(issue.parentId ?? '')?.delete(issue.id)
        issue.parentId = parent?.id ?? null
        this.#adopt(issue.parentId, issue.id)
      }
    }
    for (const [ref, value] of Object.entries(patch.fields ?? {})) {
      const field = this.field(ref)
      const next = this.#checkedValue(field, value)
      const before = issue.values[field.id] ?? null
      if (next === before) continue
      items.push({
        field: field.name,
        fieldtype: 'custom',
        fieldId: field.id,
        from: null,
        fromString: before === null ? null : String(before),
        to: null,
        toString: next === null ? null : String(next),
      })
      issue.values[field.id] = next
    }
    if (items.length > 0) this.#touch(issue, items, options.at, options.actor)
    return items
  }

  #touch(issue: SimIssue, items: ChangelogItem[], at: number | undefined, actor: Actor = 'person'): void {
    issue.updated = at ?? Math.max(this.now(), issue.updated + 1)
    this.#emit({ kind: 'updated', issue, items, actor })
  }

  /** Moves an issue to another project: a new key, the same id (the old key keeps resolving). */
  moveIssue(ref: string, projectKey: string, options: { at?: number } = {}): SimIssue {
    const issue = this.#issue(ref)
    const project = this.projectByKey(projectKey)
    if (project === undefined) throw new Error(`no project ${projectKey}`)
    const before = this.projects.get(issue.projectId)
    const oldKey = issue.key
    issue.projectId = project.id
    issue.key = `${project.key}-${this.#next(`key:${project.key}`, 0)}`
    this.#keys.delete(oldKey)
    this.#formerKeys.set(oldKey, issue.id)
    this.#keys.set(issue.key, issue.id)
    this.#touch(
      issue,
      [
        {
          ...jiraItem('project', before?.name ?? null, project.name),
          from: before?.id ?? null,
          to: project.id,
        },
        { ...jiraItem('Key', oldKey, issue.key), fieldId: 'issuekey' },
      ],
      options.at,
    )
    return issue
  }

  deleteIssue(ref: string): SimIssue {
    const issue = this.#issue(ref)
    this.issues.delete(issue.id)
    this.#keys.delete(issue.key)
    this.#children.get(issue.parentId ?? '')?.delete(issue.id)
    for (const [id, link] of this.links)
      if (link.from === issue.id || link.to === issue.id) this.links.delete(id)
    this.#emit({ kind: 'deleted', issue, actor: 'person' })
    return issue
  }

  /** `from` <outward> `to`; for the Blocks type: `from` blocks `to`. */
  link(fromRef: string, toRef: string, typeName = 'Blocks', options: { at?: number } = {}): SimLink {
    const from = this.#issue(fromRef)
    const to = this.#issue(toRef)
    const type = this.linkType(typeName)
    if (type === undefined) throw new Error(`no link type ${typeName}`)
    const link = { id: this.#next('link', 10100), typeId: type.id, from: from.id, to: to.id }
    this.links.set(link.id, link)
    this.#touch(from, [linkItem(null, `This issue ${type.outward} ${to.key}`, to.key)], options.at)
    this.#touch(to, [linkItem(null, `This issue ${type.inward} ${from.key}`, from.key)], options.at)
    return link
  }

  unlink(linkId: string): void {
    const link = this.links.get(linkId)
    if (link === undefined) throw new Error(`no link ${linkId}`)
    this.links.delete(linkId)
    const type = this.linkTypes.get(link.typeId)
    const from = this.issues.get(link.from)
    const to = this.issues.get(link.to)
    if (from !== undefined && to !== undefined && type !== undefined) {
      this.#touch(from, [linkItem(`This issue ${type.outward} ${to.key}`, null, null)], undefined)
      this.#touch(to, [linkItem(`This issue ${type.inward} ${from.key}`, null, null)], undefined)
    }
  }

  linksOf(issueId: string): SimLink[] {
    return [...this.links.values()].filter((l) => l.from === issueId || l.to === issueId)
  }

  /** The issues whose parent is the given one (an epic's stories). */
  children(parentId: string): SimIssue[] {
    return [...(this.#children.get(parentId) ?? [])].flatMap((id) => this.issues.get(id) ?? [])
  }

  #adopt(parentId: string | null, childId: string): void {
    if (parentId === null) return
    let children = this.#children.get(parentId)
    if (children === undefined) {
      children = new Set()
      this.#children.set(parentId, children)
    }
    children.add(childId)
  }
}

function jiraItem(field: string, from: string | null, to: string | null): ChangelogItem {
  return { field, fieldtype: 'jira', fieldId: field, from: null, fromString: from, to: null, toString: to }
}

function linkItem(fromText: string | null, toText: string | null, to: string | null): ChangelogItem {
  return {
    field: 'Link',
    fieldtype: 'jira',
    fieldId: 'issuelinks',
    from: null,
    fromString: fromText,
    to,
    toString: toText,
  }
}
