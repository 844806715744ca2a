// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the config file's own reference syntax
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { ConfigError, parseConfig } from '../../src/config/index.ts'

/**
 * Config files with every kind of error, generated from the example file: any key removed, any
 * value replaced by a value of another type, secrets written in clear, YAML broken at any byte.
 * Loading either succeeds or fails with a ConfigError naming problems by key — never another
 * exception, never a secret's value in the message.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_270_111)
const example = readFileSync(join(import.meta.dirname, '../../config/onetrack.example.yaml'), 'utf8')
const env = new Proxy({} as Record<string, string>, { get: (_t, name) => `secret-value-${String(name)}` })

/** Every path to a value of the parsed example. */
function paths(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return [at, ...value.flatMap((v, i) => paths(v, [...at, i]))]
  if (typeof value === 'object' && value !== null)
    return [at, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...at, k]))]
  return [at]
}

function edit(root: unknown, path: Array<string | number>, change: (parent: never, key: never) => void) {
  let node = root as Record<string | number, unknown>
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>
  change(node as never, path.at(-1) as never)
}

function load(text: string): 'ok' | string[] {
  try {
    parseConfig(text, '/fuzz/onetrack.yaml', env)
    return 'ok'
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(ConfigError)
    const problems = (error as ConfigError).problems
    expect(problems.length).toBeGreaterThan(0)
    expect((error as Error).message).not.toMatch(/secret-value-|sk-live-/)
    return problems
  }
}

describe('config files with errors', () => {
  it('the example itself loads', () => {
    expect(load(example)).toBe('ok')
  })

  const all = paths(parse(example)).filter((p) => p.length > 0)
  const odd = fc.oneof(
    fc.constantFrom(
      null,
      true,
      -1,
      0,
      Number.POSITIVE_INFINITY,
      '',
      'sk-live-cleartext',
      [],
      {},
      '${',
      '${UNSET:-x}',
      '2027-Q9',
    ),
    fc.jsonValue({ maxDepth: 2 }),
  )

  it('names what is wrong, by key, whatever key is removed or given an odd value', () => {
    fc.assert(
      fc.property(fc.constantFrom(...all), fc.boolean(), odd, (path, remove, value) => {
        const doc = parse(example) as unknown
        edit(doc, path, (parent: Record<string | number, unknown>, key: string | number) => {
          if (remove && !Array.isArray(parent)) delete parent[key]
          else parent[key] = value
        })
        load(stringify(doc))
      }),
      { numRuns: 300, seed: SEED },
    )
  })

  it('reports broken YAML (a byte cut, doubled or replaced anywhere) as a ConfigError', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: example.length - 1 }),
        fc.constantFrom('', '\t', ':', '"', '{', '- ', '\n  ', '\u0000', '&a *a', '!!binary'),
        (at, insert) => {
          load(example.slice(0, at) + insert + example.slice(at + 1))
        },
      ),
      { numRuns: 300, seed: SEED },
    )
  })
})
