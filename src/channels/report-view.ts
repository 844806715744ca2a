import {
  type ChronicDeferral,
  type DeferralEvent,
  describeDeferral,
  type PeriodNames,
  periodNames,
  type ReportedDecision,
  type ReportedOverride,
  type ScoringInputName,
  type Track,
  type UnacknowledgedDeferral,
  type UnscoredEpic,
  type WeeklyReport,
} from '../domain/index.ts'
import { formatAmount, formatDay, percent, plural } from './format.ts'
import type { ReportContext } from './types.ts'

/**
 * The weekly report in business language, independent of any chat format: every renderer (Slack,
 * Teams, Markdown) formats the same sentences, so the wording is decided once, here.
 */
export interface ReportView {
  title: string
  /** Nothing new: channels send `note` alone, or nothing. */
  quiet: boolean
  note: Line
  /** The window and scope, e.g. '11 Jan 2027 – 18 Jan 2027 · technical track'. */
  subtitle: string
  headline: Line[]
  /** Only the non-empty ones, in reading order. */
  sections: ViewSection[]
  links: { roadmap: string; report: string }
}

export type SectionId = 'unacknowledged' | 'deferrals' | 'chronic' | 'overrides' | 'decisions' | 'unscored'

export interface ViewSection {
  id: SectionId
  title: string
  items: ViewItem[]
  /** A remark under the list, e.g. deferrals counted but not listed. */
  footnote: string | null
}

export interface ViewItem {
  epicId: string
  /** The first line names the epic; the others explain. */
  lines: Line[]
  /** An unacknowledged deferral: the ledger event a sign-off button answers. */
  signOff?: { eventId: string }
}

/** A line of text made of spans: plain, strong, or linked. Renderers escape the text for their format. */
export type Line = Span[]
export interface Span {
  text: string
  link?: string
  strong?: boolean
}

/** Names of the scoring inputs as a roadmap owner would ask for them. */
const INPUT_NAMES: Record<ScoringInputName, string> = {
  value: 'business value',
  timeCriticality: 'time criticality',
  risk: 'risk reduction',
  effort: 'effort estimate',
}

export function reportView(report: WeeklyReport, context: ReportContext): ReportView {
  const base = context.publicUrl.replace(/\/+$/, '')
  const name = periodNames(context.periods)
  const quarters = context.periods.length > 0 && context.periods.every((p) => /^\d{4}-Q[1-4]$/.test(p.id))
  const words: Words = {
    base,
    name,
    unit: report.costUnit,
    period: quarters ? 'quarter' : 'period',
    order: new Map(context.periods.map((p, i) => [p.id, i])),
  }
  const links = {
    roadmap: `${base}/`,
    report:
      context.channelId === null
        ? `${base}/reports/preview`
        : `${base}/reports/preview?channel=${encodeURIComponent(context.channelId)}`,
  }
  const title = `Deferral report · ${context.roadmapName} · week ${context.week}`
  const subtitle = [`${formatDay(report.window.from)} – ${formatDay(report.window.to)}`, context.scope]
    .filter((part) => part !== null)
    .join(' · ')
  const unscored = new Set(report.unscored.map((u) => u.epicId))
  const sections: ViewSection[] = [
    {
      id: 'unacknowledged' as const,
      title: 'Waiting for the owner’s sign-off',
      items: report.unacknowledged.map((u) => unacknowledgedItem(u, words)),
      footnote:
        report.unacknowledged.length > 0
          ? 'Accept a deferral with a reason, or keep the epic planned (a pin): either way the call is recorded with its author.'
          : null,
    },
    {
      id: 'deferrals' as const,
      title: 'Slipped this week',
      items: report.newDeferrals.map((e) => deferralItem(e, words)),
      footnote:
        report.hiddenDeferrals > 0
          ? `${plural(report.hiddenDeferrals, 'smaller deferral')} below this channel's cost-of-delay threshold ${report.hiddenDeferrals === 1 ? 'is' : 'are'} counted but not listed.`
          : null,
    },
    {
      id: 'chronic' as const,
      title: 'Deferred again and again',
      items: report.chronic.map((c) => chronicItem(c, words, unscored.has(c.epicId))),
      footnote: null,
    },
    {
      id: 'overrides' as const,
      title: 'Owner decisions this week',
      items: report.overrides.map((o) => overrideItem(o, words)),
      footnote: null,
    },
    {
      id: 'decisions' as const,
      title: 'Calls made this week',
      items: report.decisions.map((d) => decisionItem(d, words)),
      footnote: null,
    },
    {
      id: 'unscored' as const,
      title: 'Not scored yet',
      items: report.unscored.map((u) => unscoredItem(u, words)),
      footnote: null,
    },
  ].filter((s) => s.items.length > 0)
  return {
    title,
    quiet: report.quiet,
    note: [
      { text: `${context.roadmapName}, week ${context.week}:`, strong: true },
      { text: ' nothing slipped and no owner decisions this week. ' },
      ...(report.unacknowledged.length === 0
        ? []
        : [
            {
              text: `${plural(report.unacknowledged.length, 'deferral')} still ${report.unacknowledged.length === 1 ? 'waits' : 'wait'} for the owner’s sign-off. `,
            },
          ]),
      { text: 'Open the roadmap', link: links.roadmap },
    ],
    subtitle,
    headline: headline(report, words),
    sections: report.quiet ? [] : sections,
    links,
  }
}

interface Words {
  base: string
  name: PeriodNames
  unit: string
  /** 'quarter' when the calendar is quarters, else 'period'. */
  period: string
  order: Map<string, number>
}

function headline(report: WeeklyReport, w: Words): Line[] {
  const slipped = new Map<string, Track>()
  for (const e of report.newDeferrals) slipped.set(e.epicId, e.epic.track)
  const byTrack = (track: Track) => [...slipped.values()].filter((t) => t === track).length
  const split = (['technical', 'product'] as const)
    .filter((t) => byTrack(t) > 0)
    .map((t) => `${byTrack(t)} ${t}`)
    .join(', ')
  const lines: Line[] = [
    [
      { text: `${plural(slipped.size, 'epic')} slipped this week`, strong: true },
      { text: slipped.size > 0 ? ` (${split})` : '' },
      {
        text:
          report.hiddenDeferrals > 0
            ? `, plus ${plural(report.hiddenDeferrals, 'smaller deferral')} not listed.`
            : '.',
      },
    ],
  ]
  const cost = report.accumulatedCostByTrack
  const total = cost.product + cost.technical
  lines.push(
    total > 0
      ? [
          { text: 'Everything deferred so far has accumulated ' },
          { text: `${formatAmount(total)} ${w.unit}`, strong: true },
          {
            text:
              cost.technical > 0 && cost.product > 0
                ? ` of cost of delay (technical ${formatAmount(cost.technical)}, product ${formatAmount(cost.product)}).`
                : ` of cost of delay, all of it ${cost.technical > 0 ? 'technical' : 'product'}.`,
          },
        ]
      : [{ text: 'Nothing deferred has accumulated cost of delay yet.' }],
  )
  const current = report.capacityShare[0]
  if (current !== undefined) {
    const planned = current.planned.product + current.planned.technical
    lines.push(
      planned > 0
        ? [
            { text: `Planned capacity in ${w.name(current.period)}: ` },
            {
              text: `${percent(current.share.product ?? 0)} product, ${percent(current.share.technical ?? 0)} technical`,
              strong: true,
            },
            { text: ` (${formatAmount(planned)} of ${formatAmount(current.capacity)} effort units booked).` },
          ]
        : [{ text: `Nothing is planned in ${w.name(current.period)} yet.` }],
    )
  }
  const { product, technical, technicalToProduct: ratio } = report.asymmetry
  const perEpic = (n: number | null) => formatAmount(n ?? 0)
  if (ratio !== null && ratio >= 1.5) {
    lines.push([
      { text: 'Technical epics slip ' },
      { text: `${formatAmount(ratio)}×`, strong: true },
      {
        text: ` as often as product epics (${perEpic(technical.deferralsPerEpic)} vs ${perEpic(product.deferralsPerEpic)} deferrals per epic).`,
      },
    ])
  } else if (ratio !== null && ratio > 0 && ratio <= 1 / 1.5) {
    lines.push([
      { text: 'Product epics slip ' },
      { text: `${formatAmount(1 / ratio)}×`, strong: true },
      {
        text: ` as often as technical epics (${perEpic(product.deferralsPerEpic)} vs ${perEpic(technical.deferralsPerEpic)} deferrals per epic).`,
      },
    ])
  } else if (product.epics > 0 && product.deferrals === 0 && technical.deferrals > 0) {
    lines.push([
      {
        text: `Only technical epics have slipped so far: ${perEpic(technical.deferralsPerEpic)} deferrals per technical epic, none for product.`,
      },
    ])
  }
  return lines
}

/** '<KEY Title>' linked to the ticket, then team and track, then a link to onetrack's page of the epic. */
function epicLine(
  w: Words,
  epic: { epicId: string; key: string; title: string; url: string; team: string; track: Track },
): Line {
  return [
    { text: `${epic.key} ${epic.title}`, strong: true, ...(epic.url === '' ? {} : { link: epic.url }) },
    { text: ` (${epic.team}, ${epic.track}) · ` },
    { text: 'history', link: pageUrl(w, epic.epicId) },
  ]
}

function pageUrl(w: Words, epicId: string): string {
  return `${w.base}/epics/${encodeURIComponent(epicId)}`
}

function deferralItem(event: DeferralEvent, w: Words): ViewItem {
  const lines: Line[] = [
    epicLine(w, { ...event.epic, epicId: event.epicId }),
    [{ text: `${sentence(describeDeferral(event, w.name))}` }],
  ]
  if (event.displacedBy.length > 0) {
    const displacers: Span[] = [{ text: 'Displaced by ' }]
    event.displacedBy.forEach((d, i) => {
      if (i > 0) displacers.push({ text: ', ' })
      displacers.push({ text: d.title, link: pageUrl(w, d.epicId) })
      displacers.push({ text: d.score === null ? ' (unscored)' : ` (score ${formatAmount(d.score)})` })
    })
    displacers.push({ text: '.' })
    lines.push(displacers)
  }
  lines.push([
    {
      text:
        event.costOfDelay === null
          ? 'Not scored, so its cost of delay is unknown.'
          : `Cost of delay ${formatAmount(event.costOfDelay)} ${w.unit} per ${w.period}; ${formatAmount(event.costOfDelayAccumulated)} ${w.unit} accumulated over ${plural(event.deferralCount, 'deferral')}.`,
    },
  ])
  return { epicId: event.epicId, lines }
}

function chronicItem(chronic: ChronicDeferral, w: Words, unscored: boolean): ViewItem {
  const positions = chronic.periodsLeft.map((p) => w.order.get(p))
  const consecutive = positions.every(
    (p, i) => p !== undefined && (i === 0 || p === (positions[i - 1] ?? Number.NaN) + 1),
  )
  const count = plural(chronic.deferrals, w.period)
  const where = chronic.period === null ? 'it is unplanned now' : `now planned in ${w.name(chronic.period)}`
  return {
    epicId: chronic.epicId,
    lines: [
      epicLine(w, chronic),
      [
        {
          text: `Deferred ${consecutive && chronic.deferrals > 1 ? `${count} in a row` : `out of ${count}`} `,
        },
        { text: `(${chronic.periodsLeft.map(w.name).join(', ')}): ` },
        ...(unscored
          ? [{ text: `its cost of delay is unknown until it is scored; ${where}.` }]
          : [
              { text: `${formatAmount(chronic.costOfDelayAccumulated)} ${w.unit}`, strong: true },
              { text: ` of cost of delay accumulated; ${where}.` },
            ]),
      ],
    ],
  }
}

function overrideItem(o: ReportedOverride, w: Words): ViewItem {
  const period = o.period === undefined ? null : w.name(o.period)
  const decision =
    o.kind === 'pin'
      ? `pinned it to ${period ?? 'a period'}`
      : o.kind === 'defer'
        ? period === null
          ? 'took it out of the plan'
          : `deferred it to ${period} at the earliest`
        : 'excluded it from the roadmap'
  return {
    epicId: o.epicId,
    lines: [
      [{ text: o.epicTitle ?? o.epicId, strong: true, link: pageUrl(w, o.epicId) }],
      [
        { text: `${o.author} ${decision}: ` },
        { text: `“${o.rationale}”` },
        { text: o.inForce ? '' : ' (since replaced by a later decision)' },
      ],
    ],
  }
}

function unacknowledgedItem(u: UnacknowledgedDeferral, w: Words): ViewItem {
  const { event } = u
  const age = u.ageDays === 0 ? 'today' : u.ageDays === 1 ? '1 day ago' : `${u.ageDays} days ago`
  return {
    epicId: event.epicId,
    signOff: { eventId: event.id },
    lines: [
      epicLine(w, { ...event.epic, epicId: event.epicId }),
      [{ text: `${sentence(describeDeferral(event, w.name))}` }],
      [
        { text: `Unacknowledged since ${formatDay(event.at)} (${age}); ` },
        ...(event.costOfDelay === null
          ? [{ text: 'its cost of delay is unknown until it is scored.' }]
          : [
              { text: `${formatAmount(u.costOfDelayAccumulated)} ${w.unit}`, strong: true },
              { text: ' of cost of delay accumulated.' },
            ]),
      ],
    ],
  }
}

const DECISION_WORDS: Record<ReportedDecision['kind'], string> = {
  acknowledgement: 'accepted a deferral',
  override: 'recorded an override',
  revocation: 'revoked an override',
  approval: 'approved a roadmap version',
}

function decisionItem(d: ReportedDecision, w: Words): ViewItem {
  const what =
    d.kind === 'override'
      ? overrideWords(d.details.kind, d.details.period, w)
      : d.kind === 'approval'
        ? `approved roadmap version ${d.versionId ?? '?'}`
        : DECISION_WORDS[d.kind]
  const first: Line =
    d.epicId === null
      ? [{ text: `${d.author} ${what}`, strong: true }]
      : [
          { text: `${d.author} ${what}: `, strong: true },
          { text: d.epicTitle ?? d.epicId, link: pageUrl(w, d.epicId) },
        ]
  const lines: Line[] = [first]
  const when = `${formatDay(d.at)}${d.via === 'slack' ? ', in Slack' : ''}`
  lines.push([{ text: d.rationale === null ? `(${when})` : `“${d.rationale}” (${when})` }])
  return { epicId: d.epicId ?? `version:${d.versionId ?? ''}`, lines }
}

function overrideWords(kind: unknown, period: unknown, w: Words): string {
  const name = typeof period === 'string' ? w.name(period) : null
  if (kind === 'pin') return `pinned to ${name ?? 'a period'}`
  if (kind === 'defer') return name === null ? 'took out of the plan' : `deferred to ${name}`
  return 'excluded'
}

function unscoredItem(u: UnscoredEpic, w: Words): ViewItem {
  const missing = u.missing.map((m) => INPUT_NAMES[m])
  const list =
    missing.length <= 1 ? missing.join('') : `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)}`
  return {
    epicId: u.epicId,
    lines: [
      epicLine(w, u),
      [
        {
          text: `Missing ${list}: it cannot be ranked against the rest until someone puts a number on ${missing.length === 1 ? 'it' : 'them'}.`,
        },
      ],
    ],
  }
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`
}

/** The plain text of a line, for notifications and fallbacks: a link reads 'text: url'. */
export function plainText(line: Line): string {
  return line
    .map((s) => (s.link === undefined || s.link === s.text ? s.text : `${s.text}: ${s.link}`))
    .join('')
}
