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
  nextEntry: (epicId: string) => RoadmapEntry | undefined
  /** Calendar position of a period in the union of both calendars (by start date); null = after the last. */
  ordinal: (period: string | null) => number
  /** Displacers per team and period, built on first use. */
  displacerCache: ByTeamPeriod<Grown>
  /** Capacity per team and period in each version. */
  previousCapacity: ByTeamPeriod<number>
  nextCapacity: ByTeamPeriod<number>
  /** Positions of the next entries booked per team and period, in order; built on the first deferral. */
  nextBooked: ByTeamPeriod<number[]> | null
  /** For each next entry (by position), the position of the previous entry it continues; -1: none. */
  continues: Int32Array
  /** Whether the scoring parameters differ between the versions (weights, decay, interest, …). */
  settingsChanged: boolean
  /** Each next entry named as a displacer, as it is named. */
  displacers: Map<RoadmapEntry, Displacer>
}

/** Entries that took more of a team's period than before, split by how they were placed. */
interface Grown {
  forced: RoadmapEntry[]
  ranked: RoadmapEntry[]
  /** Whether `ranked` is in rank order (so the entries ranked above a given one come first). */
  inRankOrder: boolean
  /** Position in `ranked` of each blocker pulled forward → the rank of the epic it was pulled for. */
  turnAt: Map<number, number>
}

/** Values by team, then by period: looked up without building a key string per lookup. */
export type ByTeamPeriod<T> = Map<string, Map<string, T>>

export function atTeamPeriod<T>(index: ByTeamPeriod<T>, team: string, period: string): T | undefined {
  return index.get(team)?.get(period)
}

function setTeamPeriod<T>(index: ByTeamPeriod<T>, team: string, period: string, value: T): void {
  let periods = index.get(team)
  if (periods === undefined) {
    periods = new Map()
    index.set(team, periods)
  }
  periods.set(period, value)
}

/** Positions of the entries booked per team and period, in order (one pass over every span). */
export function bookedIndex(roadmap: Roadmap): ByTeamPeriod<number[]> {
  const index: ByTeamPeriod<number[]> = new Map()
  roadmap.entries.forEach((entry, i) => {
    for (const span of entry.spans) {
      const list = atTeamPeriod(index, entry.team, span.period)
      if (list === undefined) setTeamPeriod(index, entry.team, span.period, [i])
      else list.push(i)
    }
  })
  return index
}

/** Capacity per team and period. */
export function capacityIndex(roadmap: Roadmap): ByTeamPeriod<number> {
  const index: ByTeamPeriod<number> = new Map()
  for (const load of roadmap.load) setTeamPeriod(index, load.team, load.period, load.capacity)
  return index
}

/**
 * The epics that took `period` from `entry`: entries of the same team booked in that period for more
 * effort than in the previous version (or newly), placed before it — ranked above it, pulled forward
 * as the blocker of an epic ranked above it, or pinned or kept (forced placements go first). Highest
 * rank first, at most MAX_DISPLACERS.
 */
export function displacersOf(c: DiffContext, entry: RoadmapEntry, period: string): Displacer[] {
  let grown = atTeamPeriod(c.displacerCache, entry.team, period)
  if (grown === undefined) {
    c.nextBooked ??= bookedIndex(c.next)
    grown = grownIn(c, atTeamPeriod(c.nextBooked, entry.team, period) ?? [], entry.team, period)
    setTeamPeriod(c.displacerCache, entry.team, period, grown)
  }
  const taken: RoadmapEntry[] = []
  for (const other of grown.forced) {
    if (taken.length === MAX_DISPLACERS) break
    if (other.epicId !== entry.epicId) taken.push(other)
  }
  // Ranked ones above the deferred epic come first; past its rank only blockers pulled forward for
  // an epic above it count. In rank order (as a plan's entries are), the first part ends at its rank.
  let k = 0
  for (; k < grown.ranked.length && taken.length < MAX_DISPLACERS * 2; k++) {
    const other = grown.ranked[k] as RoadmapEntry
    if (grown.inRankOrder && other.rank >= entry.rank) break
    if (other.epicId === entry.epicId) continue
    if (other.rank < entry.rank) taken.push(other)
    else if ((grown.turnAt.get(k) ?? Number.POSITIVE_INFINITY) < entry.rank) taken.push(other)
  }
  for (const [at, turn] of grown.turnAt) {
    if (taken.length >= MAX_DISPLACERS * 2) break
    const other = grown.ranked[at] as RoadmapEntry
    if (at >= k && other.epicId !== entry.epicId && turn < entry.rank) taken.push(other)
  }
  return taken
    .sort((a, b) => a.rank - b.rank)
    .slice(0, MAX_DISPLACERS)
    .map((other) => displacer(c, other))
}

/** An entry named as a displacer: one object per entry, whichever events name it. */
function displacer(c: DiffContext, other: RoadmapEntry): Displacer {
  let named = c.displacers.get(other)
  if (named === undefined) {
    named = {
      epicId: other.epicId,
      key: other.key,
      title: other.title,
      rank: other.rank,
      score: scoreValue(other.score),
      pulledForwardFor: other.pulledForwardFor ?? null,
    }
    c.displacers.set(other, named)
  }
  return named
}

function grownIn(c: DiffContext, booked: number[], team: string, period: string): Grown {
  const grown: Grown = { forced: [], ranked: [], inRankOrder: true, turnAt: new Map() }
  for (const i of booked) {
    const entry = c.next.entries[i] as RoadmapEntry
    const now = bookedIn(entry, period)
    const at = c.continues[i] as number
    const before = at === -1 ? undefined : c.previous.entries[at]
    const then = before === undefined || before.team !== team ? 0 : bookedIn(before, period)
    if (now <= then) continue
    if (entry.placement !== 'ranked') {
      grown.forced.push(entry)
      continue
    }
    const last = grown.ranked.at(-1)
    if (last !== undefined && last.rank > entry.rank) grown.inRankOrder = false
    if (entry.pulledForwardFor !== null && entry.pulledForwardFor !== undefined) {
      const turn = c.nextEntry(entry.pulledForwardFor)?.rank ?? Number.POSITIVE_INFINITY
      grown.turnAt.set(grown.ranked.length, turn)
    }
    grown.ranked.push(entry)
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
  const capacityBefore = atTeamPeriod(c.previousCapacity, p.team, period) ?? 0
  const capacityNow = atTeamPeriod(c.nextCapacity, q.team, period) ?? 0
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
  return ids.map((epicId) => ({
    ...nameOf(c, epicId),
    fromPeriod: c.previousEntry(epicId)?.period ?? null,
    toPeriod: c.nextEntry(epicId)?.period ?? null,
  }))
}

/** An epic's key and title as either version knows it (the id alone for an epic neither has). */
function nameOf(c: DiffContext, epicId: string): EpicName {
  const entry = c.nextEntry(epicId) ?? c.previousEntry(epicId)
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
