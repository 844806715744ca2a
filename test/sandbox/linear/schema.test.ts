import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { LINEAR_SCHEMA_PATH, linearSchema } from '../../../src/sandbox/linear/index.ts'

const OFFICIAL = fileURLToPath(new URL('../../../../shared/specs/linear.schema.graphql', import.meta.url))

describe('the vendored Linear schema', () => {
  it.skipIf(!existsSync(OFFICIAL))('is a byte-for-byte copy of the official description', () => {
    expect(readFileSync(LINEAR_SCHEMA_PATH).equals(readFileSync(OFFICIAL))).toBe(true)
  })

  it('builds, with the types the connector and the simulator rely on', () => {
    const schema = linearSchema()
    for (const type of [
      'Project',
      'ProjectRelation',
      'EntityExternalLink',
      'Attachment',
      'ProjectWebhookPayload',
    ]) {
      expect(schema.getType(type), type).toBeDefined()
    }
    expect(Object.keys(schema.getQueryType()?.getFields() ?? {})).toContain('projects')
  })
})
