import { isDeepStrictEqual } from 'node:util'
import { roadmapSettings } from '../src/config/index.ts'
import { buildRoadmap, type Epic, type Roadmap, validateEpic } from '../src/domain/index.ts'
import { enqueue } from '../src/jobs/index.ts'
import {
  activeOverrides,
  latestVersion,
  loadEpics,
  loadLedger,
  saveRoadmapVersion,
} from '../src/store/index.ts'
import type { HandlerDeps } from './deps.ts'

export interface BuildSummary {
  /** The version this build produced, or the previous one when nothing changed. */
  versionId: number | null
  unchanged: boolean
  epics: number
  planned: number
  unplanned: number
  unscored: number
  /** Epics left out because their synced data is invalid (named in the roadmap's problems). */
  invalid: number
  newEvents: number
  deferrals: number
  writebacksQueued: number
}

/**
 * One build of the merged roadmap from what the store has committed: score, plan, diff against the
 * previous version, store the version and its deferral events, then queue write-back to every
 * source that writes back. A build that changes nothing stores nothing. Idempotent.
 */
export async function runBuild(deps: HandlerDeps, trigger: string): Promise<BuildSummary> {
  const db = deps.database.db
  const [stored, previous, ledger, overrides] = await Promise.all([
    loadEpics(db),
    latestVersion(db),
    loadLedger(db),
    activeOverrides(db),
  ])
  const epics: Epic[] = []
  const invalid: string[] = []
  for (const epic of stored) {
    const checked = validateEpic(epic.team === null ? { ...epic, team: undefined } : epic)
    if (checked.ok) epics.push(checked.epic)
    else
      invalid.push(`${epic.key} (${epic.id}) left out: ${[...epic.problems, ...checked.problems].join('; ')}`)
  }
  const { roadmap, events } = buildRoadmap({
    epics,
    overrides,
    settings: roadmapSettings(deps.config),
    previous: previous?.roadmap ?? null,
    ledger,
    now: deps.now().toISOString(),
  })
  const built: Roadmap = { ...roadmap, problems: [...roadmap.problems, ...invalid] }
  const counts = {
    epics: built.entries.length,
    planned: built.entries.filter((e) => e.period !== null).length,
    unplanned: built.entries.filter((e) => e.period === null).length,
    unscored: built.entries.filter((e) => e.score.status === 'unscored').length,
    invalid: invalid.length,
    deferrals: events.filter((e) => e.kind === 'deferred' || e.kind === 'rolled_over').length,
  }
  if (previous !== null && events.length === 0 && sameContent(previous.roadmap, built)) {
    return { versionId: previous.id, unchanged: true, newEvents: 0, writebacksQueued: 0, ...counts }
  }
  const { versionId, newEvents } = await saveRoadmapVersion(db, {
    trigger,
    configHash: deps.config.hash,
    roadmap: built,
    events,
  })
  let writebacksQueued = 0
  for (const source of deps.config.sources) {
    if (!source.writeBack.enabled) continue
    await enqueue(deps.queues, 'writeback', { sourceId: source.id, versionId })
    writebacksQueued += 1
  }
  return { versionId, unchanged: false, newEvents, writebacksQueued, ...counts }
}

/**
 * Equal but for the build time: nothing a person or a ticket would see has changed. Compared as
 * JSON data, since the stored version comes back from jsonb with its keys reordered.
 */
function sameContent(a: Roadmap, b: Roadmap): boolean {
  const data = (r: Roadmap) => JSON.parse(JSON.stringify({ ...r, builtAt: '' })) as unknown
  return isDeepStrictEqual(data(a), data(b))
}
