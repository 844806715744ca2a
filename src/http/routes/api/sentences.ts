import {
  type DeferralEvent,
  describeCause,
  epicLabel,
  isDeferral,
  type Period,
  type PeriodNames,
  periodNames,
  type RoadmapEntry,
  unplannedReasonText,
} from '../../../domain/index.ts'

/**
 * The service's words, added to what the API serves so that clients show them instead of
 * restating them: the page keeps no copy of a cause sentence, an unplanned reason or the deferral
 * kinds. Epics named in a sentence are named as people know them (epicLabel: key and title, or the
 * title alone when the key is an internal id), never by their ids.
 */
export interface EventWords {
  /** Why it slipped, in the sentence the reports use; null when the event has no cause. */
  causeText: string | null
  /** Whether it counts as a deferral (needs a sign-off, counts toward chronic); replans do not. */
  deferral: boolean
}

/** Epic id → how a sentence names it. */
export type EpicLabels = (epicId: string) => string

/**
 * Names the epics of this roadmap by key and title: every epic an unplanned reason names (a
 * blocker, a member of a cycle) is open, so it is on the roadmap. An id not on it (an older
 * version's text) is named "an epic not on the roadmap" rather than shown raw.
 */
export function entryLabels(entries: readonly RoadmapEntry[]): EpicLabels {
  const labels = new Map(entries.map((e) => [e.epicId, epicLabel(e)]))
  return (id) => labels.get(id) ?? 'an epic not on the roadmap'
}

/** Ledger events with their words; `periods` name the period ids in the sentences. */
export function withWords<E extends DeferralEvent>(
  events: readonly E[],
  periods: readonly Period[],
): Array<E & EventWords> {
  const names = periodNames(periods)
  return events.map((event) => ({ ...event, ...wordsOf(event, names) }))
}

/** One ledger event with its words. */
export function eventWithWords<E extends DeferralEvent>(
  event: E,
  periods: readonly Period[],
): E & EventWords {
  return { ...event, ...wordsOf(event, periodNames(periods)) }
}

function wordsOf(event: DeferralEvent, names: PeriodNames): EventWords {
  return {
    causeText: event.cause === null ? null : describeCause(event.cause, names),
    deferral: isDeferral(event.kind),
  }
}

/** An entry whose unplanned reason names epics by key and title rather than by id. */
export function entryWithWords<E extends RoadmapEntry>(entry: E, labels: EpicLabels): E {
  return entry.unplanned === null
    ? entry
    : { ...entry, unplannedReason: unplannedReasonText(entry.unplanned, labels) }
}
