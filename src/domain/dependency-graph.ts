import { compareIds, type Epic, isOpen } from './epic.ts'

/**
 * The blocking relation between open epics, across sources (a Linear project may block a Jira epic),
 * as index arrays so walks over 100,000 epics stay linear. Node i is `ids[i]`; ids are sorted, so
 * every walk in index order is deterministic whatever order the epics came in.
 *
 * Only open epics (todo, in progress) are nodes: a blocker that is done or canceled no longer blocks.
 * A blocker id that matches no epic at all is ignored for planning and listed in `unknownBlockers`.
 */
export interface DependencyGraph {
  ids: string[]
  /** The open epic of each node (epics[i].id === ids[i]). */
  epics: Epic[]
  /** Ids of the done and canceled epics given: blockers that no longer block. */
  closedIds: Set<string>
  indexOf: Map<string, number>
  /** Blockers of node i: blockerIdx[blockerStart[i] .. blockerStart[i + 1]), ascending. */
  blockerStart: Int32Array
  blockerIdx: Int32Array
  /** Dependents (epics node i blocks): dependentIdx[dependentStart[i] .. dependentStart[i + 1]), ascending. */
  dependentStart: Int32Array
  dependentIdx: Int32Array
  /** Each cycle is a strongly connected set of epics that block one another, ids sorted; sorted by first id. */
  cycles: string[][]
  /** Index into `cycles` for nodes in a cycle, -1 otherwise. */
  cycleOf: Int32Array
  unknownBlockers: Array<{ epicId: string; blockerId: string }>
}

export function dependencyGraph(epics: readonly Epic[]): DependencyGraph {
  const open = epics.filter((e) => isOpen(e.status)).sort((a, b) => compareIds(a.id, b.id))
  const closedIds = new Set<string>()
  for (const epic of epics) {
    if (!isOpen(epic.status)) closedIds.add(epic.id)
  }
  const ids = open.map((e) => e.id)
  const indexOf = new Map<string, number>()
  for (const [i, id] of ids.entries()) indexOf.set(id, i)
  const n = ids.length

  // Edges as (blocker -> dependent), turned into compressed rows both ways below.
  const unknownBlockers: Array<{ epicId: string; blockerId: string }> = []
  const edgeFrom: number[] = []
  const edgeTo: number[] = []
  // lastDependent[b] === i marks b as already a blocker of i: duplicates are dropped without a Set per epic.
  const lastDependent = new Int32Array(n).fill(-1)
  for (let i = 0; i < n; i++) {
    const epic = open[i] as Epic
    for (const blockerId of epic.blockers) {
      const b = indexOf.get(blockerId)
      if (b !== undefined) {
        if (lastDependent[b] === i) continue
        lastDependent[b] = i
        edgeFrom.push(b)
        edgeTo.push(i)
      } else if (!closedIds.has(blockerId) && !listedFor(unknownBlockers, epic.id, blockerId)) {
        unknownBlockers.push({ epicId: epic.id, blockerId })
      }
    }
  }
  unknownBlockers.sort((a, b) => compareIds(a.epicId, b.epicId) || compareIds(a.blockerId, b.blockerId))
  const dependents = compressedRows(n, edgeFrom, edgeTo)
  const blockers = compressedRows(n, edgeTo, edgeFrom)
  const { cycles, cycleOf } = cyclesOf(n, dependents.start, dependents.idx, ids)
  return {
    ids,
    epics: open,
    closedIds,
    indexOf,
    blockerStart: blockers.start,
    blockerIdx: blockers.idx,
    dependentStart: dependents.start,
    dependentIdx: dependents.idx,
    cycles,
    cycleOf,
    unknownBlockers,
  }
}

/** Whether this epic's unknown blocker is already listed: its own items are the last ones of the list. */
function listedFor(
  list: Array<{ epicId: string; blockerId: string }>,
  epicId: string,
  blockerId: string,
): boolean {
  for (let k = list.length - 1; k >= 0 && list[k]?.epicId === epicId; k--)
    if (list[k]?.blockerId === blockerId) return true
  return false
}

/** Compressed sparse rows: the targets of each source, ascending (a counting sort, O(n + edges)). */
function compressedRows(n: number, from: number[], to: number[]): { start: Int32Array; idx: Int32Array } {
  const start = new Int32Array(n + 1)
  for (const f of from) start[f + 1] = (start[f + 1] as number) + 1
  for (let i = 0; i < n; i++) start[i + 1] = (start[i + 1] as number) + (start[i] as number)
  // Place edges grouped by target order first, so each row comes out sorted without a comparison sort.
  const byTarget = new Int32Array(from.length)
  const targetStart = new Int32Array(n + 1)
  for (const t of to) targetStart[t + 1] = (targetStart[t + 1] as number) + 1
  for (let i = 0; i < n; i++) targetStart[i + 1] = (targetStart[i + 1] as number) + (targetStart[i] as number)
  const targetFill = targetStart.slice(0, n)
  to.forEach((t, e) => {
    byTarget[targetFill[t] as number] = e
    targetFill[t] = (targetFill[t] as number) + 1
  })
  const idx = new Int32Array(from.length)
  const fill = start.slice(0, n)
  for (const e of byTarget) {
    const f = from[e] as number
    idx[fill[f] as number] = to[e] as number
    fill[f] = (fill[f] as number) + 1
  }
  return { start, idx }
}

/**
 * Strongly connected components by Tarjan's algorithm, iteratively (a recursive walk would overflow
 * the stack on a long chain). Components of more than one epic, or an epic blocking itself, are cycles.
 */
function cyclesOf(
  n: number,
  start: Int32Array,
  adj: Int32Array,
  ids: string[],
): { cycles: string[][]; cycleOf: Int32Array } {
  const order = new Int32Array(n).fill(-1)
  const low = new Int32Array(n)
  const onStack = new Uint8Array(n)
  const stack = new Int32Array(n)
  const callNode = new Int32Array(n)
  const callEdge = new Int32Array(n)
  const components: number[][] = []
  let sp = 0
  let counter = 0
  for (let root = 0; root < n; root++) {
    if (order[root] !== -1) continue
    let cp = 0
    const visit = (v: number): void => {
      order[v] = counter
      low[v] = counter
      counter++
      stack[sp++] = v
      onStack[v] = 1
      callNode[cp] = v
      callEdge[cp] = start[v] as number
      cp++
    }
    visit(root)
    while (cp > 0) {
      const v = callNode[cp - 1] as number
      const e = callEdge[cp - 1] as number
      if (e < (start[v + 1] as number)) {
        callEdge[cp - 1] = e + 1
        const w = adj[e] as number
        if (order[w] === -1) visit(w)
        else if (onStack[w] === 1) low[v] = Math.min(low[v] as number, order[w] as number)
        continue
      }
      if (low[v] === order[v]) {
        const members: number[] = []
        let w: number
        do {
          w = stack[--sp] as number
          onStack[w] = 0
          members.push(w)
        } while (w !== v)
        if (members.length > 1 || blocksItself(v, start, adj)) components.push(members)
      }
      cp--
      if (cp > 0) {
        const u = callNode[cp - 1] as number
        low[u] = Math.min(low[u] as number, low[v] as number)
      }
    }
  }
  const sorted = components
    .map((members) => members.sort((a, b) => a - b))
    .sort((a, b) => (a[0] as number) - (b[0] as number))
  const cycleOf = new Int32Array(n).fill(-1)
  sorted.forEach((members, c) => {
    for (const m of members) cycleOf[m] = c
  })
  return { cycles: sorted.map((members) => members.map((m) => ids[m] as string)), cycleOf }
}

function blocksItself(v: number, start: Int32Array, adj: Int32Array): boolean {
  for (let e = start[v] as number; e < (start[v + 1] as number); e++) if (adj[e] === v) return true
  return false
}

/**
 * Open epics not in a cycle, blockers before dependents (Kahn's algorithm; callers sort by their own
 * keys afterwards, so any valid order will do). Edges from cycle members are ignored:
 * their dependents can never be placed and are reported as blocked instead.
 */
export function topologicalOrder(graph: DependencyGraph): Int32Array {
  const n = graph.ids.length
  const pending = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    if (graph.cycleOf[i] !== -1) continue
    for (let e = graph.blockerStart[i] as number; e < (graph.blockerStart[i + 1] as number); e++) {
      if (graph.cycleOf[graph.blockerIdx[e] as number] === -1) pending[i] = (pending[i] as number) + 1
    }
  }
  const queue = new Int32Array(n)
  let tail = 0
  for (let i = 0; i < n; i++) if (graph.cycleOf[i] === -1 && pending[i] === 0) queue[tail++] = i
  for (let head = 0; head < tail; head++) {
    const b = queue[head] as number
    for (let e = graph.dependentStart[b] as number; e < (graph.dependentStart[b + 1] as number); e++) {
      const d = graph.dependentIdx[e] as number
      if (graph.cycleOf[d] !== -1) continue
      pending[d] = (pending[d] as number) - 1
      if (pending[d] === 0) queue[tail++] = d
    }
  }
  return queue.subarray(0, tail)
}
