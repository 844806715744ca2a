/**
 * Setup file of every test run: after each test file, every log line that file captured (all the
 * capturedLogger instances: apps, pipelines, workers in process) is scanned for every secret the
 * suite configures. A secret in a log fails the file, whichever test wrote it.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseEnv } from 'node:util'
import { afterAll, expect } from 'vitest'
import { WEBHOOK_SECRETS } from '../security/fixtures.ts'
import { TEST_TOKENS } from './config.ts'
import { capturedLogs } from './logs.ts'

const demo = parseEnv(readFileSync(join(import.meta.dirname, '../../config/demo.env'), 'utf8'))

/** Every secret value a test configures, from the test helpers and the demo's environment file. */
export const CONFIGURED_SECRETS: string[] = [
  ...Object.values(TEST_TOKENS),
  ...Object.values(WEBHOOK_SECRETS),
  ...Object.entries(demo)
    .filter(([name]) => /TOKEN|SECRET|KEY|WEBHOOK_URL/.test(name))
    .map(([, value]) => value ?? ''),
].filter((value) => value.length >= 8)

afterAll(() => {
  const text = capturedLogs.map((read) => read()).join('\n')
  for (const secret of CONFIGURED_SECRETS) {
    const at = text.indexOf(secret)
    expect(at, `a configured secret was logged: …${text.slice(Math.max(0, at - 200), at)}[SECRET]…`).toBe(-1)
  }
})
