import type { Roadmap, RoadmapEntry, Track } from '../../../domain/index.ts'

export type ChangeKind = 'added' | 'removed' | 'moved' | 'rescored'

export interface VersionChange {
  epicId: string
  key: string
  title: string
  team: string
  track: Track
  change: ChangeKind
  fromPeriod: string | null
  toPeriod: string | null
  fromRank: number | null
  toRank: number | null
  fromScore: number | null
  toScore: number | null
  /** For a removal: done or canceled when the later version lists it closed; null otherwise. */
  closedAs: 'done' | 'canceled' | null
}

/** A score change below this is noise from re-weighting, not news. */
const SCORE_EPSILON = 0.01

/**
 * What changed for people between two versions, entry by entry: added, removed, moved (the period
 * differs, planned or not) or rescored (same period, score differs by at least 0.01, or became
 * scored or unscored). Entries that only changed rank are counted, not listed. Order: the later
 * version's entries by rank, then the removed ones by their earlier rank.
 */
export function versionChanges(
  from: Roadmap,
  to: Roadmap,
): { changes: VersionChange[]; rankChanges: number } {
  const before = new Map(from.entries.map((e) => [e.epicId, e]))
  const after = new Set(to.entries.map((e) => e.epicId))
  const closed = new Map(to.closed.map((c) => [c.epicId, c.status]))
  const changes: VersionChange[] = []
  let rankChanges = 0
  for (const next of to.entries) {
    const previous = before.get(next.epicId)
    if (previous === undefined) {
      changes.push(change('added', next, undefined, next, null))
    } else if (previous.period !== next.period) {
      changes.push(change('moved', next, previous, next, null))
    } else if (rescored(scoreOf(previous), scoreOf(next))) {
      changes.push(change('rescored', next, previous, next, null))
    } else if (previous.rank !== next.rank) {
      rankChanges += 1
    }
  }
  for (const previous of from.entries) {
    if (after.has(previous.epicId)) continue
    changes.push(change('removed', previous, previous, undefined, closed.get(previous.epicId) ?? null))
  }
  return { changes, rankChanges }
}

function change(
  kind: ChangeKind,
  epic: RoadmapEntry,
  previous: RoadmapEntry | undefined,
  next: RoadmapEntry | undefined,
  closedAs: VersionChange['closedAs'],
): VersionChange {
  return {
    epicId: epic.epicId,
    key: epic.key,
    title: epic.title,
    team: epic.team,
    track: epic.track,
    change: kind,
    fromPeriod: previous?.period ?? null,
    toPeriod: next?.period ?? null,
    fromRank: previous?.rank ?? null,
    toRank: next?.rank ?? null,
    fromScore: previous === undefined ? null : scoreOf(previous),
    toScore: next === undefined ? null : scoreOf(next),
    closedAs,
  }
}

function scoreOf(entry: RoadmapEntry): number | null {
  return entry.score.status === 'scored' ? entry.score.score : null
}

function rescored(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a !== b
  // The tolerance keeps 1.00 → 1.01 (a float difference of 0.00999…) counted.
  return Math.abs(a - b) >= SCORE_EPSILON - 1e-9
}
