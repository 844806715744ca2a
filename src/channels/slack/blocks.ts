import type { WeeklyReport } from '../../domain/index.ts'
import { type Line, moreLine, plainText, reportView, type ViewSection } from '../report-view.ts'
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
 * interactivity endpoint (src/http/routes/slack.ts) answers. A button's value is the EPIC's id: one
 * call answers all of its open deferrals. The optional "why" box's text becomes the reason or
 * rationale.
 */
export const SLACK_ACTIONS = {
  accept: 'onetrack_accept',
  keep: 'onetrack_keep',
  rationale: 'onetrack_rationale',
} as const

export interface SlackRenderOptions {
  /** Sign-off buttons under each epic awaiting the owner's call. */
  interactive?: boolean
}

/**
 * Block Kit's limits. The report's budget (report-view.ts REPORT_BUDGET) keeps a message within
 * them: at most 10 calls with their buttons, short lists, one line per summary.
 * @see https://docs.slack.dev/reference/block-kit/blocks/header-block (text ≤ 150)
 * @see https://docs.slack.dev/reference/block-kit/blocks/section-block (text ≤ 3,000)
 * @see https://docs.slack.dev/messaging/#payloads (≤ 50 blocks per message)
 */
export const SLACK_LIMITS = { blocks: 50, headerText: 150, sectionText: 3000, messageChars: 10_000 } as const

/** A safety net for one pathological item (a title of thousands of characters), not a budget. */
const MAX_ITEM_CHARS = 1_500

export function renderSlackMessage(
  report: WeeklyReport,
  context: ReportContext,
  options: SlackRenderOptions = {},
): SlackMessage {
  const view = reportView(report, context)
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
  for (const section of view.sections) {
    blocks.push(
      ...(section.id === 'calls' && options.interactive === true
        ? signOffBlocks(section)
        : sectionBlocks(section)),
    )
  }
  const links = mrkdwnLine([
    { text: 'Open the roadmap', link: view.links.roadmap },
    { text: ' · ' },
    { text: 'All deferrals', link: view.links.deferrals },
  ])
  blocks.push({ type: 'divider' }, { type: 'context', elements: [mrkdwn(links)] })
  return message(`${view.title}: ${plainText(view.headline[0] ?? [])}`, blocks)
}

function heading(section: ViewSection): string {
  return `*${escapeMrkdwn(section.title)}${section.total === null ? '' : ` (${section.total})`}*`
}

/** A list: its title and its items packed into sections of at most 3,000 characters, then "and N more". */
function sectionBlocks(section: ViewSection): SlackBlock[] {
  const blocks: SlackBlock[] = [{ type: 'divider' }]
  const separator = section.items.every((i) => i.lines.length === 1) ? '\n' : '\n\n'
  let chunk = heading(section)
  let first = true
  for (const item of section.items) {
    const text = joinLines(item.lines.map(mrkdwnLine), MAX_ITEM_CHARS)
    const joint = first ? '\n' : separator
    if (chunk.length + joint.length + text.length > SLACK_LIMITS.sectionText) {
      blocks.push({ type: 'section', text: mrkdwn(chunk) })
      chunk = text
    } else {
      chunk = `${chunk}${joint}${text}`
    }
    first = false
  }
  blocks.push({ type: 'section', text: mrkdwn(chunk) })
  const notes: string[] = []
  if (section.more !== null) notes.push(mrkdwnLine(moreLine(section.more)))
  if (section.footnote !== null) notes.push(escapeMrkdwn(section.footnote))
  if (notes.length > 0) blocks.push({ type: 'context', elements: notes.map(mrkdwn) })
  return blocks
}

/**
 * The calls needed with their buttons: one section and one actions block per epic (at most the
 * budget's 10, so the message stays under 50 blocks), after an optional "why" box.
 */
function signOffBlocks(section: ViewSection): SlackBlock[] {
  const blocks: SlackBlock[] = [
    { type: 'divider' },
    { type: 'section', text: mrkdwn(heading(section)) },
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
  for (const item of section.items) {
    blocks.push({ type: 'section', text: mrkdwn(joinLines(item.lines.map(mrkdwnLine), MAX_ITEM_CHARS)) })
    const epicId = item.signOff?.epicId
    if (epicId === undefined) continue
    blocks.push({
      type: 'actions',
      block_id: `signoff.${epicId}`.slice(0, 255),
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Accept the deferral' },
          action_id: SLACK_ACTIONS.accept,
          value: epicId,
          style: 'primary',
        },
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Keep it planned' },
          action_id: SLACK_ACTIONS.keep,
          value: epicId,
        },
      ],
    })
  }
  const notes: string[] = []
  if (section.more !== null) notes.push(mrkdwnLine(moreLine(section.more)))
  notes.push(
    'Accept with a reason, or keep the epic planned (a pin): one call answers all of its open deferrals, recorded with your name.',
  )
  blocks.push({ type: 'context', elements: notes.map(mrkdwn) })
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
      if (span.strong !== true || text.trim() === '') return linked
      // Slack reads *bold* only with the asterisks against the text.
      const [, before, inner, after] = /^(\s*)(.*?)(\s*)$/s.exec(linked) as RegExpExecArray
      return `${before}*${inner}*${after}`
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
