import { readFileSync } from 'node:fs'
import { parseEnv } from 'node:util'
import { type Browser, chromium } from 'playwright-core'
import { replayDemoHistory } from '../../src/cli/demo-history.ts'
import { loadConfig, type OnetrackConfig, Secret } from '../../src/config/index.ts'
import { jobNames } from '../../src/jobs/index.ts'
import { runBuild, runSync } from '../../src/pipeline/index.ts'
import { DEMO_OIDC_CLIENT_ID, DEMO_PEOPLE } from '../../src/sandbox/demo/people.ts'
import {
  DEMO_TODAY,
  type DemoTrackers,
  HISTORY_STEPS,
  startDemoTrackers,
} from '../../src/sandbox/demo/trackers.ts'
import {
  type IdentityProvider,
  onetrackClient,
  startIdentityProvider,
} from '../../src/sandbox/identity/index.ts'
import { createHandlers } from '../../workers/handlers.ts'
import { startWorkerPool, type WorkerPool } from '../../workers/runtime.ts'
import { freePort } from '../helpers/cli.ts'
import { type Pipeline, startPipeline } from '../helpers/pipeline.ts'
import { testRedis } from '../helpers/redis.ts'

/** Tokens of each role, next to the demo owner's. */
export const WORLD_TOKENS = {
  owner: 'demo-owner-token',
  editor: 'browser-editor-token-3d1f',
  viewer: 'browser-viewer-token-8b2e',
} as const

export interface DemoWorld {
  /** Where the app (API and web page) is reached: localhost, where the sign-in comes back to. */
  url: string
  /** The demo's identity provider, with the demo company's people. */
  identity: IdentityProvider
  pipeline: Pipeline
  trackers: DemoTrackers
  config: OnetrackConfig
  /** The epic id of a demo epic by its story handle ('PLAT-FAILOVER'). */
  epicId(ref: string): string
  /** Waits until no build is waiting or running (twice in a row), for at most `ms`. */
  idle(ms?: number): Promise<void>
  close(): Promise<void>
}

/**
 * The demo company end to end, in this process: the Jira and Linear simulators seeded with Acme, a
 * year of planning replayed sync by sync and build by build (as `onetrack demo` does), today's sync
 * and build, then the real app listening on a free port and a build worker, so an override posted
 * to the API is built like in production. Postgres by default (a schema of its own), real Redis
 * under a unique prefix.
 */
export async function startDemoWorld(
  options: { database?: 'postgres' | 'pglite'; protectReads?: boolean } = {},
): Promise<DemoWorld> {
  const vars = parseEnv(readFileSync('config/demo.env', 'utf8'))
  const trackers = await startDemoTrackers({
    jiraEmail: 'onetrack-bot@acme.example',
    jiraToken: vars.DEMO_JIRA_API_TOKEN ?? '',
    jiraWebhookSecret: vars.DEMO_JIRA_WEBHOOK_SECRET ?? '',
    linearApiKey: vars.DEMO_LINEAR_API_KEY ?? '',
    linearWebhookSecret: vars.DEMO_LINEAR_WEBHOOK_SECRET ?? '',
  })
  // People sign in as in the demo, through its identity provider; the page is opened at localhost,
  // the address the sign-in comes back to.
  const port = await freePort()
  const url = `http://localhost:${port}`
  const identity = await startIdentityProvider({
    people: [...DEMO_PEOPLE],
    clients: [onetrackClient(url, DEMO_OIDC_CLIENT_ID, vars.DEMO_OIDC_CLIENT_SECRET ?? '')],
  })
  const loaded = loadConfig('config/demo.yaml', {
    ...vars,
    DEMO_PUBLIC_URL: url,
    DEMO_OIDC_ISSUER: identity.issuer,
    DEMO_JIRA_URL: trackers.jiraUrl,
    DEMO_LINEAR_URL: trackers.linearUrl,
  })
  const config: OnetrackConfig = {
    ...loaded,
    auth: {
      ...loaded.auth,
      protectReads: options.protectReads ?? loaded.auth.protectReads,
      tokens: [
        ...loaded.auth.tokens,
        { name: 'erin', token: new Secret(WORLD_TOKENS.editor, 'BROWSER_EDITOR_TOKEN'), role: 'editor' },
        { name: 'vera', token: new Secret(WORLD_TOKENS.viewer, 'BROWSER_VIEWER_TOKEN'), role: 'viewer' },
      ],
    },
    sources: loaded.sources.map((s) => ({ ...s, requestsPerSecond: 1000 })),
  }
  const pipeline = await startPipeline(config, { database: options.database ?? 'postgres', port })
  let pool: WorkerPool | undefined
  const workerRedis = testRedis()
  try {
    // The demo's own year of planning (`onetrack demo`), then today's sync and build at its date.
    await replayDemoHistory(pipeline.deps, trackers, { until: DEMO_TODAY })
    const today = { ...pipeline.deps, now: () => new Date(DEMO_TODAY) }
    trackers.setClock(Date.parse(DEMO_TODAY))
    trackers.applyStep(HISTORY_STEPS.length)
    for (const source of config.sources) {
      await runSync(
        today,
        { sourceId: source.id, mode: 'full', reason: 'manual' },
        AbortSignal.timeout(60_000),
      )
    }
    trackers.setClock(null)
    await runBuild(today, 'demo')
    // The replay queued a write-back per build; the page does not need them.
    await Promise.all(jobNames.map((name) => pipeline.queues[name].obliterate({ force: true })))
    pool = await startWorkerPool({
      connection: workerRedis,
      prefix: pipeline.prefix,
      handlers: createHandlers(pipeline.deps),
      logger: pipeline.deps.logger,
      metrics: pipeline.metrics,
      shutdownGraceMs: 1_000,
      queues: ['build'],
    })
  } catch (error) {
    workerRedis.disconnect()
    await pipeline.close()
    await trackers.close()
    await identity.close()
    throw error
  }

  return {
    url,
    identity,
    pipeline,
    trackers,
    config,
    epicId(ref) {
      const id = trackers.trackerId(ref)
      const tracker = trackers.epics.find((e) => e.ref === ref)?.tracker
      if (id === undefined || tracker === undefined) throw new Error(`no demo epic ${ref}`)
      return `${tracker === 'linear' ? 'linear-platform' : 'jira-shop'}:${id}`
    },
    async idle(ms = 30_000) {
      let quiet = 0
      const deadline = Date.now() + ms
      let counts: Record<string, number> = {}
      while (quiet < 2) {
        if (Date.now() > deadline)
          throw new Error(`the build queue did not settle within ${ms} ms: ${JSON.stringify(counts)}`)
        await new Promise((r) => setTimeout(r, 200))
        counts = await pipeline.queues.build.getJobCounts('waiting', 'active', 'delayed', 'prioritized')
        quiet = Object.values(counts).every((n) => n === 0) ? quiet + 1 : 0
      }
    },
    async close() {
      await pool?.close()
      workerRedis.disconnect()
      await pipeline.close()
      await trackers.close()
      await identity.close()
    },
  }
}

/** Debian's Chromium (never a browser download), headless, without the sandbox (CI runs as root). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
    headless: true,
  })
}
