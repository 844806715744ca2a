import { type OnetrackConfig, parseConfig } from '../../src/config/index.ts'

export const TEST_TOKENS = {
  owner: 'owner-token-5f1c9a',
  editor: 'editor-token-77d0b2',
  viewer: 'viewer-token-0c3e44',
  jira: 'jira-api-token-9b8a7c',
} as const

export const testEnv: Record<string, string> = {
  T_OWNER: TEST_TOKENS.owner,
  T_EDITOR: TEST_TOKENS.editor,
  T_VIEWER: TEST_TOKENS.viewer,
  T_JIRA: TEST_TOKENS.jira,
}

/** The one Jira source of the test configurations, as YAML (its token is T_JIRA in testEnv). */
export const TEST_SOURCES_YAML = `sources:
  - id: jira-test
    kind: jira
    baseUrl: http://127.0.0.1:9
    email: bot@example.com
    apiToken: \${T_JIRA}
    jql: project = T
    team: checkout
`

/** A small valid configuration: two teams, one Jira source, three tokens of each role. */
export function testConfig(): OnetrackConfig {
  return parseConfig(
    `
auth:
  tokens:
    - { name: olivia, token: "\${T_OWNER}", role: owner }
    - { name: eddie, token: "\${T_EDITOR}", role: editor }
    - { name: vic, token: "\${T_VIEWER}", role: viewer }
roadmap:
  periods: { quarters: { start: 2027-Q1, count: 4 } }
  teams:
    - { id: checkout, capacity: 40 }
    - { id: platform, capacity: 30 }
${TEST_SOURCES_YAML}`,
    '/test/onetrack.yaml',
    testEnv,
  )
}
