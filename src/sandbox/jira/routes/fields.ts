import type { FastifyInstance } from 'fastify'
import type { SimContext } from '../context.ts'
import { MESSAGES, sendError } from '../errors.ts'
import { CUSTOM_TYPE_PREFIX, type CustomFieldType, TEAM_FIELD_TYPE } from '../model.ts'
import { customFieldJson, fieldDetailsJson, issueTypeJson } from '../render.ts'

/**
 * Fields and issue types. Creating a custom field needs Administer Jira; the new field has a global
 * context but is on no screen, so edits of it fail until it is added to one (here: the default
 * screen, which the simulator's issues all use).
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-fields/#api-rest-api-3-field-post
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-screens/#api-rest-api-3-screens-addtodefault-fieldid-post
 */
export function fieldRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get('/rest/api/3/field', async (request) => fieldDetailsJson(ctx.render(request)))

  app.post<{ Body: { name?: unknown; type?: unknown; searcherKey?: unknown; description?: unknown } }>(
    '/rest/api/3/field',
    async (request, reply) => {
      if (!ctx.state.permissions.ADMINISTER) return sendError(reply, 403, [MESSAGES.notAdmin])
      const { name, type, searcherKey, description } = request.body ?? {}
      if (typeof name !== 'string' || name.trim() === '') {
        return sendError(reply, 400, [], { name: 'You must specify a name for the custom field.' })
      }
      const fieldType = typeof type === 'string' ? TYPES[type] : undefined
      if (fieldType === undefined) {
        return sendError(reply, 400, [], { type: `The custom field type '${String(type)}' is not valid.` })
      }
      if (searcherKey !== undefined && !(SEARCHERS[fieldType] ?? []).includes(String(searcherKey))) {
        return sendError(reply, 400, [], {
          searcherKey: `The searcher key '${String(searcherKey)}' is not valid for the field type '${type}'.`,
        })
      }
      const field = ctx.state.addField({
        name,
        type: fieldType,
        searcherKey: searcherKey === undefined ? null : String(searcherKey),
        description: typeof description === 'string' ? description : '',
        onScreen: false,
      })
      return reply.code(201).send(customFieldJson(field))
    },
  )

  app.post<{ Params: { fieldId: string } }>(
    '/rest/api/3/screens/addToDefault/:fieldId',
    async (request, reply) => {
      if (!ctx.state.permissions.ADMINISTER) return sendError(reply, 403, [MESSAGES.notAdmin])
      const field = ctx.state.fields.get(request.params.fieldId)
      if (field === undefined || field.onScreen) {
        return sendError(reply, 404, [
          `The field ${request.params.fieldId} does not exist or is already on the screen.`,
        ])
      }
      field.onScreen = true
      return {}
    },
  )

  app.get('/rest/api/3/issuetype', async (request) => {
    const render = ctx.render(request)
    return [...ctx.state.issueTypes.values()].map((type) => issueTypeJson(render, type))
  })
}

const TYPES: Record<string, CustomFieldType> = {
  [`${CUSTOM_TYPE_PREFIX}float`]: 'float',
  [`${CUSTOM_TYPE_PREFIX}textfield`]: 'textfield',
  [`${CUSTOM_TYPE_PREFIX}textarea`]: 'textarea',
  [`${CUSTOM_TYPE_PREFIX}url`]: 'url',
  [`${CUSTOM_TYPE_PREFIX}select`]: 'select',
  [TEAM_FIELD_TYPE]: 'team',
}

const SEARCHERS: Partial<Record<CustomFieldType, string[]>> = {
  float: [`${CUSTOM_TYPE_PREFIX}exactnumber`, `${CUSTOM_TYPE_PREFIX}numberrange`],
  textfield: [`${CUSTOM_TYPE_PREFIX}textsearcher`],
  textarea: [`${CUSTOM_TYPE_PREFIX}textsearcher`],
  url: [`${CUSTOM_TYPE_PREFIX}exacttextsearcher`],
  select: [`${CUSTOM_TYPE_PREFIX}multiselectsearcher`],
}
