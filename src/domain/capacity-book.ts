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
 */
export interface CapacityBook {
  periodIds: readonly string[]
  /** Teams with configured capacity; a forced booking for another team gets a zero-capacity row. */
  configured: Set<string>
  capacity: Map<string, Float64Array>
  booked: Map<string, Float64Array>
}

export type Booking = Array<{ index: number; effort: number }>

/** Float tolerance for sums of fractional efforts. */
const EPSILON = 1e-9

export function capacityBook(
  capacities: readonly TeamCapacity[],
  periodIds: readonly string[],
): CapacityBook {
  const book: CapacityBook = {
    periodIds,
    configured: new Set(capacities.map((c) => c.team)),
    capacity: new Map(),
    booked: new Map(),
  }
  for (const team of capacities) {
    book.capacity.set(
      team.team,
      Float64Array.from(periodIds, (id) => team.byPeriod?.[id] ?? team.perPeriod),
    )
    book.booked.set(team.team, new Float64Array(periodIds.length))
  }
  return book
}

export function hasTeam(book: CapacityBook, team: string): boolean {
  return book.configured.has(team)
}

/** Books an epic by rank from period index `from` on; null when it fits nowhere. Never overbooks. */
export function bookRanked(
  book: CapacityBook,
  team: string,
  effort: number,
  from: number,
  span: SpanPolicy,
): Booking | null {
  const capacity = book.capacity.get(team)
  const booked = book.booked.get(team)
  if (!book.configured.has(team) || capacity === undefined || booked === undefined) return null
  const count = book.periodIds.length
  const room = (i: number): number => (capacity[i] as number) - (booked[i] as number)
  for (let i = from; i < count; i++) {
    if (room(i) + EPSILON >= effort) return commit(booked, [{ index: i, effort }])
  }
  if (span === 'whole') return null
  let runStart = from
  let sum = 0
  for (let i = from; i < count; i++) {
    const r = room(i)
    if (r <= EPSILON) {
      runStart = i + 1
      sum = 0
      continue
    }
    sum += r
    if (sum + EPSILON >= effort) {
      const booking: Booking = []
      let left = effort
      for (let j = runStart; j <= i; j++) {
        const take = j === i ? left : Math.min(left, room(j))
        booking.push({ index: j, effort: take })
        left -= take
      }
      return commit(booked, booking)
    }
  }
  return null
}

/** Books a pinned or kept epic starting at period index `at`, whatever the room (see the policy above). */
export function bookForced(
  book: CapacityBook,
  team: string,
  effort: number,
  at: number,
  span: SpanPolicy,
): Booking {
  if (!book.capacity.has(team)) {
    book.capacity.set(team, new Float64Array(book.periodIds.length))
    book.booked.set(team, new Float64Array(book.periodIds.length))
  }
  const capacity = book.capacity.get(team) as Float64Array
  const booked = book.booked.get(team) as Float64Array
  const full = capacity[at] as number
  if (span === 'whole' || effort <= full + EPSILON || full <= 0)
    return commit(booked, [{ index: at, effort }])
  const booking: Booking = []
  const last = book.periodIds.length - 1
  let left = effort
  for (let i = at; i <= last && left > EPSILON; i++) {
    const take = i === last ? left : Math.min(left, capacity[i] as number)
    if (take > 0) booking.push({ index: i, effort: take })
    left -= take
  }
  return commit(booked, booking)
}

function commit(booked: Float64Array, booking: Booking): Booking {
  for (const { index, effort } of booking) booked[index] = (booked[index] as number) + effort
  return booking
}

/** The largest single-period capacity of a team over the open periods (for the 'too large' reason). */
export function largestCapacity(book: CapacityBook, team: string): number {
  const capacity = book.capacity.get(team)
  return capacity === undefined || capacity.length === 0 ? 0 : Math.max(...capacity)
}

export function teamLoads(book: CapacityBook): TeamLoad[] {
  const loads: TeamLoad[] = []
  for (const team of [...book.capacity.keys()].sort(compareIds)) {
    const capacity = book.capacity.get(team) as Float64Array
    const booked = book.booked.get(team) as Float64Array
    book.periodIds.forEach((period, i) => {
      const c = capacity[i] as number
      const planned = booked[i] as number
      loads.push({ team, period, capacity: c, planned, overbooked: planned - c > EPSILON ? planned - c : 0 })
    })
  }
  return loads
}
