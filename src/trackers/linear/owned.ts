import { epicIdOf } from '../../domain/index.ts'
import type { OwnedValues, WriteBackValues } from '../types.ts'
import type { EpicKind } from './queries.ts'
import { attachmentText, linkLabel } from './write-back-text.ts'

/**
 * onetrack's own places on a Linear epic, compared between what was written and what a sync reads:
 * a project's resource link to the epic's page (`link`: its label), an issue's attachment with that
 * URL (`attachment`: title and subtitle), and the chronic label when one is configured.
 */

/** onetrack's trimmed base URL, the way the pipeline builds each epic's page URL from it. */
function base(publicUrl: string): string {
  return publicUrl.replace(/\/$/, '')
}

/** The epic's onetrack page, as the pipeline writes it (`WriteBackValues.pageUrl`). */
export function epicPageUrl(publicUrl: string, sourceId: string, externalId: string): string {
  return `${base(publicUrl)}/epics/${encodeURIComponent(epicIdOf(sourceId, externalId))}`
}

/** What every epic page URL starts with: selects onetrack's attachments among an issue's many. */
export function epicPagePrefix(publicUrl: string): string {
  return `${base(publicUrl)}/epics/`
}

function attachmentValue(title: string, subtitle: string | null): string {
  return `${title}\n${subtitle ?? ''}`
}

/** What an epic written with `values` shows in onetrack's places. */
export function ownedValues(
  kind: EpicKind,
  values: WriteBackValues,
  chronicLabel: string | undefined,
): OwnedValues {
  const text = attachmentText(values)
  const owned: OwnedValues =
    kind === 'projects'
      ? { link: linkLabel(values) }
      : { attachment: attachmentValue(text.title, text.subtitle) }
  if (chronicLabel !== undefined) owned.chronic = values.chronic
  return owned
}

export interface OwnedRead {
  /** The epic's complete resource links (projects) or its attachments under onetrack's prefix (issues). */
  links: Array<{ label: string; url: string; subtitle?: string | null }>
  labelIds: string[]
  /** Ids of the configured chronic label (by name, from the sync's label catalogue); null: none configured. */
  chronicIds: string[] | null
}

/** What an epic as read shows in onetrack's places, in the form `ownedValues` gives. */
export function ownedOnEpic(kind: EpicKind, pageUrl: string, read: OwnedRead): OwnedValues {
  const own = read.links.filter((l) => l.url === pageUrl)
  let owned: OwnedValues
  if (kind === 'projects') {
    // Duplicates read as a value no single label equals, so a rewrite removes them.
    owned = { link: own.length === 0 ? null : own.map((l) => l.label).join('\n') }
  } else {
    // Linear keeps one attachment per (issue, URL).
    const first = own[0]
    owned = { attachment: first === undefined ? null : attachmentValue(first.label, first.subtitle ?? null) }
  }
  if (read.chronicIds !== null) {
    const ids = read.chronicIds
    owned.chronic = read.labelIds.some((id) => ids.includes(id))
  }
  return owned
}
