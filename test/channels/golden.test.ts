/**
 * Golden files: what each channel kind renders for a busy week, a quiet week and a week over Slack's
 * limits, built from the real domain (fixtures.ts runs buildRoadmap over Acme's epics).
 *
 * After an intended change to a renderer, regenerate them and review the diff:
 *   UPDATE_GOLDEN=1 npx vitest run test/channels/golden.test.ts && npx biome format --write test/channels/golden
 * JSON files are compared as data (biome may reformat them); Markdown files as text.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  deliveryKey,
  renderMarkdown,
  renderSlackMessage,
  renderTeamsMessage,
  renderWebhookPayload,
  SLACK_LIMITS,
  type SlackMessage,
  TEAMS_CARD_BUDGET_BYTES,
} from '../../src/channels/index.ts'
import { busyWeek, overLimitWeek, quietWeek, type Scenario } from './fixtures.ts'

const GOLDEN = new URL('./golden/', import.meta.url)
const update = process.env.UPDATE_GOLDEN === '1'

const scenarios: Record<string, () => Scenario> = {
  busy: busyWeek,
  quiet: quietWeek,
  'over-limit': overLimitWeek,
}
const renderers: Record<string, { ext: 'json' | 'md'; render: (s: Scenario) => unknown }> = {
  slack: { ext: 'json', render: (s) => renderSlackMessage(s.report, s.context) },
  teams: { ext: 'json', render: (s) => renderTeamsMessage(s.report, s.context) },
  webhook: {
    ext: 'json',
    render: (s) => renderWebhookPayload(s.report, s.context, deliveryKey('eng-leads', s.context.week).id),
  },
  markdown: { ext: 'md', render: (s) => renderMarkdown(s.report, s.context) },
}

describe.each(Object.keys(scenarios))('the %s week', (scenario) => {
  const data = (scenarios[scenario] as () => Scenario)()

  it.each(Object.keys(renderers))('renders for %s as its golden file', (kind) => {
    const { ext, render } = renderers[kind] as (typeof renderers)[string]
    const file = new URL(`${kind}-${scenario}.${ext}`, GOLDEN)
    const rendered = render(data)
    const text = ext === 'md' ? (rendered as string) : `${JSON.stringify(rendered, null, 2)}\n`
    if (update) {
      mkdirSync(GOLDEN, { recursive: true })
      writeFileSync(file, text)
    }
    expect(existsSync(file), `${file.pathname} is missing: run with UPDATE_GOLDEN=1`).toBe(true)
    const golden = readFileSync(file, 'utf8')
    if (ext === 'md') expect(rendered).toBe(golden)
    else expect(rendered).toEqual(JSON.parse(golden))
  })

  it('stays within Slack Block Kit limits', () => {
    const message = renderSlackMessage(data.report, data.context)
    expect(message.text.length).toBeGreaterThan(0)
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks)
    for (const block of message.blocks) {
      if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText)
      if (block.type === 'section')
        expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText)
    }
    expect(slackChars(message)).toBeLessThan(12_000)
  })

  it('stays within what a Teams Workflows webhook posts', () => {
    const message = renderTeamsMessage(data.report, data.context)
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(TEAMS_CARD_BUDGET_BYTES)
    const card = message.attachments[0].content
    expect(card.version).toBe('1.5')
    expect(JSON.stringify(card)).not.toContain('Action.Submit')
  })
})

describe('the over-limit week', () => {
  const data = overLimitWeek()

  it('lists what fits in Slack and links to the full report for the rest', () => {
    const message = renderSlackMessage(data.report, data.context)
    const text = JSON.stringify(message)
    expect(data.report.newDeferrals.length).toBeGreaterThan(20)
    expect(text).toMatch(
      /…and \d+ more: <https:\/\/onetrack\.acme\.example\/reports\/preview\?channel=eng-leads\|see the full report>/,
    )
    const more = Number(/…and (\d+) more/.exec(text)?.[1])
    const listed = (text.match(/Q3 2027 → Q4 2027|Q4 2027 → unplanned/g) ?? []).length
    expect(listed + more).toBe(data.report.newDeferrals.length)
  })

  it('shortens the Teams card the same way', () => {
    const text = JSON.stringify(renderTeamsMessage(data.report, data.context))
    expect(text).toMatch(
      /…and \d+ more: \[see the full report\]\(https:\/\/onetrack\.acme\.example\/reports\/preview\?channel=eng-leads\)/,
    )
  })

  it('keeps everything in the Markdown report, which the overflow links point to', () => {
    const markdown = renderMarkdown(data.report, data.context)
    expect(markdown).not.toContain('more:')
    expect((markdown.match(/^- \*\*\[OPS-/gm) ?? []).length).toBe(
      data.report.newDeferrals.length + data.report.unscored.length,
    )
  })
})

function slackChars(message: SlackMessage): number {
  return JSON.stringify(message.blocks).length + message.text.length
}
