import {
  type DeferralEvent,
  describeCause,
  epicLabel,
  periodNames,
  type Track,
  type WeeklyReport,
} from '../../domain/index.ts'
import { plainText, reportView } from '../report-view.ts'
import type { ReportContext } from '../types.ts'

/**
 * The generic webhook's JSON: the report's data (for machines: every number, cause and link) plus
 * one line of text. Documented in src/channels/README.md; `version` changes only when a field is
 * removed or changes meaning.
 */
export interface WebhookPayload {
  type: 'onetrack.weekly_report'
  /** 2: accrued and projected costs replace the accumulated cost of delay; calls await sign-off per epic. */
  version: 2
  /** The same on every attempt for this channel and week: de-duplicate on it. */
  deliveryId: string
  channel: string | null
  week: string
  generatedAt: string
  window: { from: string; to: string }
  quiet: boolean
  /** One line a person can read. */
  text: string
  links: { roadmap: string; deferrals: string; report: string }
  /** Absent on quiet weeks, which send the note only. */
  report?: WebhookReport
}

export interface WebhookReport {
  costUnit: string
  /** Epics whose deferral is listed, and deferrals counted but under the cost threshold. */
  slipped: { epics: number; hiddenDeferrals: number }
  /**
   * Accrued cost of delay (DESIGN.md, "Cost of delay"): every epic ever late, shipped ones
   * included, and the part on epics still open; in `costUnit`.
   */
  accruedCostOfDelay: {
    total: number
    open: number
    byTrack: Record<Track, number>
    openByTrack: Record<Track, number>
  }
  capacity: Array<{
    period: PeriodRef
    capacity: number
    planned: Record<Track, number>
    share: Record<Track, number | null>
  }>
  /** Deferrals per epic by track, the technical/product ratio and the trend, as in the domain's report. */
  asymmetry: WeeklyReport['asymmetry']
  /** Epics whose deferrals await the owner's sign-off (one call each): new this week first, then by projected cost. */
  awaitingSignOff: Array<
    EpicJson & {
      newThisWeek: boolean
      ageDays: number
      projectedCost: number
      accruedCost: number
      deferrals: DeferralJson[]
    }
  >
  /** Deferrals and roll-overs of committed work this week, highest projected cost first. */
  newDeferrals: Array<EpicJson & DeferralJson>
  chronic: Array<
    EpicJson & {
      deferrals: number
      periodsLeft: PeriodRef[]
      accruedCost: number
      period: PeriodRef | null
      open: boolean
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
  /** Owned calls made this week, oldest first. */
  decisions: WeeklyReport['decisions']
}

interface DeferralJson {
  eventId: string
  /** A deferral's kind: the report lists only events the domain's isDeferral accepts. */
  kind: WeeklyReport['newDeferrals'][number]['kind']
  at: string
  /** The committed period it left. */
  from: PeriodRef | null
  to: PeriodRef | null
  /** The cause as data (null when unknown) and in words. */
  cause: WeeklyReport['newDeferrals'][number]['cause']
  causeText: string | null
  displacedBy: Array<{
    epicId: string
    key: string
    title: string
    rank: number
    score: number | null
    pulledForwardFor: string | null
    page: string
  }>
  /** Cost of delay per period at the time; null when unscored. */
  costOfDelay: number | null
  periodsSlipped: number
  /** costOfDelay × periodsSlipped: the price of the call. */
  projectedCost: number
  deferralCount: number
}

interface EpicJson {
  epicId: string
  key: string
  title: string
  /** How people name it: key and title, or the title alone when the key is an internal id. */
  label: string
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
    version: 2,
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
  }): EpicJson => ({
    epicId: e.epicId,
    key: e.key,
    title: e.title,
    label: epicLabel(e),
    team: e.team,
    track: e.track,
    url: e.url,
    page: page(e.epicId),
  })
  const deferral = (e: DeferralEvent): DeferralJson => ({
    eventId: e.id,
    kind: e.kind,
    at: e.at,
    from: ref(e.fromPeriod),
    to: ref(e.toPeriod),
    cause: e.cause,
    causeText: e.cause === null ? null : describeCause(e.cause, names),
    displacedBy: e.displacedBy.map((d) => ({ ...d, page: page(d.epicId) })),
    costOfDelay: e.costOfDelay,
    periodsSlipped: e.periodsSlipped,
    projectedCost: e.projectedCost,
    deferralCount: e.deferralCount,
  })
  const all = report.accruedCostByTrack
  const open = report.accruedOpenCostByTrack
  return {
    ...head,
    report: {
      costUnit: report.costUnit,
      slipped: {
        epics: new Set(report.newDeferrals.map((e) => e.epicId)).size,
        hiddenDeferrals: report.hiddenDeferrals,
      },
      accruedCostOfDelay: {
        total: all.product + all.technical,
        open: open.product + open.technical,
        byTrack: { ...all },
        openByTrack: { ...open },
      },
      capacity: report.capacityShare.map((s) => ({
        period: ref(s.period) as PeriodRef,
        capacity: s.capacity,
        planned: s.planned,
        share: s.share,
      })),
      asymmetry: report.asymmetry,
      awaitingSignOff: report.awaitingSignOff.map((a) => ({
        ...epic(a),
        newThisWeek: a.newThisWeek,
        ageDays: a.ageDays,
        projectedCost: a.projectedCost,
        accruedCost: a.accruedCost,
        deferrals: a.deferrals.map(deferral),
      })),
      newDeferrals: report.newDeferrals.map((e) => ({
        ...epic({ ...e.epic, epicId: e.epicId }),
        ...deferral(e),
      })),
      chronic: report.chronic.map((c) => ({
        ...epic(c),
        deferrals: c.deferrals,
        periodsLeft: c.periodsLeft.map((p) => ref(p) as PeriodRef),
        accruedCost: c.accruedCost,
        period: ref(c.period),
        open: c.open,
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
      decisions: report.decisions,
    },
  }
}
