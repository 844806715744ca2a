import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { buildSchema, type GraphQLSchema } from 'graphql'

/**
 * Linear's official public schema, vendored so the simulator runs from the repository alone: an
 * exact copy of ../shared/specs/linear.schema.graphql, itself linear/linear
 * packages/sdk/src/schema.graphql at commit 8335e09a — the source of @linear/sdk 88.3.0. Never edit
 * it; upgrade it together with the SDK. test/sandbox/linear/schema.test.ts keeps the copy identical.
 */
export const LINEAR_SCHEMA_PATH = fileURLToPath(new URL('./schema.graphql', import.meta.url))

let schema: GraphQLSchema | undefined

/** Built once per process (about 0.4 s: the schema is 1.2 MB). */
export function linearSchema(): GraphQLSchema {
  schema ??= buildSchema(readFileSync(LINEAR_SCHEMA_PATH, 'utf8'))
  return schema
}
