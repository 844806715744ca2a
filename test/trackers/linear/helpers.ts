import { expect } from 'vitest'
import { stringify } from 'yaml'
import { parseConfig } from '../../../src/config/index.ts'
import {
  createLinearSimulator,
  type LinearSimulator,
  type LinearSimulatorOptions,
  type RecordedQuery,
} from '../../../src/sandbox/linear/index.ts'
import {
  createLinearConnector,
  type LinearSourceConfig,
  type LinearTuning,
} from '../../../src/trackers/linear/index.ts'
import type { SyncedEpic, SyncOutcome, SyncRequest, TrackerConnector } from '../../../src/trackers/types.ts'
import { capturedLogger } from '../../helpers/logs.ts'

export const WEBHOOK_SECRET = 'lin_wh_test_secret_5d1f'
export const PUBLIC_URL = 'http://onetrack.test'

/** Short waits: the behaviour is the production one, only the clock is hurried. */
export const FAST: Partial<LinearTuning> = {
  backoffBaseMs: 5,
  backoffMaxMs: 20,
  timeoutMs: 2_000,
  maxInlineWaitMs: 1_500,
}

const started: LinearSimulator[] = []

/** A listening simulator; every query it receives is checked by `expectValidQueries`. */
export async function startSimulator(options: LinearSimulatorOptions = {}): Promise<LinearSimulator> {
  const sim = createLinearSimulator(options)
  await sim.listen()
  started.push(sim)
  return sim
}

/** A simulator clock that only moves when told (seeding then "an hour later" gives exact cursors). */
export function manualClock(start = Date.parse('2026-03-02T09:00:00.000Z')) {
  let now = start
  return { now: () => now, advance: (ms: number) => (now += ms) }
}

/** A Linear source as the config file would give it (defaults applied, schema-checked). */
export function linearSource(
  sim: LinearSimulator,
  overrides: Record<string, unknown> = {},
): LinearSourceConfig {
  // `env` overrides the environment the config's references resolve against (e.g. a wrong key).
  const { env, ...source } = overrides
  const config = parseConfig(
    stringify({
      roadmap: {
        periods: { quarters: { start: '2027-Q1', count: 4 } },
        teams: [
          { id: 'platform', capacity: 30 },
          { id: 'web', capacity: 30 },
        ],
      },
      sources: [
        {
          id: 'lin',
          kind: 'linear',
          apiUrl: sim.graphqlUrl(),
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a config environment reference, not a template
          apiKey: '${LINEAR_KEY}',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a config environment reference, not a template
          webhookSecret: '${LINEAR_WEBHOOK_SECRET}',
          requestsPerSecond: 1000,
          teams: ['PLAT', 'WEB'],
          teamMap: { PLAT: 'platform', WEB: 'web' },
          ...source,
        },
      ],
    }),
    '/test/linear.yaml',
    {
      LINEAR_KEY: sim.apiKey,
      LINEAR_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ...(env as Record<string, string> | undefined),
    },
  )
  return config.sources[0] as LinearSourceConfig
}

/** The standard inputs: Value and Risk label groups, priority as time criticality, effort from scope. */
export const STANDARD_INPUTS = {
  inputs: {
    value: { labelGroup: 'Value' },
    risk: { labelGroup: 'Risk' },
    timeCriticality: { priority: true },
    effort: { from: 'scope' },
  },
  track: { default: 'product', rules: [{ label: 'tech-debt', track: 'technical' }] },
}

export function connector(
  sim: LinearSimulator,
  source: Record<string, unknown> = {},
  tuning: Partial<LinearTuning> = FAST,
): { connector: TrackerConnector; logs: () => string } {
  const captured = capturedLogger('debug')
  const made = createLinearConnector(
    linearSource(sim, source),
    { logger: captured.logger, publicUrl: PUBLIC_URL },
    tuning,
  )
  return { connector: made, logs: captured.text }
}

export async function collect(
  made: TrackerConnector,
  request: Omit<SyncRequest, 'signal'>,
): Promise<{ epics: SyncedEpic[]; outcome: SyncOutcome; pages: number }> {
  const epics: SyncedEpic[] = []
  let pages = 0
  const outcome = await made.sync({ ...request, signal: AbortSignal.timeout(20_000) }, async (page) => {
    pages += 1
    epics.push(...page.epics)
  })
  return { epics, outcome, pages }
}

/** Every query any simulator of this test file received validated against the official schema. */
export function expectValidQueries(): RecordedQuery[] {
  const all = started.flatMap((sim) => sim.queries())
  const invalid = all.filter((q) => q.validationErrors.length > 0)
  expect(
    invalid.map((q) => ({ operation: q.operationName ?? q.query.slice(0, 60), errors: q.validationErrors })),
  ).toEqual([])
  return all
}

export async function closeSimulators(): Promise<void> {
  await Promise.all(started.splice(0).map((sim) => sim.close()))
}
