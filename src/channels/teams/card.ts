import type { WeeklyReport } from '../../domain/index.ts'
import { type Line, moreLine, reportView } from '../report-view.ts'
import type { ReportContext } from '../types.ts'

/**
 * The body a Teams Workflows webhook ("When a Teams webhook request is received") takes: a message
 * with one Adaptive Card attachment. Office 365 connectors and their MessageCard are retired.
 * @see https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using
 */
export interface TeamsMessage {
  type: 'message'
  attachments: [
    {
      contentType: 'application/vnd.microsoft.card.adaptive'
      contentUrl: null
      content: AdaptiveCard
    },
  ]
}

/**
 * Adaptive Card 1.5, the newest schema Teams renders. Only Action.OpenUrl: a Workflows webhook has
 * nobody to receive Action.Submit.
 * @see https://adaptivecards.io/explorer/AdaptiveCard.html
 */
export interface AdaptiveCard {
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json'
  type: 'AdaptiveCard'
  version: '1.5'
  msteams: { width: 'Full' }
  body: TextBlock[]
  actions: OpenUrlAction[]
}

export interface TextBlock {
  type: 'TextBlock'
  text: string
  wrap: true
  size?: 'Small' | 'Medium' | 'Large'
  weight?: 'Bolder'
  style?: 'heading'
  isSubtle?: true
  separator?: true
  spacing?: 'None' | 'Small' | 'Medium' | 'Large'
}

export interface OpenUrlAction {
  type: 'Action.OpenUrl'
  title: string
  url: string
}

/**
 * Teams refuses messages over about 28 KB; the card stays well below so that the envelope and
 * Workflows' own additions fit. The report's budget (report-view.ts REPORT_BUDGET) keeps it there.
 * @see https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/format-your-bot-messages
 */
export const TEAMS_CARD_BUDGET_BYTES = 24_000

export function renderTeamsMessage(report: WeeklyReport, context: ReportContext): TeamsMessage {
  const view = reportView(report, context)
  if (view.quiet) return envelope([block(markdownLine(view.note))], [])
  const body: TextBlock[] = [
    { ...block(escapeMarkdown(view.title)), size: 'Large', weight: 'Bolder', style: 'heading' },
    { ...block(escapeMarkdown(view.subtitle)), isSubtle: true, spacing: 'None' },
    block(view.headline.map(markdownLine).join('\n\n')),
  ]
  for (const section of view.sections) {
    body.push({
      ...block(escapeMarkdown(`${section.title}${section.total === null ? '' : ` (${section.total})`}`)),
      size: 'Medium',
      weight: 'Bolder',
      separator: true,
      spacing: 'Large',
    })
    if (section.items.every((i) => i.lines.length === 1)) {
      // One-line items (summaries, trends, decisions) read as one list.
      body.push({
        ...block(section.items.map((i) => `- ${markdownLine(i.lines[0] ?? [])}`).join('\n')),
        spacing: 'Small',
      })
    } else {
      for (const item of section.items) {
        body.push({ ...block(item.lines.map(markdownLine).join('\n\n')), spacing: 'Medium' })
      }
    }
    if (section.more !== null) body.push({ ...block(markdownLine(moreLine(section.more))), isSubtle: true })
    if (section.footnote !== null) body.push({ ...block(escapeMarkdown(section.footnote)), isSubtle: true })
  }
  return envelope(body, [
    { type: 'Action.OpenUrl', title: 'Open the roadmap', url: view.links.roadmap },
    { type: 'Action.OpenUrl', title: 'All deferrals', url: view.links.deferrals },
  ])
}

function envelope(body: TextBlock[], actions: OpenUrlAction[]): TeamsMessage {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.5',
          msteams: { width: 'Full' },
          body,
          actions,
        },
      },
    ],
  }
}

function block(text: string): TextBlock {
  return { type: 'TextBlock', text, wrap: true }
}

/**
 * A view line in the Markdown subset TextBlock renders: `**bold**` and `[text](url)`.
 * @see https://learn.microsoft.com/en-us/adaptive-cards/authoring-cards/text-features
 */
function markdownLine(line: Line): string {
  return line
    .map((span) => {
      const text = escapeMarkdown(span.text)
      const linked = span.link === undefined ? text : `[${text}](${span.link.replaceAll(')', '%29')})`
      return span.strong === true && text.trim() !== '' ? strong(linked) : linked
    })
    .join('')
}

/** Characters the card's Markdown would read as formatting. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\*_[\]`]/g, (c) => `\\${c}`)
}

/** `**text**`, with the text's surrounding spaces outside the markers (CommonMark needs them there). */
function strong(text: string): string {
  const [, before, inner, after] = /^(\s*)(.*?)(\s*)$/s.exec(text) as RegExpExecArray
  return `${before}**${inner}**${after}`
}
