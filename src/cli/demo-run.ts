import { rmSync } from 'node:fs'
import { type Environment, loadConfig } from '../config/index.ts'
import { describeDeferral, epicIdOf, isDeferral, periodNames } from '../domain/index.ts'
import { buildApp } from '../http/app.ts'
import { jobNames } from '../jobs/index.ts'
import { runBuild, runSync, runWhatIf, runWriteback } from '../pipeline/index.ts'
import { createRedis, pingRedis } from '../redis.ts'
import { type DemoTrackers, HISTORY_STEPS, startDemoTrackers } from '../sandbox/demo/trackers.ts'
import {
  acknowledgeDeferral,
  acknowledgementsOf,
  latestVersion,
  loadLedger,
  unacknowledgedDeferrals,
} from '../store/index.ts'
import { DEMO_CONFIG } from './demo.ts'
import { onShutdown, openServices, type Services, startWorkers } from './services.ts'

interface DemoOptions {
  vars: Record<string, string | undefined>
  env: Environment
  port: number
  once: boolean
}

const say = (line = '') => console.log(line)

/**
 * The demo: simulated Jira and Linear seeded with Acme, a year of its history replayed build by
 * build (so the ledger holds real deferral stories), today's sync, build and write-back; then, unless
 * --once, the API and the workers serve it, and a live edit in Jira shows the loop end to end.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const { env, vars } = options
  const probe = createRedis(env.redisUrl, 'api')
  try {
    await pingRedis(probe)
  } catch {
    console.error(
      `Redis is not reachable at ${env.redisUrl.reveal()}. Start one with\n  redis-server --daemonize yes --save "" --appendonly no\nor point REDIS_URL at yours.`,
    )
    return 1
  } finally {
    probe.disconnect()
  }
  rmSync(env.dataDir, { recursive: true, force: true })

  const trackers = await startDemoTrackers({
    jiraEmail: 'onetrack-bot@acme.example',
    jiraToken: required(vars, 'DEMO_JIRA_API_TOKEN'),
    jiraWebhookSecret: required(vars, 'DEMO_JIRA_WEBHOOK_SECRET'),
    linearApiKey: required(vars, 'DEMO_LINEAR_API_KEY'),
    linearWebhookSecret: required(vars, 'DEMO_LINEAR_WEBHOOK_SECRET'),
  })
  const config = loadConfig(DEMO_CONFIG, {
    ...vars,
    DEMO_JIRA_URL: trackers.jiraUrl,
    DEMO_LINEAR_URL: trackers.linearUrl,
  })
  const services = await openServices(env, config, 'api')
  await Promise.all(jobNames.map((name) => services.queues[name].obliterate({ force: true })))

  say(`onetrack demo: ${trackers.epics.length} epics at Acme (Jira: Checkout, Growth; Linear: Platform)`)
  say(`replaying a year of planning: ${HISTORY_STEPS.length} builds from ${HISTORY_STEPS[0]?.slice(0, 10)}`)
  for (const [step, at] of HISTORY_STEPS.entries()) {
    trackers.setClock(Date.parse(at))
    trackers.applyStep(step)
    const deps: Services = { ...services, now: () => new Date(at) }
    for (const source of config.sources) {
      await runSync(
        deps,
        { sourceId: source.id, mode: 'full', reason: 'schedule' },
        AbortSignal.timeout(120_000),
      )
    }
    const build = await runBuild(deps, `history:${at.slice(0, 10)}`)
    say(
      `  ${at.slice(0, 10)}: ${build.epics} open epics, ${build.planned} planned, ${build.deferrals} deferred`,
    )
    await ownerSignsOffFirstDeferral(services, trackers, config.auth.tokens, at)
  }

  trackers.setClock(null)
  trackers.applyStep(HISTORY_STEPS.length)
  const synced: string[] = []
  for (const source of config.sources) {
    const sync = await runSync(
      services,
      { sourceId: source.id, mode: 'full', reason: 'manual' },
      AbortSignal.timeout(120_000),
    )
    synced.push(`${source.id} ${sync.fetched}`)
  }
  const build = await runBuild(services, 'demo')
  const written: string[] = []
  for (const source of config.sources) {
    const result = await runWriteback(
      services,
      { sourceId: source.id, versionId: build.versionId ?? 0 },
      AbortSignal.timeout(300_000),
    )
    written.push(
      `${source.id} ${result.written}${result.failed.length > 0 ? ` (${result.failed.length} failed)` : ''}`,
    )
  }
  const ledger = await loadLedger(services.database.db)
  const deferrals = ledger.filter((e) => isDeferral(e.kind))
  say()
  say(`epics synced:    ${synced.join(', ')}`)
  say(
    `today's build:   version ${build.versionId}: ${build.epics} open epics, ${build.planned} planned, ${build.unplanned} unplanned, ${build.unscored} unscored`,
  )
  say(
    `deferral ledger: ${deferrals.length} deferrals of ${new Set(deferrals.map((e) => e.epicId)).size} epics in ${ledger.length} events`,
  )
  say(`written back:    ${written.join(', ')} tickets`)
  const open = await unacknowledgedDeferrals(services.database.db)
  say(
    `owner sign-off:  ${open.length} of ${deferrals.length} deferrals await the owner's call (accept with a reason, or pin)`,
  )
  await printStory(services, trackers)

  if (options.once) {
    await services.close()
    await trackers.close()
    return 0
  }
  return serve(options, services, trackers)
}

async function serve(options: DemoOptions, services: Services, trackers: DemoTrackers): Promise<number> {
  const app = await buildApp(services)
  const address = await app.listen({ port: options.port, host: '127.0.0.1' })
  const workers = await startWorkers(services)
  trackers.jira.webhooks.configure({
    url: `${address}/webhooks/jira/jira-shop`,
    secret: required(options.vars, 'DEMO_JIRA_WEBHOOK_SECRET'),
  })
  trackers.linear.webhooks.configure({
    url: `${address}/webhooks/linear/linear-platform`,
    secret: required(options.vars, 'DEMO_LINEAR_WEBHOOK_SECRET'),
  })
  const token = options.vars.ONETRACK_DEMO_TOKEN ?? ''
  const key = trackers.jiraKey('SHOP-B2B') ?? ''
  say()
  say(`roadmap:    ${address}/   (paste the token ${token} to make calls: overrides, sign-offs, what-if)`)
  say(`API:        ${address}/docs   (OpenAPI: ${address}/openapi.json)`)
  say(`health:     ${address}/readyz   metrics: ${address}/metrics`)
  say(`dashboard:  ${address}/admin/queues   (user demo, password ${token})`)
  say(`Jira:       ${trackers.jiraUrl}   Linear: ${trackers.linearUrl}`)
  say()
  say('Edit a ticket in the simulated Jira and watch it come back scored, for example:')
  say(
    `  curl -u onetrack-bot@acme.example:${options.vars.DEMO_JIRA_API_TOKEN} -X PUT -H 'content-type: application/json' \\\n    ${trackers.jiraUrl}/rest/api/3/issue/${key} -d '{"fields":{"${trackers.scoringFields.value.id}":40}}'`,
  )
  say()
  void liveEdit(trackers, 'SHOP-B2B')
  return onShutdown(services.logger, async () => {
    await app.close()
    await workers.close()
    await services.close()
    await trackers.close()
  })
}

/** Raises a value in Jira a moment after start and reports what comes back through the pipeline. */
async function liveEdit(trackers: DemoTrackers, ref: string): Promise<void> {
  const id = trackers.trackerId(ref)
  if (id === undefined) return
  const issue = trackers.jira.state.find(id)
  if (issue === undefined) return
  const scoreField = [...trackers.jira.state.fields.values()].find((f) => f.name === 'onetrack score')
  const rankField = [...trackers.jira.state.fields.values()].find((f) => f.name === 'onetrack rank')
  await new Promise((r) => setTimeout(r, 2_000))
  const before = { score: issue.values[scoreField?.id ?? ''], rank: issue.values[rankField?.id ?? ''] }
  const valueField = trackers.scoringFields.value.id
  const from = issue.values[valueField]
  trackers.jira.state.updateIssue(id, { fields: { [valueField]: 40 } })
  say(
    `live: ${issue.key} "${issue.summary}": Business Value ${String(from)} → 40 in Jira (a webhook is on its way)`,
  )
  const started = Date.now()
  while (Date.now() - started < 60_000) {
    await new Promise((r) => setTimeout(r, 250))
    const score = issue.values[scoreField?.id ?? '']
    if (score !== before.score) {
      say(
        `live: ${issue.key} written back after ${Date.now() - started} ms: score ${String(before.score)} → ${String(score)}, rank ${String(before.rank)} → ${String(issue.values[rankField?.id ?? ''])}`,
      )
      return
    }
  }
  say(`live: no write-back for ${issue.key} within a minute; see the dashboard for the jobs`)
}

/** The reason the demo's owner gives when accepting the failover epic's first deferral. */
const DEMO_ACK_REASON =
  'Q1 went to the checkout relaunch we promised; the drills slip one quarter and lead Q2.'

/**
 * Part of the replayed history: two days after the platform epic first slips, the roadmap owner
 * accepts that deferral with a reason. Its later deferrals stay open (waiting for a call).
 */
async function ownerSignsOffFirstDeferral(
  services: Services,
  trackers: DemoTrackers,
  tokens: ReadonlyArray<{ name: string; role: string }>,
  at: string,
): Promise<void> {
  const owner = tokens.find((t) => t.role === 'owner')
  const id = trackers.trackerId('PLAT-FAILOVER')
  if (owner === undefined || id === undefined) return
  const epicId = epicIdOf('linear-platform', id)
  const ledger = await loadLedger(services.database.db)
  const deferrals = ledger.filter((e) => e.epicId === epicId && isDeferral(e.kind))
  const first = deferrals[0]
  if (first === undefined) return
  const acks = await acknowledgementsOf(services.database.db, [first.id])
  if (acks.has(first.id)) return
  await acknowledgeDeferral(services.database.db, {
    eventId: first.id,
    by: owner.name,
    reason: DEMO_ACK_REASON,
    via: 'api',
    now: new Date(Date.parse(at) + 2 * 86_400_000),
  })
}

/** The platform epic's story, from the ledger: why it slipped, each time, and the owner's calls. */
async function printStory(services: Services, trackers: DemoTrackers): Promise<void> {
  const id = trackers.trackerId('PLAT-FAILOVER')
  if (id === undefined) return
  const epicId = epicIdOf('linear-platform', id)
  const version = await latestVersion(services.database.db)
  const names = periodNames(version?.roadmap.periods ?? [])
  const events = (await loadLedger(services.database.db)).filter(
    (e) => e.epicId === epicId && isDeferral(e.kind),
  )
  const entry = version?.roadmap.entries.find((e) => e.epicId === epicId)
  const acks = await acknowledgementsOf(
    services.database.db,
    events.map((e) => e.id),
  )
  const today = Date.now()
  say()
  say(`the story: "${entry?.title ?? 'Database failover and restore drills'}" (platform, technical)`)
  for (const event of events) {
    say(`  ${event.at.slice(0, 10)}  ${describeDeferral(event, names)}`)
    const ack = acks.get(event.id)
    say(
      ack === undefined
        ? `              → unacknowledged for ${Math.floor((today - Date.parse(event.at)) / 86_400_000)} days: pending the owner's call`
        : `              → accepted by ${ack.by} on ${ack.at.slice(0, 10)}: "${ack.reason}"`,
    )
  }
  if (entry !== undefined) {
    const score = entry.score.status === 'scored' ? entry.score.score.toFixed(2) : 'unscored'
    say(
      `  today: rank ${entry.rank}, score ${score}, planned ${names(entry.period)}; cost of delay so far: ${events.at(-1)?.costOfDelayAccumulated.toFixed(1) ?? 0}`,
    )
    // Before the owner's next call: what one more slip would cost, computed as a build would, saved nowhere.
    const periods = version?.roadmap.periods ?? []
    const next = periods[periods.findIndex((p) => p.id === entry.period) + 1]
    if (entry.period !== null && next !== undefined) {
      const { result } = await runWhatIf({ ...services, now: () => new Date() }, [
        { kind: 'defer', epicId, period: next.id },
      ])
      const others = result.moved.filter((m) => m.epicId !== epicId).length
      say(
        `  what if it slips once more, to ${names(next.id)}: +${result.costOfDelayAdded.toFixed(1)} ${services.config.roadmap.costOfDelayUnit} cost of delay, ${others} other epics move, ${result.newlyBlocked.length} newly blocked (onetrack what-if --defer ${entry.key} --to ${next.id})`,
      )
    }
  }
}

function required(vars: Record<string, string | undefined>, name: string): string {
  const value = vars[name]
  if (value === undefined || value === '') throw new Error(`${name} is not set (config/demo.env sets it)`)
  return value
}
