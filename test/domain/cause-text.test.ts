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

  it('quotes the owner and the rationale of an override', () => {
    expect(
      describeCause(
        {
          kind: 'override',
          overrideId: 'o1',
          override: 'defer',
          rationale: 'launch first',
          author: 'olivia',
        },
        names,
      ),
    ).toBe('olivia decided to defer it: launch first')
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
