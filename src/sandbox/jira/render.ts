import {
  fieldTypeKey,
  type SimField,
  type SimIssue,
  type SimIssueType,
  type SimProject,
  type SimStatus,
  type StatusCategoryKey,
} from './model.ts'
import type { JiraState } from './state.ts'
import { formatJiraDateTime } from './time.ts'

/**
 * The JSON shapes of Jira Cloud REST v3 (IssueBean, FieldDetails, IssueTypeDetails, User, …), built
 * from the state. `self` links point at the simulator's own address, as Jira's point at the site.
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-get
 */
export interface RenderContext {
  state: JiraState
  baseUrl: string
  timeZone: string
  account: Account
}

export interface Account {
  accountId: string
  email: string
  displayName: string
  timeZone: string
}

const CATEGORIES: Record<StatusCategoryKey, { id: number; name: string; colorName: string }> = {
  new: { id: 2, name: 'To Do', colorName: 'blue-gray' },
  indeterminate: { id: 4, name: 'In Progress', colorName: 'yellow' },
  done: { id: 3, name: 'Done', colorName: 'green' },
}

const RESOLUTIONS: Record<string, string> = { Done: '10000', "Won't Do": '10001', Duplicate: '10002' }

/** System fields the simulator serves, with their names and JSON types. */
export const SYSTEM_FIELDS: ReadonlyArray<{ id: string; name: string; type: string; items?: string }> = [
  { id: 'summary', name: 'Summary', type: 'string' },
  { id: 'status', name: 'Status', type: 'status' },
  { id: 'issuetype', name: 'Issue Type', type: 'issuetype' },
  { id: 'project', name: 'Project', type: 'project' },
  { id: 'labels', name: 'Labels', type: 'array', items: 'string' },
  { id: 'components', name: 'Components', type: 'array', items: 'component' },
  { id: 'resolution', name: 'Resolution', type: 'resolution' },
  { id: 'created', name: 'Created', type: 'datetime' },
  { id: 'updated', name: 'Updated', type: 'datetime' },
  { id: 'issuelinks', name: 'Linked Issues', type: 'array', items: 'issuelinks' },
  { id: 'parent', name: 'Parent', type: 'issuelink' },
]

export function userJson(ctx: RenderContext): Record<string, unknown> {
  const { account } = ctx
  return {
    self: `${ctx.baseUrl}/rest/api/3/user?accountId=${account.accountId}`,
    accountId: account.accountId,
    accountType: 'atlassian',
    emailAddress: account.email,
    avatarUrls: avatarUrls(`https://avatar.example/${account.accountId}`),
    displayName: account.displayName,
    active: true,
    timeZone: account.timeZone,
    locale: 'en_US',
  }
}

function avatarUrls(base: string): Record<string, string> {
  return Object.fromEntries(['16x16', '24x24', '32x32', '48x48'].map((size) => [size, `${base}?s=${size}`]))
}

export function issueTypeJson(ctx: RenderContext, type: SimIssueType): Record<string, unknown> {
  return {
    self: `${ctx.baseUrl}/rest/api/3/issuetype/${type.id}`,
    id: type.id,
    description: type.description,
    iconUrl: `${ctx.baseUrl}/images/icons/issuetypes/${type.name.toLowerCase()}.svg`,
    name: type.name,
    subtask: type.hierarchyLevel < 0,
    avatarId: 10300 + Number(type.id) - 10000,
    hierarchyLevel: type.hierarchyLevel,
  }
}

function statusJson(ctx: RenderContext, status: SimStatus): Record<string, unknown> {
  const category = CATEGORIES[status.category]
  return {
    self: `${ctx.baseUrl}/rest/api/3/status/${status.id}`,
    description: '',
    iconUrl: `${ctx.baseUrl}/images/icons/statuses/generic.png`,
    name: status.name,
    id: status.id,
    statusCategory: {
      self: `${ctx.baseUrl}/rest/api/3/statuscategory/${category.id}`,
      id: category.id,
      key: status.category,
      colorName: category.colorName,
      name: category.name,
    },
  }
}

function projectJson(ctx: RenderContext, project: SimProject): Record<string, unknown> {
  return {
    self: `${ctx.baseUrl}/rest/api/3/project/${project.id}`,
    id: project.id,
    key: project.key,
    name: project.name,
    projectTypeKey: 'software',
    simplified: false,
    avatarUrls: avatarUrls(`${ctx.baseUrl}/rest/api/3/universal_avatar/view/type/project/avatar/10400`),
  }
}

export function fieldDetailsJson(ctx: RenderContext): Array<Record<string, unknown>> {
  const system = SYSTEM_FIELDS.map((f) => ({
    id: f.id,
    key: f.id,
    name: f.name,
    custom: false,
    orderable: f.id !== 'issuelinks',
    navigable: true,
    searchable: true,
    clauseNames: [f.id],
    schema:
      f.items === undefined ? { type: f.type, system: f.id } : { type: f.type, items: f.items, system: f.id },
  }))
  return [...system, ...[...ctx.state.fields.values()].map(customFieldJson)]
}

export function customFieldJson(field: SimField): Record<string, unknown> {
  const customId = Number(field.id.slice('customfield_'.length))
  const type = {
    float: 'number',
    textfield: 'string',
    textarea: 'string',
    url: 'string',
    select: 'option',
    team: 'team',
  }[field.type]
  return {
    id: field.id,
    key: field.id,
    name: field.name,
    custom: true,
    orderable: true,
    navigable: true,
    searchable: field.searcherKey !== null,
    clauseNames: [`cf[${customId}]`, field.name],
    schema: { type, custom: fieldTypeKey(field.type), customId },
  }
}

/** Which fields a request asked for (`fields=summary,customfield_10050`, `*all`, `-comment`). */
export interface FieldSelection {
  all: boolean
  include: Set<string>
  exclude: Set<string>
}

export function fieldSelection(raw: unknown, fallback: 'id' | 'all'): FieldSelection {
  const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '')
  const selection: FieldSelection = { all: false, include: new Set(), exclude: new Set() }
  if (values.length === 0) {
    selection.all = fallback === 'all'
    return selection
  }
  for (const value of values) {
    if (value === '*all' || value === '*navigable') selection.all = true
    else if (value.startsWith('-')) selection.exclude.add(value.slice(1))
    else if (value !== 'id' && value !== 'key') selection.include.add(value)
  }
  return selection
}

/** Only id/key asked for: Jira then serves its largest pages. */
export function isIdOnly(selection: FieldSelection): boolean {
  return !selection.all && selection.include.size === 0
}

export function issueJson(
  ctx: RenderContext,
  issue: SimIssue,
  selection: FieldSelection,
): Record<string, unknown> {
  const json: Record<string, unknown> = {
    expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
    id: issue.id,
    self: `${ctx.baseUrl}/rest/api/3/issue/${issue.id}`,
    key: issue.key,
  }
  if (isIdOnly(selection)) return json
  const fields: Record<string, unknown> = {}
  const wanted = (id: string) => !selection.exclude.has(id) && (selection.all || selection.include.has(id))
  for (const f of SYSTEM_FIELDS) if (wanted(f.id)) fields[f.id] = systemValue(ctx, issue, f.id)
  for (const field of ctx.state.fields.values()) {
    if (wanted(field.id)) fields[field.id] = customValue(ctx, field, issue.values[field.id] ?? null)
  }
  json.fields = fields
  return json
}

function systemValue(ctx: RenderContext, issue: SimIssue, id: string): unknown {
  const { state } = ctx
  switch (id) {
    case 'summary':
      return issue.summary
    case 'status':
      return statusJson(ctx, state.statuses.get(issue.statusId) as SimStatus)
    case 'issuetype':
      return issueTypeJson(ctx, state.issueTypes.get(issue.typeId) as SimIssueType)
    case 'project':
      return projectJson(ctx, state.projects.get(issue.projectId) as SimProject)
    case 'labels':
      return [...issue.labels]
    case 'components':
      return issue.components.map((name, i) => ({
        self: `${ctx.baseUrl}/rest/api/3/component/${10500 + i}`,
        id: String(10500 + i),
        name,
      }))
    case 'resolution':
      return issue.resolution === null
        ? null
        : {
            self: `${ctx.baseUrl}/rest/api/3/resolution/${resolutionId(issue.resolution)}`,
            id: resolutionId(issue.resolution),
            description: '',
            name: issue.resolution,
          }
    case 'created':
      return formatJiraDateTime(issue.created, ctx.timeZone)
    case 'updated':
      return formatJiraDateTime(issue.updated, ctx.timeZone)
    case 'issuelinks':
      return issueLinks(ctx, issue)
    case 'parent': {
      const parent = issue.parentId === null ? undefined : state.issues.get(issue.parentId)
      return parent === undefined ? null : linkedIssue(ctx, parent)
    }
    default:
      return null
  }
}

function resolutionId(name: string): string {
  return RESOLUTIONS[name] ?? String(10100 + [...name].reduce((sum, c) => sum + c.charCodeAt(0), 0))
}

function customValue(ctx: RenderContext, field: SimField, value: unknown): unknown {
  if (value === null) return null
  switch (field.type) {
    case 'float':
    case 'textfield':
    case 'url':
      return value
    case 'textarea':
      return {
        type: 'doc',
        version: 1,
        content: [{ type: 'paragraph', content: [{ type: 'text', text: String(value) }] }],
      }
    case 'select': {
      const id = ctx.state.optionId(field.id, String(value))
      return { self: `${ctx.baseUrl}/rest/api/3/customFieldOption/${id}`, value, id }
    }
    case 'team':
      return { id: `team-${String(value).toLowerCase().replace(/\W+/g, '-')}`, name: value, title: value }
  }
}

function linkedIssue(ctx: RenderContext, issue: SimIssue): Record<string, unknown> {
  return {
    id: issue.id,
    key: issue.key,
    self: `${ctx.baseUrl}/rest/api/3/issue/${issue.id}`,
    fields: {
      summary: issue.summary,
      status: statusJson(ctx, ctx.state.statuses.get(issue.statusId) as SimStatus),
      issuetype: issueTypeJson(ctx, ctx.state.issueTypes.get(issue.typeId) as SimIssueType),
    },
  }
}

/**
 * In X's `issuelinks`, `outwardIssue: Y` reads "X <outward> Y" (X blocks Y) and `inwardIssue: Y`
 * reads "X <inward> Y" (X is blocked by Y).
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-links/
 */
function issueLinks(ctx: RenderContext, issue: SimIssue): unknown[] {
  return ctx.state.linksOf(issue.id).flatMap((link) => {
    const type = ctx.state.linkTypes.get(link.typeId)
    const otherId = link.from === issue.id ? link.to : link.from
    const other = ctx.state.issues.get(otherId)
    if (type === undefined || other === undefined) return []
    return [
      {
        id: link.id,
        self: `${ctx.baseUrl}/rest/api/3/issueLink/${link.id}`,
        type: { ...type, self: `${ctx.baseUrl}/rest/api/3/issueLinkType/${type.id}` },
        [link.from === issue.id ? 'outwardIssue' : 'inwardIssue']: linkedIssue(ctx, other),
      },
    ]
  })
}
