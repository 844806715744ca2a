import type { WriteBackValues } from '../types.ts'

/**
 * What onetrack writes on Linear, as text. Linear has no custom fields, so the values travel in the
 * most native places that stay quiet:
 *
 * - on a project, one resource link ("external link") pointing at the epic's onetrack page, whose
 *   label reads `onetrack · #3 · 2027-Q1 · score 12.5 · deferred 2×`: visible in the project's
 *   Resources, no description edits, no notifications to members;
 * - on an issue, one attachment with the page's URL (Linear upserts attachments by issue and URL),
 *   title `onetrack · #3 · 2027-Q1`, a subtitle with score, cost of delay, deferrals and the note,
 *   and every value in its metadata;
 * - optionally, the configured chronic-deferral label, added or removed.
 *
 * Only changes are written: an item whose text is the same as last time makes no request.
 *
 * @see https://linear.app/developers/attachments
 * @see https://linear.app/docs/project-overview#resources
 */

function number(value: number | null): string {
  if (value === null) return '–'
  return Number.isInteger(value) ? String(value) : value.toFixed(1)
}

export function linkLabel(v: WriteBackValues): string {
  const score = v.score === null ? 'unscored' : `score ${number(v.score)}`
  return `onetrack · #${v.rank} · ${v.period ?? 'unplanned'} · ${score} · deferred ${v.deferrals}×${signOff(v)}`
}

/** Deferrals the owner has not signed off yet, at the end of the label; nothing when none. */
function signOff(v: WriteBackValues): string {
  const open = v.unacknowledged ?? 0
  return open === 0 ? '' : ` · ${open} awaiting sign-off`
}

export interface AttachmentText {
  title: string
  subtitle: string
  metadata: Record<string, unknown>
}

export function attachmentText(v: WriteBackValues): AttachmentText {
  const parts = [
    v.score === null ? 'unscored' : `score ${number(v.score)}`,
    `cost of delay ${number(v.costOfDelay)}`,
    `deferred ${v.deferrals}×${signOff(v)}`,
  ]
  return {
    title: `onetrack · #${v.rank} · ${v.period ?? 'unplanned'}`,
    subtitle: v.note === '' ? parts.join(' · ') : `${parts.join(' · ')} — ${v.note}`,
    metadata: {
      source: 'onetrack',
      rank: v.rank,
      period: v.period,
      score: v.score,
      costOfDelay: v.costOfDelay,
      deferrals: v.deferrals,
      chronic: v.chronic,
      note: v.note,
      ...(v.unacknowledged === undefined ? {} : { unacknowledged: v.unacknowledged }),
    },
  }
}

export interface Changes {
  /** The link or attachment must be written (created or updated). */
  text: boolean
  /** The chronic label must be added or removed. */
  chronic: boolean
}

/** What differs from what was written last time (everything, the first time). */
export function changesOf(
  kind: 'projects' | 'issues',
  values: WriteBackValues,
  previous: WriteBackValues | null,
  chronicLabel: string | undefined,
): Changes {
  const chronic = chronicLabel !== undefined && (previous === null || previous.chronic !== values.chronic)
  if (previous === null) return { text: true, chronic }
  const text =
    values.pageUrl !== previous.pageUrl ||
    (kind === 'projects'
      ? linkLabel(values) !== linkLabel(previous)
      : JSON.stringify(attachmentText(values)) !== JSON.stringify(attachmentText(previous)))
  return { text, chronic }
}
