/**
 * The incremental sync cursor. Jira's `updated >= "…"` has minute precision and its search index lags
 * writes a little, so each incremental sync re-reads an overlap window before the cursor. To hand the
 * caller only real changes, the cursor remembers the `updated` of every epic seen inside that window:
 * an epic comes back only if its `updated` differs from what was last delivered, and one older than
 * the window was delivered before.
 */
export interface Cursor {
  /** The latest `updated` delivered, epoch ms. */
  since: number
  /** Issue id → `updated` (epoch ms) for the epics delivered within the overlap window before `since`. */
  seen: Record<string, number>
}

interface CursorJson {
  v: 1
  since: string
  seen: Record<string, number>
}

export function encodeCursor(cursor: Cursor): string {
  const json: CursorJson = { v: 1, since: new Date(cursor.since).toISOString(), seen: cursor.seen }
  return JSON.stringify(json)
}

/** The cursor, or null when there is none or it is not one of ours (then a full read is due). */
export function decodeCursor(text: string | null): Cursor | null {
  if (text === null) return null
  try {
    const json = JSON.parse(text) as Partial<CursorJson>
    const since = Date.parse(String(json.since))
    if (json.v !== 1 || Number.isNaN(since) || typeof json.seen !== 'object' || json.seen === null)
      return null
    const seen: Record<string, number> = {}
    for (const [id, updated] of Object.entries(json.seen)) if (typeof updated === 'number') seen[id] = updated
    return { since, seen }
  } catch {
    return null
  }
}

export class CursorTracker {
  readonly #previous: Cursor | null
  readonly #overlapMs: number
  #since: number
  readonly #seen = new Map<string, number>()

  constructor(previous: Cursor | null, overlapMs: number) {
    this.#previous = previous
    this.#overlapMs = overlapMs
    this.#since = previous?.since ?? Number.NEGATIVE_INFINITY
    for (const [id, updated] of Object.entries(previous?.seen ?? {})) this.#seen.set(id, updated)
  }

  /** Whether an epic read now is news to the caller. */
  isNew(id: string, updated: number): boolean {
    const previous = this.#previous
    if (previous === null) return true
    if (updated < previous.since - this.#overlapMs) return false
    return previous.seen[id] !== updated
  }

  observe(id: string, updated: number): void {
    if (Number.isNaN(updated)) return
    this.#seen.set(id, updated)
    if (updated > this.#since) this.#since = updated
  }

  /** The cursor after this sync; null when nothing was ever seen. */
  next(): Cursor | null {
    if (!Number.isFinite(this.#since)) return null
    const seen: Record<string, number> = {}
    for (const [id, updated] of this.#seen) if (updated >= this.#since - this.#overlapMs) seen[id] = updated
    return { since: this.#since, seen }
  }
}
