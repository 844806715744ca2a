// Report: the weekly deferral report of the latest roadmap version as a channel sees it (its scope
// and thresholds), and posting it exactly once per channel and week: a claim with a lease on the
// week's posted_reports row, a fenced record of the outcome, and a per-channel policy for an attempt
// that crashed after sending (ask the channel, send again under the same key, or give up visibly).
import type { Kysely } from 'kysely'
import {
  buildChannelReport,
  type Channel,
  type ChannelOptions,
  createChannel,
  deliveryKey,
  describeScope,
  failureDetails,
  isoWeekOf,
  type ReportContext,
} from '../channels/index.ts'
import { type ChannelConfig, reportSettings } from '../config/index.ts'
import { isDeferral, type WeeklyReport } from '../domain/index.ts'
import { isOnetrackError, OnetrackError } from '../errors.ts'
import type { JobPayload } from '../jobs/index.ts'
import {
  activeOverrides,
  claimNewPostedReport,
  decisionsBetween,
  latestVersion,
  loadLedger,
  postedReportState,
  rateHistories,
  recordPostedReport,
  type Tables,
  takeOverPostedReport,
  unacknowledgedDeferrals,
} from '../store/index.ts'
import type { PipelineDeps } from './deps.ts'

/**
 * How long a `posting` row belongs to the attempt that wrote it. Longer than one attempt can take
 * between claiming and recording (a post, or a history check then a post, each bounded by the
 * request timeout); after it, the row is read as left behind by a crash.
 */
export const POSTING_LEASE_MS = 60_000

export type ReportDeps = Pick<PipelineDeps, 'config' | 'database' | 'logger' | 'metrics' | 'now'>

export interface ReportOptions {
  channels?: ChannelOptions
}

export type ReportOutcome =
  | { status: 'posted'; channelId: string; week: string; versionId: number; attempt: number }
  /** An earlier attempt's post was found in the channel (Slack bot): recorded, not posted again. */
  | { status: 'confirmed'; channelId: string; week: string; versionId: number; attempt: number }
  /** A quiet week on a channel that stays silent then. */
  | { status: 'skipped'; channelId: string; week: string }
  | { status: 'already_done'; channelId: string; week: string; state: 'posted' | 'skipped' }
  /** Another attempt is posting this very report now; try again at `retryAt`. */
  | { status: 'busy'; channelId: string; week: string; retryAt: Date }
  | { status: 'no_roadmap'; channelId: string; week: string }

export interface ChannelReport {
  report: WeeklyReport
  context: ReportContext
  versionId: number
}

/**
 * The weekly report of the latest roadmap version as a channel sees it (its scope and thresholds),
 * or of the whole roadmap when `channel` is null (previews). Null before the first build.
 */
export async function loadChannelReport(
  deps: Pick<ReportDeps, 'config' | 'database' | 'now'>,
  channel: ChannelConfig | null,
  week?: string,
): Promise<ChannelReport | null> {
  const db = deps.database.db
  const version = await latestVersion(db)
  if (version === null) return null
  const now = deps.now()
  const [ledger, overrides, open, decisions] = await Promise.all([
    loadLedger(db),
    activeOverrides(db),
    unacknowledgedDeferrals(db),
    decisionsBetween(db, new Date(now.getTime() - 7 * 86_400_000).toISOString(), now.toISOString()),
  ])
  const openIds = new Set(open.map((e) => e.id))
  const deferrals = ledger.filter((e) => isDeferral(e.kind))
  const acknowledged = new Set(deferrals.filter((e) => !openIds.has(e.id)).map((e) => e.id))
  // The accrued cost of each epic ever late is made of its cost of delay over time.
  const rates = await rateHistories(db, [...new Set(deferrals.map((e) => e.epicId))])
  const defaults = reportSettings(deps.config)
  const settings = {
    ...defaults,
    chronicThreshold: channel?.chronicDeferralThreshold ?? defaults.chronicThreshold,
    minCostOfDelay: channel?.minCostOfDelay ?? defaults.minCostOfDelay,
  }
  const report = buildChannelReport(
    { roadmap: version.roadmap, ledger, overrides, rates, signOff: { acknowledged, decisions } },
    channel?.scope ?? {},
    settings,
    now.toISOString(),
  )
  const context: ReportContext = {
    channelId: channel?.id ?? null,
    week: week ?? isoWeekOf(now, channel?.schedule.timezone ?? 'UTC'),
    roadmapName: deps.config.roadmap.name,
    publicUrl: deps.config.server.publicUrl,
    periods: version.roadmap.periods,
    scope: channel === null ? null : describeScope(channel.scope),
  }
  return { report, context, versionId: version.id }
}

/**
 * Posts a channel's weekly report exactly once per week, as far as the channel allows.
 *
 * posted_reports holds one row per channel and week. An attempt claims it (`posting`, attempts + 1,
 * a compare-and-set on attempts) right before sending and records `posted` right after. A `posting`
 * row younger than the lease belongs to an attempt still running: this one backs off (`busy`). An
 * older one was left by a crash between sending and recording, so the earlier post may or may not
 * have arrived; the channel's policy settles it (types.ts `UnknownOutcomePolicy`): a Slack bot
 * looks for the report's metadata in the channel, a generic webhook sends again under the same
 * Idempotency-Key, and a Slack incoming webhook or Teams workflow, which cannot be asked, is not
 * sent again: the week is recorded `failed` with CHANNEL_DELIVERY_UNCONFIRMED (at most once).
 * A definite failure (429, 5xx, 4xx, connection refused) is recorded `failed` with the error, then
 * thrown: the job retries 429 and 5xx; a 4xx is a misconfigured channel and is not retried.
 */
export async function runReport(
  deps: ReportDeps,
  payload: JobPayload<'report'>,
  signal: AbortSignal,
  options: ReportOptions = {},
): Promise<ReportOutcome> {
  const config = deps.config.channels.find((c) => c.id === payload.channelId)
  if (config === undefined) {
    throw new OnetrackError('ONETRACK_JOB_INVALID', `channel ${payload.channelId} is not in the config`)
  }
  const db = deps.database.db
  const channelId = config.id
  const week = payload.week ?? isoWeekOf(deps.now(), config.schedule.timezone)
  const count = (outcome: string) => deps.metrics.reports.inc({ channel: channelId, outcome })
  const log = deps.logger.child({ channel: channelId, week })

  const existing = await postedReportState(db, channelId, week)
  if (existing?.status === 'posted' || existing?.status === 'skipped') {
    count('already_posted')
    return { status: 'already_done', channelId, week, state: existing.status }
  }
  signal.throwIfAborted()
  const built = await loadChannelReport(deps, config, week)
  if (built === null) {
    count('no_roadmap')
    log.warn('no roadmap version yet: nothing to report')
    return { status: 'no_roadmap', channelId, week }
  }
  const channel = createChannel(config, options.channels)
  const silent = built.report.quiet && config.quietWeek === 'silent'
  // Rendered before the claim: a renderer that throws must not leave a `posting` row behind.
  const message = silent ? null : channel.render(built.report, built.context)

  const claim = await claimRow(db, { channelId, week, versionId: built.versionId, now: deps.now() })
  if (claim.kind === 'done') {
    count('already_posted')
    return { status: 'already_done', channelId, week, state: claim.state }
  }
  if (claim.kind === 'busy') {
    count('busy')
    return { status: 'busy', channelId, week, retryAt: claim.retryAt }
  }
  const fence = { channelId, week, attempt: claim.attempt }
  if (message === null) {
    await record(db, fence, deps.now(), { status: 'skipped' })
    count('skipped')
    return { status: 'skipped', channelId, week }
  }
  const key = deliveryKey(channelId, week)
  const done = { channelId, week, versionId: built.versionId, attempt: claim.attempt }
  if (claim.previous === 'unknown') {
    log.warn({ policy: channel.onUnknownOutcome }, 'an earlier attempt stopped after sending: settling it')
    const earlier = `an earlier attempt at the ${week} report stopped after sending it`
    if (channel.onUnknownOutcome === 'give_up') {
      return unconfirmed(`${earlier}, and ${config.kind} cannot be asked whether it arrived`)
    }
    if (channel.onUnknownOutcome === 'confirm') {
      let found: boolean
      try {
        found = await confirmed(channel, key, deps.now())
      } catch (error) {
        // Slack did not answer: the claim stays and the next attempt asks again after the lease.
        // Slack refused to answer (a missing scope): it cannot be settled, so it is not sent.
        if (!isOnetrackError(error, 'CHANNEL_REJECTED')) throw error
        return unconfirmed(`${earlier}, and Slack would not say whether it arrived (${error.message})`, error)
      }
      if (found) {
        await record(db, fence, deps.now(), { status: 'posted' })
        count('posted')
        return { status: 'confirmed', ...done }
      }
      // The history check took time: renew the claim before sending.
      await record(db, fence, deps.now(), { status: 'posting' })
    }
  }
  try {
    await channel.post(message, key)
  } catch (error) {
    await settleFailure(error)
    throw error
  }
  const recorded = await record(db, fence, deps.now(), { status: 'posted' })
  if (!recorded) log.warn('posted, but another attempt had taken the claim over')
  count('posted')
  log.info({ versionId: built.versionId, attempt: claim.attempt }, 'weekly report posted')
  return { status: 'posted', ...done }

  /** Records the week as failed without posting: at most once, and visible. */
  async function unconfirmed(why: string, cause?: unknown): Promise<never> {
    const error = new OnetrackError(
      'CHANNEL_DELIVERY_UNCONFIRMED',
      `${why}: not posted again, so nobody gets it twice`,
      { cause, details: { channel: channelId, delivery: 'unknown' } },
    )
    await record(db, fence, deps.now(), { status: 'failed', error })
    count('unconfirmed')
    throw error
  }

  async function settleFailure(error: unknown): Promise<void> {
    const delivery = failureDetails(error)?.delivery ?? 'unknown'
    log.warn({ err: error, delivery }, 'weekly report not posted')
    if (delivery === 'not_delivered' || channel.onUnknownOutcome === 'resend') {
      await record(db, fence, deps.now(), { status: 'failed', error })
      count(isOnetrackError(error, 'CHANNEL_REJECTED') ? 'failed' : 'retrying')
    } else if (channel.onUnknownOutcome === 'give_up') {
      await unconfirmed(`the ${week} report may have been posted (${(error as Error).message})`, error)
    } else {
      // 'confirm': the row stays `posting`; after the lease the next attempt looks in the channel.
      count('retrying')
    }
  }
}

async function confirmed(channel: Channel, key: ReturnType<typeof deliveryKey>, now: Date): Promise<boolean> {
  // A week and a day back covers every earlier attempt at this week's report.
  return (await channel.delivered?.(key, new Date(now.getTime() - 8 * 86_400_000))) ?? false
}

type Claim =
  | { kind: 'claimed'; attempt: number; previous: 'none' | 'failed' | 'unknown' }
  | { kind: 'done'; state: 'posted' | 'skipped' }
  | { kind: 'busy'; retryAt: Date }

/**
 * Takes the week's row for one attempt: a new row, or one a failed or crashed attempt left (a
 * `posting` row past its lease). Each step is one atomic statement; a lost race reads the row again.
 */
async function claimRow(
  db: Kysely<Tables>,
  at: { channelId: string; week: string; versionId: number; now: Date },
): Promise<Claim> {
  for (let round = 0; round < 3; round++) {
    const first = await claimNewPostedReport(db, at)
    if (first !== null) return { kind: 'claimed', attempt: first, previous: 'none' }
    const row = await postedReportState(db, at.channelId, at.week)
    if (row === null) continue
    if (row.status === 'posted' || row.status === 'skipped') return { kind: 'done', state: row.status }
    const leaseEnd = row.updatedAt.getTime() + POSTING_LEASE_MS
    if (row.status === 'posting' && leaseEnd > at.now.getTime())
      return { kind: 'busy', retryAt: new Date(leaseEnd) }
    const taken = await takeOverPostedReport(db, at, row)
    if (taken !== null)
      return { kind: 'claimed', attempt: taken, previous: row.status === 'failed' ? 'failed' : 'unknown' }
  }
  // Lost three races in a row: another attempt is clearly at it.
  return { kind: 'busy', retryAt: new Date(at.now.getTime() + 1_000) }
}

/** Writes the outcome of the attempt holding the claim; false when another attempt has taken it over. */
async function record(
  db: Kysely<Tables>,
  fence: { channelId: string; week: string; attempt: number },
  now: Date,
  outcome: { status: 'posted' | 'skipped' | 'posting' } | { status: 'failed'; error: unknown },
): Promise<boolean> {
  const error =
    outcome.status !== 'failed'
      ? null
      : isOnetrackError(outcome.error)
        ? `${outcome.error.code}: ${outcome.error.message}`
        : `ONETRACK_INTERNAL: ${(outcome.error as Error).message}`
  return recordPostedReport(db, fence, { status: outcome.status, error, now })
}
