import type { WeeklyReport } from '../../domain/index.ts'
import { type Line, plainText, type ReportView, reportView, type SectionId } from '../report-view.ts'
import type { ReportContext } from '../types.ts'

/**
 * A Slack message in Block Kit, as both incoming webhooks and chat.postMessage take it.
 * @see https://docs.slack.dev/reference/block-kit/blocks
 */
export interface SlackMessage {
  /** The notification and screen-reader text; Slack shows it where blocks cannot be shown. */
  text: string
  blocks: SlackBlock[]
  /** Ticket links would otherwise each unfurl into a preview: noise in a weekly digest. */
  unfurl_links: false
  unfurl_media: false
}

export interface PlainText {
  type: 'plain_text'
  text: string
  emoji?: boolean
}
export interface Mrkdwn {
  type: 'mrkdwn'
  text: string
}
export interface SlackButton {
  type: 'button'
  text: PlainText
  action_id: string
  value: string
  style?: 'primary' | 'danger'
}
export type SlackBlock =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; text: Mrkdwn; block_id?: string }
  | { type: 'context'; elements: Mrkdwn[] }
  | { type: 'divider' }
  | { type: 'actions'; block_id: string; elements: SlackButton[] }
  | {
      type: 'input'
      block_id: string
      optional: true
      dispatch_action: false
      label: PlainText
      element: { type: 'plain_text_input'; action_id: string; max_length: number; placeholder: PlainText }
    }

/**
 * The report's sign-off buttons (bot channels with a signingSecret): the action ids the
 * interactivity endpoint (src/http/routes/slack.ts) answers; the button's value is the ledger
 * event id. The optional "why" box's text becomes the reason or rationale.
 */
export const SLACK_ACTIONS = {
  accept: 'onetrack_accept',
  keep: 'onetrack_keep',
  rationale: 'onetrack_rationale',
} as const

export interface SlackRenderOptions {
  /** Sign-off buttons under each unacknowledged deferral. */
  interactive?: boolean
}

/**
 * Block Kit's limits, and a budget for the whole message well under them.
 * @see https://docs.slack.dev/reference/block-kit/blocks/header-block (text ≤ 150)
 * @see https://docs.slack.dev/reference/block-kit/blocks/section-block (text ≤ 3,000)
 * @see https://docs.slack.dev/messaging/#payloads (≤ 50 blocks per message)
 */
export const SLACK_LIMITS = { blocks: 50, headerText: 150, sectionText: 3000, messageChars: 10_000 } as const

/** Most items a list shows before "and N more": a digest, not the whole ledger. */
const MAX_ITEMS: Record<SectionId, number> = {
  unacknowledged: 8,
  deferrals: 12,
  chronic: 8,
  overrides: 8,
  decisions: 8,
  unscored: 8,
}
/** An item longer than this (a very long title or many displacers) is cut. */
const MAX_ITEM_CHARS = 1_200

export function renderSlackMessage(
  report: WeeklyReport,
  context: ReportContext,
  options: SlackRenderOptions = {},
): SlackMessage {
  const view = reportView(report, context)
  const links = mrkdwnLine([
    { text: 'Open the roadmap', link: view.links.roadmap },
    { text: ' · ' },
    { text: 'Full report', link: view.links.report },
  ])
  if (view.quiet) {
    return message(plainText(view.note), [{ type: 'section', text: mrkdwn(mrkdwnLine(view.note)) }])
  }
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: cut(view.title, SLACK_LIMITS.headerText), emoji: false },
    },
    { type: 'context', elements: [mrkdwn(escapeMrkdwn(view.subtitle))] },
    { type: 'section', text: mrkdwn(joinLines(view.headline.map(mrkdwnLine), SLACK_LIMITS.sectionText)) },
  ]
  const fixed = chars(blocks) + links.length + view.title.length
  let budget = SLACK_LIMITS.messageChars - fixed
  view.sections.forEach((section, index) => {
    // Each list gets a fair share of what is left; what one does not use, the next may.
    const share = Math.floor(budget / (view.sections.length - index))
    const used =
      section.id === 'unacknowledged' && options.interactive === true
        ? signOffBlocks(section, view, share)
        : sectionBlocks(section, view, share)
    blocks.push(...used)
    budget -= chars(used)
  })
  blocks.push({ type: 'divider' }, { type: 'context', elements: [mrkdwn(links)] })
  return message(`${view.title}: ${plainText(view.headline[0] ?? [])}`, blocks)
}

/** A list: its title, its items packed into sections of at most 3,000 characters, then "and N more". */
function sectionBlocks(
  section: ReportView['sections'][number],
  view: ReportView,
  budget: number,
): SlackBlock[] {
  const blocks: SlackBlock[] = [{ type: 'divider' }]
  const overflowReserve = 200
  let chunk = `*${escapeMrkdwn(section.title)} (${section.items.length})*`
  let spent = chunk.length
  let shown = 0
  for (const item of section.items) {
    const text = joinLines(item.lines.map(mrkdwnLine), MAX_ITEM_CHARS)
    if (shown >= MAX_ITEMS[section.id] || spent + text.length + 2 > budget - overflowReserve) break
    if (chunk.length + text.length + 2 > SLACK_LIMITS.sectionText) {
      blocks.push({ type: 'section', text: mrkdwn(chunk) })
      chunk = text
    } else {
      chunk = `${chunk}\n\n${text}`
    }
    spent += text.length + 2
    shown += 1
  }
  blocks.push({ type: 'section', text: mrkdwn(chunk) })
  const notes: string[] = []
  const more = section.items.length - shown
  if (more > 0) notes.push(`…and ${more} more: <${view.links.report}|see the full report>`)
  if (section.footnote !== null) notes.push(escapeMrkdwn(section.footnote))
  if (notes.length > 0) blocks.push({ type: 'context', elements: notes.map(mrkdwn) })
  return blocks
}

/**
 * Unacknowledged deferrals with their buttons: one section and one actions block per deferral
 * (at most MAX_ITEMS, so the message stays under 50 blocks), after an optional "why" box.
 */
function signOffBlocks(
  section: ReportView['sections'][number],
  view: ReportView,
  budget: number,
): SlackBlock[] {
  const blocks: SlackBlock[] = [
    { type: 'divider' },
    { type: 'section', text: mrkdwn(`*${escapeMrkdwn(section.title)} (${section.items.length})*`) },
    {
      type: 'input',
      block_id: 'onetrack_why',
      optional: true,
      dispatch_action: false,
      label: { type: 'plain_text', text: 'Why (optional): your reason, sent with the button you press' },
      element: {
        type: 'plain_text_input',
        action_id: SLACK_ACTIONS.rationale,
        max_length: 1000,
        placeholder: { type: 'plain_text', text: 'e.g. the failover drill waits for the new region' },
      },
    },
  ]
  let spent = chars(blocks)
  let shown = 0
  for (const item of section.items) {
    const text = joinLines(item.lines.map(mrkdwnLine), MAX_ITEM_CHARS)
    if (shown >= MAX_ITEMS.unacknowledged || spent + text.length > budget - 200) break
    const eventId = item.signOff?.eventId
    blocks.push({ type: 'section', text: mrkdwn(text) })
    if (eventId !== undefined) {
      blocks.push({
        type: 'actions',
        block_id: `signoff.${eventId}`.slice(0, 255),
        elements: [
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Accept deferral' },
            action_id: SLACK_ACTIONS.accept,
            value: eventId,
            style: 'primary',
          },
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Keep it planned' },
            action_id: SLACK_ACTIONS.keep,
            value: eventId,
          },
        ],
      })
    }
    spent += text.length
    shown += 1
  }
  const notes: string[] = []
  const more = section.items.length - shown
  if (more > 0) notes.push(`…and ${more} more: <${view.links.report}|see the full report>`)
  if (section.footnote !== null) notes.push(escapeMrkdwn(section.footnote))
  if (notes.length > 0) blocks.push({ type: 'context', elements: notes.map(mrkdwn) })
  return blocks
}

function message(text: string, blocks: SlackBlock[]): SlackMessage {
  return { text: cut(text, 300), blocks, unfurl_links: false, unfurl_media: false }
}

function mrkdwn(text: string): Mrkdwn {
  return { type: 'mrkdwn', text }
}

/** A view line in Slack's mrkdwn: `*strong*`, `<url|text>`. */
export function mrkdwnLine(line: Line): string {
  return line
    .map((span) => {
      const text = escapeMrkdwn(span.text)
      const linked = span.link === undefined ? text : `<${span.link}|${text.replaceAll('|', '∣')}>`
      return span.strong === true && text.trim() !== '' ? `*${linked}*` : linked
    })
    .join('')
}

/**
 * Slack's mrkdwn needs only &, < and > escaped; the rest is shown as typed.
 * @see https://docs.slack.dev/messaging/formatting-message-text#escaping
 */
function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}

/** Whole lines up to `max` characters, so a cut never splits a `<url|link>`. */
function joinLines(lines: readonly string[], max: number): string {
  let text = ''
  for (const line of lines) {
    const next = text === '' ? line : `${text}\n${line}`
    if (next.length > max) return text === '' ? cut(line, max) : `${text}\n…`
    text = next
  }
  return text
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

function chars(blocks: readonly SlackBlock[]): number {
  let total = 0
  for (const block of blocks) {
    if (block.type === 'header' || block.type === 'section') total += block.text.text.length
    else if (block.type === 'context') for (const e of block.elements) total += e.text.length
    else if (block.type === 'actions') total += 120
    else if (block.type === 'input') total += block.label.text.length
  }
  return total
}
