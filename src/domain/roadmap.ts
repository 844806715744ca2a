import type { EpicStatus, Track } from './epic.ts'
import type { AppliedOverride } from './overrides.ts'
import type { Period } from './periods.ts'
import type { Score } from './scoring.ts'
import type { ResolvedScoringSettings } from './settings.ts'

/**
 * One immutable build of the merged roadmap: plain JSON data, stored as is and served by the API.
 * The build worker adds the trigger and the config hash around it.
 */
export interface Roadmap {
  /** The build's clock (ISO timestamp); also the moment periods are judged ended or open. */
  builtAt: string
  /** The whole configured calendar, in order. */
  periods: Period[]
  /** Ids of the periods still open at builtAt: the only ones work was planned into. */
  openPeriods: string[]
  /** The scoring parameters used, so a breakdown can be read without the config of the day. */
  scoring: ResolvedScoringSettings
  /** Every open epic (todo, in progress), best rank first. */
  entries: RoadmapEntry[]
  /** Epics given as done or canceled (sorted by id): lets a diff tell completed from removed. */
  closed: ClosedEpic[]
  /** Groups of epics that block one another (each sorted by id); none of them can be planned. */
  cycles: string[][]
  /** Capacity and booked effort per team per open period (teams sorted, then calendar order). */
  load: TeamLoad[]
  /** Things the owner should fix: ignored overrides, blockers that match no epic. */
  problems: string[]
  /** The commitment baseline in force (commitments.ts); null before the calendar's first period starts. */
  baseline: Baseline | null
}

/**
 * The plan for the current period and the next `commitHorizon` periods, as the first build of the
 * current period made it: each entry's `commitment` says which period it was committed to.
 */
export interface Baseline {
  /** The period whose start took it. */
  period: string
  /** builtAt of the build that took it. */
  takenAt: string
  /** The periods it covers, in calendar order. */
  periods: string[]
}

export interface RoadmapEntry {
  /** 1 = highest: scored epics by score, then unscored ones, ties by id. */
  rank: number
  epicId: string
  key: string
  title: string
  url: string
  source: string
  team: string
  track: Track
  status: EpicStatus
  /** Effort estimate; null = not estimated. */
  effort: number | null
  /** Open blockers (done or canceled ones no longer block; unknown ones are in `problems`). */
  blockers: string[]
  /** Score with its whole breakdown, or unscored with the missing inputs named. */
  score: Score
  /** The period the epic starts in; null = unplanned (see `unplanned`). */
  period: string | null
  /** Effort booked per period: one item, several consecutive ones when it spans, none when unplanned. */
  spans: Array<{ period: string; effort: number }>
  /** How it got its period: by rank, an owner's pin, or in-progress work keeping its period. */
  placement: Placement | null
  /** Why it is not planned; null when planned. */
  unplanned: UnplannedReason | null
  /** The same in words, for people: 'blocked by X', 'no capacity', 'cycle: A, B', 'excluded: …'. */
  unplannedReason: string | null
  /** Earliest period its blockers allow (the last period of its latest blocker); null = unconstrained. */
  notBefore: string | null
  /** The blockers ending in `notBefore`: the ones holding it back. */
  boundBy: string[]
  /** The owner's override in force for this epic, with its rationale. */
  override: AppliedOverride | null
  /** Consequences worth a look, e.g. a pin placed before its blocker. */
  warnings: string[]
  /**
   * The period it is committed to by the baseline in force; null = not committed (planned beyond the
   * horizon, or added after the period started). Only committed work can be deferred.
   */
  commitment: string | null
  /** Kept in-progress work: effort booked in periods that have ended, counted as done (0 otherwise). */
  spent: number
  /** Placed early because it blocks this higher-ranked epic (its id), not by its own rank; else null. */
  pulledForwardFor: string | null
}

export type Placement = 'ranked' | 'pinned' | 'kept'

/** Where each epic is among a version's entries, by epic id. */
export type EntryPositions = Pick<ReadonlyMap<string, number>, 'get'>

/**
 * Where each epic is among a version's entries (the last entry when an id repeats): how one version
 * is matched with the next. A build works it out once and hands it to each step that needs it.
 */
export function entryPositions(roadmap: Roadmap | null): Map<string, number> {
  const positions = new Map<string, number>()
  const entries = roadmap?.entries ?? []
  for (let k = 0; k < entries.length; k++) positions.set((entries[k] as RoadmapEntry).epicId, k)
  return positions
}

/** The period an entry is planned to finish in: its last span (a large epic spans several); null = unplanned. */
export function finishPeriod(entry: Pick<RoadmapEntry, 'period' | 'spans'>): string | null {
  return entry.spans.at(-1)?.period ?? entry.period
}

export type UnplannedReason =
  | { code: 'blocked'; blockers: string[] }
  | { code: 'cycle'; cycle: string[] }
  | { code: 'no_capacity' }
  | { code: 'too_large'; effort: number; largestCapacity: number }
  | { code: 'no_team_capacity'; team: string }
  | { code: 'no_effort' }
  | { code: 'excluded'; overrideId: string; rationale: string }
  | { code: 'deferred'; overrideId: string; rationale: string }

export interface ClosedEpic {
  epicId: string
  status: Extract<EpicStatus, 'done' | 'canceled'>
}

export interface TeamLoad {
  team: string
  period: string
  /** Effort units available (byPeriod override, else perPeriod; 0 for a team with no capacity configured). */
  capacity: number
  /** Effort units booked. */
  planned: number
  /** planned − capacity when positive: only pins and kept in-progress work can cause it. */
  overbooked: number
}

/** Why an entry is unplanned, in words; `label` names an epic by its id (epicLabel). */
export function unplannedReasonText(
  reason: UnplannedReason,
  label: (epicId: string) => string = (id) => id,
): string {
  switch (reason.code) {
    case 'blocked':
      return `blocked by ${reason.blockers.map(label).join(', ')}`
    case 'cycle':
      return `cycle: ${reason.cycle.map(label).join(', ')}`
    case 'no_capacity':
      return 'no capacity'
    case 'too_large':
      return `too large: effort ${reason.effort}, at most ${reason.largestCapacity} per period`
    case 'no_team_capacity':
      return `no capacity configured for team ${reason.team}`
    case 'no_effort':
      return 'no effort estimate'
    case 'excluded':
      return `excluded: ${reason.rationale}`
    case 'deferred':
      return `deferred: ${reason.rationale}`
  }
}
