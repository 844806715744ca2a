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
}

export type Placement = 'ranked' | 'pinned' | 'kept'

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

/** `epic` names the epics it mentions (blockers, cycle members); by default by their ids. */
export function unplannedReasonText(
  reason: UnplannedReason,
  epic: (epicId: string) => string = (id) => id,
): string {
  switch (reason.code) {
    case 'blocked':
      return `blocked by ${reason.blockers.map(epic).join(', ')}`
    case 'cycle':
      return `cycle: ${reason.cycle.map(epic).join(', ')}`
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
