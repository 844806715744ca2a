import type { RawEpic } from './mapping.ts'
import { dependencyLinksQuery, type EpicKind, NESTED, overflowQuery } from './queries.ts'
import type { LinearTransport } from './transport.ts'

/**
 * The shapes our epic selections come back in, made whole: a nested connection that had more than
 * its small page (an epic with many blockers, customers or sub-issues) is completed with follow-up
 * queries for that epic alone, then the node becomes a RawEpic for mapping.
 */

interface Conn<T> {
  nodes: T[]
  pageInfo: { hasNextPage: boolean; endCursor: string | null }
}

/** A nested connection read without pageInfo (see NESTED): a full page may hide more. */
interface Nodes<T> {
  nodes: T[]
}

type Need = { customer: { id: string; revenue: number | null } | null }

export interface ProjectNode {
  id: string
  name: string
  slugId: string
  url: string
  priority: number
  scope: number
  updatedAt: string
  archivedAt: string | null
  trashed: boolean | null
  labelIds: string[]
  status: { type: string }
  teams: { nodes: Array<{ key: string }> }
  inverseRelations: Nodes<{ type: string; project: { id: string } }>
  needs?: Conn<Need>
  externalLinks?: Nodes<{ label: string; url: string }>
}

export interface IssueNode {
  id: string
  identifier: string
  title: string
  url: string
  priority: number
  estimate: number | null
  updatedAt: string
  archivedAt: string | null
  trashed: boolean | null
  labelIds: string[]
  state: { type: string }
  team: { key: string }
  project?: { name: string } | null
  inverseRelations: Nodes<{ type: string; issue: { id: string } }>
  children?: Conn<{ estimate: number | null }>
  needs?: Conn<Need>
  attachments?: Nodes<{ title: string; url: string; subtitle?: string | null }>
}

export type EpicNode = ProjectNode | IssueNode

type Overflow = 'blockers' | 'needs' | 'children'
const FIELD: Record<Overflow, 'inverseRelations' | 'needs' | 'children'> = {
  blockers: 'inverseRelations',
  needs: 'needs',
  children: 'children',
}

/** How an epic's links were selected: the issue attachment filter, and whether onetrack's own are read. */
export interface LinkSelection {
  linkFilter: Record<string, unknown> | undefined
  owned: boolean
}

/**
 * Fetches what did not fit in the page's nested connections, in place: a connection with pageInfo
 * continues after its cursor; one read without (blockers, links) is read again whole when its page
 * came back full, so the links are always complete afterwards.
 */
export async function completeNode(
  kind: EpicKind,
  node: EpicNode,
  transport: LinearTransport,
  signal: AbortSignal,
  selection: LinkSelection,
): Promise<void> {
  const root = kind === 'projects' ? 'project' : 'issue'
  const fields = node as unknown as Record<string, Partial<Conn<unknown>> | undefined>
  for (const overflow of ['blockers', 'needs', 'children'] as const) {
    const field = FIELD[overflow]
    const conn = fields[field]
    if (conn?.nodes === undefined) continue
    const query = overflowQuery(kind, overflow)
    const request = { name: `${root} ${overflow}`, query, field, variables: { id: node.id } }
    if (conn.pageInfo === undefined) {
      if (conn.nodes.length >= NESTED.blockers) conn.nodes = await readAll(transport, root, request, signal)
      continue
    }
    if (conn.pageInfo.hasNextPage)
      conn.nodes.push(...(await readAll(transport, root, request, signal, conn.pageInfo.endCursor)))
  }
  const links = kind === 'projects' ? fields.externalLinks : fields.attachments
  const full = kind === 'projects' ? NESTED.resourceLinks : NESTED.attachments
  if (links?.nodes !== undefined && links.nodes.length >= full) {
    links.nodes = await readAll(
      transport,
      root,
      {
        name: `${root} dependency links`,
        query: dependencyLinksQuery(kind, selection.owned),
        field: kind === 'projects' ? 'externalLinks' : 'attachments',
        variables: { id: node.id, ...(kind === 'issues' ? { linkFilter: selection.linkFilter } : {}) },
      },
      signal,
    )
  }
}

/** Every page of one epic's connection, from `after` (null: the start). */
async function readAll(
  transport: LinearTransport,
  root: 'project' | 'issue',
  request: { name: string; query: string; field: string; variables: Record<string, unknown> },
  signal: AbortSignal,
  after: string | null = null,
): Promise<unknown[]> {
  const all: unknown[] = []
  let cursor = after
  for (;;) {
    const answer = await transport.request<Record<string, Record<string, Conn<unknown>> | undefined>>(
      {
        name: request.name,
        query: request.query,
        variables: { ...request.variables, after: cursor },
        scope: 'read',
      },
      signal,
    )
    const page = answer.data[root]?.[request.field]
    if (page === undefined) return all
    all.push(...page.nodes)
    if (!page.pageInfo.hasNextPage || page.pageInfo.endCursor === null) return all
    cursor = page.pageInfo.endCursor
  }
}

function customersOf(needs: Conn<Need> | undefined): Map<string, number | null> {
  const customers = new Map<string, number | null>()
  for (const need of needs?.nodes ?? [])
    if (need.customer !== null) customers.set(need.customer.id, need.customer.revenue)
  return customers
}

export function rawEpicOf(kind: EpicKind, node: EpicNode, teams: string[]): RawEpic {
  if (kind === 'projects') {
    const p = node as ProjectNode
    return {
      id: p.id,
      key: p.slugId,
      title: p.name,
      url: p.url,
      updatedAt: p.updatedAt,
      priority: p.priority,
      labelIds: p.labelIds,
      statusType: p.status.type,
      teamKeys: p.teams.nodes.map((t) => t.key).filter((key) => teams.includes(key)),
      projectName: p.name,
      scope: p.scope,
      blockerIds: p.inverseRelations.nodes.filter((r) => r.type === 'blocks').map((r) => r.project.id),
      customers: customersOf(p.needs),
      links: p.externalLinks?.nodes ?? [],
    }
  }
  const i = node as IssueNode
  const childEstimates = (i.children?.nodes ?? [])
    .map((c) => c.estimate)
    .filter((e): e is number => e !== null)
  return {
    id: i.id,
    key: i.identifier,
    title: i.title,
    url: i.url,
    updatedAt: i.updatedAt,
    priority: i.priority,
    labelIds: i.labelIds,
    statusType: i.state.type,
    teamKeys: teams.includes(i.team.key) ? [i.team.key] : [],
    projectName: i.project?.name ?? null,
    scope: i.estimate ?? (childEstimates.length > 0 ? childEstimates.reduce((a, b) => a + b, 0) : null),
    blockerIds: i.inverseRelations.nodes.filter((r) => r.type === 'blocks').map((r) => r.issue.id),
    customers: customersOf(i.needs),
    links: (i.attachments?.nodes ?? []).map((a) => ({
      label: a.title,
      url: a.url,
      subtitle: a.subtitle ?? null,
    })),
  }
}
