import {
  buildPeriods,
  type Epic,
  type Override,
  type Roadmap,
  type RoadmapEntry,
  type RoadmapSettings,
  type ScoringSettings,
  type TeamCapacity,
} from '../../src/domain/index.ts'

/** A build clock inside 2026-Q1: the first build of the quarter, which takes its commitments. */
export const JAN = '2026-01-05T09:00:00.000Z'
/** First builds of the next quarters. */
export const APR = '2026-04-06T09:00:00.000Z'
export const JUL = '2026-07-06T09:00:00.000Z'
export const OCT = '2026-10-05T09:00:00.000Z'

type EpicOverrides = Omit<Partial<Epic>, 'inputs' | 'effort'> & {
  inputs?: Epic['inputs']
  effort?: number | undefined
}

/**
 * An epic with every input given: value 1, no time criticality, no risk, effort 1, team core.
 * `id` is the external id; the full id is `jira:<id>`, so blockers are written as full ids.
 */
export function epic(externalId: string, fields: EpicOverrides = {}): Epic {
  const { effort, ...rest } = fields
  const result: Epic = {
    id: `jira:${externalId}`,
    key: externalId,
    title: `Epic ${externalId}`,
    url: `https://jira.example/browse/${externalId}`,
    source: 'jira',
    team: 'core',
    track: 'product',
    status: 'todo',
    inputs: { value: 1, timeCriticality: 0, risk: 0 },
    blockers: [],
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...rest,
  }
  if (!('effort' in fields)) result.effort = 1
  else if (effort !== undefined) result.effort = effort
  return result
}

export const id = (externalId: string): string => `jira:${externalId}`

export const scoring: ScoringSettings = {
  weights: { value: 1, timeCriticality: 1, risk: 1, enablement: 1 },
  enablementDecay: 0.5,
  riskInterest: 0.25,
  minEffort: 1,
}

export function settings(
  fields: {
    capacities?: TeamCapacity[]
    scoring?: Partial<ScoringSettings>
    keepInProgress?: boolean
    span?: 'spread' | 'whole'
    quarters?: number
    start?: string
    commitHorizon?: number
  } = {},
): RoadmapSettings {
  return {
    scoring: { ...scoring, ...fields.scoring },
    plan: {
      keepInProgress: fields.keepInProgress ?? true,
      ...(fields.span === undefined ? {} : { span: fields.span }),
      ...(fields.commitHorizon === undefined ? {} : { commitHorizon: fields.commitHorizon }),
    },
    periods: buildPeriods({
      kind: 'quarters',
      start: fields.start ?? '2026-Q1',
      count: fields.quarters ?? 4,
    }),
    capacities: fields.capacities ?? [{ team: 'core', perPeriod: 10 }],
  }
}

export function override(
  externalId: string,
  kind: Override['kind'],
  fields: Partial<Override> = {},
): Override {
  return {
    id: `ov-${externalId}-${kind}`,
    epicId: id(externalId),
    kind,
    rationale: `rationale for ${kind} ${externalId}`,
    author: 'owner@example.com',
    createdAt: '2026-01-02T10:00:00.000Z',
    ...fields,
  }
}

export function entryOf(roadmap: Roadmap, externalId: string): RoadmapEntry {
  const found = roadmap.entries.find((e) => e.epicId === id(externalId))
  if (found === undefined) throw new Error(`no entry for ${externalId}`)
  return found
}

/** externalId -> period (null when unplanned), for compact assertions. */
export function periodsOf(roadmap: Roadmap): Record<string, string | null> {
  return Object.fromEntries(roadmap.entries.map((e) => [e.key, e.period]))
}
