import { describe, expect, it } from 'vitest'
import { buildRoadmap, DomainError, roadmapSettingsProblems } from '../../src/domain/index.ts'
import { epic, JAN, settings } from './fixtures.ts'

describe('roadmapSettingsProblems', () => {
  it('accepts the fixture settings', () => {
    expect(roadmapSettingsProblems(settings())).toEqual([])
  })

  it('names each invalid knob', () => {
    const bad = settings({
      scoring: {
        weights: { value: -1, timeCriticality: 1, risk: 1, enablement: 1 },
        enablementDecay: 0,
        riskInterest: -0.1,
        minEffort: 0,
        enablementMaxDepth: 0,
      },
      capacities: [
        { team: 'core', perPeriod: 10, byPeriod: { '2030-Q1': 5, '2026-Q2': -1 } },
        { team: 'core', perPeriod: -3 },
      ],
    })
    expect(roadmapSettingsProblems(bad)).toEqual([
      'scoring.weights.value: must be a number >= 0',
      'scoring.enablementDecay: must be > 0 and <= 1',
      'scoring.riskInterest: must be a number >= 0',
      'scoring.minEffort: must be a number > 0',
      'scoring.enablementMaxDepth: must be an integer >= 1',
      'capacities[0].byPeriod.2030-Q1: unknown period',
      'capacities[0].byPeriod.2026-Q2: must be a number >= 0',
      `capacities[1].team: duplicate team 'core'`,
      'capacities[1].perPeriod: must be a number >= 0',
    ])
  })

  it('makes a build fail with a DomainError listing them', () => {
    const bad = settings({ scoring: { minEffort: -1 } })
    expect(() =>
      buildRoadmap({
        epics: [epic('A')],
        overrides: [],
        settings: bad,
        previous: null,
        ledger: [],
        now: JAN,
      }),
    ).toThrow(DomainError)
    try {
      buildRoadmap({ epics: [epic('A')], overrides: [], settings: bad, previous: null, ledger: [], now: JAN })
    } catch (error) {
      expect((error as DomainError).code).toBe('DOMAIN_SETTINGS_INVALID')
      expect((error as DomainError).problems).toEqual(['scoring.minEffort: must be a number > 0'])
    }
  })
})
