import { rmSync } from 'node:fs'
import { resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { type Environment, loadConfig, reportSettings, roadmapSettings } from '../config/index.ts'
import {
  type DeferralEvent,
  describeDeferral,
  epicLabel,
  isDeferral,
  type PeriodNames,
  periodNames,
} from '../domain/index.ts'
import { runBuild, runSync, runWhatIf, runWriteback } from '../pipeline/index.ts'
import { createRedis, pingRedis } from '../redis.ts'
import { DEMO_OIDC_CLIENT_ID, DEMO_PEOPLE } from '../sandbox/demo/people.ts'
import { type DemoTrackers, HISTORY_STEPS, startDemoTrackers } from '../sandbox/demo/trackers.ts'
import { type IdentityProvider, onetrackClient, startIdentityProvider } from '../sandbox/identity/index.ts'
import {
  accruedCostsAsOf,
  acknowledgementsOf,
  latestVersion,
  loadLedger,
  unacknowledgedDeferrals,
} from '../store/index.ts'
import { DEMO_CONFIG } from './demo.ts'
import { type Replay, type ReplayStep, replayDemoHistory, STORY_REF } from './demo-history.ts'
import { probePort, removeQueueKeys, takeDemoLock } from './demo-isolation.ts'
import { onShutdown, openServices, type Services, startWorkers } from './services.ts'

interface DemoOptions {
  vars: Record<string, string | undefined>
  /** The demo's environment: its own data folder and queue prefix, `now` its date. */
  env: Environment & { now: Date }
  port: number
  once: boolean
}

const say = (line = '') => console.log(line)
const DAY_MS = 86_400_000

/**
 * The demo: simulated Jira and Linear seeded with Acme, a year of its history replayed build by
 * build at the dates it happened (so the ledger holds real deferral stories), then the sync, build
 * and write-back of the demo's date; then, unless --once, the API and the workers serve it, and a
 * live edit in Jira shows the loop end to end. The pipeline's clock is the demo's date throughout.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const { env } = options
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
  // Checked before the data folder is touched, so a demo that cannot run breaks nothing.
  const port = options.once ? { ok: true as const, port: options.port } : await probePort(options.port)
  if (!port.ok) {
    console.error(
      `onetrack demo: port ${options.port} is ${port.problem}: stop what listens there, or give this demo another with --port`,
    )
    return 1
  }
  const taken = takeDemoLock(env.dataDir, env.queuePrefix)
  if (!taken.ok) {
    console.error(
      `onetrack demo: another demo (pid ${taken.holder.pid}, since ${taken.holder.startedAt || '?'}) is using ${env.dataDir}; stop it first, or give this one a data folder of its own: ONETRACK_DATA_DIR=<folder> npm run demo -- --port <port>`,
    )
    return 1
  }
  // A demo killed before it could clean up left its queues behind: they go now.
  if (taken.stale !== null && /-demo-\d+-[0-9a-f]+$/.test(taken.stale.queuePrefix)) {
    await removeQueueKeys(env.redisUrl, taken.stale.queuePrefix).catch(() => 0)
  }
  let cleaned = false
  const cleanUp = async () => {
    if (cleaned) return
    cleaned = true
    await removeQueueKeys(env.redisUrl, env.queuePrefix).catch(() => 0)
    taken.lock.release()
  }
  // Until the service serves (and takes the signals over), Ctrl-C leaves no queue and no lock behind.
  const interrupted = (signal: NodeJS.Signals) => {
    void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
  }
  process.once('SIGINT', interrupted)
  process.once('SIGTERM', interrupted)
  const stopInterrupts = () => {
    process.off('SIGINT', interrupted)
    process.off('SIGTERM', interrupted)
  }
  try {
    return await runDemoPipeline({ ...options, port: port.port }, stopInterrupts)
  } finally {
    stopInterrupts()
    await cleanUp()
  }
}

async function runDemoPipeline(options: DemoOptions, stopInterrupts: () => void): Promise<number> {
  const { env, vars } = options
  const asOf = env.now.toISOString()
  rmSync(env.dataDir, { recursive: true, force: true })

  const trackers = await startDemoTrackers({
    jiraEmail: 'onetrack-bot@acme.example',
    jiraToken: required(vars, 'DEMO_JIRA_API_TOKEN'),
    jiraWebhookSecret: required(vars, 'DEMO_JIRA_WEBHOOK_SECRET'),
    linearApiKey: required(vars, 'DEMO_LINEAR_API_KEY'),
    linearWebhookSecret: required(vars, 'DEMO_LINEAR_WEBHOOK_SECRET'),
  })
  // The links written to the tickets and the reports, the API's address in OpenAPI and the
  // sign-in callback follow the port unless DEMO_PUBLIC_URL names another address.
  const publicUrl = (vars.DEMO_PUBLIC_URL ?? `http://localhost:${options.port}`).replace(/\/+$/, '')
  const identity = await startIdentityProvider({
    people: [...DEMO_PEOPLE],
    clients: [onetrackClient(publicUrl, DEMO_OIDC_CLIENT_ID, required(vars, 'DEMO_OIDC_CLIENT_SECRET'))],
    title: 'Acme sign-in (demo)',
  })
  const config = loadConfig(DEMO_CONFIG, {
    ...vars,
    DEMO_PUBLIC_URL: publicUrl,
    DEMO_JIRA_URL: trackers.jiraUrl,
    DEMO_LINEAR_URL: trackers.linearUrl,
    DEMO_OIDC_ISSUER: identity.issuer,
  })
  const services = await openServices(env, config, 'api')

  say(
    `onetrack demo: ${trackers.epics.length} epics at Acme (Jira: Checkout, Growth; Linear: Platform), as of ${dayOf(asOf)}`,
  )
  const replayed = HISTORY_STEPS.filter((at) => Date.parse(at) <= Date.parse(asOf)).length
  say(
    `replaying a year of planning: ${replayed} builds from ${HISTORY_STEPS[0]?.slice(0, 10)}, each at its date (commitments at a quarter's start, new work mid-quarter, shipping by its end)`,
  )
  const names = periodNames(roadmapSettings(config).periods)
  const replay = await replayDemoHistory(services, trackers, {
    until: asOf,
    onStep: (step) => say(stepLine(step, names)),
  })

  // The demo's date: today's edits (all of the history replayed), then sync, build and write-back.
  trackers.setClock(env.now.getTime())
  if (replayed === HISTORY_STEPS.length) trackers.applyStep(HISTORY_STEPS.length)
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
  await printSummary(services, { synced, written, build, replay, asOf })
  await printStory(services, replay, options)

  if (options.once) {
    await services.close()
    await trackers.close()
    await identity.close()
    return 0
  }
  return serve(options, services, trackers, identity, stopInterrupts)
}

async function serve(
  options: DemoOptions,
  services: Services,
  trackers: DemoTrackers,
  identity: IdentityProvider,
  stopInterrupts: () => void,
): Promise<number> {
  // From here the demo's date moves on with the real time, for onetrack and the simulators alike:
  // the trackers' webhooks carry timestamps that onetrack checks against its own clock.
  const base = options.env.now.getTime()
  const startedAt = Date.now()
  const clock = () => base + (Date.now() - startedAt)
  services.now = () => new Date(clock())
  trackers.setClock(clock)
  const { buildApp } = await import('../http/app.ts')
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
  const ref = await liveEditTarget(services, trackers)
  const key = trackers.jiraKey(ref) ?? ''
  say()
  // People open the public address: the sign-in comes back to it, and its cookie is kept for it.
  const page = services.config.server.publicUrl.replace(/\/+$/, '')
  say(`roadmap:    ${page}/`)
  say(
    `sign in:    "Sign in", top right: pick Dana Reyes (CPTO) to sign off deferrals, Sam Okafor (platform lead), Priya Natarajan (editor) or Alex Kim (viewer); the demo's identity provider is ${identity.issuer}`,
  )
  say(`API:        ${page}/docs   (OpenAPI: ${page}/openapi.json; scripts send the bearer token ${token})`)
  say(`health:     ${page}/readyz   metrics: ${page}/metrics`)
  say(
    `dashboard:  ${page}/admin/queues   (user demo, password ${token}; Redis prefix ${options.env.queuePrefix})`,
  )
  say(`Jira:       ${trackers.jiraUrl}   Linear: ${trackers.linearUrl}`)
  say()
  say('Edit a ticket in the simulated Jira and watch it come back scored, for example:')
  say(
    `  curl -u onetrack-bot@acme.example:${options.vars.DEMO_JIRA_API_TOKEN} -X PUT -H 'content-type: application/json' \\\n    ${trackers.jiraUrl}/rest/api/3/issue/${key} -d '{"fields":{"${trackers.scoringFields.value.id}":40}}'`,
  )
  say()
  const stopping = new AbortController()
  void liveEdit(trackers, ref, stopping.signal)
  stopInterrupts()
  return onShutdown(services.logger, async () => {
    stopping.abort()
    await app.close()
    await workers.close()
    await services.close()
    await trackers.close()
    await identity.close()
  })
}

/**
 * The Jira epic the live edit raises: the best-ranked one not started and not committed (planned
 * further out), so a higher value visibly moves it; the B2B invoices epic when none is.
 */
async function liveEditTarget(services: Services, trackers: DemoTrackers): Promise<string> {
  const version = await latestVersion(services.database.db)
  const jira = services.config.sources.find((s) => s.kind === 'jira')?.id
  for (const entry of version?.roadmap.entries ?? []) {
    if (entry.source !== jira || entry.status !== 'todo' || entry.commitment !== null) continue
    const ref = trackers.refOf(entry.epicId.slice(entry.epicId.indexOf(':') + 1))
    if (ref !== undefined) return ref
  }
  return 'SHOP-B2B'
}

/** Raises a value in Jira a moment after start and reports what comes back through the pipeline. */
async function liveEdit(trackers: DemoTrackers, ref: string, signal: AbortSignal): Promise<void> {
  const id = trackers.trackerId(ref)
  if (id === undefined) return
  const issue = trackers.jira.state.find(id)
  if (issue === undefined) return
  const scoreField = [...trackers.jira.state.fields.values()].find((f) => f.name === 'onetrack score')
  const rankField = [...trackers.jira.state.fields.values()].find((f) => f.name === 'onetrack rank')
  // Stopping the demo ends the wait: nothing is left to keep the process alive.
  const pause = (ms: number) =>
    sleep(ms, undefined, { signal }).then(
      () => true,
      () => false,
    )
  if (!(await pause(2_000))) return
  const before = { score: issue.values[scoreField?.id ?? ''], rank: issue.values[rankField?.id ?? ''] }
  const valueField = trackers.scoringFields.value.id
  const from = issue.values[valueField]
  trackers.jira.state.updateIssue(id, { fields: { [valueField]: 40 } })
  say(
    `live: ${issue.key} "${issue.summary}": Business Value ${String(from)} → 40 in Jira (a webhook is on its way)`,
  )
  const started = Date.now()
  while (Date.now() - started < 60_000) {
    if (!(await pause(250))) return
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

/** A history step in one line. */
function stepLine(step: ReplayStep, names: PeriodNames): string {
  const quarter = names(step.period)
  const deferrals = step.build.deferrals
  const slipped = deferrals === 0 ? '' : `, ${plural(deferrals, 'deferral')} of committed work`
  const signed = step.signedOff === 0 ? '' : `; the owner signed off ${plural(step.signedOff, 'epic')}`
  const what =
    step.phase === 'start'
      ? `${quarter} begins: ${plural(step.committed, 'epic')} committed to it${slipped}`
      : step.phase === 'mid'
        ? `mid-${quarter}: ${plural(step.appeared, 'new epic')}${slipped}`
        : `${quarter} ends: ${step.shipped} shipped, ${step.heldBack} still in progress${slipped}`
  return `  ${step.at.slice(0, 10)}  ${what}${signed}`
}

/** The demo's numbers once today's build is written back. */
async function printSummary(
  services: Services,
  input: {
    synced: string[]
    written: string[]
    build: Awaited<ReturnType<typeof runBuild>>
    replay: Replay
    asOf: string
  },
): Promise<void> {
  const { build, replay, asOf } = input
  const db = services.database.db
  const unit = reportSettings(services.config).costUnit
  const names = periodNames(roadmapSettings(services.config).periods)
  const ledger = await loadLedger(db)
  const deferrals = ledger.filter((e) => isDeferral(e.kind))
  const replans = ledger.filter((e) => e.kind === 'replanned').length
  say()
  say(`epics synced:    ${input.synced.join(', ')}`)
  say(
    `today's build:   version ${build.versionId} as of ${dayOf(asOf)}: ${build.epics} open epics, ${build.planned} planned, ${build.unplanned} unplanned, ${build.unscored} unscored`,
  )
  const quarters = replay.quarters
  if (quarters.length > 0) {
    const committed = quarters.reduce((n, q) => n + q.committed, 0)
    const shipped = quarters.reduce((n, q) => n + q.shipped, 0)
    const rolled = quarters.reduce((n, q) => n + q.rolledOver, 0)
    const span =
      quarters.length === 1
        ? names(quarters[0]?.period ?? null)
        : `${names(quarters[0]?.period ?? null)} to ${names(quarters.at(-1)?.period ?? null)}`
    say(
      `committed work:  ${shipped} of ${committed} epics committed at a quarter's start shipped in it (${span}, ${Math.round((100 * shipped) / Math.max(1, committed))}%); ${rolled} rolled over`,
    )
  }
  say(
    `deferral ledger: ${deferrals.length} deferrals of ${new Set(deferrals.map((e) => e.epicId)).size} epics in ${ledger.length} events; ${replans} moves of work planned further out are replans, never counted`,
  )
  say(`written back:    ${input.written.join(', ')} tickets`)
  // Counted by epic, as the weekly report lists them: one owner call answers all of an epic's deferrals.
  const open = await unacknowledgedDeferrals(db)
  const awaiting = new Set(open.map((e) => e.epicId)).size
  const answered = new Set(deferrals.map((e) => e.epicId)).size - awaiting
  say(
    `owner sign-off:  ${plural(awaiting, 'epic')} await the owner's call (${plural(open.length, 'deferral')}: accept with a reason, or pin); ${answered} answered`,
  )
  const accrued = await accruedCostsAsOf(db, asOf)
  const openIds = new Set((await latestVersion(db))?.roadmap.entries.map((e) => e.epicId) ?? [])
  let total = 0
  let stillOpen = 0
  for (const [epicId, cost] of accrued) {
    total += cost
    if (openIds.has(epicId)) stillOpen += cost
  }
  say(
    `cost of delay:   ${money(total, unit)} accrued by committed work past its quarter, ${money(stillOpen, unit)} of it on epics still open`,
  )
}

/** The platform epic's story, from the ledger: why it slipped, each time, and the owner's calls. */
async function printStory(services: Services, replay: Replay, options: DemoOptions): Promise<void> {
  const epicId = replay.epicIdOf(STORY_REF)
  if (epicId === undefined) return
  const db = services.database.db
  const asOf = options.env.now.toISOString()
  const unit = reportSettings(services.config).costUnit
  const version = await latestVersion(db)
  const periods = version?.roadmap.periods ?? []
  const names = periodNames(periods)
  const events = (await loadLedger(db)).filter((e) => e.epicId === epicId && isDeferral(e.kind))
  const entry = version?.roadmap.entries.find((e) => e.epicId === epicId)
  const acks = await acknowledgementsOf(
    db,
    events.map((e) => e.id),
  )
  const title = entry?.title ?? events[0]?.epic.title ?? 'Database failover and restore drills'
  const team = services.config.roadmap.teams.find((t) => t.id === (entry?.team ?? events[0]?.epic.team))
  say()
  say(
    `the story: ${title} (${team?.name ?? team?.id ?? 'Platform'}, ${entry?.track ?? 'technical'}), deferred ${plural(events.length, 'time')}`,
  )
  for (const event of events) {
    say(`  ${event.at.slice(0, 10)}  ${describeDeferral(event, names)}`)
    const displacers = event.displacedBy.map((d) => epicLabel(d))
    if (displacers.length > 0) say(`              in its place: ${displacers.join(', ')}`)
    const ack = acks.get(event.id)
    say(
      ack === undefined
        ? `              → awaiting the owner's call for ${Math.floor((Date.parse(asOf) - Date.parse(event.at)) / DAY_MS)} days; projected cost at the call: ${money(event.projectedCost, unit)}`
        : `              → accepted by ${ack.by} on ${ack.at.slice(0, 10)}: "${ack.reason}"`,
    )
  }
  const accrued = (await accruedCostsAsOf(db, asOf, [epicId])).get(epicId) ?? 0
  const first = events[0] as DeferralEvent | undefined
  if (entry !== undefined) {
    const score = entry.score.status === 'scored' ? entry.score.score.toFixed(2) : 'unscored'
    const cod = entry.score.breakdown.costOfDelay
    const finish = entry.spans.at(-1)?.period ?? entry.period
    const committed = entry.commitment !== null && entry.commitment === finish ? ' (committed)' : ''
    say(
      `  today: rank ${entry.rank} of ${version?.roadmap.entries.length ?? 0}, score ${score}, planned ${names(entry.period)}${committed}${cod === null ? '' : `; its cost of delay is ${money(cod, unit)} a quarter`}`,
    )
  }
  if (first !== undefined) {
    say(
      `  cost of delay so far: ${money(accrued, unit)} accrued since ${names(first.committed?.period ?? first.fromPeriod)} ended, at the rate of each day`,
    )
  }
  if (entry === undefined || entry.period === null) return
  // Before the owner's next call: what one more slip would cost, computed as a build would, saved nowhere.
  const target = periods[periods.findIndex((p) => p.id === entry.period) + 1]
  if (target === undefined) return
  const { result } = await runWhatIf(services, [{ kind: 'defer', epicId, period: target.id }])
  const others = result.moved.filter((m) => m.epicId !== epicId).length
  const slip = result.deferrals.find((e) => e.epicId === epicId)
  const rate = slip?.costOfDelay ?? null
  const current = entry.score.breakdown.costOfDelay
  const compounds =
    rate !== null && current !== null && rate > current + 0.05
      ? ` (another deferral compounds its risk: ${money(rate, unit)} a quarter)`
      : ''
  say(
    slip === undefined
      ? `  what if it slips once more, to ${names(target.id)}: a replan, not a deferral (${names(entry.period)} is not a commitment of it), ${plural(others, 'other epic')} move`
      : `  what if it slips once more, to ${names(target.id)}: +${money(result.projectedCost, unit)} projected cost of delay${compounds}, ${plural(others, 'other epic')} move, ${result.newlyBlocked.length} newly blocked`,
  )
  const command = whatIfHint(options, title, target.id)
  say(
    options.once
      ? `  try it:  ${command}`
      : `  try it in the page (the epic's "What if…"), or once the demo stops:  ${command}`,
  )
}

/**
 * The what-if of one more slip as a command that works as printed: the npm script reads the demo's
 * config and its data folder (ONETRACK_DATA_DIR as the demo was given it), at the demo's date.
 */
export function whatIfHint(
  options: Pick<DemoOptions, 'vars' | 'env'>,
  title: string,
  period: string,
): string {
  const dir = options.vars.ONETRACK_DATA_DIR
  const prefix =
    dir === undefined || dir.trim() === '' || resolve(dir) === resolve('data')
      ? ''
      : `ONETRACK_DATA_DIR=${shellQuote(dir)} `
  return `${prefix}npm run demo:what-if -- --defer ${shellQuote(title)} --to ${period} --as-of ${instantText(options.env.now)}`
}

/** A date as --as-of takes it: the day alone at midnight UTC, else the whole timestamp. */
function instantText(at: Date): string {
  const iso = at.toISOString()
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z')
}

function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`
}

const dayOf = (iso: string) => iso.slice(0, 10)

const money = (n: number, unit: string) => `${n.toFixed(1)} ${unit}`

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`

function required(vars: Record<string, string | undefined>, name: string): string {
  const value = vars[name]
  if (value === undefined || value === '') throw new Error(`${name} is not set (config/demo.env sets it)`)
  return value
}
