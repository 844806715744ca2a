import { describe, expect, it } from 'vitest'
import { plainText, reportView } from '../../src/channels/index.ts'
import { buildReport } from '../../src/domain/index.ts'
import { busyHistory, busyWeek, quietWeek } from './fixtures.ts'

const text = (lines: Parameters<typeof plainText>[0][]) => lines.map(plainText)

describe('the report in business language', () => {
  const { report, context } = busyWeek()
  const view = reportView(report, context)

  it('heads with what slipped, what deferral has cost so far, and how capacity is split', () => {
    expect(text(view.headline)).toEqual([
      '2 epics slipped this week (2 technical).',
      'Everything deferred so far has accumulated 93.4 EUR k of cost of delay (technical 71.1, product 22.3).',
      'Planned capacity in Q3 2027: 100% product, 0% technical (45 of 70 effort units booked).',
      'Technical epics slip 1.5× as often as product epics (2 vs 1.3 deferrals per epic).',
    ])
  })

  it('names each deferral with its move, its cause, what displaced it and its cost', () => {
    const deferrals = view.sections.find((s) => s.id === 'deferrals')
    expect(text(deferrals?.items[0]?.lines ?? [])).toEqual([
      'PLAT-1 Platform stability work: https://acme.atlassian.net/browse/PLAT-1 (platform, technical) · history: https://onetrack.acme.example/epics/jira-acme%3APLAT-1',
      "Q3 2027 → Q4 2027: higher-scored work took team platform's capacity in Q3 2027.",
      'Displaced by Enterprise SSO for the Globex deal: https://onetrack.acme.example/epics/jira-acme%3APLAT-9 (score 2.6).',
      'Cost of delay 13.4 EUR k per quarter; 34.9 EUR k accumulated over 3 deferrals.',
    ])
  })

  it('says how many quarters in a row a chronic deferral has slipped, and what it has cost', () => {
    const chronic = view.sections.find((s) => s.id === 'chronic')
    expect(chronic?.items.map((i) => plainText(i.lines[1] ?? []))).toEqual([
      'Deferred 3 quarters in a row (Q1 2027, Q2 2027, Q3 2027): 36.3 EUR k of cost of delay accumulated; now planned in Q4 2027.',
      'Deferred 3 quarters in a row (Q1 2027, Q2 2027, Q3 2027): 34.9 EUR k of cost of delay accumulated; now planned in Q4 2027.',
      'Deferred 2 quarters in a row (Q1 2027, Q2 2027): 22.3 EUR k of cost of delay accumulated; now planned in Q3 2027.',
      'Deferred 2 quarters in a row (Q1 2027, Q2 2027): its cost of delay is unknown until it is scored; now planned in Q3 2027.',
    ])
  })

  it('does not call deferrals "in a row" when quarters in between were kept', () => {
    const gapped = {
      ...report,
      chronic: [
        {
          ...(report.chronic[0] as (typeof report.chronic)[number]),
          periodsLeft: ['2027-Q1', '2027-Q3'],
          deferrals: 2,
        },
      ],
    }
    const chronic = reportView(gapped, context).sections.find((s) => s.id === 'chronic')
    expect(plainText(chronic?.items[0]?.lines[1] ?? [])).toMatch(
      /^Deferred out of 2 quarters \(Q1 2027, Q3 2027\)/,
    )
  })

  it("quotes the owner's decision with its rationale, and says when a later one replaced it", () => {
    const overrides = view.sections.find((s) => s.id === 'overrides')
    expect(plainText(overrides?.items[0]?.lines[1] ?? [])).toBe(
      'olivia pinned it to Q3 2027: “promised to Initech for the renewal in September”',
    )
    const replaced = {
      ...report,
      overrides: report.overrides.map((o) => ({ ...o, kind: 'defer' as const, inForce: false })),
    }
    const line = reportView(replaced, context).sections.find((s) => s.id === 'overrides')?.items[0]?.lines[1]
    expect(plainText(line ?? [])).toBe(
      'olivia deferred it to Q3 2027 at the earliest: “promised to Initech for the renewal in September” (since replaced by a later decision)',
    )
  })

  it('asks for the missing inputs of unscored epics in business terms', () => {
    const unscored = view.sections.find((s) => s.id === 'unscored')
    expect(unscored?.items.map((i) => plainText(i.lines[1] ?? []))).toEqual([
      'Missing effort estimate: it cannot be ranked against the rest until someone puts a number on it.',
      'Missing business value and risk reduction: it cannot be ranked against the rest until someone puts a number on them.',
    ])
  })

  it("links to onetrack's page of each epic and to the full report, whatever the public URL's trailing slash", () => {
    const withSlash = reportView(report, { ...context, publicUrl: 'https://onetrack.acme.example/' })
    expect(withSlash.links).toEqual({
      roadmap: 'https://onetrack.acme.example/',
      report: 'https://onetrack.acme.example/reports/preview?channel=eng-leads',
    })
    expect(withSlash.sections[0]?.items[0]?.lines[0]?.[2]).toEqual({
      text: 'history',
      link: 'https://onetrack.acme.example/epics/jira-acme%3APLAT-1',
    })
  })

  it('counts deferrals under the cost threshold without listing them', () => {
    const strict = buildReport({
      ...busyHistory(),
      settings: { chronicThreshold: 2, minCostOfDelay: 13.35, costUnit: 'EUR k' },
      now: report.generatedAt,
    })
    const strictView = reportView(strict, context)
    expect(plainText(strictView.headline[0] ?? [])).toBe(
      '1 epic slipped this week (1 technical), plus 1 smaller deferral not listed.',
    )
    expect(strictView.sections.find((s) => s.id === 'deferrals')?.footnote).toBe(
      "1 smaller deferral below this channel's cost-of-delay threshold is counted but not listed.",
    )
  })
})

describe('a quiet week', () => {
  it('is one line, with no lists', () => {
    const { report, context } = quietWeek()
    const view = reportView(report, context)
    expect(view.quiet).toBe(true)
    expect(view.sections).toEqual([])
    expect(plainText(view.note)).toBe(
      'Acme roadmap, week 2027-W30: nothing slipped and no owner decisions this week. Open the roadmap: https://onetrack.acme.example/',
    )
  })
})
