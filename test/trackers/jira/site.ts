import { stringify } from 'yaml'
import { parseConfig } from '../../../src/config/index.ts'
import {
  addScoringFields,
  createJiraSimulator,
  type JiraSimulator,
  type JiraSimulatorOptions,
  type ScoringFields,
  type SimIssue,
  seedEpics,
} from '../../../src/sandbox/jira/index.ts'
import {
  createJiraConnector,
  type JiraConnectorOptions,
  type JiraSource,
} from '../../../src/trackers/jira/index.ts'
import type {
  SyncedEpic,
  SyncOutcome,
  SyncRequest,
  TrackerConnector,
  WriteBackValues,
} from '../../../src/trackers/types.ts'
import { capturedLogger } from '../../helpers/logs.ts'

export const TOKEN = 'jira-token-3f9a'

/** A config environment reference, `${NAME}`, as the config file must spell secrets. */
export function envRef(name: string): string {
  return `\${${name}}`
}
export const HOOK_SECRET = 'jira-hook-secret-77c1'

/** A simulated Jira site with the scoring fields and `epics` seeded epics (SHOP and PAY), listening. */
export interface Site {
  sim: JiraSimulator
  url: string
  fields: ScoringFields
  epics: SimIssue[]
  close(): Promise<void>
}

export async function startSite(
  options: {
    epics?: number
    projects?: string[]
    simulator?: JiraSimulatorOptions
    /** Runs before the simulator listens (the last moment Fastify hooks can be added). */
    beforeListen?: (sim: JiraSimulator) => void
  } = {},
): Promise<Site> {
  const sim = createJiraSimulator({
    ...options.simulator,
    account: { apiToken: TOKEN, ...options.simulator?.account },
  })
  const fields = addScoringFields(sim.state)
  const epics = seedEpics(sim.state, fields, {
    count: options.epics ?? 0,
    projects: options.projects ?? ['SHOP', 'PAY'],
    lastUpdated: sim.state.now() - 3_600_000,
  })
  options.beforeListen?.(sim)
  const url = await sim.listen()
  return { sim, url, fields, epics, close: () => sim.close() }
}

/** Records the JQL of every search the site answers. */
export function recordJql(sim: JiraSimulator): string[] {
  const jql: string[] = []
  sim.app.addHook('preHandler', async (request) => {
    if (request.routeOptions.url === '/rest/api/3/search/jql')
      jql.push(String((request.body as { jql?: unknown })?.jql))
  })
  return jql
}

/** A Jira source as the config loader makes it (defaults applied), pointing at the site. */
export function jiraSource(site: Site, overrides: Record<string, unknown> = {}): JiraSource {
  const source = {
    id: 'jira-shop',
    kind: 'jira',
    baseUrl: site.url,
    email: site.sim.account.email,
    apiToken: envRef('JIRA_TOKEN'),
    jql: 'project in (SHOP, PAY)',
    team: 'checkout',
    fields: {
      value: 'Business Value',
      timeCriticality: 'Time Criticality',
      risk: 'Risk Reduction',
      effort: 'Story Points',
      team: 'Team',
    },
    teamMap: { Checkout: 'checkout', Growth: 'growth' },
    track: { default: 'product', rules: [{ label: 'tech-debt', track: 'technical' }] },
    // The budget is not what these tests are about; 10 a second would only make them slow.
    requestsPerSecond: 1000,
    ...overrides,
  }
  const text = stringify({
    roadmap: {
      periods: { quarters: { start: '2027-Q1', count: 4 } },
      teams: [
        { id: 'checkout', capacity: 40 },
        { id: 'growth', capacity: 40 },
      ],
    },
    sources: [source],
  })
  const config = parseConfig(text, '/test/jira.yaml', { JIRA_TOKEN: TOKEN, JIRA_HOOK: HOOK_SECRET })
  return config.sources[0] as JiraSource
}

/** Short waits, so fault tests take milliseconds; no jitter, so waits are predictable. */
export const FAST: JiraConnectorOptions = {
  backoffBaseMs: 10,
  requestTimeoutMs: 2_000,
  bulkPollIntervalMs: 5,
  random: () => 1,
}

export function connectorFor(
  site: Site,
  overrides: Record<string, unknown> = {},
  options: JiraConnectorOptions = FAST,
): { connector: TrackerConnector; logs: () => string } {
  const { logger, text } = capturedLogger('debug')
  const connector = createJiraConnector(
    jiraSource(site, overrides),
    { logger, publicUrl: 'http://onetrack.test' },
    options,
  )
  return { connector, logs: text }
}

export async function syncAll(
  connector: TrackerConnector,
  request: Omit<SyncRequest, 'signal'>,
): Promise<{ epics: SyncedEpic[]; pages: number; outcome: SyncOutcome; totals: Array<number | undefined> }> {
  const epics: SyncedEpic[] = []
  const totals: Array<number | undefined> = []
  const outcome = await connector.sync({ ...request, signal: AbortSignal.timeout(15_000) }, async (page) => {
    epics.push(...page.epics)
    totals.push(page.total)
  })
  return { epics, pages: totals.length, outcome, totals }
}

export function writeValues(overrides: Partial<WriteBackValues> = {}): WriteBackValues {
  return {
    score: 12.5,
    rank: 3,
    period: '2027-Q1',
    deferrals: 1,
    costOfDelay: 40,
    note: 'Deferred from 2026-Q4: capacity (PAY-7 took its place)',
    pageUrl: 'http://onetrack.test/epics/jira-shop:10001',
    chronic: false,
    ...overrides,
  }
}
