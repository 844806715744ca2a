import type { WeeklyReport } from '../../domain/index.ts'
import { type Line, type ReportView, reportView, type SectionId } from '../report-view.ts'
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
 * Workflows' own additions fit.
 * @see https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/format-your-bot-messages
 */
export const TEAMS_CARD_BUDGET_BYTES = 24_000

const MAX_ITEMS: Record<SectionId, number> = {
  unacknowledged: 10,
  deferrals: 15,
  chronic: 10,
  overrides: 10,
  decisions: 10,
  unscored: 10,
}

export function renderTeamsMessage(report: WeeklyReport, context: ReportContext): TeamsMessage {
  const view = reportView(report, context)
  if (view.quiet) return envelope([block(markdownLine(view.note))], [])
  // Fewer items per list until the card fits the budget: a long week still arrives, shortened.
  for (let scale = 1; ; scale *= 0.7) {
    const message = fullCard(view, scale)
    if (Buffer.byteLength(JSON.stringify(message)) <= TEAMS_CARD_BUDGET_BYTES || scale < 0.05) return message
  }
}

function fullCard(view: ReportView, scale: number): TeamsMessage {
  const body: TextBlock[] = [
    { ...block(escapeMarkdown(view.title)), size: 'Large', weight: 'Bolder', style: 'heading' },
    { ...block(escapeMarkdown(view.subtitle)), isSubtle: true, spacing: 'None' },
    block(view.headline.map(markdownLine).join('\n\n')),
  ]
  for (const section of view.sections) {
    const max = Math.floor(MAX_ITEMS[section.id] * scale)
    body.push({
      ...block(escapeMarkdown(`${section.title} (${section.items.length})`)),
      size: 'Medium',
      weight: 'Bolder',
      separator: true,
      spacing: 'Large',
    })
    for (const item of section.items.slice(0, max)) {
      body.push({ ...block(item.lines.map(markdownLine).join('\n\n')), spacing: 'Medium' })
    }
    const more = section.items.length - Math.min(max, section.items.length)
    if (more > 0)
      body.push({
        ...block(`…and ${more} more: [see the full report](${view.links.report})`),
        isSubtle: true,
      })
    if (section.footnote !== null) body.push({ ...block(escapeMarkdown(section.footnote)), isSubtle: true })
  }
  return envelope(body, [
    { type: 'Action.OpenUrl', title: 'Open the roadmap', url: view.links.roadmap },
    { type: 'Action.OpenUrl', title: 'Full report', url: view.links.report },
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
      return span.strong === true && text.trim() !== '' ? `**${linked}**` : linked
    })
    .join('')
}

/** Characters the card's Markdown would read as formatting. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\*_[\]`]/g, (c) => `\\${c}`)
}
