/**
 * The simulated site's data model: the shapes the state keeps, and how custom field types are named
 * in Jira's API.
 */

export type StatusCategoryKey = 'new' | 'indeterminate' | 'done'
export type CustomFieldType = 'float' | 'textfield' | 'textarea' | 'url' | 'select' | 'team'
export type PermissionKey = 'BROWSE_PROJECTS' | 'EDIT_ISSUES' | 'ADMINISTER' | 'BULK_CHANGE'

export interface SimProject {
  id: string
  key: string
  name: string
}
export interface SimIssueType {
  id: string
  name: string
  hierarchyLevel: number
  description: string
}
export interface SimStatus {
  id: string
  name: string
  category: StatusCategoryKey
}
export interface SimField {
  id: string
  name: string
  type: CustomFieldType
  /** Full searcher key, or null when the field is not searchable. */
  searcherKey: string | null
  description: string
  /** On the issues' edit screen: only then can a REST edit set it. */
  onScreen: boolean
}
export interface SimLinkType {
  id: string
  name: string
  inward: string
  outward: string
}
export interface SimIssue {
  id: string
  key: string
  projectId: string
  typeId: string
  summary: string
  statusId: string
  resolution: string | null
  labels: string[]
  components: string[]
  parentId: string | null
  created: number
  updated: number
  /** Custom field id → stored value (number, string or null). */
  values: Record<string, unknown>
}
/** "from <outward> to": for Blocks, `from` blocks `to`. */
export interface SimLink {
  id: string
  typeId: string
  from: string
  to: string
}

/** A changelog item as Jira puts it in `changelog.items` of an issue_updated webhook. */
export interface ChangelogItem {
  field: string
  fieldtype: 'jira' | 'custom'
  fieldId: string
  from: string | null
  fromString: string | null
  to: string | null
  toString: string | null
}

/** Who made a change: a person in Jira, or a REST client (the connector writing back). */
export type Actor = 'person' | 'api'

export type StateEvent =
  | { kind: 'created'; issue: SimIssue; actor: Actor }
  | { kind: 'updated'; issue: SimIssue; items: ChangelogItem[]; actor: Actor }
  | { kind: 'deleted'; issue: SimIssue; actor: Actor }

export interface NewIssue {
  project: string
  /** Issue type name or id; default Epic. */
  type?: string
  summary?: string
  /** Status name; default the first status of category `new`. */
  status?: string
  resolution?: string | null
  labels?: string[]
  components?: string[]
  /** Parent issue id or key. */
  parent?: string
  /** Custom field id or name → value. */
  fields?: Record<string, unknown>
  created?: number
  updated?: number
}

export interface IssuePatch {
  summary?: string
  status?: string
  resolution?: string | null
  labels?: string[]
  components?: string[]
  parent?: string | null
  fields?: Record<string, unknown>
}

export const CUSTOM_TYPE_PREFIX = 'com.atlassian.jira.plugin.system.customfieldtypes:'
export const TEAM_FIELD_TYPE = `${CUSTOM_TYPE_PREFIX}atlassian-team`

/**
 * The searcher Jira pairs with each type when none is named.
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-fields/#api-rest-api-3-field-post
 */
export function defaultSearcher(type: CustomFieldType): string | null {
  switch (type) {
    case 'float':
      return `${CUSTOM_TYPE_PREFIX}exactnumber`
    case 'textfield':
    case 'textarea':
      return `${CUSTOM_TYPE_PREFIX}textsearcher`
    case 'url':
      return `${CUSTOM_TYPE_PREFIX}exacttextsearcher`
    case 'select':
      return `${CUSTOM_TYPE_PREFIX}multiselectsearcher`
    case 'team':
      return null
  }
}

export function fieldTypeKey(type: CustomFieldType): string {
  return type === 'team' ? TEAM_FIELD_TYPE : `${CUSTOM_TYPE_PREFIX}${type}`
}
