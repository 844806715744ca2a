import {
  type Booking,
  bookForced,
  bookRanked,
  capacityBook,
  hasTeam,
  largestCapacity,
  teamLoads,
} from './capacity-book.ts'
import { calendarDayOf } from './dates.ts'
import { type DependencyGraph, dependencyGraph, topologicalOrder } from './dependency-graph.ts'
import { compareIds, type Epic, epicLabel, isOpen } from './epic.ts'
import { DomainError, DomainErrorCode } from './errors.ts'
import { appliedOverride, type EpicPresence, effectiveOverrides, type Override } from './overrides.ts'
import { openPeriods } from './periods.ts'
import {
  type ClosedEpic,
  type Placement,
  type Roadmap,
  type RoadmapEntry,
  type UnplannedReason,
  unplannedReasonText,
} from './roadmap.ts'
import { rankOrder, type Score } from './scoring.ts'
import { type RoadmapSettings, resolvedScoringSettings } from './settings.ts'

export interface PlanInput {
  epics: readonly Epic[]
  /** Scores of the open epics, from scoreEpics. */
  scores: ReadonlyMap<string, Score>
  overrides: readonly Override[]
  settings: RoadmapSettings
  /** The last stored version: in-progress epics keep the period it gave them. */
  previous: Roadmap | null
  /** The build's clock (ISO timestamp): periods that have ended get no work. */
  now: string
  /** The dependency graph of `epics`, when the caller already built it for scoring. */
  graph?: DependencyGraph
}

/**
 * Places the open epics into the open periods (DESIGN.md, "Plan"):
 *  1. Overrides apply first: excluded epics and epics deferred without a period are left out; pinned
 *     epics, then in-progress epics keeping their previous period (when `keepInProgress`), are booked
 *     in their period whatever the room (capacity-book.ts explains spans and overbooking).
 *  2. Every other epic is placed in rank order into the earliest period with room for its team and
 *     not before the last period of any blocker (the same period is allowed), nor before its defer
 *     period. An epic whose blocker ends up unplaced stays unplaced, 'blocked by X'; epics in a
 *     dependency cycle are unplaced, 'cycle'.
 *  3. A blocker cannot be placed after the epics it blocks, so a blocker ranked lower than an epic it
 *     blocks is placed at that epic's turn (its turn is the best rank among the epics waiting on it),
 *     right before it: a high-ranked epic is never starved by its own low-ranked blocker. Otherwise
 *     unscored epics come after all scored ones.
 * Deterministic: every order is by rank, and ranks break ties by epic id.
 */
export function planRoadmap(input: PlanInput): Roadmap {
  const { settings, scores, previous } = input
  const today = calendarDayOf(input.now)
  const open = openPeriods(settings.periods, today)
  const openIds = open.map((p) => p.id)
  const periodIndex = new Map(openIds.map((id, i) => [id, i]))
  const span = settings.plan.span ?? 'spread'
  const graph = input.graph ?? dependencyGraph(input.epics)
  const n = graph.ids.length
  const epicAt = graph.epics
  const scoreAt = graph.ids.map((id) => {
    const score = scores.get(id)
    if (score === undefined) {
      throw new DomainError(DomainErrorCode.inputInvalid, 'Cannot plan an epic without a score', [
        `${id}: no score (score the same epics you plan)`,
      ])
    }
    return score
  })

  const byRank = rankOrder(scoreAt)
  const rank = new Int32Array(n)
  byRank.forEach((node, r) => {
    rank[node] = r
  })

  const presenceOf = (id: string): EpicPresence =>
    graph.indexOf.has(id) ? 'open' : graph.closedIds.has(id) ? 'closed' : 'unknown'
  const { byEpic: overrideOf, problems } = effectiveOverrides(
    input.overrides,
    presenceOf,
    settings.periods,
    new Set(openIds),
  )
  for (const { epicId, blockerId } of graph.unknownBlockers) {
    const at = graph.indexOf.get(epicId)
    const name = at === undefined ? epicId : epicLabel(epicAt[at] as Epic)
    problems.push(`${name}: its blocker ${blockerId} matches no epic (ignored)`)
  }

  const book = capacityBook(settings.capacities, openIds)
  const bookings: Array<Booking | null> = new Array(n).fill(null)
  const placement: Array<Placement | null> = new Array(n).fill(null)
  const unplanned: Array<UnplannedReason | null> = new Array(n).fill(null)
  const notBefore = new Int32Array(n).fill(-1)
  const decided = new Uint8Array(n)
  const decide = (node: number, reason: UnplannedReason): void => {
    unplanned[node] = reason
    decided[node] = 1
  }

  // 1. Overrides and kept in-progress work.
  const previousEntries = new Map<string, RoadmapEntry>()
  for (const entry of previous?.entries ?? []) {
    if (entry.period !== null) previousEntries.set(entry.epicId, entry)
  }
  const forced: Array<{ node: number; at: number; how: Placement; effort?: number }> = []
  // Effort of kept work booked in periods that have ended: counted as done, so what is left stays put.
  const spentOf = new Float64Array(n)
  for (let node = 0; node < n; node++) {
    const epic = epicAt[node] as Epic
    const override = overrideOf.get(epic.id)
    if (override === undefined) {
      const before = previousEntries.get(epic.id)
      // Work in progress is being done now: it keeps its place, or takes the current period when it
      // has none yet, so a build after another keeps it exactly there.
      if (
        settings.plan.keepInProgress &&
        epic.status === 'in_progress' &&
        epic.effort !== undefined &&
        openIds.length > 0
      ) {
        const kept =
          before === undefined
            ? { at: 0, effort: epic.effort, spent: 0 }
            : keptBooking(before, periodIndex, epic.effort)
        spentOf[node] = kept.spent
        forced.push({ node, at: kept.at, how: 'kept', effort: kept.effort })
      }
    } else if (override.kind === 'exclude') {
      decide(node, { code: 'excluded', overrideId: override.id, rationale: override.rationale })
    } else if (override.kind === 'defer' && override.period === undefined) {
      decide(node, { code: 'deferred', overrideId: override.id, rationale: override.rationale })
    } else if (override.kind === 'pin') {
      // effectiveOverrides only keeps pins to open periods.
      forced.push({ node, at: periodIndex.get(override.period as string) as number, how: 'pinned' })
    }
  }
  forced.sort(
    (a, b) =>
      (a.how === b.how ? 0 : a.how === 'pinned' ? -1 : 1) ||
      (rank[a.node] as number) - (rank[b.node] as number),
  )
  for (const { node, at, how, effort } of forced) {
    const epic = epicAt[node] as Epic
    bookings[node] = bookForced(book, epic.team, effort ?? epic.effort ?? 0, at, span)
    placement[node] = how
    decided[node] = 1
  }
  for (let node = 0; node < n; node++) {
    const c = graph.cycleOf[node] as number
    if (c !== -1 && decided[node] === 0) decide(node, { code: 'cycle', cycle: graph.cycles[c] as string[] })
  }

  // 2–3. Ranked placement, in an order where every blocker comes before the epics it blocks.
  const { order, turnOf } = placementOrder(graph, rank, (node) => unplanned[node] === null)
  const endOf = (node: number): number => lastIndex(bookings[node] ?? null)
  for (const node of order) {
    if (decided[node] === 1) continue
    const epic = epicAt[node] as Epic
    const waitingOn: string[] = []
    let earliest = -1
    for (let e = graph.blockerStart[node] as number; e < (graph.blockerStart[node + 1] as number); e++) {
      const b = graph.blockerIdx[e] as number
      if (bookings[b] === null) waitingOn.push(graph.ids[b] as string)
      else earliest = Math.max(earliest, endOf(b))
    }
    notBefore[node] = earliest
    if (waitingOn.length > 0) {
      decide(node, { code: 'blocked', blockers: waitingOn })
      continue
    }
    if (epic.effort === undefined) {
      decide(node, { code: 'no_effort' })
      continue
    }
    if (!hasTeam(book, epic.team)) {
      decide(node, { code: 'no_team_capacity', team: epic.team })
      continue
    }
    const deferredTo = overrideOf.get(epic.id)?.period
    const from = Math.max(earliest, 0, deferredTo === undefined ? 0 : (periodIndex.get(deferredTo) ?? 0))
    const booking = bookRanked(book, epic.team, epic.effort, from, span)
    decided[node] = 1
    if (booking !== null) {
      bookings[node] = booking
      placement[node] = 'ranked'
    } else {
      const largest = largestCapacity(book, epic.team)
      unplanned[node] =
        span === 'whole' && epic.effort > largest
          ? { code: 'too_large', effort: epic.effort, largestCapacity: largest }
          : { code: 'no_capacity' }
    }
  }

  const entries = byRank.map((node, r) =>
    entryOf(node, r + 1, {
      graph,
      epicAt,
      scoreAt,
      bookings,
      placement,
      unplanned,
      notBefore,
      openIds,
      overrideOf,
      endOf,
      turnOf,
      spentOf,
    }),
  )
  const closed: ClosedEpic[] = input.epics
    .filter((e) => !isOpen(e.status))
    .map((e) => ({ epicId: e.id, status: e.status as ClosedEpic['status'] }))
    .sort((a, b) => compareIds(a.epicId, b.epicId))
  return {
    builtAt: input.now,
    periods: settings.periods.map((p) => ({ ...p })),
    openPeriods: openIds,
    scoring: resolvedScoringSettings(settings.scoring),
    entries,
    closed,
    cycles: graph.cycles.map((c) => [...c]),
    load: teamLoads(book),
    problems,
    baseline: null,
  }
}

/**
 * Placement order: by turn (the best rank among the epic and the epics waiting on it, transitively),
 * then by depth in the graph (blockers first), then by rank. For a blocker b of d, turn(b) <= turn(d)
 * and depth(b) < depth(d), so the order respects every dependency. Only epics still to be placed
 * (`waits`) pass their turn on: an excluded epic does not pull its blockers forward.
 */
function placementOrder(
  graph: DependencyGraph,
  rank: Int32Array,
  waits: (node: number) => boolean,
): { order: Int32Array; turnOf: Int32Array } {
  const n = graph.ids.length
  const topo = topologicalOrder(graph)
  const depth = new Int32Array(n)
  for (const b of topo) {
    for (let e = graph.dependentStart[b] as number; e < (graph.dependentStart[b + 1] as number); e++) {
      const d = graph.dependentIdx[e] as number
      depth[d] = Math.max(depth[d] as number, (depth[b] as number) + 1)
    }
  }
  const turn = Int32Array.from(rank)
  // Whose turn it is: the node itself, or the best-ranked epic waiting on it (a blocker pulled forward).
  const turnOf = Int32Array.from({ length: n }, (_, node) => node)
  for (let k = topo.length - 1; k >= 0; k--) {
    const b = topo[k] as number
    for (let e = graph.dependentStart[b] as number; e < (graph.dependentStart[b + 1] as number); e++) {
      const d = graph.dependentIdx[e] as number
      if (graph.cycleOf[d] === -1 && waits(d) && (turn[d] as number) < (turn[b] as number)) {
        turn[b] = turn[d] as number
        turnOf[b] = turnOf[d] as number
      }
    }
  }
  const order = Int32Array.from(topo).sort(
    (a, b) =>
      (turn[a] as number) - (turn[b] as number) ||
      (depth[a] as number) - (depth[b] as number) ||
      (rank[a] as number) - (rank[b] as number),
  )
  return { order, turnOf }
}

/**
 * Where in-progress work stays: in the first open period of its previous booking, with the effort
 * booked in periods that have ended counted as spent; work whose whole booking has ended goes on in
 * the current period. So a build after another keeps it exactly where the first put it.
 */
function keptBooking(
  before: RoadmapEntry,
  periodIndex: ReadonlyMap<string, number>,
  effort: number,
): { at: number; effort: number; spent: number } {
  let spent = before.spent ?? 0
  let at = -1
  for (const span of before.spans) {
    const index = periodIndex.get(span.period)
    if (index === undefined) spent += span.effort
    else if (at === -1) at = index
  }
  return { at: Math.max(at, 0), effort: Math.max(0, effort - spent), spent }
}

/** Period index a booking starts in, or ends in; -1 for no booking. */
function firstIndex(booking: Booking | null): number {
  return booking?.[0]?.index ?? -1
}

function lastIndex(booking: Booking | null): number {
  return booking?.[booking.length - 1]?.index ?? -1
}

interface EntryContext {
  graph: DependencyGraph
  epicAt: Epic[]
  scoreAt: Score[]
  bookings: Array<Booking | null>
  placement: Array<Placement | null>
  unplanned: Array<UnplannedReason | null>
  notBefore: Int32Array
  openIds: string[]
  overrideOf: Map<string, Override>
  endOf: (node: number) => number
  turnOf: Int32Array
  spentOf: Float64Array
}

function entryOf(node: number, rank: number, c: EntryContext): RoadmapEntry {
  const epic = c.epicAt[node] as Epic
  const booking = c.bookings[node] ?? null
  const blockers: number[] = []
  for (let e = c.graph.blockerStart[node] as number; e < (c.graph.blockerStart[node + 1] as number); e++) {
    blockers.push(c.graph.blockerIdx[e] as number)
  }
  const bound = c.notBefore[node] as number
  const warnings: string[] = []
  const placement = c.placement[node] ?? null
  if (booking !== null && placement !== 'ranked') {
    const start = firstIndex(booking)
    for (const b of blockers) {
      const name = epicLabel(c.epicAt[b] as Epic)
      if (c.bookings[b] === null) warnings.push(`${placement} although its blocker ${name} is not planned`)
      else if (c.endOf(b) > start) {
        warnings.push(`${placement} before its blocker ${name}, planned until ${c.openIds[c.endOf(b)]}`)
      }
    }
  }
  const override = c.overrideOf.get(epic.id)
  const reason = c.unplanned[node] ?? null
  const turnOwner = c.turnOf[node] as number
  const label = (id: string): string => {
    const at = c.graph.indexOf.get(id)
    return at === undefined ? id : epicLabel(c.epicAt[at] as Epic)
  }
  return {
    rank,
    epicId: epic.id,
    key: epic.key,
    title: epic.title,
    url: epic.url,
    source: epic.source,
    team: epic.team,
    track: epic.track,
    status: epic.status,
    effort: epic.effort ?? null,
    blockers: blockers.map((b) => c.graph.ids[b] as string),
    score: c.scoreAt[node] as Score,
    period: booking === null ? null : (c.openIds[firstIndex(booking)] as string),
    spans:
      booking === null
        ? []
        : booking.map(({ index, effort }) => ({ period: c.openIds[index] as string, effort })),
    placement,
    unplanned: reason,
    unplannedReason: reason === null ? null : unplannedReasonText(reason, label),
    notBefore: bound >= 0 ? (c.openIds[bound] as string) : null,
    boundBy:
      bound >= 0 ? blockers.filter((b) => c.endOf(b) === bound).map((b) => c.graph.ids[b] as string) : [],
    override: override === undefined ? null : appliedOverride(override),
    warnings,
    commitment: null,
    spent: c.spentOf[node] as number,
    pulledForwardFor:
      placement === 'ranked' && turnOwner !== node ? (c.graph.ids[turnOwner] as string) : null,
  }
}
