/**
 * Golden files: what each channel kind renders for a busy week, a quiet week and a week over the
 * report's budget, built from the real domain (fixtures.ts runs buildRoadmap over Acme's epics).
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
  'slack-buttons': {
    ext: 'json',
    render: (s) => renderSlackMessage(s.report, s.context, { interactive: true }),
  },
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

  it.each([false, true])('stays within Slack Block Kit limits (buttons: %s)', (interactive) => {
    const message = renderSlackMessage(data.report, data.context, { interactive })
    expect(message.text.length).toBeGreaterThan(0)
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks)
    for (const block of message.blocks) {
      if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText)
      if (block.type === 'section')
        expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText)
    }
    expect(slackChars(message)).toBeLessThan(12_000)
  })

  it('fits the Markdown report in 80 lines', () => {
    expect(renderMarkdown(data.report, data.context).split('\n').length).toBeLessThanOrEqual(80)
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
  const calls = data.report.awaitingSignOff.length
  const more = new RegExp(`…and ${calls - 10} more`)

  it('lists the ten calls needed first in Slack, then "and N more" linking to the deferrals view', () => {
    expect(calls).toBeGreaterThan(20)
    const message = renderSlackMessage(data.report, data.context)
    const text = JSON.stringify(message)
    expect(text).toMatch(more)
    expect(text).toContain(
      `…and ${calls - 10} more: <https://onetrack.acme.example/deferrals|see all deferrals>`,
    )
    expect(text.match(/Committed Q3 2027 → Q4 2027|Committed Q4 2027 → unplanned/g)).toHaveLength(10)
    // The calls needed come before every other list.
    const titles = message.blocks.flatMap((b) => (b.type === 'section' ? [b.text.text.split('\n')[0]] : []))
    expect(titles[1]).toBe(`*Calls needed this week (${calls})*`)
  })

  it('gives each of the ten listed epics its own buttons, the epic id as their value', () => {
    const message = renderSlackMessage(data.report, data.context, { interactive: true })
    const actions = message.blocks.filter((b) => b.type === 'actions')
    expect(actions).toHaveLength(10)
    const listed = data.report.awaitingSignOff.slice(0, 10).map((a) => a.epicId)
    expect(actions.map((a) => a.elements.map((e) => e.value))).toEqual(listed.map((id) => [id, id]))
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks)
  })

  it('shortens the Teams card by the same budget', () => {
    const text = JSON.stringify(renderTeamsMessage(data.report, data.context))
    expect(text).toContain(
      `…and ${calls - 10} more: [see all deferrals](https://onetrack.acme.example/deferrals)`,
    )
    expect(text.match(/Committed Q3 2027 → Q4 2027|Committed Q4 2027 → unplanned/g)).toHaveLength(10)
  })

  it('lists the same ten in the Markdown report, which the preview and the dry run print', () => {
    const markdown = renderMarkdown(data.report, data.context)
    expect(markdown).toContain(
      `- …and ${calls - 10} more: [see all deferrals](https://onetrack.acme.example/deferrals)`,
    )
    expect(markdown.match(/^- \*\*\[OPS-/gm)).toHaveLength(10)
  })
})

function slackChars(message: SlackMessage): number {
  return JSON.stringify(message.blocks).length + message.text.length
}
