import type { TLocalizedValidationError } from 'typebox/error'

/** '/sources/0/apiToken' → 'sources[0].apiToken', the form people read in the config file. */
export function displayPath(pointer: string, prefix = ''): string {
  let out = prefix
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    out += /^[0-9]+$/.test(part) ? `[${part}]` : out === '' ? part : `.${part}`
  }
  return out === '' ? '(top level)' : out
}

/**
 * Turns schema validation errors into `path.to.key: what is wrong` lines. Drops the noise a JSON
 * schema validator produces around unions and unknown keys, so each real mistake reads once.
 */
export function describeValidationErrors(errors: Iterable<TLocalizedValidationError>, prefix = ''): string[] {
  const lines: string[] = []
  for (const error of errors) {
    const path = displayPath(error.instancePath, prefix)
    const params = error.params as Record<string, unknown>
    switch (error.keyword) {
      case 'additionalProperties':
        // Reported once per key by the 'boolean' entry below.
        break
      case 'boolean':
        lines.push(`${path}: unknown key`)
        break
      case 'required': {
        const missing = (params.requiredProperties as string[] | undefined) ?? []
        for (const key of missing)
          lines.push(`${path === '(top level)' ? key : `${path}.${key}`}: is required`)
        break
      }
      case 'enum':
        lines.push(`${path}: must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`)
        break
      case 'pattern':
        lines.push(
          String(params.pattern).startsWith('^\\$\\{')
            ? `${path}: must be an environment reference such as \${MY_SECRET}; secrets are never written in the file`
            : `${path}: ${describePattern(String(params.pattern))}`,
        )
        break
      default:
        lines.push(`${path}: ${error.message}`)
    }
  }
  return [...new Set(lines)]
}

const knownPatterns: Record<string, string> = {
  '^https?://': 'must be an http(s) URL',
  '^[0-9]{4}-Q[1-4]$': 'must be a quarter such as 2027-Q1',
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}$': 'must be a date as YYYY-MM-DD',
  '^[a-z0-9][a-z0-9_-]{0,62}$': 'must be an id of a-z, 0-9, - and _ (at most 63 characters)',
}

function describePattern(pattern: string): string {
  return knownPatterns[pattern] ?? `must match ${pattern}`
}
