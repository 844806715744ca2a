import type { LabelRecord } from './records.ts'
import type { RequestContext } from './resolvers.ts'
import { invalidInput, notFound, SimulatorUnsupported } from './simulator-errors.ts'
import type { LinearWorkspace } from './workspace.ts'

/**
 * The mutations a connector uses to write back without custom fields (Linear has none): project
 * resource links, project and issue labels, issue attachments, and a few project edits. Each acts
 * as the API key's user, so webhooks name that user as the actor, as Linear's do.
 *
 * @see https://linear.app/developers/graphql
 */

type Input = Record<string, unknown>
type Mutation = (source: unknown, args: never, ctx: RequestContext) => unknown

const payload = (ws: LinearWorkspace, fields: object) => ({
  success: true,
  lastSyncId: ws.version,
  ...fields,
})

function rejectUnknown(input: Input, allowed: string[], what: string): void {
  for (const [key, value] of Object.entries(input))
    if (value !== undefined && !allowed.includes(key)) throw new SimulatorUnsupported(`${what}.${key}`)
}

/** Linear applies one label per group: adding a label replaces its siblings. */
function withLabel(
  labels: Map<string, LabelRecord>,
  current: string[],
  labelId: string,
  entity: string,
): string[] {
  const label = labels.get(labelId)
  if (label === undefined) throw notFound(entity)
  if (label.isGroup) throw invalidInput(`label ${label.name} is a group and cannot be applied`)
  const siblings = (id: string) => label.parentId !== null && labels.get(id)?.parentId === label.parentId
  return [...current.filter((id) => id !== labelId && !siblings(id)), labelId]
}

function createLabel(ctx: RequestContext, kind: 'ProjectLabel' | 'IssueLabel', input: Input) {
  rejectUnknown(
    input,
    ['name', 'color', 'description', 'parentId', 'isGroup', 'teamId'],
    `${kind}CreateInput`,
  )
  const labels = kind === 'ProjectLabel' ? ctx.ws.projectLabels : ctx.ws.issueLabels
  const name = String(input.name)
  const parentId = (input.parentId as string | undefined) ?? null
  const teamId = (input.teamId as string | undefined) ?? null
  for (const label of labels.values()) {
    if (
      label.name.toLowerCase() === name.toLowerCase() &&
      label.parentId === parentId &&
      label.teamId === teamId
    ) {
      throw invalidInput(`a label named ${name} already exists`)
    }
  }
  const options: {
    name: string
    parentId: string | null
    teamId: string | null
    isGroup: boolean
    color?: string
  } = {
    name,
    parentId,
    teamId,
    isGroup: input.isGroup === true,
  }
  if (typeof input.color === 'string') options.color = input.color
  return ctx.ws.createLabel(kind, options, ctx.viewer.id)
}

export const mutationResolvers: Record<string, Mutation> = {
  entityExternalLinkCreate: (_, { input }: { input: Input }, { ws, viewer }) => {
    rejectUnknown(input, ['projectId', 'label', 'url', 'sortOrder', 'id'], 'EntityExternalLinkCreateInput')
    if (typeof input.projectId !== 'string')
      throw new SimulatorUnsupported('external links on anything but projects')
    if (!ws.projects.has(input.projectId)) throw notFound('Project')
    const link = ws.createExternalLink(
      {
        projectId: input.projectId,
        label: String(input.label),
        url: String(input.url),
        ...(typeof input.sortOrder === 'number' ? { sortOrder: input.sortOrder } : {}),
      },
      viewer.id,
    )
    return payload(ws, { entityExternalLink: link })
  },
  entityExternalLinkUpdate: (_, { id, input }: { id: string; input: Input }, { ws }) => {
    rejectUnknown(input, ['label', 'url', 'sortOrder'], 'EntityExternalLinkUpdateInput')
    if (!ws.externalLinks.has(id)) throw notFound('EntityExternalLink')
    const link = ws.updateExternalLink(id, input as { label?: string; url?: string; sortOrder?: number })
    return payload(ws, { entityExternalLink: link })
  },
  entityExternalLinkDelete: (_, { id }: { id: string }, { ws }) => {
    if (!ws.externalLinks.has(id)) throw notFound('EntityExternalLink')
    ws.deleteExternalLink(id)
    return payload(ws, { entityId: id })
  },
  projectAddLabel: (_, { id, labelId }: { id: string; labelId: string }, { ws, viewer }) => {
    const project = ws.projects.get(id)
    if (project === undefined) throw notFound('Project')
    const labelIds = withLabel(ws.projectLabels, project.labelIds, labelId, 'ProjectLabel')
    return payload(ws, { project: ws.updateProject(id, { labelIds }, viewer.id) })
  },
  projectRemoveLabel: (_, { id, labelId }: { id: string; labelId: string }, { ws, viewer }) => {
    const project = ws.projects.get(id)
    if (project === undefined) throw notFound('Project')
    const labelIds = project.labelIds.filter((l) => l !== labelId)
    return payload(ws, { project: ws.updateProject(id, { labelIds }, viewer.id) })
  },
  issueAddLabel: (_, { id, labelId }: { id: string; labelId: string }, { ws, viewer }) => {
    const issue = ws.issues.get(id)
    if (issue === undefined) throw notFound('Issue')
    const labelIds = withLabel(ws.issueLabels, issue.labelIds, labelId, 'IssueLabel')
    return payload(ws, { issue: ws.updateIssue(id, { labelIds }, viewer.id) })
  },
  issueRemoveLabel: (_, { id, labelId }: { id: string; labelId: string }, { ws, viewer }) => {
    const issue = ws.issues.get(id)
    if (issue === undefined) throw notFound('Issue')
    const labelIds = issue.labelIds.filter((l) => l !== labelId)
    return payload(ws, { issue: ws.updateIssue(id, { labelIds }, viewer.id) })
  },
  projectLabelCreate: (_, { input }: { input: Input }, ctx) =>
    payload(ctx.ws, { projectLabel: createLabel(ctx, 'ProjectLabel', input) }),
  issueLabelCreate: (_, { input }: { input: Input }, ctx) =>
    payload(ctx.ws, { issueLabel: createLabel(ctx, 'IssueLabel', input) }),
  attachmentCreate: (_, { input }: { input: Input }, { ws, viewer }) => {
    rejectUnknown(
      input,
      ['issueId', 'url', 'title', 'subtitle', 'metadata', 'iconUrl', 'groupBySource', 'id'],
      'AttachmentCreateInput',
    )
    if (!ws.issues.has(String(input.issueId))) throw notFound('Issue')
    const fields: Parameters<LinearWorkspace['upsertAttachment']>[0] = {
      issueId: String(input.issueId),
      url: String(input.url),
      title: String(input.title),
    }
    if (typeof input.subtitle === 'string') fields.subtitle = input.subtitle
    if (typeof input.metadata === 'object' && input.metadata !== null)
      fields.metadata = input.metadata as Record<string, unknown>
    if (typeof input.iconUrl === 'string') fields.iconUrl = input.iconUrl
    if (typeof input.groupBySource === 'boolean') fields.groupBySource = input.groupBySource
    return payload(ws, { attachment: ws.upsertAttachment(fields, viewer.id) })
  },
  projectUpdate: (_, { id, input }: { id: string; input: Input }, { ws, viewer }) => {
    rejectUnknown(input, ['name', 'priority', 'labelIds', 'statusId', 'description'], 'ProjectUpdateInput')
    if (!ws.projects.has(id)) throw notFound('Project')
    const patch: Parameters<LinearWorkspace['updateProject']>[1] = {}
    if (typeof input.name === 'string') patch.name = input.name
    if (typeof input.priority === 'number') patch.priority = input.priority
    if (typeof input.description === 'string') patch.description = input.description
    if (Array.isArray(input.labelIds)) {
      for (const labelId of input.labelIds as string[])
        if (!ws.projectLabels.has(labelId)) throw notFound('ProjectLabel')
      patch.labelIds = input.labelIds as string[]
    }
    if (typeof input.statusId === 'string') {
      const status = ws.projectStatuses.get(input.statusId)
      if (status === undefined) throw notFound('ProjectStatus')
      patch.status = status.type
    }
    return payload(ws, { project: ws.updateProject(id, patch, viewer.id) })
  },
}
