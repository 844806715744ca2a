import {
  type DeferralEvent,
  describeCause,
  type EpicNames,
  isDeferral,
  type Period,
  type PeriodNames,
  periodNames,
  type RoadmapEntry,
  unplannedReasonText,
} from '../../../domain/index.ts'
import { epicKeys } from '../../../store/index.ts'
import type { ApiDeps } from './index.ts'

/**
 * The service's words, added to what the API serves so that clients show them instead of
 * restating them: the page keeps no copy of a cause sentence, an unplanned reason or the deferral
 * kinds. Epics named in a sentence are named by their keys, as people know them.
 */
export interface EventWords {
  /** Why it slipped, in the sentence the reports use; null when the event has no cause. */
  causeText: string | null
  /** Whether it counts as a deferral (needs a sign-off, counts toward chronic). */
  deferral: boolean
}

type Db = ApiDeps['database']['db']

/** The epics a sentence about these events or entries names: cycle members, blockers. */
function namedEpics(events: readonly DeferralEvent[], entries: readonly RoadmapEntry[]): string[] {
  const ids: string[] = []
  for (const { cause } of events) {
    if (cause?.kind === 'cycle') ids.push(...cause.cycle)
    if (cause?.kind === 'blocker_slipped') ids.push(...cause.blockers.map((b) => b.epicId))
  }
  for (const { unplanned } of entries) {
    if (unplanned?.code === 'cycle') ids.push(...unplanned.cycle)
    if (unplanned?.code === 'blocked') ids.push(...unplanned.blockers)
  }
  return ids
}

/** Names by key the epics the sentences about these events and entries mention (one query at most). */
export async function epicNamer(
  db: Db,
  events: readonly DeferralEvent[],
  entries: readonly RoadmapEntry[] = [],
): Promise<EpicNames> {
  const keys = await epicKeys(db, namedEpics(events, entries))
  return (id) => keys.get(id) ?? id
}

/** Names epics by their keys on this roadmap: every epic an unplanned reason names is on it. */
export function entryNamer(entries: readonly RoadmapEntry[]): EpicNames {
  const keys = new Map(entries.map((e) => [e.epicId, e.key]))
  return (id) => keys.get(id) ?? id
}

/** Ledger events with their words; `periods` name the period ids in the sentences. */
export function withWords<E extends DeferralEvent>(
  events: readonly E[],
  periods: readonly Period[],
  epic: EpicNames,
): Array<E & EventWords> {
  const names = periodNames(periods)
  return events.map((event) => ({ ...event, ...wordsOf(event, names, epic) }))
}

/** One ledger event with its words. */
export function eventWithWords<E extends DeferralEvent>(
  event: E,
  periods: readonly Period[],
  epic: EpicNames,
): E & EventWords {
  return { ...event, ...wordsOf(event, periodNames(periods), epic) }
}

function wordsOf(event: DeferralEvent, names: PeriodNames, epic: EpicNames): EventWords {
  return {
    causeText: event.cause === null ? null : describeCause(event.cause, names, epic),
    deferral: isDeferral(event.kind),
  }
}

/** An entry whose unplanned reason names epics by key rather than by id. */
export function entryWithWords<E extends RoadmapEntry>(entry: E, epic: EpicNames): E {
  return entry.unplanned === null
    ? entry
    : { ...entry, unplannedReason: unplannedReasonText(entry.unplanned, epic) }
}
