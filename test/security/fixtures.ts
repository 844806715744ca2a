import { createHmac } from 'node:crypto'
import { type OnetrackConfig, parseConfig } from '../../src/config/index.ts'
import { TEST_TOKENS, testEnv } from '../helpers/config.ts'

export const WEBHOOK_SECRETS = {
  jira: 'jira-webhook-secret-3e9d1f',
  linear: 'linear-webhook-secret-a47c20',
} as const

/** A Jira and a Linear source, both with webhook secrets; limits as given. */
export function signedSourcesConfig(server = ''): OnetrackConfig {
  return parseConfig(
    `
${server}
auth:
  tokens:
    - { name: olivia, token: "\${T_OWNER}", role: owner }
    - { name: eddie, token: "\${T_EDITOR}", role: editor }
roadmap:
  periods: { quarters: { start: 2027-Q1, count: 4 } }
  teams: [{ id: checkout, capacity: 40 }, { id: platform, capacity: 30 }]
sources:
  - id: shop
    kind: jira
    baseUrl: http://127.0.0.1:9
    email: bot@example.com
    apiToken: \${T_JIRA}
    webhookSecret: \${T_JIRA_HOOK}
    jql: project = T
    team: checkout
  - id: plat
    kind: linear
    apiUrl: http://127.0.0.1:9/graphql
    apiKey: \${T_LINEAR}
    webhookSecret: \${T_LINEAR_HOOK}
    teams: [PLAT]
    team: platform
`,
    '/test/security.yaml',
    {
      ...testEnv,
      T_JIRA_HOOK: WEBHOOK_SECRETS.jira,
      T_LINEAR_HOOK: WEBHOOK_SECRETS.linear,
      T_LINEAR: 'lin_api_security_6d2b',
    },
  )
}

export const ALL_SECRETS = [...Object.values(TEST_TOKENS), ...Object.values(WEBHOOK_SECRETS)]

export function jiraSignature(body: Buffer | string, secret: string = WEBHOOK_SECRETS.jira): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

export function linearSignature(body: Buffer | string, secret: string = WEBHOOK_SECRETS.linear): string {
  return createHmac('sha256', secret).update(body).digest('hex')
}

/** A valid Jira issue-updated delivery for issue `id`. */
export function jiraBody(id: string, now = Date.now()): string {
  return JSON.stringify({
    webhookEvent: 'jira:issue_updated',
    timestamp: now,
    issue: { id, key: `SHOP-${id}`, fields: { issuetype: { id: '10000', hierarchyLevel: 1 } } },
    changelog: { items: [{ field: 'Business Value', fieldId: 'customfield_10001', from: '1', to: '2' }] },
  })
}

/** A valid Linear project update delivery. */
export function linearBody(id: string, now = Date.now()): string {
  return JSON.stringify({
    action: 'update',
    type: 'Project',
    createdAt: new Date(now).toISOString(),
    webhookId: 'wh-1',
    webhookTimestamp: now,
    data: { id, name: 'Project', updatedAt: new Date(now).toISOString(), teamIds: [] },
    updatedFrom: { name: 'Old' },
  })
}
