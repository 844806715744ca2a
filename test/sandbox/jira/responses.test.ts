import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  addScoringFields,
  createJiraSimulator,
  type JiraSimulator,
  seedEpics,
} from '../../../src/sandbox/jira/index.ts'
import { type SpecValidator, specPath, specValidator } from './openapi.ts'

interface Captured {
  method: string
  route: string
  status: number
  body: string
}

/**
 * Every response the simulator serves, on every route it serves, success and error alike, is checked
 * against the operation's schema in Atlassian's OpenAPI description. Error statuses the description
 * gives no body for must still be Jira's ErrorCollection (BulkOperationErrorResponse on bulk routes).
 */
describe('Jira simulator responses', () => {
  let sim: JiraSimulator
  let url: string
  let spec: SpecValidator
  const captured: Captured[] = []
  let auth: string

  beforeAll(async () => {
    spec = specValidator()
    sim = createJiraSimulator({ account: { timeZone: 'Europe/Berlin' } })
    sim.app.addHook('onSend', async (request, reply, payload) => {
      captured.push({
        method: request.method,
        route: request.routeOptions.url ?? request.url,
        status: reply.statusCode,
        body:
          typeof payload === 'string'
            ? payload
            : payload === null || payload === undefined
              ? ''
              : String(payload),
      })
      return payload
    })
    const fields = addScoringFields(sim.state)
    const epics = seedEpics(sim.state, fields, { count: 30, projects: ['SHOP', 'PAY'] })
    const story = sim.state.addIssue({ project: 'SHOP', type: 'Story', parent: epics[0]?.id as string })
    sim.state.link(epics[1]?.id as string, epics[0]?.id as string)
    sim.state.updateIssue(story.id, { components: ['Checkout API'], status: "Won't Do" })
    url = await sim.listen()
    auth = `Basic ${Buffer.from(`${sim.account.email}:${sim.account.apiToken}`).toString('base64')}`
    await exercise(fields.value.id, epics[0]?.id as string, epics[1]?.key as string)
  })

  afterAll(() => sim.close())

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: auth,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await response.text()
    return {
      status: response.status,
      json: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
    }
  }

  async function exercise(valueField: string, epicId: string, epicKey: string): Promise<void> {
    await call('GET', '/rest/api/3/myself')
    await call('GET', '/rest/api/3/myself', undefined, { authorization: 'Basic d3Jvbmc6d3Jvbmc=' })
    await call(
      'GET',
      '/rest/api/3/mypermissions?permissions=BROWSE_PROJECTS,EDIT_ISSUES,ADMINISTER,BULK_CHANGE',
    )
    await call('GET', '/rest/api/3/mypermissions')
    await call('GET', '/rest/api/3/issuetype')
    await call('GET', '/rest/api/3/field')
    const type = 'com.atlassian.jira.plugin.system.customfieldtypes:'
    const created = await call('POST', '/rest/api/3/field', {
      name: 'onetrack score',
      type: `${type}float`,
      searcherKey: `${type}exactnumber`,
    })
    await call('POST', '/rest/api/3/field', { name: 'bad', type: `${type}nope` })
    await call('POST', `/rest/api/3/screens/addToDefault/${String(created.json?.id)}`)
    await call('POST', `/rest/api/3/screens/addToDefault/${String(created.json?.id)}`)
    const first = await call('POST', '/rest/api/3/search/jql', {
      jql: 'project in (SHOP, PAY) AND issuetype = Epic ORDER BY updated ASC, key ASC',
      fields: [
        'summary',
        'status',
        'issuetype',
        'project',
        'labels',
        'components',
        'resolution',
        'issuelinks',
        'parent',
        'updated',
        'created',
        valueField,
      ],
      maxResults: 20,
    })
    await call('POST', '/rest/api/3/search/jql', {
      jql: 'project in (SHOP, PAY) AND issuetype = Epic ORDER BY updated ASC, key ASC',
      fields: ['*all'],
      maxResults: 20,
      nextPageToken: first.json?.nextPageToken,
    })
    await call(
      'GET',
      `/rest/api/3/search/jql?jql=${encodeURIComponent('project = SHOP')}&fields=summary,parent&maxResults=5`,
    )
    await call('GET', `/rest/api/3/search/jql?jql=${encodeURIComponent(`parent = ${epicKey}`)}`)
    await call('POST', '/rest/api/3/search/jql', { jql: 'project = NOPE' })
    await call('POST', '/rest/api/3/search/jql', { jql: 'ORDER BY key' })
    await call('POST', '/rest/api/3/search/approximate-count', { jql: 'project = SHOP' })
    await call('POST', '/rest/api/3/search/approximate-count', { jql: 'project = = SHOP' })
    await call('GET', `/rest/api/3/issue/${epicId}`)
    await call('GET', '/rest/api/3/issue/99999')
    await call('PUT', `/rest/api/3/issue/${epicId}?notifyUsers=false`, { fields: { [valueField]: 8 } })
    await call('PUT', `/rest/api/3/issue/${epicId}`, { fields: { [valueField]: 'eight', customfield_1: 1 } })
    await call('PUT', '/rest/api/3/issue/99999', { fields: {} })
    const bulk = await call('POST', '/rest/api/3/bulk/issues/fields', {
      selectedIssueIdsOrKeys: [epicId, '99999'],
      selectedActions: [valueField],
      editedFieldsInput: { clearableNumberFields: [{ fieldId: valueField, value: 3 }] },
      sendBulkNotification: false,
    })
    await call('POST', '/rest/api/3/bulk/issues/fields', {
      selectedIssueIdsOrKeys: [epicId],
      selectedActions: ['customfield_404'],
      editedFieldsInput: { clearableNumberFields: [{ fieldId: valueField, value: 3 }] },
    })
    await call('GET', `/rest/api/3/bulk/queue/${String(bulk.json?.taskId)}`)
    await call('GET', '/rest/api/3/bulk/queue/1')
    sim.setPermissions({ ADMINISTER: false, EDIT_ISSUES: false, BULK_CHANGE: false })
    await call('POST', '/rest/api/3/field', { name: 'x', type: `${type}float` })
    await call('PUT', `/rest/api/3/issue/${epicId}`, { fields: { [valueField]: 9 } })
    await call('POST', '/rest/api/3/bulk/issues/fields', { selectedIssueIdsOrKeys: [epicId] })
    sim.setPermissions({ ADMINISTER: true, EDIT_ISSUES: true, BULK_CHANGE: true })
    sim.rateLimit({ next: 1, retryAfterSeconds: 2 })
    await call('GET', '/rest/api/3/field')
    sim.failNext(1, 503)
    await call('GET', '/rest/api/3/issuetype')
    await call('GET', '/rest/api/3/nothing-here')
  }

  it('serves only operations the OpenAPI description has', () => {
    for (const route of sim.routes()) {
      const [method, path] = route.split(' ') as [string, string]
      expect(spec.hasOperation(method, specPath(path)), route).toBe(true)
    }
  })

  it('was exercised with a successful call on every route it serves', () => {
    const succeeded = new Set(captured.filter((c) => c.status < 300).map((c) => `${c.method} ${c.route}`))
    expect(sim.routes().filter((route) => !succeeded.has(route))).toEqual([])
  })

  it('answers every request with a body that matches the operation’s schema', () => {
    const problems: string[] = []
    for (const c of captured) {
      const path = specPath(c.route)
      const at = `${c.method} ${c.route} → ${c.status}`
      if (c.status === 204) {
        if (c.body !== '') problems.push(`${at}: 204 with a body`)
        continue
      }
      const body: unknown = JSON.parse(c.body)
      if (spec.hasOperation(c.method, path) && spec.hasSchema(c.method, path, c.status)) {
        problems.push(...spec.validate(c.method, path, c.status, body))
      } else if (c.status >= 400) {
        const shape =
          c.route.startsWith('/rest/api/3/bulk/') && c.status !== 404
            ? 'BulkOperationErrorResponse'
            : 'ErrorCollection'
        problems.push(...spec.validateComponent(shape, body).map((p) => `${at}: ${p}`))
      } else {
        problems.push(`${at}: no schema to check against`)
      }
    }
    expect(problems).toEqual([])
    expect(captured.length).toBeGreaterThan(30)
  })

  it('has a checker that notices a body breaking the schema', () => {
    const search = '/rest/api/3/search/jql'
    expect(spec.validate('POST', search, 200, { issues: [], isLast: true })).toEqual([])
    expect(spec.validate('POST', search, 200, { issues: [], isLast: true, nextPageToken: null })).not.toEqual(
      [],
    )
    expect(spec.validate('POST', search, 200, { issues: [{ id: 1 }], isLast: 'yes' })).toHaveLength(2)
    expect(
      spec.validate('GET', '/rest/api/3/issuetype', 200, [
        { id: '1', hierarchyLevel: 1, untranslatedName: 'Epic' },
      ]),
    ).not.toEqual([])
    expect(spec.validateComponent('ErrorCollection', { errorMessages: 'no', errors: {} })).not.toEqual([])
  })

  it('answers errors in Jira’s words, with Retry-After on 429', async () => {
    expect(await call('GET', '/rest/api/3/myself', undefined, { authorization: 'Basic eDp5' })).toEqual({
      status: 401,
      json: { errorMessages: ['Client must be authenticated to access this resource.'], errors: {} },
    })
    sim.rateLimit({ next: 1, retryAfterSeconds: 7 })
    const limited = await fetch(`${url}/rest/api/3/myself`, { headers: { authorization: auth } })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('7')
    expect(limited.headers.get('ratelimit-reason')).toBe('jira-burst-based')
    expect(await limited.json()).toEqual({ errorMessages: ['Rate limit exceeded.'], errors: {} })
  })
})
