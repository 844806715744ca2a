import type { TSchema } from 'typebox'
import { isSecretSchema } from './schema-helpers.ts'
import { Secret } from './secret.ts'

type Env = Readonly<Record<string, string | undefined>>

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g
const SECRET_REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/

/**
 * Replaces `${NAME}` (or `${NAME:-default}`) in every string of a config value with the
 * environment's value, walking the schema alongside: secret fields must be exactly `${NAME}` and
 * become `Secret`s. Returns the resolved value and one problem per unset variable or literal
 * secret, named by its config path. Runs before validation, so resolved values are what is checked.
 */
export function resolveEnvReferences(
  schema: TSchema,
  value: unknown,
  env: Env,
  path: string,
): { value: unknown; problems: string[] } {
  const problems: string[] = []
  const resolved = walk(schema, value, path)
  return { value: resolved, problems }

  function walk(node: TSchema, current: unknown, at: string): unknown {
    if (isSecretSchema(node)) return resolveSecret(current, at)
    if (typeof current === 'string') return resolveString(current, at)
    if (Array.isArray(current)) {
      const items = (node as { items?: TSchema }).items ?? {}
      return current.map((item, index) => walk(items, item, `${at}[${index}]`))
    }
    if (current !== null && typeof current === 'object') {
      const properties = (node as { properties?: Record<string, TSchema> }).properties ?? {}
      const patterns = Object.values(
        (node as { patternProperties?: Record<string, TSchema> }).patternProperties ?? {},
      )
      const out: Record<string, unknown> = {}
      for (const [key, child] of Object.entries(current)) {
        out[key] = walk(properties[key] ?? patterns[0] ?? {}, child, at === '' ? key : `${at}.${key}`)
      }
      return out
    }
    return current
  }

  function resolveSecret(current: unknown, at: string): unknown {
    const name = typeof current === 'string' ? SECRET_REFERENCE.exec(current)?.[1] : undefined
    if (name === undefined) {
      problems.push(
        `${at}: must be an environment reference such as \${MY_SECRET}; secrets are never written in the file`,
      )
      return new Secret('', 'invalid')
    }
    const fromEnv = env[name]
    if (fromEnv === undefined || fromEnv === '')
      problems.push(`${at}: environment variable ${name} is not set`)
    return new Secret(fromEnv ?? '', name)
  }

  function resolveString(text: string, at: string): string {
    return text.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
      const fromEnv = env[name]
      if (fromEnv !== undefined && fromEnv !== '') return fromEnv
      if (fallback !== undefined) return fallback
      problems.push(`${at}: environment variable ${name} is not set`)
      return ''
    })
  }
}
