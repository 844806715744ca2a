import type { OnetrackConfig } from '../../src/config/index.ts'
import { createMetrics } from '../../src/metrics.ts'
import { type PipelineDeps, runBuild } from '../../src/pipeline/index.ts'
import { type EpicRecord, saveSyncBatch } from '../../src/store/index.ts'
import type { SyncedEpic } from '../../src/trackers/index.ts'
import type { TestApp } from './app.ts'
import { testConfig } from './config.ts'
import { epicRecord } from './epics.ts'
import { capturedLogger } from './logs.ts'

/** The handler deps a build needs, over a test app's database and queues, with a clock of its own. */
export function buildDeps(t: TestApp, config: OnetrackConfig = testConfig()) {
  let now = new Date('2027-01-11T09:00:00Z')
  const deps: PipelineDeps = {
    config,
    database: t.database,
    queues: t.queues,
    logger: capturedLogger().logger,
    metrics: createMetrics(),
    connectorFor: () => {
      throw new Error('no tracker in API tests')
    },
    now: () => now,
  }
  return {
    deps,
    /** Syncs these epics (as an incremental sync at `at`) and builds at `at`; returns the version id. */
    async step(at: string, epics: EpicRecord[]): Promise<number> {
      now = new Date(at)
      await saveSyncBatch(t.database.db, {
        sourceId: 'jira-test',
        mode: 'incremental',
        epics,
        cursor: null,
        now,
      })
      const built = await runBuild(deps, `test:${at}`)
      if (built.versionId === null) throw new Error('the build stored no version')
      return built.versionId
    },
  }
}

const checkout = (id: string, title: string, inputs: EpicRecord['inputs'], more: Partial<SyncedEpic> = {}) =>
  epicRecord(id, { title, inputs, effort: 20, links: [], ...more })
const platform = (id: string, title: string, inputs: EpicRecord['inputs'], more: Partial<SyncedEpic> = {}) =>
  epicRecord(id, {
    key: `PLAT-${id}`,
    url: `https://acme.atlassian.net/browse/PLAT-${id}`,
    title,
    inputs,
    effort: 20,
    team: 'platform',
    track: 'technical',
    links: [],
    ...more,
  })

/** Epic ids as the API names them. */
export const EPICS = {
  oneClick: 'jira-test:1',
  savedCarts: 'jira-test:2',
  giftCards: 'jira-test:3',
  sso: 'jira-test:4',
  loyalty: 'jira-test:5',
  dbUpgrade: 'jira-test:10',
  observability: 'jira-test:11',
  cache: 'jira-test:12',
  k8s: 'jira-test:13',
} as const

/**
 * A quarter of planning, built by the real build: checkout (40 per quarter) and platform (30)
 * plan 2027. Returns the version ids in order.
 *  v1 (Jan 11) six epics planned; a loyalty program without an estimate stays unplanned (unscored).
 *  v2 (Jan 25) SSO and a Kubernetes migration arrive and outscore the rest: saved carts, the
 *     database upgrade and observability slip a quarter (capacity).
 *  v3 (Feb 8)  one-click checkout is done (saved carts is pulled back in); gift cards is rescored.
 *  v4 (Apr 5)  Q1 ended with SSO, saved carts, the cache layer and Kubernetes unfinished: roll-overs.
 */
export async function seedHistory(t: TestApp, config: OnetrackConfig = testConfig()): Promise<number[]> {
  const { step } = buildDeps(t, config)
  const oneClick = checkout('1', 'One-click checkout', { value: 8, timeCriticality: 5, risk: 1 })
  const savedCarts = checkout('2', 'Saved carts', { value: 5, timeCriticality: 3, risk: 1 })
  const giftCards = checkout('3', 'Gift cards', { value: 3, timeCriticality: 2, risk: 1 })
  const dbUpgrade = platform('10', 'Database upgrade', { value: 2, timeCriticality: 1, risk: 8 })
  const observability = platform('11', 'Observability', { value: 1, timeCriticality: 1, risk: 3 })
  const cache = platform('12', 'Cache layer', { value: 3, timeCriticality: 2, risk: 5 }, { effort: 10 })
  const v1 = await step('2027-01-11T09:00:00.000Z', [
    checkout('5', 'Loyalty program', { value: 5, timeCriticality: 1, risk: 1 }, { effort: null }),
    oneClick,
    savedCarts,
    giftCards,
    dbUpgrade,
    observability,
    cache,
  ])
  const v2 = await step('2027-01-25T09:00:00.000Z', [
    checkout('4', 'Enterprise SSO', { value: 13, timeCriticality: 8, risk: 2 }),
    platform('13', 'Kubernetes migration', { value: 5, timeCriticality: 5, risk: 5 }),
  ])
  const v3 = await step('2027-02-08T09:00:00.000Z', [
    { ...oneClick, status: 'done' },
    { ...giftCards, inputs: { value: 5, timeCriticality: 2, risk: 1 } },
  ])
  const v4 = await step('2027-04-05T09:00:00.000Z', [])
  return [v1, v2, v3, v4]
}
