import {
  buildRoadmap,
  type DeferralEvent,
  type Epic,
  type Override,
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
