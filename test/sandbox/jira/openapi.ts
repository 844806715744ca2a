import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { Ajv, type ValidateFunction } from 'ajv'
import formats from 'ajv-formats'

/**
 * Validation of simulator responses against Atlassian's published OpenAPI 3.0 description, kept
 * here gzipped (a byte-for-byte copy of shared/specs/jira-cloud-platform.openapi.json, which
 * spec-copy.test.ts checks where that folder is present), so the tests need nothing outside the
 * repository. OpenAPI 3.0 schemas are not quite JSON Schema, so
 * they are converted first: `nullable: true` becomes a `null` type, `$ref`s point into one registered
 * document, and documentation-only keywords (example, xml, discriminator) are dropped.
 */
export const SPEC_PATH = fileURLToPath(new URL('./jira-cloud-platform.openapi.json.gz', import.meta.url))

/** The description's JSON text. */
export function specText(): string {
  return gunzipSync(readFileSync(SPEC_PATH)).toString('utf8')
}

interface OpenApi {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>
  >
  components: { schemas: Record<string, unknown> }
}

const DROPPED = new Set(['example', 'examples', 'xml', 'discriminator', 'externalDocs', 'deprecated'])

/** OpenAPI 3.0 schema → JSON Schema (draft-07) understood by ajv. */
export function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema)
  if (typeof schema !== 'object' || schema === null) return schema
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED.has(key) || key === 'nullable') continue
    if (key === '$ref' && typeof value === 'string')
      out.$ref = value.replace(/^#\/components\//, 'jira#/components/')
    else if (key === 'properties' && typeof value === 'object' && value !== null) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, toJsonSchema(s)]))
    } else out[key] = toJsonSchema(value)
  }
  if ((schema as { nullable?: unknown }).nullable === true) {
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null']
      if (Array.isArray(out.enum)) out.enum = [...out.enum, null]
    } else {
      return { anyOf: [out, { type: 'null' }] }
    }
  }
  return out
}

export interface SpecValidator {
  /** Problems of a response body for an operation ("GET /rest/api/3/issue/{issueIdOrKey}", status); [] when valid. */
  validate(method: string, path: string, status: number, body: unknown): string[]
  /** Whether the spec declares a JSON body schema for the response. */
  hasSchema(method: string, path: string, status: number): boolean
  hasOperation(method: string, path: string): boolean
  /** Problems of a value against a named component schema ("ErrorCollection"). */
  validateComponent(name: string, value: unknown): string[]
}

export function specValidator(): SpecValidator {
  const spec = JSON.parse(specText()) as OpenApi
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true })
  // ajv-formats is CommonJS: under Node's ESM loader its default import is the plugin function itself.
  ;(formats as unknown as (ajv: Ajv) => void)(ajv)
  ajv.addFormat('url', /^https?:\/\//)
  ajv.addSchema({ $id: 'jira', components: { schemas: toJsonSchema(spec.components.schemas) } })
  const compiled = new Map<string, ValidateFunction>()

  const responseSchema = (method: string, path: string, status: number): unknown => {
    const operation = spec.paths[path]?.[method.toLowerCase()]
    const response = operation?.responses?.[String(status)] ?? operation?.responses?.default
    return response?.content?.['application/json']?.schema
  }

  return {
    validateComponent(name, value) {
      const validate = ajv.getSchema(`jira#/components/schemas/${name}`)
      if (validate === undefined) return [`no component ${name}`]
      return validate(value)
        ? []
        : (validate.errors ?? []).map((e) => `${name}: ${e.instancePath || '(body)'} ${e.message ?? ''}`)
    },
    hasOperation: (method, path) => spec.paths[path]?.[method.toLowerCase()] !== undefined,
    hasSchema: (method, path, status) => responseSchema(method, path, status) !== undefined,
    validate(method, path, status, body) {
      const key = `${method} ${path} ${status}`
      let validate = compiled.get(key)
      if (validate === undefined) {
        const schema = responseSchema(method, path, status)
        if (schema === undefined) return [`the spec has no JSON body for ${key}`]
        validate = ajv.compile(toJsonSchema(schema) as object)
        compiled.set(key, validate)
      }
      if (validate(body)) return []
      return (validate.errors ?? []).map((e) => `${key}: ${e.instancePath || '(body)'} ${e.message ?? ''}`)
    },
  }
}

/** Fastify's "/rest/api/3/issue/:issueIdOrKey" as the spec writes it: "/rest/api/3/issue/{issueIdOrKey}". */
export function specPath(fastifyRoute: string): string {
  return fastifyRoute.replace(/:([A-Za-z]+)/g, '{$1}')
}
