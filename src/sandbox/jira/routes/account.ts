import type { FastifyInstance } from 'fastify'
import type { SimContext } from '../context.ts'
import { sendError } from '../errors.ts'
import type { PermissionKey } from '../model.ts'
import { userJson } from '../render.ts'

/**
 * The caller's account (with its time zone, which JQL dates are read in) and its permissions.
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-myself/#api-rest-api-3-myself-get
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-permissions/#api-rest-api-3-mypermissions-get
 */
export function accountRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get('/rest/api/3/myself', async (request) => userJson(ctx.render(request)))

  app.get<{ Querystring: { permissions?: string } }>('/rest/api/3/mypermissions', async (request, reply) => {
    const keys = (request.query.permissions ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== '')
    if (keys.length === 0) return sendError(reply, 400, ["The 'permissions' query parameter is required."])
    const unknown = keys.filter((k) => !(k in PERMISSIONS))
    if (unknown.length > 0)
      return sendError(reply, 400, [`Unrecognized permission keys: ${unknown.join(', ')}`])
    const permissions = Object.fromEntries(
      keys.map((key) => {
        const meta = PERMISSIONS[key as PermissionKey]
        return [key, { ...meta, key, havePermission: ctx.state.permissions[key as PermissionKey] }]
      }),
    )
    return { permissions }
  })
}

const PERMISSIONS: Record<
  PermissionKey,
  { id: string; name: string; type: 'GLOBAL' | 'PROJECT'; description: string }
> = {
  BROWSE_PROJECTS: {
    id: '10',
    name: 'Browse Projects',
    type: 'PROJECT',
    description: 'Ability to browse projects and the issues within them.',
  },
  EDIT_ISSUES: { id: '12', name: 'Edit Issues', type: 'PROJECT', description: 'Ability to edit issues.' },
  ADMINISTER: {
    id: '0',
    name: 'Administer Jira',
    type: 'GLOBAL',
    description: 'Create and administer projects, issue types, fields, workflows and schemes.',
  },
  BULK_CHANGE: {
    id: '33',
    name: 'Make bulk changes',
    type: 'GLOBAL',
    description: 'Ability to modify a collection of issues at once.',
  },
}
