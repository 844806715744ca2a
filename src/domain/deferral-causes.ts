import type { DeferralCause, Displacer, EpicName, InputChange } from './deferrals.ts'
import type { Roadmap, RoadmapEntry } from './roadmap.ts'
import { scoreValue } from './scoring.ts'

/** At most this many displacing epics are named per event: the highest-ranked ones. */
export const MAX_DISPLACERS = 10

/** What cause attribution needs to know about a pair of versions, indexed once per diff. */
export interface DiffContext {
  previous: Roadmap
  next: Roadmap
  previousEntry: (epicId: string) => RoadmapEntry | undefined
  /** Next entries by id; built on first use (only blocker causes need it). */
  nextById: Map<string, RoadmapEntry> | null
  /** Calendar position of a period in the union of both calendars (by start date); null = after the last. */
  ordinal: (period: string | null) => number
  /** Displacers per `team\u0000period`, built on first use. */
  displacerCache: Map<string, Grown>
  /** Capacity per `team\u0000period` in each version. */
  previousCapacity: Map<string, number>
  nextCapacity: Map<string, number>
  /** Next entries booked per `team\u0000period`, in rank order; built on the first deferral. */
  nextBooked: Map<string, RoadmapEntry[]> | null
  /** Whether the scoring parameters differ between the versions (weights, decay, interest, …). */
  settingsChanged: boolean
}

/** Entries that took more of a team's period than before, split by how they were placed. */
interface Grown {
  forced: RoadmapEntry[]
  ranked: RoadmapEntry[]
}

/** Entries booked per `team\u0000period`, in rank order (one pass over every span). */
export function bookedIndex(roadmap: Roadmap): Map<string, RoadmapEntry[]> {
  const index = new Map<string, RoadmapEntry[]>()
  for (const entry of roadmap.entries) {
    for (const span of entry.spans) {
      const key = `${entry.team}\u0000${span.period}`
      const list = index.get(key)
      if (list === undefined) index.set(key, [entry])
      else list.push(entry)
    }
  }
  return index
}

/** Capacity per `team\u0000period`. */
export function capacityIndex(roadmap: Roadmap): Map<string, number> {
  const index = new Map<string, number>()
  for (const load of roadmap.load) index.set(`${load.team}\u0000${load.period}`, load.capacity)
  return index
}

/**
 * The epics that took `period` from `entry`: entries of the same team booked in that period for more
 * effort than in the previous version (or newly), placed before it — ranked above it, pulled forward
 * as the blocker of an epic ranked above it, or pinned or kept (forced placements go first). Highest
 * rank first, at most MAX_DISPLACERS.
 */
export function displacersOf(c: DiffContext, entry: RoadmapEntry, period: string): Displacer[] {
  const key = `${entry.team}\u0000${period}`
  let grown = c.displacerCache.get(key)
  if (grown === undefined) {
    c.nextBooked ??= bookedIndex(c.next)
    grown = grownIn(c, c.nextBooked.get(key) ?? [], entry.team, period)
    c.displacerCache.set(key, grown)
  }
  const taken: RoadmapEntry[] = []
  for (const other of grown.forced) {
    if (taken.length === MAX_DISPLACERS) break
    if (other.epicId !== entry.epicId) taken.push(other)
  }
  // Ranked ones are in rank order: past the deferred epic's rank only blockers pulled forward count.
  for (const other of grown.ranked) {
    if (taken.length >= MAX_DISPLACERS * 2) break
    if (other.epicId === entry.epicId) continue
    if (other.rank < entry.rank) taken.push(other)
    else if (other.pulledForwardFor !== null && other.pulledForwardFor !== undefined) {
      c.nextById ??= new Map(c.next.entries.map((e) => [e.epicId, e]))
      const turn = c.nextById.get(other.pulledForwardFor)?.rank ?? Number.POSITIVE_INFINITY
      if (turn < entry.rank) taken.push(other)
    }
  }
  return taken
    .sort((a, b) => a.rank - b.rank)
    .slice(0, MAX_DISPLACERS)
    .map((other) => ({
      epicId: other.epicId,
      key: other.key,
      title: other.title,
      rank: other.rank,
      score: scoreValue(other.score),
      pulledForwardFor: other.pulledForwardFor ?? null,
    }))
}

function grownIn(c: DiffContext, booked: RoadmapEntry[], team: string, period: string): Grown {
  const grown: Grown = { forced: [], ranked: [] }
  for (const entry of booked) {
    const now = bookedIn(entry, period)
    const before = c.previousEntry(entry.epicId)
    const then = before === undefined || before.team !== team ? 0 : bookedIn(before, period)
    if (now <= then) continue
    if (entry.placement === 'ranked') grown.ranked.push(entry)
    else grown.forced.push(entry)
  }
  return grown
}

function bookedIn(entry: RoadmapEntry, period: string): number {
  for (const span of entry.spans) if (span.period === period) return span.effort
  return 0
}

/**
 * Why an epic planned in `p.period` is later or unplanned in `q`: the first cause that applies, in a
 * fixed order from the most specific (an owner's call) to the most general (others took the room).
 * A score drop is only blamed when it let someone pass: some displacer scores no higher than the
 * epic's previous score (or nobody displaced it); when every displacer outscored it anyway, the
 * cause is capacity.
 */
export function deferralCause(
  c: DiffContext,
  p: RoadmapEntry,
  q: RoadmapEntry,
  displacedBy: Displacer[],
  period: string = p.period as string,
): DeferralCause {
  const o = q.override
  if (o !== null && o.id !== p.override?.id && (o.kind !== 'pin' || q.placement === 'pinned')) {
    return {
      kind: 'override',
      overrideId: o.id,
      override: o.kind,
      period: o.period,
      rationale: o.rationale,
      author: o.author,
    }
  }
  if (q.unplanned?.code === 'cycle') {
    return { kind: 'cycle', cycle: q.unplanned.cycle, names: q.unplanned.cycle.map((id) => nameOf(c, id)) }
  }
  if (p.team !== q.team) return { kind: 'team_changed', from: p.team, to: q.team }
  if (!c.next.openPeriods.includes(period)) return { kind: 'calendar_changed', period }
  const slipped = slippedBlockers(c, p, q, period)
  if (slipped.length > 0) return { kind: 'blocker_slipped', blockers: slipped }
  const capacityBefore = c.previousCapacity.get(`${p.team}\u0000${period}`) ?? 0
  const capacityNow = c.nextCapacity.get(`${q.team}\u0000${period}`) ?? 0
  if (capacityNow < capacityBefore) {
    return { kind: 'capacity_cut', team: q.team, period, from: capacityBefore, to: capacityNow }
  }
  if (p.effort !== null && q.effort !== null && q.effort > p.effort) {
    return { kind: 'effort_growth', from: p.effort, to: q.effort }
  }
  if (q.score.status === 'unscored' && p.score.status === 'scored') {
    return { kind: 'unscored', missing: q.score.missing }
  }
  if (p.score.status === 'scored' && q.score.status === 'scored' && q.score.score < p.score.score) {
    const before = p.score.score
    if (displacedBy.length === 0 || displacedBy.some((d) => d.score === null || d.score <= before)) {
      const changed = changedInputs(p, q)
      return {
        kind: 'score_drop',
        from: before,
        to: q.score.score,
        changed,
        settingsChanged: c.settingsChanged,
      }
    }
  }
  if (displacedBy.length > 0) return { kind: 'capacity', team: q.team, period }
  return { kind: 'replanned' }
}

/** Blockers now ending after the epic's previous period, or left unplanned, that hold it back. */
function slippedBlockers(
  c: DiffContext,
  _p: RoadmapEntry,
  q: RoadmapEntry,
  period: string,
): Array<EpicName & { fromPeriod: string | null; toPeriod: string | null }> {
  let ids: string[] = []
  if (q.unplanned?.code === 'blocked') ids = q.unplanned.blockers
  else if (q.notBefore !== null && c.ordinal(q.notBefore) > c.ordinal(period)) ids = q.boundBy
  if (ids.length === 0) return []
  c.nextById ??= new Map(c.next.entries.map((e) => [e.epicId, e]))
  const nextById = c.nextById
  return ids.map((epicId) => ({
    ...nameOf(c, epicId),
    fromPeriod: c.previousEntry(epicId)?.period ?? null,
    toPeriod: nextById.get(epicId)?.period ?? null,
  }))
}

/** An epic's key and title as either version knows it (the id alone for an epic neither has). */
function nameOf(c: DiffContext, epicId: string): EpicName {
  c.nextById ??= new Map(c.next.entries.map((e) => [e.epicId, e]))
  const entry = c.nextById.get(epicId) ?? c.previousEntry(epicId)
  return { epicId, key: entry?.key ?? epicId, title: entry?.title ?? '' }
}

function changedInputs(p: RoadmapEntry, q: RoadmapEntry): InputChange[] {
  const a = p.score.breakdown
  const b = q.score.breakdown
  const changes: InputChange[] = []
  const compare = (input: InputChange['input'], from: number | null, to: number | null): void => {
    if (from !== to) changes.push({ input, from, to })
  }
  compare('value', a.inputs.value, b.inputs.value)
  compare('timeCriticality', a.inputs.timeCriticality, b.inputs.timeCriticality)
  compare('risk', a.inputs.risk, b.inputs.risk)
  compare('effort', a.inputs.effort, b.inputs.effort)
  compare('enablement', a.enablement.total, b.enablement.total)
  // Deferrals only ever raise a score (and a build counts its own), so they never explain a drop.
  return changes
}
