import { filterTypeOf, matchesFilter } from './filters.ts'
import { invalidInput, SimulatorUnsupported } from './simulator-errors.ts'
import type { LinearWorkspace } from './workspace.ts'

/**
 * Relay connections as Linear serves them: `first` (default 50, at most 250), `after` an opaque
 * cursor, `includeArchived` (default false), `orderBy` createdAt (default) or updatedAt, newest
 * first, and `pageInfo { hasNextPage endCursor … }`.
 *
 * @see https://linear.app/developers/pagination
 */
export const DEFAULT_PAGE_SIZE = 50
/** Unverified for Linear (API-NOTES): the simulator rejects larger pages, as the connector must expect. */
export const MAX_PAGE_SIZE = 250

export interface ConnectionArgs {
  first?: number | null
  after?: string | null
  last?: number | null
  before?: string | null
  includeArchived?: boolean | null
  orderBy?: 'createdAt' | 'updatedAt' | null
  filter?: unknown
}

interface Sortable {
  id: string
  createdAt: string
  updatedAt: string
  archivedAt: string | null
}

export interface Connection<T> {
  nodes: T[]
  edges: Array<{ node: T; cursor: string }>
  pageInfo: {
    hasNextPage: boolean
    hasPreviousPage: boolean
    startCursor: string | null
    endCursor: string | null
  }
}

export function connection<T extends Sortable>(
  items: Iterable<T>,
  args: ConnectionArgs,
  options: { ws: LinearWorkspace; type: string; alwaysArchived?: boolean },
): Connection<T> {
  if (args.last != null || args.before != null)
    throw new SimulatorUnsupported('backward pagination (last/before)')
  const first = args.first ?? DEFAULT_PAGE_SIZE
  if (!Number.isInteger(first) || first < 0) throw invalidInput('first must be a positive integer')
  if (first > MAX_PAGE_SIZE) throw invalidInput(`first must be less than or equal to ${MAX_PAGE_SIZE}`)
  const orderBy = args.orderBy ?? 'createdAt'
  const filterType = filterTypeOf(options.type)
  const matching: T[] = []
  for (const item of items) {
    if (item.archivedAt !== null && args.includeArchived !== true && options.alwaysArchived !== true) continue
    if (!matchesFilter(filterType, item, args.filter, options.ws)) continue
    matching.push(item)
  }
  const keyOf = (item: T) => Date.parse(item[orderBy])
  matching.sort((a, b) => keyOf(b) - keyOf(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
  let start = 0
  if (args.after != null) {
    const [key, id] = decodeCursor(args.after)
    start = matching.findIndex((item) => keyOf(item) < key || (keyOf(item) === key && item.id < id))
    if (start === -1) start = matching.length
  }
  const nodes = matching.slice(start, start + first)
  const cursorOf = (item: T) => encodeCursor(keyOf(item), item.id)
  const edges = nodes.map((node) => ({ node, cursor: cursorOf(node) }))
  return {
    nodes,
    edges,
    pageInfo: {
      hasNextPage: start + first < matching.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  }
}

function encodeCursor(key: number, id: string): string {
  return Buffer.from(`${key}|${id}`).toString('base64url')
}

function decodeCursor(cursor: string): [number, string] {
  const [key, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  const number = Number(key)
  if (id === undefined || !Number.isFinite(number)) throw invalidInput('after is not a valid cursor')
  return [number, id]
}
