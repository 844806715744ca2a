/**
 * The GraphQL documents the connector sends — its own minimal selections, never the SDK's models
 * (which load each relation with a request of its own). One page of epics carries everything
 * mapping needs: label ids (names come from one label catalogue per sync), status type, the
 * configured teams, the blockers, customer revenue and child estimates when the config uses them.
 * Nested connections ask for small pages; the rare epic that overflows one gets a follow-up query.
 *
 * @see https://linear.app/developers/graphql
 * @see https://linear.app/developers/pagination
 */

/**
 * Nested page sizes: enough for almost every epic, small enough to keep 250 epics per page.
 * Blockers and links (a project's resource links, an issue's attachments that match a dependency
 * prefix or onetrack's URL) are read without `pageInfo`, which Linear charges once per item asked:
 * a full page means "maybe more", and that epic's connection is then read whole by a follow-up query.
 */
export const NESTED = {
  teams: 5,
  blockers: 5,
  needs: 5,
  children: 25,
  links: 20,
  resourceLinks: 8,
  attachments: 5,
} as const

export interface SelectionNeeds {
  needs: boolean
  children: boolean
  projectName: boolean
  /** Dependency links: project resource links, or issue attachments matching `$linkFilter`. */
  links: boolean
  /**
   * onetrack's own link or attachment, to compare with what write-back wrote: selects the resource
   * links (projects) or the attachments under onetrack's URL with their subtitle (issues).
   */
  owned: boolean
  /** The configured teams: an epic's teams are filtered to them, so no more are asked. */
  teamCount: number
}

const PAGE_INFO = 'pageInfo { hasNextPage endCursor }'

export function projectFragment(needs: SelectionNeeds): string {
  return `fragment OnetrackProject on Project {
  id name slugId url priority scope updatedAt archivedAt trashed labelIds
  status { type }
  teams(first: ${teamsFirst(needs)}, filter: { key: { in: $teams } }) { nodes { key } }
  inverseRelations(first: ${NESTED.blockers}) { nodes { type project { id } } }${
    needs.needs ? `\n  needs(first: ${NESTED.needs}) { nodes { customer { id revenue } } ${PAGE_INFO} }` : ''
  }${selectsLinks(needs) ? `\n  externalLinks(first: ${NESTED.resourceLinks}) { nodes { label url } }` : ''}
}`
}

export function issueFragment(needs: SelectionNeeds): string {
  return `fragment OnetrackIssue on Issue {
  id identifier title url priority estimate updatedAt archivedAt trashed labelIds
  state { type }
  team { key }${needs.projectName ? '\n  project { name }' : ''}
  inverseRelations(first: ${NESTED.blockers}) { nodes { type issue { id } } }${
    needs.children ? `\n  children(first: ${NESTED.children}) { nodes { estimate } ${PAGE_INFO} }` : ''
  }${needs.needs ? `\n  needs(first: ${NESTED.needs}) { nodes { customer { id revenue } } ${PAGE_INFO} }` : ''}${
    selectsLinks(needs)
      ? `\n  attachments(first: ${NESTED.attachments}, filter: $linkFilter) { nodes { ${attachmentFields(needs.owned)} } }`
      : ''
  }
}`
}

/** Whether an epic's links are selected: resource links, or attachments through `$linkFilter`. */
export function selectsLinks(needs: SelectionNeeds): boolean {
  return needs.links || needs.owned
}

function attachmentFields(owned: boolean): string {
  return owned ? 'title url subtitle' : 'title url'
}

function teamsFirst(needs: SelectionNeeds): number {
  return Math.max(1, Math.min(needs.teamCount, NESTED.teams))
}

/**
 * Only attachments whose title starts with a dependency prefix (Linear compares case-insensitively;
 * the connector checks the word boundary), and onetrack's own when `ownPrefix` (the start of every
 * epic page URL) is given: an issue's many other attachments — pull requests, Slack threads — are
 * not even sent.
 */
export function attachmentLinkFilter(prefixes: string[], ownPrefix?: string): Record<string, unknown> {
  const titles = prefixes.map((prefix) => ({ title: { startsWithIgnoreCase: prefix } }))
  return { or: ownPrefix === undefined ? titles : [...titles, { url: { startsWith: ownPrefix } }] }
}

export type EpicKind = 'projects' | 'issues'

/**
 * One page of epics. The first page of a sync also fetches the label catalogue and the configured
 * teams' ids, so a small sync is a single request.
 */
export function epicPageQuery(
  kind: EpicKind,
  needs: SelectionNeeds,
  first: { labels: boolean } | null,
): string {
  const [root, type, fragment] =
    kind === 'projects'
      ? ['projects', 'ProjectFilter', projectFragment(needs)]
      : ['issues', 'IssueFilter', issueFragment(needs)]
  const spread = kind === 'projects' ? '...OnetrackProject' : '...OnetrackIssue'
  const labelRoot = kind === 'projects' ? 'projectLabels' : 'issueLabels'
  const extras =
    first === null
      ? ''
      : `
  teams(first: $teamCount, filter: { key: { in: $teams } }) { nodes { id key } }${
    first.labels
      ? `\n  ${labelRoot}(first: 250) { nodes { id name isGroup parent { id name } } ${PAGE_INFO} }`
      : ''
  }`
  const name = `Onetrack${kind === 'projects' ? 'Projects' : 'Issues'}${first === null ? 'Page' : 'FirstPage'}`
  // $teams filters the projects' teams and the first page's team ids; issue pages after the first need neither.
  const teams = kind === 'projects' || first !== null ? '$teams: [String!]!, ' : ''
  const teamCount = first === null ? '' : '$teamCount: Int!, '
  const linkFilter = kind === 'issues' && selectsLinks(needs) ? '$linkFilter: AttachmentFilter!, ' : ''
  return `query ${name}(${teams}${teamCount}${linkFilter}$first: Int!, $after: String, $filter: ${type}!, $includeArchived: Boolean!, $orderBy: PaginationOrderBy!) {
  ${root}(first: $first, after: $after, filter: $filter, includeArchived: $includeArchived, orderBy: $orderBy) {
    nodes { ${spread} }
    ${PAGE_INFO}
  }${extras}
}
${fragment}`
}

/** More of the label catalogue, for workspaces with over 250 labels. */
export function labelPageQuery(kind: EpicKind): string {
  const root = kind === 'projects' ? 'projectLabels' : 'issueLabels'
  return `query OnetrackLabels($after: String) {
  ${root}(first: 250, after: $after) { nodes { id name isGroup parent { id name } } ${PAGE_INFO} }
}`
}

/** All of one epic's dependency links (and onetrack's own), when the page's selection was full. */
export function dependencyLinksQuery(kind: EpicKind, owned: boolean): string {
  if (kind === 'projects') {
    return `query OnetrackProjectExternalLinks($id: String!, $after: String) {
  project(id: $id) { id externalLinks(first: 250, after: $after) { nodes { label url } ${PAGE_INFO} } }
}`
  }
  return `query OnetrackIssueAttachments($id: String!, $after: String, $linkFilter: AttachmentFilter!) {
  issue(id: $id) { id attachments(first: 250, after: $after, filter: $linkFilter) { nodes { ${attachmentFields(owned)} } ${PAGE_INFO} } }
}`
}

/** The rest of one epic's overflowing nested connection. */
export function overflowQuery(kind: EpicKind, connection: 'blockers' | 'needs' | 'children'): string {
  const root = kind === 'projects' ? 'project' : 'issue'
  const selection = {
    blockers: `inverseRelations(first: 250, after: $after) { nodes { type ${root} { id } } ${PAGE_INFO} }`,
    needs: `needs(first: 250, after: $after) { nodes { customer { id revenue } } ${PAGE_INFO} }`,
    children: `children(first: 250, after: $after) { nodes { estimate } ${PAGE_INFO} }`,
  }[connection]
  const name = `Onetrack${kind === 'projects' ? 'Project' : 'Issue'}${connection[0]?.toUpperCase()}${connection.slice(1)}`
  return `query ${name}($id: String!, $after: String) {
  ${root}(id: $id) { id ${selection} }
}`
}

export const CHECK_QUERY = `query OnetrackCheck($teams: [String!]!, $teamCount: Int!) {
  viewer { id name email }
  teams(first: $teamCount, filter: { key: { in: $teams } }) { nodes { id key name } }
}`

/** Write-back: the projects' own resource links and labels, and (optionally) the chronic label. */
export function projectLinksQuery(withLabel: boolean): string {
  return `query OnetrackProjectLinks($ids: [ID!]!, $first: Int!${withLabel ? ', $label: String!' : ''}) {
  projects(first: $first, filter: { id: { in: $ids } }) {
    nodes { id labelIds externalLinks(first: ${NESTED.links}) { nodes { id url label } pageInfo { hasNextPage } } }
  }${withLabel ? `\n  projectLabels(first: 10, filter: { name: { eqIgnoreCase: $label } }) { nodes { id name isGroup } }` : ''}
}`
}

/** All of one project's links, when it has more than the lookup's page. */
export const PROJECT_ALL_LINKS_QUERY = `query OnetrackProjectAllLinks($id: String!) {
  project(id: $id) { id externalLinks(first: 250) { nodes { id url label } } }
}`

export function labelByNameQuery(kind: EpicKind): string {
  const root = kind === 'projects' ? 'projectLabels' : 'issueLabels'
  return `query OnetrackLabelByName($label: String!) {
  ${root}(first: 10, filter: { name: { eqIgnoreCase: $label } }) { nodes { id name isGroup } }
}`
}

export const CREATE_PROJECT_LABEL = `mutation OnetrackCreateProjectLabel($input: ProjectLabelCreateInput!) {
  projectLabelCreate(input: $input) { success projectLabel { id } }
}`

export const CREATE_ISSUE_LABEL = `mutation OnetrackCreateIssueLabel($input: IssueLabelCreateInput!) {
  issueLabelCreate(input: $input) { success issueLabel { id } }
}`
