import { describe, expect, it } from 'vitest'
import {
  REPORT_BUDGET,
  renderMarkdown,
  renderSlackMessage,
  renderTeamsMessage,
  renderWebhookPayload,
  reportView,
  SLACK_LIMITS,
  TEAMS_CARD_BUDGET_BYTES,
} from '../../src/channels/index.ts'
import { reportSettings } from '../../src/config/index.ts'
import { buildReport, type DeferralEvent, type Epic, isDeferral } from '../../src/domain/index.ts'
import { acme, busyWeek, epic, history, overLimitWeek, type Scenario } from './fixtures.ts'

describe('the report budget', () => {
  const { report, context } = overLimitWeek()
  const fifteen: Scenario = {
    report: { ...report, awaitingSignOff: report.awaitingSignOff.slice(0, 15) },
    context,
  }

  it('lists 10 of 15 epics awaiting sign-off, the costliest first, then "and 5 more" with a link to the deferrals view', () => {
    expect(report.awaitingSignOff.length).toBeGreaterThanOrEqual(15)
    const calls = reportView(fifteen.report, context).sections[0]
    expect(calls?.id).toBe('calls')
    expect(calls?.total).toBe(15)
    expect(calls?.items.map((i) => i.id)).toEqual(
      fifteen.report.awaitingSignOff.slice(0, 10).map((a) => a.epicId),
    )
    expect(calls?.more).toEqual({
      count: 5,
      link: 'https://onetrack.acme.example/deferrals',
      label: 'see all deferrals',
    })
    const costs = fifteen.report.awaitingSignOff.map((a) => a.projectedCost)
    expect(costs).toEqual([...costs].sort((a, b) => b - a))
  })

  it('is the same in every channel: Markdown, Slack with and without buttons, Teams', () => {
    const markdown = renderMarkdown(fifteen.report, context)
    expect(markdown).toContain('## Calls needed this week (15)')
    expect(markdown).toContain('- …and 5 more: [see all deferrals](https://onetrack.acme.example/deferrals)')
    expect(markdown.match(/^- \*\*\[OPS-/gm)).toHaveLength(10)
    for (const interactive of [false, true]) {
      const slack = renderSlackMessage(fifteen.report, context, { interactive })
      const text = JSON.stringify(slack.blocks)
      expect(text).toContain('…and 5 more: <https://onetrack.acme.example/deferrals|see all deferrals>')
      expect(text.match(/Committed Q\d 2027 → /g)).toHaveLength(10)
      expect(slack.blocks.filter((b) => b.type === 'actions')).toHaveLength(interactive ? 10 : 0)
      expect(slack.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks)
    }
    const teams = JSON.stringify(renderTeamsMessage(fifteen.report, context))
    expect(teams).toContain('…and 5 more: [see all deferrals](https://onetrack.acme.example/deferrals)')
    expect(teams.match(/Committed Q\d 2027 → /g)).toHaveLength(10)
  })

  it('holds whatever the week: every list at its maximum stays within 80 Markdown lines and the chat limits', () => {
    // The busiest report the budget allows: every list longer than it shows, long titles everywhere.
    const awaiting = report.awaitingSignOff
    const chronic = Array.from({ length: 12 }, (_, i) => ({
      ...(awaiting[i % awaiting.length] as (typeof awaiting)[number]),
      epicId: `jira-acme:OLD-${i}`,
      deferrals: 3,
      periodsLeft: ['2027-Q1', '2027-Q2', '2027-Q3'],
      accruedCost: 40 + i,
      period: '2027-Q4',
      open: true,
    }))
    const decisions = Array.from({ length: 12 }, (_, i) => ({
      id: `dec_${i}`,
      kind: 'acknowledgement' as const,
      author: 'olivia',
      at: '2027-07-10T09:00:00.000Z',
      rationale: 'the migration comes first; '.repeat(8),
      epicId: awaiting[i]?.epicId ?? null,
      versionId: 2,
      via: 'slack' as const,
      details: { eventIds: ['a', 'b'] },
      epicTitle: awaiting[i]?.title ?? null,
    }))
    const worst = {
      ...report,
      awaitingSignOff: awaiting.map((a, i) => ({
        ...a,
        newThisWeek: i % 2 === 0,
        deferrals: [...a.deferrals, ...a.deferrals],
      })),
      chronic,
      decisions,
      asymmetry: {
        ...report.asymmetry,
        trend: ['2026-Q4', '2027-Q1', '2027-Q2', '2027-Q3'].map((period) => ({
          period,
          deferrals: { product: 3, technical: 9 },
        })),
      },
      accruedCostByTrack: { product: 120, technical: 480 },
      accruedOpenCostByTrack: { product: 20, technical: 400 },
    }
    const view = reportView(worst, context)
    expect(view.sections.map((s) => [s.id, s.items.length])).toEqual([
      ['calls', REPORT_BUDGET.calls],
      ['chronic', REPORT_BUDGET.chronic],
      ['asymmetry', 1 + REPORT_BUDGET.trend],
      ['totals', 3],
      ['decisions', REPORT_BUDGET.decisions],
      ['summary', 2],
    ])
    expect(renderMarkdown(worst, context).split('\n').length).toBeLessThanOrEqual(80)
    const slack = renderSlackMessage(worst, context, { interactive: true })
    expect(slack.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks)
    for (const block of slack.blocks)
      if (block.type === 'section')
        expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText)
    // What Slack counts against a message: its text, every block's included.
    expect(texts(slack).length).toBeLessThan(SLACK_LIMITS.messageChars)
    expect(Buffer.byteLength(JSON.stringify(renderTeamsMessage(worst, context)))).toBeLessThanOrEqual(
      TEAMS_CARD_BUDGET_BYTES,
    )
  })
})

describe('no raw id in the report', () => {
  // Linear projects: ids are UUIDs, keys are slug hashes; people know them by name only.
  const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i
  const linear = (
    uuid: string,
    slug: string,
    title: string,
    fields: Partial<Epic> & { effort?: number },
  ): Epic => ({
    ...epic(slug, { source: 'linear-platform', team: 'platform', track: 'technical', title, ...fields }),
    id: `linear-platform:${uuid}`,
    key: slug,
    url: `https://linear.app/acme/project/${title.toLowerCase().replaceAll(' ', '-')}-${slug}`,
  })
  const keysId = 'fbfd9552-1be0-4c1e-9d7e-2f1b3a4c5d6e'
  const keys = linear(keysId, 'c21eca6f3195', 'Customer-managed keys', { effort: 20 })
  const audit = linear('0c9e2a41-77d3-4b8e-a1f0-5e6d7c8b9a01', '7d0c2b9e8a11', 'Audit log export', {
    effort: 8,
    blockers: [`linear-platform:${keysId}`],
  })
  const region = linear('9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', 'e4a1c9d20b7f', 'Sovereign cloud region', {
    effort: 25,
    track: 'product',
    inputs: { value: 100, timeCriticality: 20, risk: 5 },
  })
  const { roadmap, ledger, rates } = history([
    { now: '2027-01-04T09:00:00.000Z', epics: [keys, audit] },
    { now: '2027-01-11T09:00:00.000Z', epics: [keys, audit, region] },
  ])
  const now = '2027-01-14T09:00:00.000Z'
  const report = buildReport({
    roadmap,
    ledger,
    rates,
    overrides: [
      {
        id: 'ovr-gone',
        epicId: 'linear-platform:2b3c4d5e-6f70-4a81-9b2c-3d4e5f607182',
        kind: 'exclude',
        rationale: 'superseded by the region work',
        author: 'olivia',
        createdAt: '2027-01-12T09:00:00.000Z',
      },
    ],
    signOff: {
      acknowledged: new Set(),
      decisions: [
        {
          id: 'dec_1',
          kind: 'approval',
          author: 'olivia',
          at: '2027-01-12T10:00:00.000Z',
          rationale: null,
          epicId: null,
          versionId: 2,
          via: 'api',
          details: {},
        },
      ],
    },
    settings: reportSettings(acme),
    now,
  })
  const context = {
    channelId: 'eng-leads',
    week: '2027-W02',
    roadmapName: acme.roadmap.name,
    publicUrl: acme.server.publicUrl,
    periods: roadmap.periods,
    scope: null,
  }

  /** What a reader sees: every text, without the links' targets (ids in URLs are for machines). */
  const visible = {
    markdown: () => renderMarkdown(report, context).replace(/\]\([^)]*\)/g, ']'),
    slack: () => texts(renderSlackMessage(report, context, { interactive: true })).replace(/<[^|>]*\|/g, '<'),
    teams: () => texts(renderTeamsMessage(report, context)).replace(/\]\([^)]*\)/g, ']'),
    webhook: () => renderWebhookPayload(report, context, 'd').text,
  }

  it('has the Linear deferrals it is about, blocker and displacer included', () => {
    const deferred = ledger.filter((e: DeferralEvent) => isDeferral(e.kind)).map((e) => e.epic.title)
    expect(new Set(deferred)).toEqual(new Set(['Customer-managed keys', 'Audit log export']))
    expect(ledger.some((e) => e.cause?.kind === 'blocker_slipped')).toBe(true)
    expect(visible.markdown()).toContain('its blocker slipped: Customer-managed keys (Q1 2027 → Q2 2027)')
    expect(visible.markdown()).toContain('in its place: Sovereign cloud region')
  })

  it.each(Object.keys(visible))('names epics by title in %s: no UUID, slug hash or source prefix', (kind) => {
    const text = (visible[kind as keyof typeof visible] as () => string)()
    expect(text.length).toBeGreaterThan(0)
    expect(text).not.toMatch(UUID)
    for (const raw of [
      'c21eca6f3195',
      '7d0c2b9e8a11',
      'e4a1c9d20b7f',
      'linear-platform',
      'ovr-gone',
      'dec_1',
    ])
      expect(text).not.toContain(raw)
  })

  it.each([
    ['the Linear week', () => renderMarkdown(report, context)],
    ['the busy week', () => renderMarkdown(busyWeek().report, busyWeek().context)],
    ['the over-limit week', () => renderMarkdown(overLimitWeek().report, overLimitWeek().context)],
  ])('puts the unit on every figure of cost in %s', (_name, render) => {
    const markdown = render()
    const bold = [...markdown.matchAll(/\*\*(\d[\d.,]*)([^*]*)\*\*/g)]
    const costs = bold.filter(([, , rest]) => !/^(×| calls? needed|%| epics?)/.test(rest ?? ''))
    expect(costs.length).toBeGreaterThan(0)
    for (const [figure, , rest] of costs) expect(rest, figure).toBe(' EUR k')
    for (const [figure, , unit] of markdown.matchAll(
      /(?:still open:|per quarter|accrued so far) \**(\d[\d.,]*)( EUR k)?/g,
    ))
      expect(unit, figure).toBe(' EUR k')
  })
})

/** Every `text` string in a message, one per line. */
function texts(value: unknown): string {
  const out: string[] = []
  const walk = (v: unknown, key: string | null) => {
    if (typeof v === 'string') {
      if (key === 'text') out.push(v)
    } else if (Array.isArray(v)) for (const x of v) walk(x, null)
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) walk(x, k)
  }
  walk(value, null)
  return out.join('\n')
}
