import type { ChannelConfig } from '../config/index.ts'
import type { Period, WeeklyReport } from '../domain/index.ts'

export type ChannelKind = ChannelConfig['kind']

/** What a renderer needs besides the report model: where it goes and how to link back. */
export interface ReportContext {
  /** The channel the report is for; null for a preview of the whole roadmap. */
  channelId: string | null
  /** ISO week of the report, e.g. '2027-W02'. */
  week: string
  roadmapName: string
  /** onetrack's public URL (config.server.publicUrl): every link in a report points there or to a ticket. */
  publicUrl: string
  /** The roadmap's calendar, for period names ('Q1 2027'). */
  periods: readonly Period[]
  /** The channel's scope in words ('technical track, teams platform'); null = the whole roadmap. */
  scope: string | null
}

/**
 * The idempotency marker of one weekly report: the same for every attempt at a channel's week, so a
 * receiver (or onetrack itself, asking the receiver) can tell a repeat from a new report.
 */
export interface DeliveryKey {
  id: string
  channelId: string
  week: string
}

export function deliveryKey(channelId: string, week: string): DeliveryKey {
  return { id: `onetrack-report.${channelId}.${week}`, channelId, week }
}

/**
 * What to do when an earlier attempt may or may not have posted (the process died, or the request
 * timed out, after sending):
 *  - confirm: ask the receiver whether the message with the key arrived (Slack bot token)
 *  - resend:  send again; the receiver de-duplicates by the key (generic webhook, by contract)
 *  - give_up: neither is possible (Slack incoming webhook, Teams Workflows): do not send again and
 *             record a visible failure — at most once, because a duplicate report is noise
 */
export type UnknownOutcomePolicy = 'confirm' | 'resend' | 'give_up'

/**
 * A place a weekly report is posted to. One implementation per kind (slack/, teams/, webhook/);
 * `createChannel` picks it from the config.
 */
export interface Channel<M = unknown> {
  readonly id: string
  readonly kind: ChannelKind
  readonly onUnknownOutcome: UnknownOutcomePolicy
  /** The message for a report. Pure and deterministic: the same report gives the same message. */
  render(report: WeeklyReport, context: ReportContext): M
  /**
   * Sends the message once. Idempotent only when `onUnknownOutcome` is 'resend'. Throws
   * CHANNEL_RATE_LIMITED, CHANNEL_UNAVAILABLE or CHANNEL_REJECTED; `details.delivery` says whether
   * the message may have arrived anyway ('unknown') or surely did not ('not_delivered').
   */
  post(message: M, key: DeliveryKey): Promise<void>
  /**
   * Whether the message with this key is already in the channel, looking back to `since`. Only for
   * `onUnknownOutcome: 'confirm'`. Idempotent: it only reads.
   */
  delivered?(key: DeliveryKey, since: Date): Promise<boolean>
}

/** Process-level settings of the senders (not in the config file). */
export interface ChannelOptions {
  /** Default: the global fetch. */
  fetch?: typeof fetch
  /** Per request; default 10 s. */
  timeoutMs?: number
  /** Slack Web API base URL; default https://slack.com/api (GovSlack: https://slack-gov.com/api). */
  slackApiUrl?: string
}
