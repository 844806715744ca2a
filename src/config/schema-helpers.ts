import Type, { type TSchema } from 'typebox'
import type { Secret } from './secret.ts'

/**
 * A secret field: in the file it must be an environment reference (`${NAME}`), after loading it is
 * a `Secret`. The loader enforces the reference form while resolving, before schema validation, so
 * the schema itself accepts the resolved object; the `x-secret` mark is how the loader finds it.
 */
export function SecretRef(description: string) {
  return Type.Unsafe<Secret>({
    description: `${description}: an environment reference such as \${NAME}`,
    'x-secret': true,
  })
}

export function isSecretSchema(schema: TSchema): boolean {
  return (schema as { 'x-secret'?: unknown })['x-secret'] === true
}

/** Ids appear in URLs, job ids and epic ids (`source:externalId`): keep them to a safe alphabet. */
export const Id = (description: string) =>
  Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$', description: `${description} (a-z, 0-9, - and _)` })
