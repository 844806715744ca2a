import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createJiraSimulator, type JiraSimulator } from '../../../src/sandbox/jira/index.ts'
import { specValidator } from './openapi.ts'

const SSO = 'https://linear.app/acme/project/enterprise-sso-1a2b3c4d5e6f'

/** The custom fields a cross-tracker "Blocked by" mapping reads: a URL field and a paragraph field. */
describe('Jira simulator: URL and paragraph fields', () => {
  let sim: JiraSimulator
  let url: string
  let auth: string
  beforeAll(async () => {
    sim = createJiraSimulator()
    sim.state.addProject({ key: 'SHOP' })
    url = await sim.listen()
    auth = `Basic ${Buffer.from(`${sim.account.email}:${sim.account.apiToken}`).toString('base64')}`
  })
  afterAll(() => sim.close())

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: auth,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await response.text()
    return {
      status: response.status,
      body: text === '' ? null : (JSON.parse(text) as Record<string, unknown>),
    }
  }

  it('creates a URL field as Jira does, serves its value as a string and refuses a value that is no URL', async () => {
    const created = await call('POST', '/rest/api/3/field', {
      name: 'Blocked by (link)',
      type: 'com.atlassian.jira.plugin.system.customfieldtypes:url',
      searcherKey: 'com.atlassian.jira.plugin.system.customfieldtypes:exacttextsearcher',
    })
    expect(created.status).toBe(201)
    expect(specValidator().validate('POST', '/rest/api/3/field', 201, created.body)).toEqual([])
    expect(created.body?.schema).toMatchObject({
      type: 'string',
      custom: 'com.atlassian.jira.plugin.system.customfieldtypes:url',
    })
    const id = String(created.body?.id)
    // A new field is on no screen: REST edits need it there.
    expect((await call('POST', `/rest/api/3/screens/addToDefault/${id}`)).status).toBe(200)
    const paragraph = sim.state.addField({ name: 'Blocked by (paragraph)', type: 'textarea' })
    const issue = sim.state.addIssue({ project: 'SHOP', summary: 'B2B invoices' })

    expect(
      (await call('PUT', `/rest/api/3/issue/${issue.key}`, { fields: { [id]: 'not a url' } })).status,
    ).toBe(400)
    expect((await call('PUT', `/rest/api/3/issue/${issue.key}`, { fields: { [id]: SSO } })).status).toBe(204)
    sim.state.updateIssue(issue.id, { fields: { [paragraph.id]: `SSO first: ${SSO}` } })

    const found = await call('POST', '/rest/api/3/search/jql', {
      jql: 'project = SHOP',
      fields: [id, paragraph.id],
    })
    expect(found.status).toBe(200)
    expect(specValidator().validate('POST', '/rest/api/3/search/jql', 200, found.body)).toEqual([])
    const issues = (found.body?.issues ?? []) as Array<{ fields: Record<string, unknown> }>
    const fields = issues[0]?.fields
    expect(fields?.[id]).toBe(SSO)
    expect(fields?.[paragraph.id]).toEqual({
      type: 'doc',
      version: 1,
      content: [{ type: 'paragraph', content: [{ type: 'text', text: `SSO first: ${SSO}` }] }],
    })
  })
})
