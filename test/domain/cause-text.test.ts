import { describe, expect, it } from 'vitest'
import type { DeferralEvent } from '../../src/domain/index.ts'
import { buildPeriods, describeCause, describeDeferral, periodNames } from '../../src/domain/index.ts'

const names = periodNames(buildPeriods({ kind: 'quarters', start: '2027-Q1', count: 4 }))

describe('deferral causes in words', () => {
  it('names periods the way people do', () => {
    expect(describeCause({ kind: 'period_ended', period: '2027-Q2' }, names)).toBe(
      'Q2 2027 ended with it unfinished',
    )
    expect(names(null)).toBe('unplanned')
    expect(names('2030-Q1')).toBe('2030-Q1')
  })

  it('quotes the owner and the rationale of an override, with the period it names', () => {
    const cause = {
      kind: 'override' as const,
      overrideId: 'o1',
      override: 'defer' as const,
      rationale: 'launch first',
      author: 'olivia',
    }
    expect(describeCause(cause, names)).toBe('olivia decided to defer it: “launch first”')
    expect(describeCause({ ...cause, period: '2027-Q3' }, names)).toBe(
      'olivia decided to defer it to Q3 2027: “launch first”',
    )
    expect(describeCause({ ...cause, override: 'exclude', period: null }, names)).toBe(
      'olivia decided to exclude it: “launch first”',
    )
  })

  it('reads a what-if as the hypothesis it is', () => {
    const cause = {
      kind: 'override' as const,
      overrideId: 'what-if-0',
      rationale: 'what-if',
      author: 'what-if',
    }
    expect(describeCause({ ...cause, override: 'defer', period: '2027-Q1' }, names)).toBe(
      'if deferred to Q1 2027',
    )
    expect(describeCause({ ...cause, override: 'exclude' }, names)).toBe('if excluded')
    expect(describeCause({ ...cause, override: 'pin', period: '2027-Q2' }, names)).toBe(
      'if pinned to Q2 2027',
    )
  })

  it('names the epics of a cause by key and title, or by title when the key is an internal id', () => {
    const platform = { epicId: 'jira:PLAT-12', key: 'PLAT-12', title: 'Failover drills' }
    const keys = {
      epicId: 'linear:5b1f0e4a-8c2d-4f7e-9a3b-2d6c1e0f4a7b',
      key: 'c21eca6f3195',
      title: 'Customer-managed keys',
    }
    expect(
      describeCause(
        {
          kind: 'blocker_slipped',
          blockers: [{ ...platform, fromPeriod: '2027-Q1', toPeriod: '2027-Q2' }],
        },
        names,
      ),
    ).toBe('its blocker slipped: PLAT-12 Failover drills (Q1 2027 → Q2 2027)')
    expect(
      describeCause(
        {
          kind: 'blocker_slipped',
          blockers: [
            { ...platform, fromPeriod: '2027-Q1', toPeriod: '2027-Q2' },
            { ...keys, fromPeriod: '2027-Q1', toPeriod: null },
          ],
        },
        names,
      ),
    ).toBe(
      'its blockers slipped: PLAT-12 Failover drills (Q1 2027 → Q2 2027), Customer-managed keys (Q1 2027 → unplanned)',
    )
    expect(
      describeCause({ kind: 'cycle', cycle: [platform.epicId, keys.epicId], names: [platform, keys] }, names),
    ).toBe('it is in a dependency cycle (PLAT-12 Failover drills → Customer-managed keys)')
  })

  it('says which inputs made a score fall', () => {
    expect(
      describeCause(
        {
          kind: 'score_drop',
          from: 4.25,
          to: 3,
          changed: [{ input: 'value', from: 8, to: 5 }],
          settingsChanged: false,
        },
        names,
      ),
    ).toBe('its score fell from 4.25 to 3 (value 8 → 5)')
    expect(
      describeCause(
        {
          kind: 'score_drop',
          from: 4,
          to: 2.5,
          changed: [
            { input: 'timeCriticality', from: 3, to: 1 },
            { input: 'enablement', from: 2, to: 0.5 },
          ],
          settingsChanged: false,
        },
        names,
      ),
    ).toBe('its score fell from 4 to 2.5 (time criticality 3 → 1, what it unblocks 2 → 0.5)')
    expect(describeCause({ kind: 'unscored', missing: ['timeCriticality', 'risk'] }, names)).toBe(
      'it can no longer be scored: time criticality, risk missing',
    )
  })

  it('puts the move before the cause', () => {
    const event = {
      fromPeriod: '2027-Q1',
      toPeriod: null,
      cause: { kind: 'capacity', team: 'platform', period: '2027-Q1' },
    } as DeferralEvent
    expect(describeDeferral(event, names)).toBe(
      "Q1 2027 → unplanned: higher-scored work took team platform's capacity in Q1 2027",
    )
  })
})
