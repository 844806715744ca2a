// Build: read what a build starts from (loadBuildInputs: the synced epics, the overrides in force,
// the latest version, the ledger, the settings, the clock), score and plan them with the domain,
// diff against the previous version — this is where deferrals are recorded: the domain's diff makes
// the events (src/domain/roadmap-diff.ts), saveRoadmapVersion stores them with the version — then
// queue the version's write-back to every source that writes back. In on-approval mode the version
// is a proposal and waits for an owner. A build that changes nothing stores nothing.
import { roadmapSettings } from '../config/index.ts'
import {
  buildRoadmap,
  type Epic,
  isDeferral,
  type LedgerDigest,
  type Override,
  type Roadmap,
  type RoadmapSettings,
  validateEpic,
} from '../domain/index.ts'
import { queueWritebacks } from '../jobs/index.ts'
import {
  activeOverrides,
  latestVersion,
  ledgerDigest,
  loadEpics,
  type StoredVersion,
  saveRoadmapVersion,
  unresolvedLinkProblem,
} from '../store/index.ts'
import type { PipelineDeps } from './deps.ts'

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
  /** proposed (on-approval mode: written back once approved) or published. */
  status: 'proposed' | 'published' | null
}

/** What a build starts from, read from the store: the same for a real build and a what-if. */
export interface BuildInputs {
  /** The synced epics that passed validateEpic. */
  epics: Epic[]
  overrides: Override[]
  settings: RoadmapSettings
  /** The latest stored version: the previous one of the next build. */
  previous: StoredVersion | null
  ledger: LedgerDigest
  /** The build's clock, from deps.now(). */
  now: string
  /** Epics left out because their synced data is invalid, one line each. */
  invalid: string[]
  /** Declared links that match no synced epic, one line each. */
  unresolved: string[]
}

/**
 * Reads (never writes) what a build needs: the committed epics (validated), the overrides in force,
 * the latest version, the ledger's digest, the roadmap settings and the clock.
 */
export async function loadBuildInputs(
  deps: Pick<PipelineDeps, 'config' | 'database' | 'now'>,
): Promise<BuildInputs> {
  const db = deps.database.db
  const [stored, previous, overrides] = await Promise.all([
    loadEpics(db),
    latestVersion(db),
    activeOverrides(db),
  ])
  const ledger = await ledgerDigest(db, previous?.id ?? null)
  const epics: Epic[] = []
  const invalid: string[] = []
  const unresolved: string[] = []
  for (const epic of stored) {
    const checked = validateEpic(epic.team === null ? { ...epic, team: undefined } : epic)
    if (checked.ok) {
      epics.push(checked.epic)
      // A declared link that matches no synced epic blocks nothing; the owner should hear of it.
      for (const url of epic.unresolvedLinks)
        unresolved.push(`${epic.key} (${epic.id}) ${unresolvedLinkProblem(url)}`)
    } else
      invalid.push(`${epic.key} (${epic.id}) left out: ${[...epic.problems, ...checked.problems].join('; ')}`)
  }
  return {
    epics,
    overrides,
    settings: roadmapSettings(deps.config),
    previous,
    ledger,
    now: deps.now().toISOString(),
    invalid,
    unresolved,
  }
}

/**
 * One build of the merged roadmap from what the store has committed: score, plan, diff against the
 * previous version, store the version and its deferral events, then queue write-back to every
 * source that writes back. A build that changes nothing stores nothing. Idempotent.
 */
export async function runBuild(deps: PipelineDeps, trigger: string): Promise<BuildSummary> {
  const db = deps.database.db
  const { epics, overrides, settings, previous, ledger, now, invalid, unresolved } =
    await loadBuildInputs(deps)
  const { roadmap, events } = buildRoadmap({
    epics,
    overrides,
    settings,
    previous: previous?.roadmap ?? null,
    ledger,
    now,
  })
  const built: Roadmap = { ...roadmap, problems: [...roadmap.problems, ...invalid, ...unresolved] }
  const counts = {
    epics: built.entries.length,
    planned: built.entries.filter((e) => e.period !== null).length,
    unplanned: built.entries.filter((e) => e.period === null).length,
    unscored: built.entries.filter((e) => e.score.status === 'unscored').length,
    invalid: invalid.length,
    deferrals: events.filter((e) => isDeferral(e.kind)).length,
  }
  if (previous !== null && events.length === 0 && sameContent(previous.roadmap, built)) {
    // Nothing new to store, but the write-back is asked for again: a worker that died between
    // storing the version and queuing its write-back left the tickets behind. When they are
    // already right it sends nothing; a proposal still waits for its approval.
    return {
      versionId: previous.id,
      unchanged: true,
      newEvents: 0,
      writebacksQueued: await queueWritebacks(deps.queues, deps.config.sources, previous.id),
      status: null,
      ...counts,
    }
  }
  // In on-approval mode a build is a proposal: nothing is written back until an owner approves it.
  const status = deps.config.roadmap.publish === 'on-approval' ? 'proposed' : 'published'
  const { versionId, newEvents } = await saveRoadmapVersion(db, {
    trigger,
    configHash: deps.config.hash,
    roadmap: built,
    events,
    status,
  })
  const writebacksQueued =
    status === 'proposed' ? 0 : await queueWritebacks(deps.queues, deps.config.sources, versionId)
  return { versionId, unchanged: false, newEvents, writebacksQueued, status, ...counts }
}

/**
 * Equal but for the build time: nothing a person or a ticket would see has changed. Compared as
 * JSON data (the stored version comes back from jsonb with its keys reordered and its undefined
 * properties gone), walking both at once and stopping at the first difference: a build that
 * changed one epic is told so without serialising two roadmaps.
 */
function sameContent(a: Roadmap, b: Roadmap): boolean {
  return sameJson({ ...a, builtAt: '' }, { ...b, builtAt: '' })
}

/** Whether two values serialise to the same JSON data, whatever the order of their keys. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i] ?? null, b[i] ?? null)) return false
    return true
  }
  const x = a as Record<string, unknown>
  const y = b as Record<string, unknown>
  let defined = 0
  for (const key in x) {
    if (x[key] === undefined) continue
    defined += 1
    if (!sameJson(x[key], y[key])) return false
  }
  for (const key in y) if (y[key] !== undefined) defined -= 1
  return defined === 0
}
