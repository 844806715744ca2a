import { describe, expect, it } from 'vitest'
import { type Line, plainText, reportView, type SectionId } from '../../src/channels/index.ts'
import { buildReport } from '../../src/domain/index.ts'
import { busyHistory, busyWeek, quietWeek } from './fixtures.ts'

/** A line as a person reads it, without the links' targets. */
const words = (line: Line | undefined) => (line ?? []).map((s) => s.text).join('')

describe('the report in business language', () => {
  const { report, context } = busyWeek()
  const view = reportView(report, context)
  const section = (id: SectionId) => view.sections.find((s) => s.id === id)
  const lines = (id: SectionId) => section(id)?.items.map((i) => i.lines.map(words))

  it('leads with the calls needed, then what slipped this week', () => {
    expect(view.headline.map(words)).toEqual([
      '2 calls needed on deferrals of committed work (2 new this week): 57.2 EUR k of projected cost of delay.',
      '2 epics slipped this week (2 technical).',
    ])
    expect(view.sections.map((s) => s.id)).toEqual([
      'calls',
      'chronic',
      'asymmetry',
      'totals',
      'decisions',
      'summary',
    ])
  })

  it('names each call by epic: committed period → where it went, why, what took its place, its projected and accrued cost', () => {
    expect(section('calls')).toMatchObject({ title: 'Calls needed this week', total: 2, more: null })
    expect(lines('calls')?.[0]).toEqual([
      'PLAT-1 Platform stability work (platform, technical) · new this week',
      "Committed Q3 2027 → Q4 2027 (also left Q2 2027): higher-scored work took team platform's capacity in Q3 2027; in its place: PLAT-9 Enterprise SSO for the Globex deal.",
      'Projected cost 29.1 EUR k over 2 deferrals; accrued so far 13.4 EUR k.',
    ])
    // One pair of buttons per epic: it answers all of the epic's open deferrals.
    expect(section('calls')?.items.map((i) => i.signOff)).toEqual([
      { epicId: 'jira-acme:PLAT-1' },
      { epicId: 'jira-acme:PLAT-2' },
    ])
  })

  it('prices a single deferral as its cost per quarter times the quarters slipped', () => {
    const [plat1] = report.awaitingSignOff
    if (plat1 === undefined) throw new Error('no call')
    const latest = plat1.deferrals.at(-1)
    if (latest === undefined) throw new Error('no deferral')
    const single = {
      ...report,
      awaitingSignOff: [{ ...plat1, deferrals: [latest], projectedCost: latest.projectedCost }],
    }
    const call = reportView(single, context).sections[0]?.items[0]?.lines.map(words)
    expect(call?.[1]).toMatch(/^Committed Q3 2027 → Q4 2027: higher-scored work/)
    expect(call?.[2]).toBe(
      'Projected cost 15.7 EUR k (15.7 EUR k per quarter × 1 quarter); accrued so far 13.4 EUR k.',
    )
  })

  it('says how many quarters in a row a chronic deferral has slipped, and what it has accrued', () => {
    expect(lines('chronic')?.map((l) => l[0])).toEqual([
      'PLAT-2 Postgres 17 upgrade (platform, technical): deferred 3 quarters in a row (Q1 2027, Q2 2027, Q3 2027); 13.8 EUR k accrued; now planned in Q4 2027.',
      'PLAT-1 Platform stability work (platform, technical): deferred 3 quarters in a row (Q1 2027, Q2 2027, Q3 2027); 13.4 EUR k accrued; now planned in Q4 2027.',
      'SHOP-2 Gift cards (checkout, product): deferred 2 quarters in a row (Q1 2027, Q2 2027); 12.8 EUR k accrued; now planned in Q3 2027.',
      'SHOP-3 Loyalty points (checkout, product): deferred 2 quarters in a row (Q1 2027, Q2 2027); cost unknown until it is scored; now planned in Q3 2027.',
    ])
  })

  it('does not call deferrals "in a row" when quarters in between were kept, and says when the epic is closed', () => {
    const first = report.chronic[0] as (typeof report.chronic)[number]
    const gapped = {
      ...report,
      chronic: [{ ...first, periodsLeft: ['2027-Q1', '2027-Q3'], deferrals: 2, open: false, period: null }],
    }
    const chronic = reportView(gapped, context).sections.find((s) => s.id === 'chronic')
    expect(words(chronic?.items[0]?.lines[0])).toMatch(
      /: deferred out of 2 quarters \(Q1 2027, Q3 2027\); 13\.8 EUR k accrued; no longer open\.$/,
    )
  })

  it('shows the product/technical slip asymmetry with its trend, one line per quarter', () => {
    expect(section('asymmetry')?.title).toBe('Product and technical slips, last 3 quarters')
    expect(lines('asymmetry')?.map((l) => l[0])).toEqual([
      'Technical epics slip 1.5× as often as product epics (2 vs 1.3 deferrals per epic).',
      'Q1 2027: 2 technical, 3 product deferrals.',
      'Q2 2027: 2 technical, 2 product deferrals.',
      'Q3 2027 (so far): 2 technical, 0 product deferrals.',
    ])
  })

  it('totals the accrued cost of delay, shipped epics included, with what is still open beside it', () => {
    expect(lines('totals')?.map((l) => l[0])).toEqual([
      'All epics: 67.3 EUR k (still open: 40 EUR k).',
      'Technical: 27.2 EUR k (still open: 27.2 EUR k).',
      'Product: 40.1 EUR k (still open: 12.8 EUR k).',
    ])
  })

  it('lists the calls made this week with their authors, an override once even when it is also in the decision log', () => {
    expect(lines('decisions')?.map((l) => l[0])).toEqual([
      'olivia pinned SHOP-2 Gift cards to Q3 2027: “promised to Initech for the renewal in September” (7 Jul 2027).',
      'olivia accepted the deferral of SHOP-3 Loyalty points: “loyalty waits for the new pricing model” (9 Jul 2027, in Slack).',
    ])
    // Without the decision log (sign-off not tracked), the override itself is listed.
    const untracked = {
      ...report,
      decisions: [],
      overrides: report.overrides.map((o) => ({ ...o, kind: 'defer' as const, inForce: false })),
    }
    const line = reportView(untracked, context).sections.find((s) => s.id === 'decisions')?.items[0]?.lines[0]
    expect(words(line)).toBe(
      'olivia deferred SHOP-2 Gift cards to Q3 2027 at the earliest: “promised to Initech for the renewal in September” (7 Jul 2027; since replaced).',
    )
  })

  it('sums up capacity and unscored epics in one line each, with a link', () => {
    expect(lines('summary')?.map((l) => l[0])).toEqual([
      'Capacity planned in Q3 2027: 100% product, 0% technical (45 of 70 effort units booked) · roadmap',
      '2 epics cannot be ranked until scored — missing effort estimate (1), risk reduction (1), business value (1) · roadmap',
    ])
  })

  it("links each epic to onetrack's page of it, and to the deferrals view, whatever the public URL's trailing slash", () => {
    const withSlash = reportView(report, { ...context, publicUrl: 'https://onetrack.acme.example/' })
    expect(withSlash.links).toEqual({
      roadmap: 'https://onetrack.acme.example/',
      deferrals: 'https://onetrack.acme.example/deferrals',
      report: 'https://onetrack.acme.example/reports/preview?channel=eng-leads',
    })
    // One link per epic: onetrack's page, with its history, costs, sign-offs and the ticket.
    expect(withSlash.sections[0]?.items[0]?.lines[0]?.[0]).toEqual({
      text: 'PLAT-1 Platform stability work',
      strong: true,
      link: 'https://onetrack.acme.example/epics/jira-acme%3APLAT-1',
    })
  })

  it('counts deferrals under the cost threshold in the headline', () => {
    const strict = buildReport({
      ...busyHistory(),
      signOff: { acknowledged: new Set(), decisions: [] },
      settings: { chronicThreshold: 2, minCostOfDelay: 15, costUnit: 'EUR k' },
      now: report.generatedAt,
    })
    expect(words(reportView(strict, context).headline[1])).toBe(
      "1 epic slipped this week (1 technical), plus 1 smaller deferral below this channel's threshold.",
    )
  })

  it('lists what slipped this week when sign-off is not tracked, under the threshold counted but not listed', () => {
    const untracked = buildReport({
      ...busyHistory(),
      settings: { chronicThreshold: 2, minCostOfDelay: 15, costUnit: 'EUR k' },
      now: report.generatedAt,
    })
    const calls = reportView(untracked, context).sections[0]
    expect(calls).toMatchObject({ id: 'calls', title: 'Slipped this week', total: 1 })
    expect(calls?.items[0]?.signOff).toBeUndefined()
    expect(calls?.items[0]?.lines.map(words)).toEqual([
      'PLAT-1 Platform stability work (platform, technical) · new this week',
      "Committed Q3 2027 → Q4 2027: higher-scored work took team platform's capacity in Q3 2027; in its place: PLAT-9 Enterprise SSO for the Globex deal.",
      // Its accrued cost is known from the chronic list.
      'Projected cost 15.7 EUR k (15.7 EUR k per quarter × 1 quarter); accrued so far 13.4 EUR k.',
    ])
    expect(calls?.footnote).toBe(
      "1 smaller deferral below this channel's cost-of-delay threshold is counted but not listed.",
    )
  })
})

describe('a quiet week', () => {
  it('is one line, with no lists, and says how many epics still wait for a call', () => {
    const { report, context } = quietWeek()
    const view = reportView(report, context)
    expect(view.quiet).toBe(true)
    expect(view.sections).toEqual([])
    expect(plainText(view.note)).toBe(
      'Acme roadmap, week 2027-W30: nothing slipped and no owner decisions this week. 2 epics still wait for the owner’s sign-off: see the deferrals: https://onetrack.acme.example/deferrals. Open the roadmap: https://onetrack.acme.example/',
    )
  })
})
