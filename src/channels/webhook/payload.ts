import { describeCause, periodNames, type Track, type WeeklyReport } from '../../domain/index.ts'
import { plainText, reportView } from '../report-view.ts'
import type { ReportContext } from '../types.ts'

/**
 * The generic webhook's JSON: the report's data (for machines: every number, cause and link) plus
 * one line of text. Documented in src/channels/README.md; `version` changes only when a field is
 * removed or changes meaning.
 */
export interface WebhookPayload {
  type: 'onetrack.weekly_report'
  version: 1
  /** The same on every attempt for this channel and week: de-duplicate on it. */
  deliveryId: string
  channel: string | null
  week: string
  generatedAt: string
  window: { from: string; to: string }
  quiet: boolean
  /** One line a person can read. */
  text: string
  links: { roadmap: string; report: string }
  /** Absent on quiet weeks, which send the note only. */
  report?: WebhookReport
}

export interface WebhookReport {
  costUnit: string
  /** Epics whose deferral is listed, and deferrals counted but under the cost threshold. */
  slipped: { epics: number; hiddenDeferrals: number }
  accumulatedCostOfDelay: { total: number } & Record<Track, number>
  capacity: Array<{
    period: PeriodRef
    capacity: number
    planned: Record<Track, number>
    share: Record<Track, number | null>
  }>
  /** Deferrals per epic by track and the technical/product ratio, as in the domain's report. */
  asymmetry: WeeklyReport['asymmetry']
  newDeferrals: Array<
    EpicJson & {
      /** A deferral's kind: the report lists only events the domain's isDeferral accepts. */
      kind: WeeklyReport['newDeferrals'][number]['kind']
      at: string
      from: PeriodRef | null
      to: PeriodRef | null
      /** The cause as data (null when unknown) and in words. */
      cause: WeeklyReport['newDeferrals'][number]['cause']
      causeText: string | null
      displacedBy: Array<{ epicId: string; title: string; rank: number; score: number | null; page: string }>
      costOfDelay: number | null
      costOfDelayAccumulated: number
      deferralCount: number
    }
  >
  chronic: Array<
    EpicJson & {
      deferrals: number
      periodsLeft: PeriodRef[]
      costOfDelayAccumulated: number
      period: PeriodRef | null
    }
  >
  overrides: Array<{
    id: string
    epicId: string
    epicTitle: string | null
    page: string
    kind: 'pin' | 'defer' | 'exclude'
    period: PeriodRef | null
    rationale: string
    author: string
    createdAt: string
    inForce: boolean
  }>
  unscored: Array<EpicJson & { missing: string[] }>
  /** Deferrals waiting for the owner's sign-off, oldest first; absent when none. */
  unacknowledged?: Array<
    EpicJson & { eventId: string; at: string; ageDays: number; costOfDelayAccumulated: number }
  >
  /** Owned calls made this week, oldest first; absent when none. */
  decisions?: WeeklyReport['decisions']
}

interface EpicJson {
  epicId: string
  key: string
  title: string
  team: string
  track: Track
  /** The ticket in its tracker. */
  url: string
  /** The epic's page in onetrack. */
  page: string
}

interface PeriodRef {
  id: string
  name: string
}

export function renderWebhookPayload(
  report: WeeklyReport,
  context: ReportContext,
  deliveryId: string,
): WebhookPayload {
  const view = reportView(report, context)
  const head: WebhookPayload = {
    type: 'onetrack.weekly_report',
    version: 1,
    deliveryId,
    channel: context.channelId,
    week: context.week,
    generatedAt: report.generatedAt,
    window: report.window,
    quiet: report.quiet,
    text: report.quiet ? plainText(view.note) : `${view.title}: ${plainText(view.headline[0] ?? [])}`,
    links: view.links,
  }
  if (report.quiet) return head
  const base = context.publicUrl.replace(/\/+$/, '')
  const page = (epicId: string) => `${base}/epics/${encodeURIComponent(epicId)}`
  const names = periodNames(context.periods)
  const ref = (id: string | null): PeriodRef | null => (id === null ? null : { id, name: names(id) })
  const epic = (e: {
    epicId: string
    key: string
    title: string
    team: string
    track: Track
    url: string
  }) => ({
    epicId: e.epicId,
    key: e.key,
    title: e.title,
    team: e.team,
    track: e.track,
    url: e.url,
    page: page(e.epicId),
  })
  const cost = report.accumulatedCostByTrack
  return {
    ...head,
    report: {
      costUnit: report.costUnit,
      slipped: {
        epics: new Set(report.newDeferrals.map((e) => e.epicId)).size,
        hiddenDeferrals: report.hiddenDeferrals,
      },
      accumulatedCostOfDelay: { total: cost.product + cost.technical, ...cost },
      capacity: report.capacityShare.map((s) => ({
        period: ref(s.period) as PeriodRef,
        capacity: s.capacity,
        planned: s.planned,
        share: s.share,
      })),
      asymmetry: report.asymmetry,
      newDeferrals: report.newDeferrals.map((e) => ({
        ...epic({ ...e.epic, epicId: e.epicId }),
        kind: e.kind,
        at: e.at,
        from: ref(e.fromPeriod),
        to: ref(e.toPeriod),
        cause: e.cause,
        causeText: e.cause === null ? null : describeCause(e.cause, names),
        displacedBy: e.displacedBy.map((d) => ({ ...d, page: page(d.epicId) })),
        costOfDelay: e.costOfDelay,
        costOfDelayAccumulated: e.costOfDelayAccumulated,
        deferralCount: e.deferralCount,
      })),
      chronic: report.chronic.map((c) => ({
        ...epic(c),
        deferrals: c.deferrals,
        periodsLeft: c.periodsLeft.map((p) => ref(p) as PeriodRef),
        costOfDelayAccumulated: c.costOfDelayAccumulated,
        period: ref(c.period),
      })),
      overrides: report.overrides.map((o) => ({
        id: o.id,
        epicId: o.epicId,
        epicTitle: o.epicTitle,
        page: page(o.epicId),
        kind: o.kind,
        period: ref(o.period ?? null),
        rationale: o.rationale,
        author: o.author,
        createdAt: o.createdAt,
        inForce: o.inForce,
      })),
      unscored: report.unscored.map((u) => ({ ...epic(u), missing: [...u.missing] })),
      ...(report.unacknowledged.length === 0
        ? {}
        : {
            unacknowledged: report.unacknowledged.map((u) => ({
              ...epic({ ...u.event.epic, epicId: u.event.epicId }),
              eventId: u.event.id,
              at: u.event.at,
              ageDays: u.ageDays,
              costOfDelayAccumulated: u.costOfDelayAccumulated,
            })),
          }),
      ...(report.decisions.length === 0 ? {} : { decisions: report.decisions }),
    },
  }
}
