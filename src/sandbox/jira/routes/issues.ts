import type { FastifyInstance } from 'fastify'
import type { SimContext } from '../context.ts'
import { MESSAGES, sendError } from '../errors.ts'
import type { IssuePatch, SimField } from '../model.ts'
import { fieldSelection, issueJson } from '../render.ts'
import type { JiraState } from '../state.ts'

/**
 * Get and edit one issue. An edit answers 204 with no body (the spec declares a body; Jira sends
 * none), sets only the fields named, and refuses a field that is not on the issue's edit screen.
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-put
 */
export function issueRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get<{ Params: { issueIdOrKey: string }; Querystring: { fields?: string | string[] } }>(
    '/rest/api/3/issue/:issueIdOrKey',
    async (request, reply) => {
      const issue = ctx.state.permissions.BROWSE_PROJECTS
        ? ctx.state.find(request.params.issueIdOrKey)
        : undefined
      if (issue === undefined) return sendError(reply, 404, [MESSAGES.issueNotFound])
      return issueJson(ctx.render(request), issue, fieldSelection(request.query.fields, 'all'))
    },
  )

  app.put<{ Params: { issueIdOrKey: string }; Body: { fields?: unknown; update?: unknown } }>(
    '/rest/api/3/issue/:issueIdOrKey',
    async (request, reply) => {
      const issue = ctx.state.permissions.BROWSE_PROJECTS
        ? ctx.state.find(request.params.issueIdOrKey)
        : undefined
      if (issue === undefined) return sendError(reply, 404, [MESSAGES.issueNotFound])
      if (!ctx.state.permissions.EDIT_ISSUES) return sendError(reply, 403, [MESSAGES.noEditPermission])
      const body = request.body ?? {}
      if (body.update !== undefined && Object.keys(body.update as object).length > 0) {
        return sendError(reply, 400, [
          'Jira simulator: only `fields` edits are supported, not `update` operations.',
        ])
      }
      const fields = (body.fields ?? {}) as Record<string, unknown>
      const { patch, errors } = editPatch(ctx.state, fields)
      if (Object.keys(errors).length > 0) return sendError(reply, 400, [], errors)
      ctx.state.updateIssue(issue.id, patch, { actor: 'api' })
      return reply.code(204).send()
    },
  )
}

/** Checks each field of an edit as Jira does and returns the patch, or the per-field errors. */
export function editPatch(
  state: JiraState,
  fields: Record<string, unknown>,
): { patch: IssuePatch; errors: Record<string, string> } {
  const errors: Record<string, string> = {}
  const patch: IssuePatch = { fields: {} }
  for (const [id, value] of Object.entries(fields)) {
    if (id === 'summary') {
      if (typeof value === 'string' && value.trim() !== '') patch.summary = value
      else errors.summary = 'You must specify a summary of the issue.'
      continue
    }
    if (id === 'labels') {
      if (Array.isArray(value) && value.every((l) => typeof l === 'string' && !/\s/.test(l)))
        patch.labels = value
      else errors.labels = 'Labels must be a list of words without spaces.'
      continue
    }
    const field = state.fields.get(id)
    if (field === undefined || !field.onScreen) {
      errors[id] = `Field '${id}' cannot be set. It is not on the appropriate screen, or unknown.`
      continue
    }
    const checked = checkValue(field, value)
    if (isValueError(checked)) errors[id] = checked.error
    else (patch.fields as Record<string, unknown>)[id] = checked
  }
  return { patch, errors }
}

export function isValueError(value: unknown): value is { error: string } {
  return typeof value === 'object' && value !== null && 'error' in value
}

/** The value as the state stores it, or the message Jira gives for it. */
export function checkValue(field: SimField, value: unknown): unknown {
  if (value === null) return null
  switch (field.type) {
    case 'float':
      return typeof value === 'number' && Number.isFinite(value)
        ? value
        : { error: 'Operation value must be a number' }
    case 'textfield':
      if (typeof value !== 'string') return { error: 'Operation value must be a string' }
      return value.length > 255
        ? { error: 'The entered text is too long. It exceeds the allowed limit of 255 characters.' }
        : value
    case 'url':
      // Jira checks the form of a URL field's value (the message here is unverified).
      return typeof value === 'string' && URL.canParse(value) ? value : { error: 'Not a valid URL' }
    case 'textarea':
      return isDocument(value)
        ? documentText(value)
        : { error: 'Operation value must be an Atlassian Document (see the Atlassian Document Format).' }
    case 'select': {
      const option = value as { value?: unknown }
      return typeof option === 'object' && typeof option.value === 'string'
        ? option.value
        : { error: 'Specify a valid value for the option field' }
    }
    case 'team':
      return typeof value === 'string' ? value : { error: 'Specify a valid team id' }
  }
}

interface Document {
  type: 'doc'
  content: Array<{ content?: Array<{ text?: string }> }>
}

function isDocument(value: unknown): value is Document {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'doc'
}

function documentText(doc: Document): string {
  return (doc.content ?? [])
    .map((block) => (block.content ?? []).map((n) => n.text ?? '').join(''))
    .join('\n')
}
