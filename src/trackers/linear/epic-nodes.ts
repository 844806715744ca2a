import type { RawEpic } from './mapping.ts'
import { type EpicKind, overflowQuery } from './queries.ts'
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
  inverseRelations: Conn<{ type: string; project: { id: string } }>
  needs?: Conn<Need>
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
  inverseRelations: Conn<{ type: string; issue: { id: string } }>
  children?: Conn<{ estimate: number | null }>
  needs?: Conn<Need>
}

export type EpicNode = ProjectNode | IssueNode

type Overflow = 'blockers' | 'needs' | 'children'
const FIELD: Record<Overflow, 'inverseRelations' | 'needs' | 'children'> = {
  blockers: 'inverseRelations',
  needs: 'needs',
  children: 'children',
}

/** Fetches what did not fit in the page's nested connections, in place. */
export async function completeNode(
  kind: EpicKind,
  node: EpicNode,
  transport: LinearTransport,
  signal: AbortSignal,
): Promise<void> {
  for (const overflow of ['blockers', 'needs', 'children'] as const) {
    const field = FIELD[overflow]
    const conn = (node as unknown as Record<string, Conn<unknown> | undefined>)[field]
    if (conn === undefined) continue
    let pageInfo = conn.pageInfo
    while (pageInfo.hasNextPage) {
      const root = kind === 'projects' ? 'project' : 'issue'
      const answer = await transport.request<Record<string, Record<string, Conn<unknown>>>>(
        {
          name: `${root} ${overflow}`,
          query: overflowQuery(kind, overflow),
          variables: { id: node.id, after: pageInfo.endCursor },
          scope: 'read',
        },
        signal,
      )
      const more = answer.data[root]?.[field]
      if (more === undefined) break
      conn.nodes.push(...more.nodes)
      pageInfo = more.pageInfo
    }
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
  }
}
