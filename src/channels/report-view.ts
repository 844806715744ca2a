import {
  type AwaitingSignOff,
  type ChronicDeferral,
  type DeferralEvent,
  describeCause,
  epicLabel,
  type PeriodNames,
  periodNames,
  type ReportedDecision,
  type ReportedOverride,
  type ScoringInputName,
  type Track,
  type WeeklyReport,
} from '../domain/index.ts'
import { formatAmount, formatDay, percent, plural, shownSum } from './format.ts'
import type { ReportContext } from './types.ts'

/**
 * The weekly report in business language, independent of any chat format: every renderer (Slack,
 * Teams, Markdown, the webhook's text) formats the same sentences, so the wording — and the
 * budget, what is listed and what is only counted — is decided once, here. A renderer shows every
 * item of every section and its "and N more": nothing is cut anywhere else.
 */
export interface ReportView {
  title: string
  /** Nothing new: channels send `note` alone, or nothing. */
  quiet: boolean
  note: Line
  /** The window and scope, e.g. '11 Jan 2027 – 18 Jan 2027 · technical track'. */
  subtitle: string
  /** One or two lines: the calls needed, then what slipped. */
  headline: Line[]
  /** Only the non-empty ones, in reading order: the calls needed first. */
  sections: ViewSection[]
  links: ReportLinks
}

export interface ReportLinks {
  /** The roadmap page. */
  roadmap: string
  /** The page's deferrals view: the ledger, with everything a report only counts. */
  deferrals: string
  /** This report as Markdown (the preview). */
  report: string
}

/**
 * calls: deferrals of committed work awaiting the owner's sign-off (or, when sign-off is not
 * tracked, what slipped this week); chronic: deferred again and again; asymmetry: how often each
 * track slips, with the trend; totals: accrued cost of delay; decisions: calls made this week;
 * summary: capacity split and unscored epics, as one line each.
 */
export type SectionId = 'calls' | 'chronic' | 'asymmetry' | 'totals' | 'decisions' | 'summary'

export interface ViewSection {
  id: SectionId
  title: string
  /** How many there are in all, shown beside the title; null for sections that are not a list. */
  total: number | null
  /** What the budget lets through: renderers show all of them. */
  items: ViewItem[]
  /** What the budget left out, and where to see it ('see all deferrals'). */
  more: { count: number; link: string; label: string } | null
  /** A remark under the list. */
  footnote: string | null
}

export interface ViewItem {
  /** Stable within the section (an epic id, a decision id, a period id). */
  id: string
  /** The first line names the subject; the others explain. */
  lines: Line[]
  /** An epic awaiting sign-off: the sign-off buttons answer all of its open deferrals. */
  signOff?: { epicId: string }
}

/** A line of text made of spans: plain, strong, or linked. Renderers escape the text for their format. */
export type Line = Span[]
export interface Span {
  text: string
  link?: string
  strong?: boolean
}

/**
 * The report's budget: the most each list shows before "and N more". With it the Markdown report
 * stays under 80 lines, and Slack (≤ 50 blocks, sections ≤ 3,000 characters) and Teams (≤ 24 KB)
 * within their limits, whatever the week.
 */
export const REPORT_BUDGET = {
  calls: 10,
  chronic: 5,
  decisions: 6,
  trend: 4,
  displacers: 2,
  /** Characters of an epic's name (key and title): a title that long is a description. */
  label: 72,
  /** Characters of a quoted reason or rationale: the page shows it whole. */
  quote: 140,
  /** Characters of a cause sentence (many blockers, a long rationale). */
  cause: 300,
} as const

/** An epic's name within the budget. */
function label(epic: { key: string; title: string }): string {
  return clip(epicLabel(epic), REPORT_BUDGET.label)
}

/** A person's words within the budget, quoted. */
function quote(text: string): string {
  return `“${clip(text.trim(), REPORT_BUDGET.quote)}”`
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`
}

/** Names of the scoring inputs as a roadmap owner would ask for them. */
const INPUT_NAMES: Record<ScoringInputName, string> = {
  value: 'business value',
  timeCriticality: 'time criticality',
  risk: 'risk reduction',
  effort: 'effort estimate',
}

interface Words {
  base: string
  name: PeriodNames
  unit: string
  /** 'quarter' when the calendar is quarters, else 'period'. */
  period: string
  order: Map<string, number>
  /** Epic id → its label, from every list of the report (for decisions, which carry a title only). */
  labels: Map<string, string>
}

export function reportView(report: WeeklyReport, context: ReportContext): ReportView {
  const base = context.publicUrl.replace(/\/+$/, '')
  const quarters = context.periods.length > 0 && context.periods.every((p) => /^\d{4}-Q[1-4]$/.test(p.id))
  const words: Words = {
    base,
    name: periodNames(context.periods),
    unit: report.costUnit,
    period: quarters ? 'quarter' : 'period',
    order: new Map(context.periods.map((p, i) => [p.id, i])),
    labels: labelsOf(report),
  }
  const links: ReportLinks = {
    roadmap: `${base}/`,
    deferrals: `${base}/deferrals`,
    report:
      context.channelId === null
        ? `${base}/reports/preview`
        : `${base}/reports/preview?channel=${encodeURIComponent(context.channelId)}`,
  }
  const title = `Deferral report · ${context.roadmapName} · week ${context.week}`
  const subtitle = [`${formatDay(report.window.from)} – ${formatDay(report.window.to)}`, context.scope]
    .filter((part) => part !== null)
    .join(' · ')
  const awaiting = report.awaitingSignOff.length
  const sections = [
    callsSection(report, words, links),
    chronicSection(report, words, links),
    asymmetrySection(report, words),
    totalsSection(report, words),
    decisionsSection(report, words, links),
    summarySection(report, words, links),
  ].filter((s): s is ViewSection => s !== null && s.items.length > 0)
  return {
    title,
    quiet: report.quiet,
    note: [
      { text: `${context.roadmapName}, week ${context.week}:`, strong: true },
      { text: ' nothing slipped and no owner decisions this week. ' },
      ...(awaiting === 0
        ? []
        : [
            {
              text: `${plural(awaiting, 'epic')} still ${awaiting === 1 ? 'waits' : 'wait'} for the owner’s sign-off: `,
            },
            { text: 'see the deferrals', link: links.deferrals },
            { text: '. ' },
          ]),
      { text: 'Open the roadmap', link: links.roadmap },
    ],
    subtitle,
    headline: headline(report, words),
    sections: report.quiet ? [] : sections,
    links,
  }
}

function labelsOf(report: WeeklyReport): Map<string, string> {
  const labels = new Map<string, string>()
  for (const e of report.newDeferrals) labels.set(e.epicId, label(e.epic))
  for (const list of [report.chronic, report.unscored, report.awaitingSignOff])
    for (const e of list) labels.set(e.epicId, label(e))
  return labels
}

function headline(report: WeeklyReport, w: Words): Line[] {
  const lines: Line[] = []
  const awaiting = report.awaitingSignOff
  if (awaiting.length > 0) {
    const fresh = awaiting.filter((a) => a.newThisWeek).length
    const earlier = awaiting.length - fresh
    const parts = [
      fresh > 0 ? `${formatAmount(fresh)} new this week` : null,
      earlier > 0 ? `${formatAmount(earlier)} waiting since earlier weeks` : null,
    ].filter((p) => p !== null)
    // Each call's figure as its line prints it, so the headline adds up to the lines.
    const projected = shownSum(awaiting.map((a) => a.projectedCost))
    lines.push([
      { text: `${plural(awaiting.length, 'call')} needed`, strong: true },
      { text: ` on deferrals of committed work (${parts.join(', ')}): ` },
      { text: money(projected, w), strong: true },
      { text: ' of projected cost of delay.' },
    ])
  }
  const slipped = new Map<string, Track>()
  for (const e of report.newDeferrals) slipped.set(e.epicId, e.epic.track)
  const byTrack = (track: Track) => [...slipped.values()].filter((t) => t === track).length
  const split = (['technical', 'product'] as const)
    .filter((t) => byTrack(t) > 0)
    .map((t) => `${byTrack(t)} ${t}`)
    .join(', ')
  lines.push([
    { text: `${plural(slipped.size, 'epic')} slipped this week`, strong: awaiting.length === 0 },
    { text: slipped.size > 0 ? ` (${split})` : '' },
    {
      text:
        report.hiddenDeferrals > 0
          ? `, plus ${plural(report.hiddenDeferrals, 'smaller deferral')} below this channel's threshold.`
          : '.',
    },
  ])
  return lines
}

/** An amount with the report's unit: every figure of cost carries it. */
function money(n: number, w: Words): string {
  return `${formatAmount(n)} ${w.unit}`
}

/**
 * '<label>' linked to onetrack's page of the epic (its history, costs and sign-offs, and the
 * ticket), then team and track. One link per epic keeps a message short.
 */
function epicSpans(
  w: Words,
  epicId: string,
  epic: { key: string; title: string; team: string; track: Track },
): Span[] {
  return [
    { text: label(epic), strong: true, link: pageUrl(w, epicId) },
    { text: ` (${epic.team}, ${epic.track})` },
  ]
}

function pageUrl(w: Words, epicId: string): string {
  return `${w.base}/epics/${encodeURIComponent(epicId)}`
}

function overflow(total: number, shown: number, link: string, label: string): ViewSection['more'] {
  return total > shown ? { count: total - shown, link, label } : null
}

// ——— calls needed ———

/** One call: an epic and its deferrals awaiting sign-off (or slipped this week, when sign-off is not tracked). */
interface Call {
  epicId: string
  epic: { key: string; title: string; url: string; team: string; track: Track }
  /** Oldest first. */
  deferrals: DeferralEvent[]
  newThisWeek: boolean
  ageDays: number
  projectedCost: number
  /** null when the report does not know it (sign-off not tracked). */
  accruedCost: number | null
  signOff: boolean
}

function callsSection(report: WeeklyReport, w: Words, links: ReportLinks): ViewSection {
  const tracked = report.awaitingSignOff.length > 0
  const calls = tracked ? report.awaitingSignOff.map(awaitingCall) : slippedCalls(report)
  const shown = calls.slice(0, REPORT_BUDGET.calls)
  return {
    id: 'calls',
    title: tracked ? 'Calls needed this week' : 'Slipped this week',
    total: calls.length,
    items: shown.map((c) => callItem(c, w)),
    more: overflow(calls.length, shown.length, links.deferrals, 'see all deferrals'),
    footnote:
      !tracked && report.hiddenDeferrals > 0
        ? `${plural(report.hiddenDeferrals, 'smaller deferral')} below this channel's cost-of-delay threshold ${report.hiddenDeferrals === 1 ? 'is' : 'are'} counted but not listed.`
        : null,
  }
}

function awaitingCall(a: AwaitingSignOff): Call {
  return {
    epicId: a.epicId,
    epic: a,
    deferrals: a.deferrals,
    newThisWeek: a.newThisWeek,
    ageDays: a.ageDays,
    projectedCost: a.projectedCost,
    accruedCost: a.accruedCost,
    signOff: true,
  }
}

/** This week's deferrals, one call per epic, in the report's order (highest projected cost first). */
function slippedCalls(report: WeeklyReport): Call[] {
  const chronic = new Map(report.chronic.map((c) => [c.epicId, c.accruedCost]))
  const calls = new Map<string, Call>()
  for (const e of report.newDeferrals) {
    const call = calls.get(e.epicId)
    if (call !== undefined) {
      call.deferrals.push(e)
      call.projectedCost += e.projectedCost
      continue
    }
    calls.set(e.epicId, {
      epicId: e.epicId,
      epic: e.epic,
      deferrals: [e],
      newThisWeek: true,
      ageDays: 0,
      projectedCost: e.projectedCost,
      accruedCost: chronic.get(e.epicId) ?? null,
      signOff: false,
    })
  }
  for (const call of calls.values()) call.deferrals.sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
  return [...calls.values()]
}

function callItem(call: Call, w: Words): ViewItem {
  const latest = call.deferrals[call.deferrals.length - 1] as DeferralEvent
  const age = call.newThisWeek
    ? 'new this week'
    : `waiting ${call.ageDays === 1 ? '1 day' : `${formatAmount(call.ageDays)} days`}`
  const earlier = [...new Set(call.deferrals.slice(0, -1).map((d) => w.name(d.fromPeriod)))].filter(
    (p) => p !== w.name(latest.fromPeriod),
  )
  const also = earlier.length === 0 ? '' : ` (also left ${earlier.join(', ')})`
  const move = `Committed ${w.name(latest.fromPeriod)} → ${w.name(latest.toPeriod)}${also}`
  const cause =
    latest.cause === null ? '' : `: ${clip(describeCause(latest.cause, w.name), REPORT_BUDGET.cause)}`
  const displacers = latest.displacedBy
  const shownDisplacers = displacers.slice(0, REPORT_BUDGET.displacers).map((d) => label(d))
  const displaced =
    displacers.length === 0
      ? ''
      : `; in its place: ${shownDisplacers.join(', ')}${displacers.length > shownDisplacers.length ? ` and ${displacers.length - shownDisplacers.length} more` : ''}`
  const unscored = latest.costOfDelay === null
  const single = call.deferrals.length === 1 && !unscored && latest.periodsSlipped > 0
  const costs: Span[] = unscored
    ? [{ text: 'Cost of delay unknown until it is scored.' }]
    : [
        { text: 'Projected cost ' },
        { text: money(call.projectedCost, w), strong: true },
        {
          text: single
            ? ` (${money(latest.costOfDelay ?? 0, w)} per ${w.period} × ${plural(latest.periodsSlipped, w.period)})`
            : call.deferrals.length > 1
              ? ` over ${plural(call.deferrals.length, 'deferral')}`
              : '',
        },
        ...(call.accruedCost === null
          ? [{ text: '.' }]
          : [
              { text: '; accrued so far ' },
              { text: money(call.accruedCost, w), strong: true },
              { text: '.' },
            ]),
      ]
  return {
    id: call.epicId,
    ...(call.signOff ? { signOff: { epicId: call.epicId } } : {}),
    lines: [
      [...epicSpans(w, call.epicId, call.epic), { text: ` · ${age}` }],
      [{ text: sentence(`${move}${cause}${displaced}`) }],
      costs,
    ],
  }
}

// ——— chronic ———

function chronicSection(report: WeeklyReport, w: Words, links: ReportLinks): ViewSection {
  const unscored = new Set(report.unscored.map((u) => u.epicId))
  const shown = report.chronic.slice(0, REPORT_BUDGET.chronic)
  return {
    id: 'chronic',
    title: 'Deferred again and again',
    total: report.chronic.length,
    items: shown.map((c) => chronicItem(c, w, unscored.has(c.epicId))),
    more: overflow(report.chronic.length, shown.length, links.deferrals, 'see all deferrals'),
    footnote: null,
  }
}

function chronicItem(chronic: ChronicDeferral, w: Words, unscored: boolean): ViewItem {
  const positions = chronic.periodsLeft.map((p) => w.order.get(p))
  const consecutive = positions.every(
    (p, i) => p !== undefined && (i === 0 || p === (positions[i - 1] ?? Number.NaN) + 1),
  )
  const count = plural(chronic.deferrals, w.period)
  const where = !chronic.open
    ? 'no longer open'
    : chronic.period === null
      ? 'unplanned now'
      : `now planned in ${w.name(chronic.period)}`
  return {
    id: chronic.epicId,
    lines: [
      [
        ...epicSpans(w, chronic.epicId, chronic),
        {
          text: `: deferred ${consecutive && chronic.deferrals > 1 ? `${count} in a row` : `out of ${count}`} (${chronic.periodsLeft.map(w.name).join(', ')}); `,
        },
        ...(unscored && chronic.accruedCost === 0
          ? [{ text: `cost unknown until it is scored; ${where}.` }]
          : [{ text: money(chronic.accruedCost, w), strong: true }, { text: ` accrued; ${where}.` }]),
      ],
    ],
  }
}

// ——— asymmetry ———

function asymmetrySection(report: WeeklyReport, w: Words): ViewSection {
  const { product, technical, technicalToProduct: ratio, trend } = report.asymmetry
  const perEpic = (n: number | null) => formatAmount(n ?? 0)
  let summary: Line
  if (ratio !== null && ratio >= 1.5) {
    summary = [
      { text: 'Technical epics slip ' },
      { text: `${formatAmount(ratio)}×`, strong: true },
      {
        text: ` as often as product epics (${perEpic(technical.deferralsPerEpic)} vs ${perEpic(product.deferralsPerEpic)} deferrals per epic).`,
      },
    ]
  } else if (ratio !== null && ratio > 0 && ratio <= 1 / 1.5) {
    summary = [
      { text: 'Product epics slip ' },
      { text: `${formatAmount(1 / ratio)}×`, strong: true },
      {
        text: ` as often as technical epics (${perEpic(product.deferralsPerEpic)} vs ${perEpic(technical.deferralsPerEpic)} deferrals per epic).`,
      },
    ]
  } else if (product.epics > 0 && product.deferrals === 0 && technical.deferrals > 0) {
    summary = [
      {
        text: `Only technical epics have slipped so far: ${perEpic(technical.deferralsPerEpic)} deferrals per technical epic, none for product.`,
      },
    ]
  } else if (product.deferrals + technical.deferrals === 0) {
    summary = [{ text: 'No open epic has slipped out of a committed period yet.' }]
  } else {
    summary = [
      {
        text: `Both tracks slip about as often (${perEpic(technical.deferralsPerEpic)} technical vs ${perEpic(product.deferralsPerEpic)} product deferrals per epic).`,
      },
    ]
  }
  const periods = trend.slice(-REPORT_BUDGET.trend)
  const items: ViewItem[] = [{ id: 'ratio', lines: [summary] }]
  periods.forEach((p, i) => {
    const current = i === periods.length - 1
    items.push({
      id: p.period,
      lines: [
        [
          { text: `${w.name(p.period)}${current ? ' (so far)' : ''}`, strong: true },
          {
            text: `: ${formatAmount(p.deferrals.technical)} technical, ${formatAmount(p.deferrals.product)} product ${p.deferrals.technical + p.deferrals.product === 1 ? 'deferral' : 'deferrals'}.`,
          },
        ],
      ],
    })
  })
  return {
    id: 'asymmetry',
    title: `Product and technical slips, last ${plural(periods.length, w.period)}`,
    total: null,
    items,
    more: null,
    footnote: null,
  }
}

// ——— totals ———

function totalsSection(report: WeeklyReport, w: Words): ViewSection {
  const all = report.accruedCostByTrack
  const open = report.accruedOpenCostByTrack
  // Totals of the two tracks' lines as printed, so the three lines add up on the page.
  const total = shownSum([all.product, all.technical])
  const openTotal = shownSum([open.product, open.technical])
  const items: ViewItem[] =
    total === 0
      ? [
          {
            id: 'none',
            lines: [[{ text: 'Nothing yet: no committed work is late past the end of its period.' }]],
          },
        ]
      : [
          {
            id: 'all',
            lines: [
              [
                { text: 'All epics: ' },
                { text: money(total, w), strong: true },
                { text: ` (still open: ${money(openTotal, w)}).` },
              ],
            ],
          },
          ...(['technical', 'product'] as const).map((track) => ({
            id: track,
            lines: [
              [
                { text: `${track === 'technical' ? 'Technical' : 'Product'}: ` },
                { text: money(all[track], w), strong: true },
                { text: ` (still open: ${money(open[track], w)}).` },
              ],
            ],
          })),
        ]
  return {
    id: 'totals',
    title: 'Cost of delay accrued so far',
    total: null,
    items,
    more: null,
    footnote: null,
  }
}

// ——— calls made ———

interface Made {
  id: string
  at: string
  item: ViewItem
}

function decisionsSection(report: WeeklyReport, w: Words, links: ReportLinks): ViewSection {
  const made: Made[] = []
  // An override recorded through onetrack is in the decision log too: listed once, from the log.
  const logged = new Set(
    report.decisions.filter((d) => d.kind === 'override').map((d) => `${d.epicId ?? ''}@${Date.parse(d.at)}`),
  )
  for (const o of report.overrides) {
    if (logged.has(`${o.epicId}@${Date.parse(o.createdAt)}`)) continue
    made.push({ id: o.id, at: o.createdAt, item: overrideItem(o, w) })
  }
  for (const d of report.decisions) {
    // A revocation by replacement is said by the override that replaced it.
    if (d.kind === 'revocation' && d.details.replacedBy !== undefined) continue
    made.push({ id: d.id, at: d.at, item: decisionItem(d, report.overrides, w) })
  }
  made.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const shown = made.slice(0, REPORT_BUDGET.decisions)
  return {
    id: 'decisions',
    title: 'Calls made this week',
    total: made.length,
    items: shown.map((m) => m.item),
    more: overflow(made.length, shown.length, links.deferrals, 'see the ledger'),
    footnote: null,
  }
}

function epicName(w: Words, epicId: string, title: string | null): string {
  return (
    w.labels.get(epicId) ??
    (title === null ? 'an epic no longer on the roadmap' : clip(title, REPORT_BUDGET.label))
  )
}

function overrideItem(o: ReportedOverride, w: Words): ViewItem {
  const period = o.period === undefined ? null : w.name(o.period)
  const [verb, rest] =
    o.kind === 'pin'
      ? ['pinned', ` to ${period ?? 'a period'}`]
      : o.kind === 'defer'
        ? period === null
          ? ['took', ' out of the plan']
          : ['deferred', ` to ${period} at the earliest`]
        : ['excluded', ' from the roadmap']
  return {
    id: o.id,
    lines: [
      madeLine(w, o.author, verb, o.epicId, o.epicTitle, rest, o.rationale, o.createdAt, null, !o.inForce),
    ],
  }
}

/** '**olivia** pinned [SHOP-2 Gift cards] to Q3 2027: “rationale” (7 Jul 2027, in Slack).' */
function madeLine(
  w: Words,
  author: string,
  verb: string,
  epicId: string,
  title: string | null,
  rest: string,
  rationale: string | null,
  at: string,
  via: string | null,
  replaced: boolean,
): Line {
  const when = `${formatDay(at)}${via === 'slack' ? ', in Slack' : ''}${replaced ? '; since replaced' : ''}`
  return [
    { text: author, strong: true },
    { text: ` ${verb} ` },
    { text: epicName(w, epicId, title), link: pageUrl(w, epicId) },
    { text: `${rest}${rationale === null ? '' : `: ${quote(rationale)}`} (${when}).` },
  ]
}

function decisionItem(d: ReportedDecision, overrides: readonly ReportedOverride[], w: Words): ViewItem {
  if (d.epicId === null) {
    const what =
      d.kind === 'approval' ? `approved roadmap version ${d.versionId ?? '?'}` : DECISION_WORDS[d.kind]
    const when = `${formatDay(d.at)}${d.via === 'slack' ? ', in Slack' : ''}`
    return {
      id: d.id,
      lines: [
        [
          { text: d.author, strong: true },
          { text: ` ${what}${d.rationale === null ? '' : `: ${quote(d.rationale)}`} (${when}).` },
        ],
      ],
    }
  }
  let verb: string
  let rest = ''
  let replaced = false
  if (d.kind === 'acknowledgement') {
    const ids = d.details.eventIds
    const n = Array.isArray(ids) ? ids.length : 1
    verb = n === 1 ? 'accepted the deferral of' : `accepted ${formatAmount(n)} deferrals of`
  } else if (d.kind === 'override') {
    ;[verb, rest] = overrideWords(d.details.kind, d.details.period, w)
    replaced =
      overrides.find((o) => o.epicId === d.epicId && Date.parse(o.createdAt) === Date.parse(d.at))
        ?.inForce === false
  } else {
    const [, what] = overrideWords(d.details.kind, d.details.period, w)
    verb = `revoked the ${d.details.kind === 'pin' ? 'pin' : d.details.kind === 'defer' ? 'deferral' : 'exclusion'} of`
    rest = d.details.kind === 'exclude' ? '' : what
  }
  return {
    id: d.id,
    lines: [madeLine(w, d.author, verb, d.epicId, d.epicTitle, rest, d.rationale, d.at, d.via, replaced)],
  }
}

const DECISION_WORDS: Record<ReportedDecision['kind'], string> = {
  acknowledgement: 'accepted a deferral',
  override: 'recorded an override',
  revocation: 'revoked an override',
  approval: 'approved a roadmap version',
}

/** An override in the log's details as a verb and what follows the epic: ['pinned', ' to Q3 2027']. */
function overrideWords(kind: unknown, period: unknown, w: Words): [string, string] {
  const name = typeof period === 'string' ? w.name(period) : null
  if (kind === 'pin') return ['pinned', ` to ${name ?? 'a period'}`]
  if (kind === 'defer') return name === null ? ['took', ' out of the plan'] : ['deferred', ` to ${name}`]
  return ['excluded', ' from the roadmap']
}

// ——— summary ———

function summarySection(report: WeeklyReport, w: Words, links: ReportLinks): ViewSection {
  const items: ViewItem[] = []
  const current = report.capacityShare[0]
  if (current !== undefined) {
    const planned = current.planned.product + current.planned.technical
    items.push({
      id: 'capacity',
      lines: [
        planned > 0
          ? [
              { text: `Capacity planned in ${w.name(current.period)}: ` },
              {
                text: `${percent(current.share.product ?? 0)} product, ${percent(current.share.technical ?? 0)} technical`,
                strong: true,
              },
              {
                text: ` (${formatAmount(planned)} of ${formatAmount(current.capacity)} effort units booked) · `,
              },
              { text: 'roadmap', link: links.roadmap },
            ]
          : [
              { text: `Nothing is planned in ${w.name(current.period)} yet · ` },
              { text: 'roadmap', link: links.roadmap },
            ],
      ],
    })
  }
  if (report.unscored.length > 0) {
    const missing = new Map<ScoringInputName, number>()
    for (const u of report.unscored) for (const m of u.missing) missing.set(m, (missing.get(m) ?? 0) + 1)
    const list = [...missing]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([input, n]) => `${INPUT_NAMES[input]} (${formatAmount(n)})`)
      .join(', ')
    items.push({
      id: 'unscored',
      lines: [
        [
          { text: `${plural(report.unscored.length, 'epic')} cannot be ranked until scored`, strong: true },
          { text: ` — missing ${list} · ` },
          { text: 'roadmap', link: links.roadmap },
        ],
      ],
    })
  }
  return { id: 'summary', title: 'Also on the roadmap', total: null, items, more: null, footnote: null }
}

function sentence(text: string): string {
  return /[.!?”]$/.test(text) ? text : `${text}.`
}

/** The plain text of a line, for notifications and fallbacks: a link reads 'text: url'. */
export function plainText(line: Line): string {
  return line
    .map((s) => (s.link === undefined || s.link === s.text ? s.text : `${s.text}: ${s.link}`))
    .join('')
}

/** A section's overflow as a line: '…and 5 more: see all deferrals'. */
export function moreLine(more: NonNullable<ViewSection['more']>): Line {
  return [{ text: `…and ${formatAmount(more.count)} more: ` }, { text: more.label, link: more.link }]
}
