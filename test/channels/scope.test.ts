import { describe, expect, it } from 'vitest'
import { buildChannelReport, describeScope, scopeReportInput } from '../../src/channels/index.ts'
import type { Override } from '../../src/domain/index.ts'
import { busyHistory, epic, history } from './fixtures.ts'

const { roadmap, ledger } = history([
  {
    now: '2027-07-02T09:00:00.000Z',
    epics: [
      epic('SHOP-1', { effort: 30 }),
      epic('GROW-1', { source: 'linear-growth', effort: 5 }),
      epic('PLAT-1', { team: 'platform', track: 'technical', effort: 25 }),
    ],
  },
  {
    now: '2027-07-08T09:00:00.000Z',
    epics: [
      epic('SHOP-1', { effort: 30 }),
      epic('SHOP-2', { effort: 20, inputs: { value: 50, timeCriticality: 5, risk: 1 } }),
      epic('GROW-1', { source: 'linear-growth', effort: 5 }),
      epic('PLAT-1', { team: 'platform', track: 'technical', effort: 25 }),
      epic('PLAT-2', {
        team: 'platform',
        track: 'technical',
        effort: 20,
        inputs: { value: 50, timeCriticality: 5, risk: 1 },
      }),
    ],
  },
])
const overrides: Override[] = [
  {
    id: 'o1',
    epicId: 'jira-acme:PLAT-1',
    kind: 'defer',
    rationale: 'after the freeze',
    author: 'olivia',
    createdAt: '2027-07-07T09:00:00.000Z',
  },
  {
    id: 'o2',
    epicId: 'jira-acme:GONE-1',
    kind: 'exclude',
    rationale: 'dropped',
    author: 'olivia',
    createdAt: '2027-07-07T09:00:00.000Z',
  },
]

describe('scopeReportInput', () => {
  it('keeps only the track it is scoped to, in the roadmap, the ledger and the overrides', () => {
    const scoped = scopeReportInput({ roadmap, ledger, overrides }, { track: 'technical' })
    expect(scoped.roadmap.entries.map((e) => e.key)).toEqual(['PLAT-2', 'PLAT-1'])
    expect(new Set(scoped.ledger.map((e) => e.epic.key))).toEqual(new Set(['PLAT-1', 'PLAT-2']))
    expect(scoped.overrides.map((o) => o.id)).toEqual(['o1'])
    // Capacity is every team's when the scope names no team.
    expect(scoped.roadmap.load).toEqual(roadmap.load)
  })

  it("keeps the named teams' capacity only, so the split reads against their own capacity", () => {
    const scoped = scopeReportInput({ roadmap, ledger, overrides }, { teams: ['checkout'] })
    expect(new Set(scoped.roadmap.entries.map((e) => e.team))).toEqual(new Set(['checkout']))
    expect(new Set(scoped.roadmap.load.map((l) => l.team))).toEqual(new Set(['checkout']))
    expect(scoped.overrides).toEqual([])
  })

  it('reads the source from the epic id, and keeps an unknown epic’s override when only sources are scoped', () => {
    const scoped = scopeReportInput({ roadmap, ledger, overrides }, { sources: ['jira-acme'] })
    expect(scoped.roadmap.entries.map((e) => e.key)).not.toContain('GROW-1')
    expect(scoped.ledger.map((e) => e.epic.key)).not.toContain('GROW-1')
    expect(scoped.overrides.map((o) => o.id)).toEqual(['o1', 'o2'])
    expect(
      scopeReportInput({ roadmap, ledger, overrides }, { sources: ['linear-growth'] }).overrides,
    ).toEqual([])
  })

  it('leaves everything when the scope is empty', () => {
    const scoped = scopeReportInput({ roadmap, ledger, overrides }, {})
    expect(scoped.roadmap).toEqual(roadmap)
    expect(scoped.ledger).toEqual(ledger)
    expect(scoped.overrides).toEqual(overrides)
  })
})

describe('buildChannelReport', () => {
  const settings = { chronicThreshold: 2, minCostOfDelay: 0, costUnit: 'EUR k' }
  const now = '2027-07-09T09:00:00.000Z'

  it("lists a track's epics only, but keeps both tracks in the capacity split and the slip rates", () => {
    const whole = buildChannelReport({ roadmap, ledger, overrides }, {}, settings, now)
    const technical = buildChannelReport(
      { roadmap, ledger, overrides },
      { track: 'technical' },
      settings,
      now,
    )
    expect(technical.newDeferrals.map((e) => e.epic.track)).toEqual(['technical'])
    expect(technical.accruedCostByTrack.product).toBe(0)
    expect(technical.capacityShare).toEqual(whole.capacityShare)
    expect(technical.capacityShare[0]?.share.product).toBeGreaterThan(0)
    expect(technical.asymmetry).toEqual(whole.asymmetry)
  })

  it("prices a channel's calls with the rates given, and asks it only for its own epics' sign-offs", () => {
    const busy = busyHistory()
    const signOff = { acknowledged: new Set<string>(), decisions: [] }
    const at = '2027-07-12T09:00:00.000Z'
    const technical = buildChannelReport({ ...busy, signOff }, { track: 'technical' }, settings, at)
    expect(technical.awaitingSignOff.map((a) => a.key)).toEqual(['PLAT-1', 'PLAT-2'])
    expect(technical.accruedCostByTrack.product).toBe(0)
    expect(technical.accruedCostByTrack.technical).toBeGreaterThan(20)
    expect(technical.awaitingSignOff[0]?.accruedCost).toBeGreaterThan(10)
    // Without the rates nothing can be priced: accrued cost is built from them.
    const { rates: _rates, ...unpriced } = busy
    const blind = buildChannelReport({ ...unpriced, signOff }, { track: 'technical' }, settings, at)
    expect(blind.accruedCostByTrack.technical).toBe(0)
  })

  it("measures a team-scoped channel's split against that team's capacity", () => {
    const checkout = buildChannelReport(
      { roadmap, ledger, overrides },
      { teams: ['checkout'] },
      settings,
      now,
    )
    expect(checkout.capacityShare[0]).toMatchObject({ capacity: 40, planned: { technical: 0 } })
  })
})

describe('describeScope', () => {
  it('says what the channel sees, or nothing for the whole roadmap', () => {
    expect(describeScope({})).toBeNull()
    expect(describeScope({ track: 'technical', teams: ['platform'] })).toBe('technical track, team platform')
    expect(describeScope({ teams: ['a', 'b'], sources: ['jira-acme'] })).toBe('teams a, b, source jira-acme')
  })
})
