/**
 * The synthetic roadmap the domain benches share: a seeded world of n epics, sized so that the
 * load per team stays the same as n grows, and the settings that fit it.
 */
import {
  buildPeriods,
  buildRoadmap,
  type Epic,
  type RoadmapSettings,
  validateEpic,
} from '../src/domain/index.ts'
import { seededRandom } from '../src/sandbox/random.ts'

export const PREVIOUS_BUILD = '2026-01-05T09:00:00.000Z'
export const THIS_BUILD = '2026-01-12T09:00:00.000Z'
export const PERIODS = 8
export const TEAM_SIZE = 250 // epics per team: the number of teams grows with n, the load per team does not

export const random = seededRandom

/**
 * Raw epics as a tracker mapping would hand them over. Blockers: 0–4 (2 on average) among the 300
 * epics before it (dependencies are mostly local to a product area), one in a thousand pointing
 * forward (so a few cycles exist); 10% done, 10% in progress, 3% missing an input.
 */
export function rawEpics(n: number, seed: number, version: number): unknown[] {
  const rnd = random(seed)
  const teams = Math.max(1, Math.round(n / TEAM_SIZE))
  const pad = (i: number): string => String(i).padStart(7, '0')
  const raws: unknown[] = []
  for (let i = 0; i < n; i++) {
    const blockers: string[] = []
    const count = Math.floor(rnd() * 5)
    for (let k = 0; k < count && i > 0; k++) {
      const target =
        rnd() < 0.001
          ? Math.min(n - 1, i + 1 + Math.floor(rnd() * 50))
          : i - 1 - Math.floor(rnd() * Math.min(i, 300))
      if (target !== i) blockers.push(`jira:E${pad(target)}`)
    }
    const roll = rnd()
    const status = roll < 0.1 ? 'done' : roll < 0.2 ? 'in_progress' : 'todo'
    // The second version changes 10% of the estimates and inputs, and finishes a fifth of the work in
    // progress. Every draw happens in both versions, so they stay the same data apart from that.
    const changeRoll = rnd()
    const finishRoll = rnd()
    const changed = version > 1 && changeRoll < 0.1
    const finished = version > 1 && finishRoll < 0.2
    const inputs: Record<string, number | null> = {
      value: Math.round(rnd() * 20) + (changed ? 3 : 0),
      timeCriticality: Math.round(rnd() * 8),
      risk: rnd() < 0.03 ? null : Math.round(rnd() * 8),
    }
    raws.push({
      id: `jira:E${pad(i)}`,
      key: `E-${i}`,
      title: `Epic ${i}`,
      url: `https://jira.example/browse/E-${i}`,
      source: 'jira',
      team: `team-${i % teams}`,
      track: rnd() < 0.3 ? 'technical' : 'product',
      status: finished && status === 'in_progress' ? 'done' : status,
      inputs,
      effort: 1 + Math.floor(rnd() * 10) + (changed ? 2 : 0),
      blockers,
      updatedAt: PREVIOUS_BUILD,
    })
  }
  return raws
}

export function settingsFor(n: number): RoadmapSettings {
  const teams = Math.max(1, Math.round(n / TEAM_SIZE))
  // Room for about 70% of a team's open effort (average 6.5 units) over the horizon.
  const perPeriod = Math.round((TEAM_SIZE * 0.8 * 6.5 * 0.7) / PERIODS)
  return {
    scoring: {
      weights: { value: 1, timeCriticality: 1, risk: 1, enablement: 1 },
      enablementDecay: 0.5,
      riskInterest: 0.25,
      minEffort: 1,
    },
    plan: { keepInProgress: true },
    periods: buildPeriods({ kind: 'quarters', start: '2026-Q1', count: PERIODS }),
    capacities: Array.from({ length: teams }, (_, t) => ({ team: `team-${t}`, perPeriod })),
  }
}

export function validated(raws: unknown[]): Epic[] {
  const epics: Epic[] = []
  for (const raw of raws) {
    const result = validateEpic(raw)
    if (result.ok) epics.push(result.epic)
  }
  return epics
}

/** The same world a week earlier (seed 7, version 1), built as the first version: roadmap and events. */
export function previousWeek(n: number, settings: RoadmapSettings): ReturnType<typeof buildRoadmap> {
  return buildRoadmap({
    epics: validated(rawEpics(n, 7, 1)),
    overrides: [],
    settings,
    previous: null,
    ledger: [],
    now: PREVIOUS_BUILD,
  })
}
