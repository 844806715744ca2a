import type { Logger } from '../../logger.ts'
import type { SyncOutcome, SyncPage, SyncRequest } from '../types.ts'
import { largestPage } from './complexity.ts'
import { readsDependencyLinks } from './dependency-links.ts'
import { completeNode, type EpicNode, rawEpicOf } from './epic-nodes.ts'
import { LabelCatalog, type LabelNode } from './labels.ts'
import { toSyncedEpic } from './mapping.ts'
import { epicPagePrefix, epicPageUrl, ownedOnEpic } from './owned.ts'
import {
  attachmentLinkFilter,
  type EpicKind,
  epicPageQuery,
  labelPageQuery,
  type SelectionNeeds,
  selectsLinks,
} from './queries.ts'
import {
  effortFromScope,
  type LinearSourceConfig,
  type LinearTuning,
  usesCustomerRevenue,
  usesLabels,
  usesProjectNames,
} from './settings.ts'
import type { LinearTransport } from './transport.ts'
import type { WorkspaceFacts } from './workspace-facts.ts'

export interface SyncContext {
  source: LinearSourceConfig
  transport: LinearTransport
  facts: WorkspaceFacts
  tuning: LinearTuning
  logger: Logger
  /** onetrack's own address: links to it (the write-back link) are never dependencies. */
  publicUrl?: string
}

interface PageInfo {
  hasNextPage: boolean
  endCursor: string | null
}

interface Conn<T> {
  nodes: T[]
  pageInfo: PageInfo
}

interface PageData {
  projects?: Conn<EpicNode>
  issues?: Conn<EpicNode>
  teams?: { nodes: Array<{ id: string; key: string }> }
  projectLabels?: Conn<LabelNode>
  issueLabels?: Conn<LabelNode>
}

/**
 * Linear charges complexity for the page size asked, not the items returned: an incremental sync,
 * which usually finds a handful of changes, starts with a small page and grows to full pages only
 * when there is more.
 */
const INCREMENTAL_FIRST_PAGE = 50

/** Epics in scope: projects of the configured teams, or their issues with sub-issues / the epic label. */
export function scopeFilter(source: LinearSourceConfig): Record<string, unknown> {
  if (source.epics === 'projects') return { accessibleTeams: { some: { key: { in: source.teams } } } }
  const team = { team: { key: { in: source.teams } } }
  if (source.epics === 'parent-issues') return { ...team, children: { length: { gt: 0 } } }
  return { ...team, labels: { some: { name: { eqIgnoreCase: source.epicLabel ?? '' } } } }
}

/**
 * Reads epics page by page (each page awaited by the caller before the next is fetched).
 *
 * - full: every epic in scope, in creation order (which edits do not shuffle between pages), archived
 *   and trashed left out; `inScope` lists them all so the caller can retire the rest.
 * - incremental: `updatedAt > cursor`, in update order. Relations have no `updatedAt` effect nor
 *   webhook in Linear, so dependency changes arrive with the periodic full sync.
 * - epic: one epic, archived included so that archiving or deleting it reads as `gone`.
 *
 * The cursor is the latest `updatedAt` seen, but never later than one second before the server's
 * `Date` on the first answer: an epic edited while the sync ran is read again next time rather
 * than missed. A targeted sync leaves the cursor where it was.
 *
 * @see https://linear.app/developers/filtering
 */
export async function syncEpics(
  ctx: SyncContext,
  request: SyncRequest,
  onPage: (page: SyncPage) => Promise<void>,
): Promise<SyncOutcome> {
  const { source, transport, tuning } = ctx
  const startedWith = transport.requestCount()
  const kind: EpicKind = source.epics === 'projects' ? 'projects' : 'issues'
  const publicUrl = source.writeBack.enabled && ctx.publicUrl !== undefined ? ctx.publicUrl : ''
  const needs: SelectionNeeds = {
    needs: usesCustomerRevenue(source),
    children: kind === 'issues' && effortFromScope(source),
    projectName: usesProjectNames(source),
    links: readsDependencyLinks(source),
    owned: publicUrl !== '',
    teamCount: source.teams.length,
  }
  const linkFilter =
    kind === 'issues' && selectsLinks(needs)
      ? attachmentLinkFilter(
          [...source.dependencyLinks.blockedBy, ...source.dependencyLinks.blocks],
          needs.owned ? epicPagePrefix(publicUrl) : undefined,
        )
      : undefined
  const mode = request.mode === 'incremental' && request.cursor === null ? 'full' : request.mode
  const scope = scopeFilter(source)
  const filter =
    mode === 'epic'
      ? { and: [scope, { id: { eq: request.externalId ?? '' } }] }
      : mode === 'incremental'
        ? { and: [scope, { updatedAt: { gt: request.cursor } }] }
        : scope
  const base = {
    teams: source.teams,
    filter,
    includeArchived: mode === 'epic',
    orderBy: mode === 'incremental' ? 'updatedAt' : 'createdAt',
    ...(linkFilter === undefined ? {} : { linkFilter }),
  }
  const catalog = new LabelCatalog()
  const inScope: string[] = []
  let after: string | null = null
  let serverStart: number | null = null
  let latest: string | null = null
  let gone = mode === 'epic'
  for (let first = true; ; first = false) {
    const query = epicPageQuery(kind, needs, first ? { labels: usesLabels(source) } : null)
    const variables: Record<string, unknown> = {
      ...base,
      after,
      ...(first ? { teamCount: source.teams.length } : {}),
    }
    if (kind === 'issues' && !first) delete variables.teams
    const largest = largestPage(query, variables, 'first', tuning.complexityTarget)
    variables.first =
      mode === 'epic'
        ? 1
        : mode === 'incremental' && first
          ? Math.min(INCREMENTAL_FIRST_PAGE, largest)
          : largest
    const answer = await transport.request<PageData>(
      { name: `${kind} page`, query, variables, scope: 'read' },
      request.signal,
    )
    if (first) {
      serverStart = dateOf(answer.headers)
      await learn(ctx, kind, answer.data, catalog, request.signal)
    }
    const page = answer.data[kind]
    if (page === undefined) break
    const epics = []
    const chronic = source.writeBack.chronicLabel
    const chronicIds = chronic === undefined ? null : catalog.idsNamed(chronic)
    for (const node of page.nodes) {
      if (node.archivedAt !== null || node.trashed === true) continue
      await completeNode(kind, node, transport, request.signal, { linkFilter, owned: needs.owned })
      const raw = rawEpicOf(kind, node, source.teams)
      const epic = toSyncedEpic(raw, source, catalog, ctx.publicUrl)
      // The links are complete here (completeNode read any overflow), so a missing one is truly gone.
      if (needs.owned) {
        const pageUrl = epicPageUrl(publicUrl, source.id, raw.id)
        epic.owned = ownedOnEpic(kind, pageUrl, { links: raw.links, labelIds: raw.labelIds, chronicIds })
      }
      epics.push(epic)
      inScope.push(epic.externalId)
      if (latest === null || Date.parse(epic.updatedAt) > Date.parse(latest)) latest = epic.updatedAt
      gone = false
    }
    if (epics.length > 0) await onPage({ epics })
    if (!page.pageInfo.hasNextPage || page.pageInfo.endCursor === null || mode === 'epic') break
    after = page.pageInfo.endCursor
  }
  const requests = transport.requestCount() - startedWith
  if (mode === 'epic') return { cursor: request.cursor, gone, requests }
  const cursor = nextCursor(request.cursor, latest, serverStart)
  ctx.logger.debug({ mode, epics: inScope.length, requests, cursor }, 'Linear sync done')
  return mode === 'full' ? { cursor, inScope, requests } : { cursor, requests }
}

/** From the first answer: the configured teams' ids and the whole label catalogue. */
async function learn(
  ctx: SyncContext,
  kind: EpicKind,
  data: PageData,
  catalog: LabelCatalog,
  signal: AbortSignal,
) {
  const teams = data.teams?.nodes ?? []
  ctx.facts.learnTeams(teams)
  const missing = ctx.source.teams.filter((key) => !teams.some((t) => t.key === key))
  if (missing.length > 0 && data.teams !== undefined) {
    ctx.logger.warn(
      { teams: missing },
      'Linear teams in the config not found (or not visible to the API key)',
    )
  }
  let labels = kind === 'projects' ? data.projectLabels : data.issueLabels
  while (labels !== undefined) {
    catalog.add(labels.nodes)
    if (!labels.pageInfo.hasNextPage) break
    const more = await ctx.transport.request<PageData>(
      {
        name: 'labels',
        query: labelPageQuery(kind),
        variables: { after: labels.pageInfo.endCursor },
        scope: 'read',
      },
      signal,
    )
    labels = kind === 'projects' ? more.data.projectLabels : more.data.issueLabels
  }
  const chronic = ctx.source.writeBack.chronicLabel
  if (chronic !== undefined) ctx.facts.learnChronicLabels(catalog.idsNamed(chronic))
}

function dateOf(headers: Headers): number | null {
  const date = Date.parse(headers.get('date') ?? '')
  return Number.isFinite(date) ? date : null
}

export function nextCursor(
  previous: string | null,
  latest: string | null,
  serverStart: number | null,
): string | null {
  const safe = serverStart === null ? null : serverStart - 1000
  if (latest === null) return previous ?? (safe === null ? null : new Date(safe).toISOString())
  if (safe === null || Date.parse(latest) <= safe) return latest
  return new Date(safe).toISOString()
}
