import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * Secrets are compared in constant time: tokens (hashed, then timingSafeEqual, every token
 * compared), Jira's X-Hub-Signature (timingSafeEqual), Linear-Signature (the SDK's timing-safe
 * check). This scan fails when code compares a revealed secret or a signature with === or !==.
 */
const SRC = join(import.meta.dirname, '../../src')
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : []
  })
}

describe('constant-time comparisons of secrets', () => {
  it('no secret or signature is compared with === or !==', () => {
    const offenders: string[] = []
    for (const file of files(SRC).filter((f) => !f.includes('/sandbox/'))) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (
            /reveal\(\)\s*[!=]==|[!=]==\s*[\w.]*reveal\(\)|\b(signature|digest|hmac|expected)\s*[!=]==\s*(?!undefined\b|null\b|'')[\w.]/i.test(
              line,
            )
          )
            offenders.push(`${file}:${i + 1}: ${line.trim()}`)
        })
    }
    expect(offenders).toEqual([])
  })

  it('the checks use timingSafeEqual', () => {
    for (const file of ['http/plugins/auth.ts', 'trackers/jira/webhook-signature.ts']) {
      expect(readFileSync(join(SRC, file), 'utf8'), file).toContain('timingSafeEqual(')
    }
  })
})
