import {
  bookForced,
  bookRanked,
  type CapacityBook,
  capacityBook,
  firstIndex,
  hasCapacity,
  isBooked,
  largestCapacity,
  lastIndex,
  teamLoads,
  teamRow,
  teamRows,
} from './capacity-book.ts'
import { calendarDayOf } from './dates.ts'
import { type DependencyGraph, dependencyGraph, topologicalOrder } from './dependency-graph.ts'
import { compareIds, type Epic, epicLabel, isOpen } from './epic.ts'
import { DomainError, DomainErrorCode } from './errors.ts'
import { appliedOverride, type EpicPresence, effectiveOverrides, type Override } from './overrides.ts'
import { openPeriods } from './periods.ts'
import {
  type Baseline,
  type ClosedEpic,
  type EntryPositions,
  entryPositions,
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
  /** entryPositions(previous), when the caller already has it. */
  previousPositions?: EntryPositions
}

/**
 * Places the open epics into the open periods (DESIGN.md, "Plan"):
 *  1. Overrides apply first: excluded epics and epics deferred without a period are left out; pinned
 *     epics, then in-progress epics keeping their previous period (when `keepInProgress`), are booked
 *     in their period whatever the room (capacity-book.ts explains spans and overbooking).
 *  2. Every other epic is placed in rank order into the earliest period with room for its team and
 *     not before the last period of any blocker (the same period is allowed), nor before its defer
 *     period. An epic whose blocker ends up unplanned stays unplanned, 'blocked by X'; epics in a
 *     dependency cycle are unplanned, 'cycle'.
 *  3. A blocker cannot be placed after the epics it blocks, so a blocker ranked lower than an epic it
 *     blocks is placed at that epic's turn (its turn is the best rank among the epics waiting on it),
 *     right before it: a high-ranked epic is never starved by its own low-ranked blocker. Otherwise
 *     unscored epics come after all scored ones.
 * Deterministic: every order is by rank, and ranks break ties by epic id.
 */
export function planRoadmap(input: PlanInput): Roadmap {
  const planner = roadmapPlanner(input)
  const { graph } = planner
  const scoreAt = graph.ids.map((id) => {
    const score = input.scores.get(id)
    if (score === undefined) {
      throw new DomainError(DomainErrorCode.inputInvalid, 'Cannot plan an epic without a score', [
        `${id}: no score (score the same epics you plan)`,
      ])
    }
    return score
  })
  return planner.roadmapOf(planner.place(scoreAt, rankOrder(scoreAt)), null)
}

/** How a node was decided before ranked placement, or why ranked placement left it out (0: planned). */
const Outcome = {
  planned: 0,
  excluded: 1,
  deferred: 2,
  cycle: 3,
  blocked: 4,
  noEffort: 5,
  noTeamCapacity: 6,
  noCapacity: 7,
} as const

const PLACEMENTS: ReadonlyArray<Placement | null> = [null, 'ranked', 'pinned', 'kept']
const RANKED = 1
const PINNED = 2
const KEPT = 3

/** One plan of every open epic, by node (graph order): what changes when a build plans again. */
export interface Plan {
  scoreAt: readonly Score[]
  /** Nodes best rank first, and the position of each node in that order. */
  byRank: ArrayLike<number>
  rank: Int32Array
  book: CapacityBook
  /** Index into PLACEMENTS. */
  placement: Uint8Array
  outcome: Uint8Array
  /** Earliest period index its blockers allow; -1 = unconstrained. */
  notBefore: Int32Array
  /** The node whose turn placed it (itself, or the epic it was pulled forward for). */
  turnOf: Int32Array
}

/**
 * The commitments a roadmap carries (commitments.ts): the baseline in force, and each entry's
 * committed period from its epic id and the period it is planned to finish in.
 */
export interface Commitments {
  baseline: Baseline | null
  commitmentOf: (node: number, finish: string | null) => string | null
}

/**
 * Everything placement needs that stays the same while a build plans again with moved scores
 * (build.ts): periods, overrides, forced bookings, team rows, dependency order. `place` plans with
 * the given scores into compact arrays; `roadmapOf` turns a plan into the roadmap people read.
 */
export interface RoadmapPlanner {
  graph: DependencyGraph
  place: (scoreAt: readonly Score[], byRank: ArrayLike<number>) => Plan
  roadmapOf: (plan: Plan, commitments: Commitments | null) => Roadmap
  /** Open period index a plan finishes node in; -1 = unplanned. */
  finishOf: (plan: Plan, node: number) => number
  openIds: readonly string[]
}

export function roadmapPlanner(input: Omit<PlanInput, 'scores'>): RoadmapPlanner {
  const { settings, previous } = input
  const today = calendarDayOf(input.now)
  const openIds = openPeriods(settings.periods, today).map((p) => p.id)
  const periodIndex = new Map(openIds.map((id, i) => [id, i]))
  const span = settings.plan.span ?? 'spread'
  const graph = input.graph ?? dependencyGraph(input.epics)
  const n = graph.ids.length
  const epicAt = graph.epics

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

  // Per node, so that no step looks an epic up by id: its override, and its effort if it has one.
  const overrideAt: Array<Override | undefined> = new Array(n)
  for (const [epicId, override] of overrideOf) {
    const node = graph.indexOf.get(epicId)
    if (node !== undefined) overrideAt[node] = override
  }
  const effortAt = new Float64Array(n)
  const estimated = new Uint8Array(n)
  const rows = teamRows(settings.capacities, openIds)
  const rowOf = new Int32Array(n)

  // 1. Overrides and kept in-progress work: the same in every plan of a build.
  const fixed = new Uint8Array(n)
  const forcedHow = new Uint8Array(n)
  const forcedAt = new Int32Array(n)
  const forcedEffort = new Float64Array(n)
  // Earliest period index a defer override allows.
  const deferredFrom = new Int32Array(n)
  const previousPositions = input.previousPositions ?? entryPositions(previous)
  // Effort of kept work booked in periods that have ended: counted as done, so what is left stays put.
  const spentOf = new Float64Array(n)
  for (let node = 0; node < n; node++) {
    const epic = epicAt[node] as Epic
    // One pass over the epics for everything placement reads of them.
    effortAt[node] = epic.effort ?? 0
    estimated[node] = epic.effort === undefined ? 0 : 1
    rowOf[node] = teamRow(rows, epic.team)
    const override = overrideAt[node]
    if (override === undefined) {
      const at = previousPositions.get(epic.id)
      const before = at === undefined ? undefined : (previous?.entries[at] as RoadmapEntry)
      // Work in progress is being done now: it keeps its place, or takes the current period when it
      // has none yet, so a build after another keeps it exactly there.
      if (
        settings.plan.keepInProgress &&
        epic.status === 'in_progress' &&
        epic.effort !== undefined &&
        openIds.length > 0
      ) {
        const kept =
          before === undefined || before.period === null
            ? { at: 0, effort: epic.effort, spent: 0 }
            : keptBooking(before, periodIndex, epic.effort)
        spentOf[node] = kept.spent
        forcedHow[node] = KEPT
        forcedAt[node] = kept.at
        forcedEffort[node] = kept.effort
      }
    } else if (override.kind === 'exclude') {
      fixed[node] = Outcome.excluded
    } else if (override.kind === 'defer' && override.period === undefined) {
      fixed[node] = Outcome.deferred
    } else if (override.kind === 'pin') {
      // effectiveOverrides only keeps pins to open periods.
      forcedHow[node] = PINNED
      forcedAt[node] = periodIndex.get(override.period as string) as number
      forcedEffort[node] = epic.effort ?? 0
    }
    if (override?.period !== undefined) deferredFrom[node] = periodIndex.get(override.period) ?? 0
  }
  for (let node = 0; node < n; node++) {
    if (graph.cycleOf[node] !== -1 && fixed[node] === 0 && forcedHow[node] === 0) fixed[node] = Outcome.cycle
  }
  const order = dependencyOrder(graph, (node) => fixed[node] === 0)

  const place = (scoreAt: readonly Score[], byRank: ArrayLike<number>): Plan => {
    const rank = new Int32Array(n)
    for (let r = 0; r < n; r++) rank[byRank[r] as number] = r
    const book = capacityBook(rows, openIds.length, n)
    const bookings = book.bookings
    const placement = new Uint8Array(n)
    const outcome = Uint8Array.from(fixed)
    const notBefore = new Int32Array(n).fill(-1)
    const decided = new Uint8Array(n)
    for (let node = 0; node < n; node++) if (fixed[node] !== 0) decided[node] = 1
    // Pins first, then kept work, each by rank.
    for (const how of [PINNED, KEPT]) {
      for (let r = 0; r < n; r++) {
        const node = byRank[r] as number
        if (forcedHow[node] !== how) continue
        bookForced(
          book,
          node,
          rowOf[node] as number,
          forcedEffort[node] as number,
          forcedAt[node] as number,
          span,
        )
        placement[node] = how
        decided[node] = 1
      }
    }

    // 2–3. Ranked placement, in an order where every blocker comes before the epics it blocks.
    const { sequence, turnOf } = order.withRanks(rank, byRank)
    for (const node of sequence) {
      if (decided[node] === 1) continue
      let waiting = false
      let earliest = -1
      for (let e = graph.blockerStart[node] as number; e < (graph.blockerStart[node + 1] as number); e++) {
        const b = graph.blockerIdx[e] as number
        if (!isBooked(bookings, b)) waiting = true
        else earliest = Math.max(earliest, lastIndex(book.bookings, b))
      }
      notBefore[node] = earliest
      decided[node] = 1
      const effort = effortAt[node] as number
      if (waiting) outcome[node] = Outcome.blocked
      else if (estimated[node] === 0) outcome[node] = Outcome.noEffort
      else if (!hasCapacity(rows, rowOf[node] as number)) outcome[node] = Outcome.noTeamCapacity
      else {
        const from = Math.max(earliest, 0, deferredFrom[node] as number)
        if (bookRanked(book, node, rowOf[node] as number, effort, from, span)) placement[node] = RANKED
        else outcome[node] = Outcome.noCapacity
      }
    }
    return { scoreAt, byRank, rank, book, placement, outcome, notBefore, turnOf }
  }

  const roadmapOf = (plan: Plan, commitments: Commitments | null): Roadmap => {
    const bookings = plan.book.bookings
    // Names of epics in reasons, made once each: many epics wait on the same blocker.
    const labels: Array<string | undefined> = new Array(n)
    const label = (id: string): string => {
      const at = graph.indexOf.get(id)
      if (at === undefined) return id
      labels[at] ??= epicLabel(epicAt[at] as Epic)
      return labels[at]
    }
    const reasonOf = (node: number): UnplannedReason | null => {
      const epic = epicAt[node] as Epic
      switch (plan.outcome[node]) {
        case Outcome.excluded:
        case Outcome.deferred: {
          const override = overrideAt[node] as Override
          const code = plan.outcome[node] === Outcome.excluded ? 'excluded' : 'deferred'
          return { code, overrideId: override.id, rationale: override.rationale }
        }
        case Outcome.cycle:
          return { code: 'cycle', cycle: graph.cycles[graph.cycleOf[node] as number] as string[] }
        case Outcome.blocked: {
          // Blockers are placed before the epics they block, so these are the ones it waited on.
          const blockers = blockerIds(graph, node, (b) => !isBooked(bookings, b))
          return { code: 'blocked', blockers }
        }
        case Outcome.noEffort:
          return { code: 'no_effort' }
        case Outcome.noTeamCapacity:
          return { code: 'no_team_capacity', team: epic.team }
        case Outcome.noCapacity: {
          const effort = epic.effort as number
          const largest = largestCapacity(rows, rowOf[node] as number)
          return span === 'whole' && effort > largest
            ? { code: 'too_large', effort, largestCapacity: largest }
            : { code: 'no_capacity' }
        }
        default:
          return null
      }
    }
    const entries: RoadmapEntry[] = new Array(n)
    for (let r = 0; r < n; r++) {
      const node = plan.byRank[r] as number
      const entry = entryOf(node, r + 1, plan, reasonOf(node), label)
      if (commitments !== null) entry.commitment = commitments.commitmentOf(node, finishPeriodOf(plan, node))
      entries[r] = entry
    }
    const closed: ClosedEpic[] = input.epics
      .filter((e) => !isOpen(e.status))
      .map((e) => ({ epicId: e.id, status: e.status as ClosedEpic['status'] }))
      .sort((a, b) => compareIds(a.epicId, b.epicId))
    return {
      builtAt: input.now,
      periods: settings.periods.map((p) => ({ ...p })),
      openPeriods: [...openIds],
      scoring: resolvedScoringSettings(settings.scoring),
      entries,
      closed,
      cycles: graph.cycles.map((c) => [...c]),
      load: teamLoads(plan.book, openIds),
      problems: [...problems],
      baseline: commitments?.baseline ?? null,
    }
  }

  const finishPeriodOf = (plan: Plan, node: number): string | null => {
    const at = lastIndex(plan.book.bookings, node)
    return at === -1 ? null : (openIds[at] as string)
  }

  const entryOf = (
    node: number,
    rank: number,
    plan: Plan,
    reason: UnplannedReason | null,
    label: (id: string) => string,
  ): RoadmapEntry => {
    const epic = epicAt[node] as Epic
    const bookings = plan.book.bookings
    const booked = isBooked(bookings, node)
    const placement = PLACEMENTS[plan.placement[node] as number] ?? null
    const blockerStart = graph.blockerStart[node] as number
    const blockerEnd = graph.blockerStart[node + 1] as number
    const blockers = blockerIds(graph, node)
    const warnings: string[] = []
    if (booked && placement !== 'ranked') {
      const start = firstIndex(bookings, node)
      for (let e = blockerStart; e < blockerEnd; e++) {
        const b = graph.blockerIdx[e] as number
        const name = epicLabel(epicAt[b] as Epic)
        const end = lastIndex(bookings, b)
        if (end === -1) warnings.push(`${placement} although its blocker ${name} is not planned`)
        else if (end > start)
          warnings.push(`${placement} before its blocker ${name}, planned until ${openIds[end]}`)
      }
    }
    const first = bookings.start[node] as number
    const spans: RoadmapEntry['spans'] = new Array((bookings.end[node] as number) - first)
    for (let s = 0; s < spans.length; s++) {
      spans[s] = {
        period: openIds[bookings.period[first + s] as number] as string,
        effort: bookings.effort[first + s] as number,
      }
    }
    const bound = plan.notBefore[node] as number
    const boundBy = bound >= 0 ? blockerIds(graph, node, (b) => lastIndex(bookings, b) === bound) : []
    const override = overrideAt[node]
    const turnOwner = plan.turnOf[node] as number
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
      blockers,
      score: plan.scoreAt[node] as Score,
      period: booked ? (openIds[firstIndex(bookings, node)] as string) : null,
      spans,
      placement,
      unplanned: reason,
      unplannedReason: reason === null ? null : unplannedReasonText(reason, label),
      notBefore: bound >= 0 ? (openIds[bound] as string) : null,
      boundBy,
      override: override === undefined ? null : appliedOverride(override),
      warnings,
      commitment: null,
      spent: spentOf[node] as number,
      pulledForwardFor:
        placement === 'ranked' && turnOwner !== node ? (graph.ids[turnOwner] as string) : null,
    }
  }

  return {
    graph,
    place,
    roadmapOf,
    finishOf: (plan, node) => lastIndex(plan.book.bookings, node),
    openIds,
  }
}

/**
 * Ids of node's blockers that `keep` accepts (all by default), in blocker order, in an array of
 * exactly their number: a roadmap holds hundreds of thousands of these small lists.
 */
function blockerIds(
  graph: DependencyGraph,
  node: number,
  keep: (b: number) => boolean = () => true,
): string[] {
  const start = graph.blockerStart[node] as number
  const end = graph.blockerStart[node + 1] as number
  let count = 0
  for (let e = start; e < end; e++) if (keep(graph.blockerIdx[e] as number)) count++
  const ids: string[] = new Array(count)
  let k = 0
  for (let e = start; e < end; e++) {
    const b = graph.blockerIdx[e] as number
    if (keep(b)) ids[k++] = graph.ids[b] as string
  }
  return ids
}

/**
 * Placement order: by turn (the best rank among the epic and the epics waiting on it, transitively),
 * then by depth in the graph (blockers first), then by rank. For a blocker b of d, turn(b) <= turn(d)
 * and depth(b) < depth(d), so the order respects every dependency. Only epics still to be placed
 * (`waits`) pass their turn on: an excluded epic does not pull its blockers forward. The graph part
 * (topological order, depths) is worked out once; `withRanks` orders by a plan's ranks.
 */
function dependencyOrder(
  graph: DependencyGraph,
  waits: (node: number) => boolean,
): {
  withRanks: (rank: Int32Array, byRank: ArrayLike<number>) => { sequence: Int32Array; turnOf: Int32Array }
} {
  const n = graph.ids.length
  const topo = topologicalOrder(graph)
  const inOrder = new Uint8Array(n)
  for (const node of topo) inOrder[node] = 1
  const depth = new Int32Array(n)
  let maxDepth = 0
  for (const b of topo) {
    for (let e = graph.dependentStart[b] as number; e < (graph.dependentStart[b + 1] as number); e++) {
      const d = graph.dependentIdx[e] as number
      depth[d] = Math.max(depth[d] as number, (depth[b] as number) + 1)
      maxDepth = Math.max(maxDepth, depth[d] as number)
    }
  }
  // Whether each dependent edge passes its turn on: to a node outside any cycle that still waits.
  const passesTurn = Uint8Array.from(graph.dependentIdx, (d) => (graph.cycleOf[d] === -1 && waits(d) ? 1 : 0))
  return {
    withRanks: (rank, byRank) => {
      const turn = Int32Array.from(rank)
      // Whose turn it is: the node itself, or the best-ranked epic waiting on it (a blocker pulled forward).
      const turnOf = new Int32Array(n)
      for (let node = 0; node < n; node++) turnOf[node] = node
      for (let k = topo.length - 1; k >= 0; k--) {
        const b = topo[k] as number
        for (let e = graph.dependentStart[b] as number; e < (graph.dependentStart[b + 1] as number); e++) {
          const d = graph.dependentIdx[e] as number
          if (passesTurn[e] === 1 && (turn[d] as number) < (turn[b] as number)) {
            turn[b] = turn[d] as number
            turnOf[b] = turnOf[d] as number
          }
        }
      }
      // Sorted by (turn, depth, rank) with two stable counting sorts over the nodes in rank order:
      // ranks are distinct, so this is the one order those keys give, found in linear time.
      const ranked = new Int32Array(topo.length)
      let count = 0
      for (let r = 0; r < n; r++) {
        const node = byRank[r] as number
        if (inOrder[node] === 1) ranked[count++] = node
      }
      const byDepth = countingSort(ranked, depth, maxDepth)
      return { sequence: countingSort(byDepth, turn, n - 1), turnOf }
    },
  }
}

/** `nodes` stably sorted by key[node] (0..maxKey). */
function countingSort(nodes: Int32Array, key: Int32Array, maxKey: number): Int32Array {
  const start = new Int32Array(maxKey + 2)
  for (const node of nodes)
    start[(key[node] as number) + 1] = (start[(key[node] as number) + 1] as number) + 1
  for (let k = 0; k <= maxKey; k++) start[k + 1] = (start[k + 1] as number) + (start[k] as number)
  const sorted = new Int32Array(nodes.length)
  for (const node of nodes) {
    const k = key[node] as number
    sorted[start[k] as number] = node
    start[k] = (start[k] as number) + 1
  }
  return sorted
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
