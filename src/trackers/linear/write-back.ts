import type { Logger } from '../../logger.ts'
import type { WriteBackItem, WriteBackOutcome } from '../types.ts'
import { ChronicLabel, type LabelNodes } from './chronic-label.ts'
import { largestPage } from './complexity.ts'
import { type MutationOp, runBatch } from './mutation-batch.ts'
import { PROJECT_ALL_LINKS_QUERY, projectLinksQuery } from './queries.ts'
import type { LinearSourceConfig, LinearTuning } from './settings.ts'
import type { LinearTransport } from './transport.ts'
import type { WorkspaceFacts } from './workspace-facts.ts'
import { attachmentText, type Changes, changesOf, linkLabel } from './write-back-text.ts'

export interface WriteBackContext {
  source: LinearSourceConfig
  transport: LinearTransport
  facts: WorkspaceFacts
  tuning: LinearTuning
  logger: Logger
}

/** Awaited with the epics Linear has accepted every write of, as they are accepted. */
export type OnWritten = (epicIds: string[]) => Promise<void>

export interface Pending {
  item: WriteBackItem
  changes: Changes
}

interface Link {
  id: string
  url: string
  label: string
}

interface ProjectLinks {
  id: string
  labelIds: string[]
  externalLinks: { nodes: Link[]; pageInfo: { hasNextPage: boolean } }
}

/** Rounds of "read the state, write what differs" before an epic whose writes keep failing is given up. */
const ROUNDS = 3

/**
 * Writes onetrack's values to Linear (see write-back-text.ts for the form). Per round: read the
 * current state of the changed epics (one query for up to a page of projects; none for issues,
 * whose attachment is an upsert), derive the mutations that make it match, send them batched.
 * Everything is derived from the current state, so running it again is harmless; only links whose
 * URL is the epic's onetrack page and the configured chronic label are ever touched.
 *
 * `onWritten` hears of each epic once, as soon as it is written: the unchanged ones first, then
 * each batch's epics whose every op Linear accepted. Failed epics, and epics whose fate a refused
 * batch left unknown (until a later round writes them), are never reported.
 */
export async function writeBack(
  ctx: WriteBackContext,
  items: WriteBackItem[],
  signal: AbortSignal,
  onWritten?: OnWritten,
): Promise<WriteBackOutcome> {
  const startedWith = ctx.transport.requestCount()
  const kind = ctx.source.epics === 'projects' ? 'projects' : 'issues'
  const written: string[] = []
  const failed: WriteBackOutcome['failed'] = []
  if (!ctx.source.writeBack.enabled) {
    return {
      written,
      failed: items.map((i) => ({ epicId: i.epicId, reason: 'write-back is disabled' })),
      requests: 0,
    }
  }
  let pending: Pending[] = []
  for (const item of items) {
    const changes = changesOf(kind, item.values, item.previous, ctx.source.writeBack.chronicLabel)
    if (!/^https?:\/\//.test(item.values.pageUrl))
      failed.push({ epicId: item.epicId, reason: 'pageUrl is not an http(s) URL' })
    else if (changes.text || changes.chronic) pending.push({ item, changes })
    else written.push(item.epicId)
  }
  await report(onWritten, written)
  const chronic = new ChronicLabel(ctx, kind)
  for (let round = 1; pending.length > 0; round++) {
    if (round > ROUNDS) {
      for (const p of pending)
        failed.push({ epicId: p.item.epicId, reason: 'Linear kept refusing the write' })
      break
    }
    const retry: Pending[] = []
    const chunks = kind === 'projects' ? chunked(pending, lookupPageSize(ctx)) : [pending]
    for (const chunk of chunks) {
      const ops = new Map<Pending, MutationOp[]>()
      if (kind === 'projects') await projectOps(ctx, chunk, chronic, ops, failed, signal)
      else for (const p of chunk) ops.set(p, await issueOps(p, chronic, signal))
      await send(ctx, ops, { written, failed, retry, onWritten }, signal)
    }
    pending = retry
  }
  return { written, failed, requests: ctx.transport.requestCount() - startedWith }
}

function lookupPageSize(ctx: WriteBackContext): number {
  const query = projectLinksQuery(ctx.source.writeBack.chronicLabel !== undefined)
  return largestPage(query, { ids: [], label: '' }, 'first', ctx.tuning.complexityTarget)
}

async function projectOps(
  ctx: WriteBackContext,
  chunk: Pending[],
  chronic: ChronicLabel,
  ops: Map<Pending, MutationOp[]>,
  failed: WriteBackOutcome['failed'],
  signal: AbortSignal,
): Promise<void> {
  const label = chronic.wanted(chunk) ? ctx.source.writeBack.chronicLabel : undefined
  const answer = await ctx.transport.request<{
    projects: { nodes: ProjectLinks[] }
    projectLabels?: LabelNodes
  }>(
    {
      name: 'project links',
      query: projectLinksQuery(label !== undefined),
      variables: {
        ids: chunk.map((p) => p.item.externalId),
        first: chunk.length,
        ...(label === undefined ? {} : { label }),
      },
      scope: 'read',
    },
    signal,
  )
  if (answer.data.projectLabels !== undefined) chronic.found(answer.data.projectLabels)
  const projects = new Map(answer.data.projects.nodes.map((node) => [node.id, node]))
  for (const p of chunk) {
    const project = projects.get(p.item.externalId)
    if (project === undefined) {
      failed.push({
        epicId: p.item.epicId,
        reason: 'project not found in Linear (deleted, archived or not visible)',
      })
      continue
    }
    const links = project.externalLinks.pageInfo.hasNextPage
      ? await allLinks(ctx, project.id, signal)
      : project.externalLinks.nodes
    const list: MutationOp[] = []
    if (p.changes.text) list.push(...linkOps(p.item, links))
    if (p.changes.chronic) {
      const labelId = await chronic.id(p.item.values.chronic, signal)
      const has = labelId !== null && project.labelIds.includes(labelId)
      if (labelId !== null && has !== p.item.values.chronic) {
        const field = p.item.values.chronic ? 'projectAddLabel' : 'projectRemoveLabel'
        list.push({
          epicId: p.item.epicId,
          field,
          args: { id: ['String!', project.id], labelId: ['String!', labelId] },
        })
      }
    }
    ops.set(p, list)
  }
}

/** One link per epic: create it, or update the one whose URL is (or was) the epic's page. */
function linkOps(item: WriteBackItem, links: Link[]): MutationOp[] {
  const { values, previous, epicId } = item
  const label = linkLabel(values)
  const own = links.filter((l) => l.url === values.pageUrl || l.url === previous?.pageUrl)
  const [first, ...duplicates] = own
  const ops: MutationOp[] = duplicates.map((l) => ({
    epicId,
    field: 'entityExternalLinkDelete',
    args: { id: ['String!', l.id] },
  }))
  if (first === undefined) {
    const input = { projectId: item.externalId, label, url: values.pageUrl }
    ops.push({
      epicId,
      field: 'entityExternalLinkCreate',
      args: { input: ['EntityExternalLinkCreateInput!', input] },
    })
  } else if (first.label !== label || first.url !== values.pageUrl) {
    const input = { label, url: values.pageUrl }
    ops.push({
      epicId,
      field: 'entityExternalLinkUpdate',
      args: { id: ['String!', first.id], input: ['EntityExternalLinkUpdateInput!', input] },
    })
  }
  return ops
}

async function allLinks(ctx: WriteBackContext, id: string, signal: AbortSignal): Promise<Link[]> {
  const answer = await ctx.transport.request<{ project: { externalLinks: { nodes: Link[] } } }>(
    { name: 'project links (all)', query: PROJECT_ALL_LINKS_QUERY, variables: { id }, scope: 'read' },
    signal,
  )
  return answer.data.project.externalLinks.nodes
}

/** An issue's attachment is an upsert by (issue, URL): no read needed before writing it. */
async function issueOps(p: Pending, chronic: ChronicLabel, signal: AbortSignal): Promise<MutationOp[]> {
  const { epicId, externalId, values } = p.item
  const ops: MutationOp[] = []
  if (p.changes.text) {
    const input = { issueId: externalId, url: values.pageUrl, ...attachmentText(values) }
    ops.push({ epicId, field: 'attachmentCreate', args: { input: ['AttachmentCreateInput!', input] } })
  }
  if (p.changes.chronic) {
    const labelId = await chronic.id(values.chronic, signal)
    if (labelId !== null) {
      const field = values.chronic ? 'issueAddLabel' : 'issueRemoveLabel'
      ops.push({ epicId, field, args: { id: ['String!', externalId], labelId: ['String!', labelId] } })
    }
  }
  return ops
}

interface Results {
  written: string[]
  failed: WriteBackOutcome['failed']
  retry: Pending[]
  onWritten: OnWritten | undefined
}

/**
 * Sends the ops in batches; an epic is written when all its ops ran (reported right after the batch
 * that ran its last one; at once when it needs none), failed when one was refused.
 */
async function send(
  ctx: WriteBackContext,
  ops: Map<Pending, MutationOp[]>,
  { written, failed, retry, onWritten }: Results,
  signal: AbortSignal,
): Promise<void> {
  const refused = new Map<string, string>()
  const unknown = new Set<string>()
  const left = new Map<string, number>()
  for (const [p, list] of ops) left.set(p.item.epicId, (left.get(p.item.epicId) ?? 0) + list.length)
  await report(
    onWritten,
    [...left].filter(([, count]) => count === 0).map(([epicId]) => epicId),
  )
  let queue = [...ops.values()].flat()
  while (queue.length > 0) {
    const batch = queue.slice(0, ctx.tuning.mutationsPerRequest)
    const outcome = await runBatch(ctx.transport, batch, signal)
    if (outcome.refused !== null) refused.set(outcome.refused.op.epicId, outcome.refused.reason)
    for (const op of outcome.unknown) unknown.add(op.epicId)
    const accepted: string[] = []
    for (const op of outcome.done) {
      const count = (left.get(op.epicId) ?? 1) - 1
      left.set(op.epicId, count)
      if (count === 0) accepted.push(op.epicId)
    }
    // Ops of epics already refused are dropped; the rest of an interrupted batch goes back to the round.
    queue = queue.slice(batch.length).filter((op) => !refused.has(op.epicId) && !unknown.has(op.epicId))
    await report(onWritten, accepted)
  }
  for (const [p] of ops) {
    const reason = refused.get(p.item.epicId)
    if (reason !== undefined)
      failed.push({ epicId: p.item.epicId, reason: `Linear refused the write: ${reason}` })
    else if (unknown.has(p.item.epicId)) retry.push(p)
    else written.push(p.item.epicId)
  }
  if (refused.size > 0)
    ctx.logger.warn({ refused: refused.size }, 'Linear refused some write-back operations')
}

async function report(onWritten: OnWritten | undefined, epicIds: string[]): Promise<void> {
  if (onWritten !== undefined && epicIds.length > 0) await onWritten([...epicIds])
}

function chunked<T>(list: T[], size: number): T[][] {
  const chunks: T[][] = []
  for (let i = 0; i < list.length; i += size) chunks.push(list.slice(i, i + size))
  return chunks
}
