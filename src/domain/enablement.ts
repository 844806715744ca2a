import type { DependencyGraph } from './dependency-graph.ts'

/** One epic whose value counts in another's enablement. */
export interface EnablementContributor {
  epicId: string
  /** Shortest blocking distance: 1 = directly blocked. */
  depth: number
  value: number
  /** value × decay^depth. */
  contribution: number
}

/** What an epic unblocks, and how that was counted. */
export interface EnablementBreakdown {
  /** Σ value × decay^depth over the open epics it transitively blocks (unweighted). */
  total: number
  /** How many distinct open epics were reached (each counted once). */
  reach: number
  /** The largest contributions (contribution desc, then depth, then id), at most the configured number. */
  contributors: EnablementContributor[]
  /** Reached epics whose value is not given: they add nothing, and are counted here so that is visible. */
  withoutValue: number
  /** True when the reach cap stopped the walk before every epic within the depth cap was counted. */
  truncated: boolean
}

export interface EnablementLimits {
  decay: number
  maxDepth: number
  maxReach: number
  contributorsShown: number
}

/**
 * Enablement of every open epic, by one breadth-first walk per epic over the epics it blocks.
 *
 * Definition: each open epic reachable along "blocks" edges is counted ONCE, at its SHORTEST depth
 * (depth 1 = directly blocked), contributing value × decay^depth. Counting every path instead would
 * count a diamond's bottom twice and can grow exponentially with the number of paths, rewarding a
 * tangled graph rather than what is actually unblocked. The epic itself is never counted (cycles).
 *
 * Bound: the walk stops at `maxDepth` levels and after `maxReach` distinct epics (breadth-first, ties
 * by id, so the cut is deterministic and removes the deepest, least-weighted epics first). Work is
 * therefore O(n × min(reach, maxReach) × degree): linear in n. Exact shortest-depth sums over every
 * reachable epic would need a walk per epic over its whole closure, O(n²) on long chains.
 */
export function enablementOf(
  graph: DependencyGraph,
  values: Float64Array,
  limits: EnablementLimits,
): EnablementBreakdown[] {
  const n = graph.ids.length
  const { dependentStart, dependentIdx, ids } = graph
  const weightAt = new Float64Array(limits.maxDepth + 1)
  for (let d = 0; d <= limits.maxDepth; d++) weightAt[d] = limits.decay ** d
  const stamp = new Int32Array(n).fill(-1)
  const depthOf = new Int32Array(n)
  const queue = new Int32Array(Math.max(n, 1))
  const result: EnablementBreakdown[] = new Array(n)
  const shown = limits.contributorsShown
  const shared = new Map<number, EnablementContributor>()
  for (let s = 0; s < n; s++) {
    let total = 0
    let reach = 0
    let withoutValue = 0
    let truncated = false
    // The top contributors, kept sorted best-first; small (a handful), so insertion is cheap.
    const top: number[] = []
    const topContribution: number[] = []
    stamp[s] = s
    depthOf[s] = 0
    let head = 0
    let tail = 0
    queue[tail++] = s
    walk: while (head < tail) {
      const v = queue[head++] as number
      const nextDepth = (depthOf[v] as number) + 1
      if (nextDepth > limits.maxDepth) continue
      for (let e = dependentStart[v] as number; e < (dependentStart[v + 1] as number); e++) {
        const w = dependentIdx[e] as number
        if (stamp[w] === s) continue
        if (reach === limits.maxReach) {
          truncated = true
          break walk
        }
        stamp[w] = s
        depthOf[w] = nextDepth
        queue[tail++] = w
        reach++
        const value = values[w] as number
        if (Number.isNaN(value)) {
          withoutValue++
          continue
        }
        const contribution = value * (weightAt[nextDepth] as number)
        total += contribution
        // Most epics reached rank below every kept one: skip the call for them.
        if (
          shown > 0 &&
          contribution > 0 &&
          (top.length < shown || contribution >= (topContribution[shown - 1] as number))
        )
          keepTop(top, topContribution, depthOf, w, contribution, shown)
      }
    }
    result[s] = {
      total,
      reach,
      contributors: top.map((w, i) => {
        // The same epic at the same depth is the same contribution in every list that shows it: one
        // object for all of them keeps a large roadmap's breakdowns small.
        const key = w * (limits.maxDepth + 1) + (depthOf[w] as number)
        let contributor = shared.get(key)
        if (contributor === undefined) {
          contributor = {
            epicId: ids[w] as string,
            depth: depthOf[w] as number,
            value: values[w] as number,
            contribution: topContribution[i] as number,
          }
          shared.set(key, contributor)
        }
        return contributor
      }),
      withoutValue,
      truncated,
    }
  }
  return result
}

/** Inserts w (already given its depth) if it ranks among the best kept: contribution desc, depth, id. */
function keepTop(
  top: number[],
  contributionOf: number[],
  depthOf: Int32Array,
  w: number,
  contribution: number,
  limit: number,
): void {
  const depth = depthOf[w] as number
  // Called for every epic a walk reaches: no closure here, most calls return on the first comparison.
  if (top.length === limit && !ranksAbove(contribution, depth, w, contributionOf, depthOf, top, limit - 1))
    return
  let at = top.length
  while (at > 0 && ranksAbove(contribution, depth, w, contributionOf, depthOf, top, at - 1)) at--
  top.splice(at, 0, w)
  contributionOf.splice(at, 0, contribution)
  if (top.length > limit) {
    top.pop()
    contributionOf.pop()
  }
}

/** Whether (contribution, depth, w) ranks above the k-th kept contributor. */
function ranksAbove(
  contribution: number,
  depth: number,
  w: number,
  contributionOf: number[],
  depthOf: Int32Array,
  top: number[],
  k: number,
): boolean {
  const other = contributionOf[k] as number
  if (contribution !== other) return contribution > other
  const otherDepth = depthOf[top[k] as number] as number
  return depth !== otherDepth ? depth < otherDepth : w < (top[k] as number)
}
