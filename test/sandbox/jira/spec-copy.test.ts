import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { specText } from './openapi.ts'

const OFFICIAL = fileURLToPath(
  new URL('../../../../shared/specs/jira-cloud-platform.openapi.json', import.meta.url),
)

describe('the vendored Jira OpenAPI description', () => {
  it.skipIf(!existsSync(OFFICIAL))('is a byte-for-byte copy of the official description', () => {
    expect(specText() === readFileSync(OFFICIAL, 'utf8')).toBe(true)
  })

  it('is Atlassian’s description of the routes the simulator serves', () => {
    const spec = JSON.parse(specText()) as { openapi: string; paths: Record<string, unknown> }
    expect(spec.openapi).toMatch(/^3\.0/)
    for (const path of ['/rest/api/3/search/jql', '/rest/api/3/issue/{issueIdOrKey}', '/rest/api/3/field'])
      expect(spec.paths).toHaveProperty([path])
  })
})
