import { DelayedError, type Job, UnrecoverableError } from 'bullmq'
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
} from '../src/channels/index.ts'
import { type ChannelConfig, reportSettings } from '../src/config/index.ts'
import type { WeeklyReport } from '../src/domain/index.ts'
import { isOnetrackError, OnetrackError } from '../src/errors.ts'
import type { JobHandler } from '../src/jobs/handler.ts'
import type { JobPayload } from '../src/jobs/index.ts'
import {
  activeOverrides,
  decisionsBetween,
  latestVersion,
  loadLedger,
  type Tables,
  unacknowledgedDeferrals,
} from '../src/store/index.ts'
import type { HandlerDeps } from './deps.ts'

/**
 * How long a `posting` row belongs to the attempt that wrote it. Longer than one attempt can take
 * between claiming and recording (a post, or a history check then a post, each bounded by the
 * request timeout); after it, the row is read as left behind by a crash.
 */
export const POSTING_LEASE_MS = 60_000
/** Postponements (rate limits, another attempt posting) a job may take before it counts as failing. */
const MAX_POSTPONEMENTS = 20

export type ReportDeps = Pick<HandlerDeps, 'config' | 'database' | 'logger' | 'metrics' | 'now'>

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
  const acknowledged = new Set(
    ledger
      .filter((e) => (e.kind === 'deferred' || e.kind === 'rolled_over') && !openIds.has(e.id))
      .map((e) => e.id),
  )
  const defaults = reportSettings(deps.config)
  const settings = {
    ...defaults,
    chronicThreshold: channel?.chronicDeferralThreshold ?? defaults.chronicThreshold,
    minCostOfDelay: channel?.minCostOfDelay ?? defaults.minCostOfDelay,
  }
  const report = buildChannelReport(
    { roadmap: version.roadmap, ledger, overrides, signOff: { acknowledged, decisions } },
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

  const existing = await readRow(db, channelId, week)
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

async function readRow(db: Kysely<Tables>, channelId: string, week: string) {
  return db
    .selectFrom('posted_reports')
    .select(['status', 'attempts', 'updated_at'])
    .where('channel_id', '=', channelId)
    .where('week', '=', week)
    .executeTakeFirst()
}

/** Takes the row for one attempt; every branch is a single atomic statement, so two attempts never both win. */
async function claimRow(
  db: Kysely<Tables>,
  at: { channelId: string; week: string; versionId: number; now: Date },
): Promise<Claim> {
  for (let round = 0; round < 3; round++) {
    const inserted = await db
      .insertInto('posted_reports')
      .values({
        channel_id: at.channelId,
        week: at.week,
        status: 'posting',
        attempts: 1,
        version_id: at.versionId,
        updated_at: at.now,
      })
      .onConflict((oc) => oc.columns(['channel_id', 'week']).doNothing())
      .returning('attempts')
      .executeTakeFirst()
    if (inserted !== undefined) return { kind: 'claimed', attempt: inserted.attempts, previous: 'none' }
    const row = await readRow(db, at.channelId, at.week)
    if (row === undefined) continue
    if (row.status === 'posted' || row.status === 'skipped') return { kind: 'done', state: row.status }
    const leaseEnd = row.updated_at.getTime() + POSTING_LEASE_MS
    if (row.status === 'posting' && leaseEnd > at.now.getTime())
      return { kind: 'busy', retryAt: new Date(leaseEnd) }
    const taken = await db
      .updateTable('posted_reports')
      .set({ status: 'posting', attempts: row.attempts + 1, version_id: at.versionId, updated_at: at.now })
      .where('channel_id', '=', at.channelId)
      .where('week', '=', at.week)
      .where('status', '=', row.status)
      .where('attempts', '=', row.attempts)
      .returning('attempts')
      .executeTakeFirst()
    if (taken !== undefined) {
      return {
        kind: 'claimed',
        attempt: taken.attempts,
        previous: row.status === 'failed' ? 'failed' : 'unknown',
      }
    }
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
  const updated = await db
    .updateTable('posted_reports')
    .set({
      status: outcome.status,
      error,
      updated_at: now,
      ...(outcome.status === 'posted' ? { posted_at: now } : {}),
    })
    .where('channel_id', '=', fence.channelId)
    .where('week', '=', fence.week)
    .where('attempts', '=', fence.attempt)
    .where('status', '=', 'posting')
    .executeTakeFirst()
  return updated.numUpdatedRows > 0n
}

/**
 * The report queue's handler. A rate limit or another attempt at work postpones the job to the
 * time given (Retry-After, or the end of the claim's lease) without spending an attempt; a
 * misconfigured channel or an unconfirmed delivery fails it at once (retrying cannot help and
 * could double-post); anything else is retried with the queue's backoff.
 */
export function reportHandler(deps: ReportDeps, options: ReportOptions = {}): JobHandler<'report'> {
  return async (job, { signal, log }) => {
    let outcome: ReportOutcome
    try {
      outcome = await runReport(deps, job.data, signal, options)
    } catch (error) {
      const retryAfterMs = isOnetrackError(error, 'CHANNEL_RATE_LIMITED')
        ? failureDetails(error)?.retryAfterMs
        : undefined
      if (retryAfterMs !== undefined) await postpone(job, Date.now() + retryAfterMs, error)
      if (
        isOnetrackError(error, 'CHANNEL_REJECTED') ||
        isOnetrackError(error, 'CHANNEL_DELIVERY_UNCONFIRMED')
      ) {
        throw new UnrecoverableError(`${error.code}: ${error.message}`)
      }
      throw error
    }
    if (outcome.status === 'busy') {
      // retryAt is on the injected clock; the queue runs on the real one.
      const waitMs = Math.max(0, outcome.retryAt.getTime() - deps.now().getTime()) + 250
      await postpone(job, Date.now() + waitMs, new Error('another attempt is posting this report'))
    }
    log.info({ outcome }, `report ${outcome.status}`)
    return outcome
  }
}

async function postpone(job: Job, at: number, reason: unknown): Promise<never> {
  if (job.token === undefined || job.attemptsStarted > MAX_POSTPONEMENTS) throw reason
  await job.moveToDelayed(at, job.token)
  throw new DelayedError()
}
