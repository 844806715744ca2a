import { compareIds } from './epic.ts'
import type { TeamLoad } from './roadmap.ts'
import type { SpanPolicy, TeamCapacity } from './settings.ts'

/**
 * Effort booked per team per open period, and the span policy.
 *
 * Span policy — how large epics occupy periods:
 *  - Ranked placement first looks for the earliest allowed period with room for the WHOLE effort: an
 *    epic that fits in one period is never split.
 *  - Only if no single period has room does it spread (policy 'spread', the default): it takes the
 *    earliest run of consecutive periods, each with room left, whose room adds up to its effort,
 *    using all the room of each period and the remainder in the last. Its `period` is the first of the
 *    run and `spans` lists the effort per period; blocked epics may start in its last period.
 *    If no such run exists before the horizon ends, it is unplanned ('no capacity'). With policy
 *    'whole', an epic larger than every period's capacity is unplanned ('too large') instead.
 *  - Forced placement (a pin, or in-progress work keeping its period) books the whole effort in the
 *    forced period, even past its capacity — unless the effort exceeds that period's full capacity and
 *    the policy is 'spread': then it books the full capacity of each period from the forced one on
 *    (skipping periods with none), the last open period taking any remainder. Overbooking is never
 *    hidden: `load` shows it. Ranked placement never overbooks.
 *
 * A build plans the same epics several times (build.ts), so what does not change between plans is
 * kept apart: teams are numbered rows (`teamRows`, once per build), and each plan's bookings live in
 * one pool of spans indexed by epic node instead of an array per epic.
 */
export interface TeamRows {
  /** Team of each row: the configured teams first, then the other teams of the epics. */
  names: string[]
  rowOf: Map<string, number>
  /** Rows below this one have configured capacity. */
  configured: number
  /** Capacity per open period of each row (zeros for a team with none configured). */
  capacity: Float64Array[]
  periods: number
}

export interface CapacityBook {
  rows: TeamRows
  periods: number
  /** Effort booked per row, per open period. */
  booked: Float64Array[]
  /** Rows `load` lists: configured teams, and other teams once a forced booking gave them a row. */
  listed: Uint8Array
  bookings: Bookings
}

/**
 * The spans booked for every epic node: node i has spans [start[i], end[i]) of `period` (open
 * period index) and `effort`, in period order; start[i] === end[i] when it has no booking.
 */
export interface Bookings {
  start: Int32Array
  end: Int32Array
  period: Int32Array
  effort: Float64Array
  length: number
  /** The node whose booking is being written. */
  open: number
}

/** Float tolerance for sums of fractional efforts. */
const EPSILON = 1e-9

/** Numbers the configured teams and lays out their capacity; other teams get a row from teamRow. */
export function teamRows(capacities: readonly TeamCapacity[], periodIds: readonly string[]): TeamRows {
  const rows: TeamRows = {
    names: [],
    rowOf: new Map(),
    configured: 0,
    capacity: [],
    periods: periodIds.length,
  }
  for (const team of capacities) {
    rows.capacity[teamRow(rows, team.team)] = Float64Array.from(
      periodIds,
      (id) => team.byPeriod?.[id] ?? team.perPeriod,
    )
  }
  rows.configured = rows.names.length
  return rows
}

/** A team's row, numbered on first sight: a team not configured gets one with no capacity. */
export function teamRow(rows: TeamRows, team: string): number {
  let row = rows.rowOf.get(team)
  if (row === undefined) {
    row = rows.names.length
    rows.rowOf.set(team, row)
    rows.names.push(team)
    rows.capacity.push(new Float64Array(rows.periods))
  }
  return row
}

/** An empty book for `nodes` epics. */
export function capacityBook(rows: TeamRows, periods: number, nodes: number): CapacityBook {
  const listed = new Uint8Array(rows.names.length)
  listed.fill(1, 0, rows.configured)
  return {
    rows,
    periods,
    booked: rows.names.map(() => new Float64Array(periods)),
    listed,
    bookings: {
      start: new Int32Array(nodes),
      end: new Int32Array(nodes),
      period: new Int32Array(Math.max(16, nodes)),
      effort: new Float64Array(Math.max(16, nodes)),
      length: 0,
      open: -1,
    },
  }
}

export function hasCapacity(rows: TeamRows, row: number): boolean {
  return row < rows.configured
}

/** Books node's epic by rank from period index `from` on; false when it fits nowhere. Never overbooks. */
export function bookRanked(
  book: CapacityBook,
  node: number,
  row: number,
  effort: number,
  from: number,
  span: SpanPolicy,
): boolean {
  if (!hasCapacity(book.rows, row)) return false
  const capacity = book.rows.capacity[row] as Float64Array
  const booked = book.booked[row] as Float64Array
  const count = book.periods
  for (let i = from; i < count; i++) {
    if ((capacity[i] as number) - (booked[i] as number) + EPSILON >= effort) {
      openBooking(book, node)
      addSpan(book, booked, i, effort)
      return true
    }
  }
  if (span === 'whole') return false
  let runStart = from
  let sum = 0
  for (let i = from; i < count; i++) {
    const r = (capacity[i] as number) - (booked[i] as number)
    if (r <= EPSILON) {
      runStart = i + 1
      sum = 0
      continue
    }
    sum += r
    if (sum + EPSILON >= effort) {
      openBooking(book, node)
      let left = effort
      for (let j = runStart; j <= i; j++) {
        const take = j === i ? left : Math.min(left, (capacity[j] as number) - (booked[j] as number))
        addSpan(book, booked, j, take)
        left -= take
      }
      return true
    }
  }
  return false
}

/** Books a pinned or kept epic starting at period index `at`, whatever the room (see the policy above). */
export function bookForced(
  book: CapacityBook,
  node: number,
  row: number,
  effort: number,
  at: number,
  span: SpanPolicy,
): void {
  book.listed[row] = 1
  const capacity = book.rows.capacity[row] as Float64Array
  const booked = book.booked[row] as Float64Array
  const full = capacity[at] as number
  openBooking(book, node)
  if (span === 'whole' || effort <= full + EPSILON || full <= 0) {
    addSpan(book, booked, at, effort)
    return
  }
  const last = book.periods - 1
  let left = effort
  for (let i = at; i <= last && left > EPSILON; i++) {
    const take = i === last ? left : Math.min(left, capacity[i] as number)
    if (take > 0) addSpan(book, booked, i, take)
    left -= take
  }
}

function openBooking(book: CapacityBook, node: number): void {
  const b = book.bookings
  b.start[node] = b.length
  b.end[node] = b.length
  b.open = node
}

/** Appends a span to the booking opened last (the spans of one booking are contiguous in the pool). */
function addSpan(book: CapacityBook, booked: Float64Array, index: number, effort: number): void {
  booked[index] = (booked[index] as number) + effort
  const b = book.bookings
  if (b.length === b.period.length) {
    const period = new Int32Array(b.length * 2)
    const amounts = new Float64Array(b.length * 2)
    period.set(b.period)
    amounts.set(b.effort)
    b.period = period
    b.effort = amounts
  }
  b.period[b.length] = index
  b.effort[b.length] = effort
  b.length++
  b.end[b.open] = b.length
}

/** Whether node has a booking. */
export function isBooked(b: Bookings, node: number): boolean {
  return (b.end[node] as number) > (b.start[node] as number)
}

/** Period index a node's booking starts in, or ends in; -1 for no booking. */
export function firstIndex(b: Bookings, node: number): number {
  return isBooked(b, node) ? (b.period[b.start[node] as number] as number) : -1
}

export function lastIndex(b: Bookings, node: number): number {
  return isBooked(b, node) ? (b.period[(b.end[node] as number) - 1] as number) : -1
}

/** The largest single-period capacity of a team over the open periods (for the 'too large' reason). */
export function largestCapacity(rows: TeamRows, row: number): number {
  const capacity = rows.capacity[row]
  return capacity === undefined || capacity.length === 0 ? 0 : Math.max(...capacity)
}

export function teamLoads(book: CapacityBook, periodIds: readonly string[]): TeamLoad[] {
  const loads: TeamLoad[] = []
  const rows: number[] = []
  for (let row = 0; row < book.listed.length; row++) if (book.listed[row] === 1) rows.push(row)
  rows.sort((a, b) => compareIds(book.rows.names[a] as string, book.rows.names[b] as string))
  for (const row of rows) {
    const team = book.rows.names[row] as string
    const capacity = book.rows.capacity[row] as Float64Array
    const booked = book.booked[row] as Float64Array
    periodIds.forEach((period, i) => {
      const c = capacity[i] as number
      const planned = booked[i] as number
      loads.push({ team, period, capacity: c, planned, overbooked: planned - c > EPSILON ? planned - c : 0 })
    })
  }
  return loads
}
