import {
  buildRoadmap,
  type DeferralEvent,
  type Epic,
  type Override,
  type RateChange,
  type Roadmap,
  type RoadmapSettings,
} from '../../src/domain/index.ts'
import { settings as defaultSettings, JAN } from './fixtures.ts'

export interface Step {
  roadmap: Roadmap
  events: DeferralEvent[]
  ledger: DeferralEvent[]
}

/** One build on top of a previous step (or the first), appending its events to the ledger. */
export function step(
  epics: Epic[],
  options: { after?: Step | null; now?: string; overrides?: Override[]; settings?: RoadmapSettings } = {},
): Step {
  const previous = options.after ?? null
  const ledger = previous?.ledger ?? []
  const { roadmap, events } = buildRoadmap({
    epics,
    overrides: options.overrides ?? [],
    settings: options.settings ?? defaultSettings(),
    previous: previous?.roadmap ?? null,
    ledger,
    now: options.now ?? JAN,
  })
  return { roadmap, events, ledger: [...ledger, ...events] }
}

export function eventFor(events: readonly DeferralEvent[], epicId: string): DeferralEvent {
  const found = events.filter((e) => e.epicId === epicId)
  if (found.length !== 1) throw new Error(`expected one event for ${epicId}, got ${JSON.stringify(found)}`)
  return found[0] as DeferralEvent
}

/**
 * An epic's rate history as the store keeps it: from each step's build on, its cost of delay per
 * period as that version scored it (steps where it is off the roadmap add nothing).
 */
export function ratesOf(steps: readonly Step[], epicId: string): RateChange[] {
  return steps.flatMap(({ roadmap }) => {
    const entry = roadmap.entries.find((e) => e.epicId === epicId)
    return entry === undefined
      ? []
      : [{ from: roadmap.builtAt, costOfDelay: entry.score.breakdown.costOfDelay }]
  })
}

/** What a person or a ticket sees of a version: everything but the build time. */
export function contentOf(roadmap: Roadmap): Omit<Roadmap, 'builtAt'> {
  const { builtAt: _builtAt, ...content } = roadmap
  return content
}
