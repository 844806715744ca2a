import { buildPeriods, type ReportSettings, type RoadmapSettings } from '../domain/index.ts'
import type { OnetrackConfig } from './schema.ts'

/** The domain's settings from the config file's roadmap section. */
export function roadmapSettings(config: OnetrackConfig): RoadmapSettings {
  const { roadmap } = config
  const periods = buildPeriods(
    roadmap.periods.quarters !== undefined
      ? { kind: 'quarters', start: roadmap.periods.quarters.start, count: roadmap.periods.quarters.count }
      : {
          kind: 'list',
          periods: (roadmap.periods.list ?? []).map((p) => ({
            id: p.id,
            start: p.start,
            end: p.end,
            ...(p.name === undefined ? {} : { name: p.name }),
          })),
        },
  )
  return {
    scoring: roadmap.scoring,
    plan: { keepInProgress: roadmap.keepInProgress, commitHorizon: roadmap.commitHorizon },
    periods,
    capacities: roadmap.teams.map((team) => ({
      team: team.id,
      perPeriod: team.capacity,
      ...(team.capacityByPeriod === undefined ? {} : { byPeriod: team.capacityByPeriod }),
    })),
  }
}

export function reportSettings(config: OnetrackConfig): ReportSettings {
  return {
    chronicThreshold: config.roadmap.chronicDeferralThreshold,
    minCostOfDelay: 0,
    costUnit: config.roadmap.costOfDelayUnit,
  }
}
