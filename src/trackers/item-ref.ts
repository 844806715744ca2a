import type { ReferencedEpic, SyncedEpic } from './types.ts'

/**
 * Canonical references to tracker items, from their URLs: the key that lets a link written in one
 * tracker ("Blocked by https://linear.app/acme/project/…") find an epic synced from another. Both
 * sides go through this one function — the epic's own URL as its connector stores it, and the URL
 * a person pasted — so any two URLs of the same item must give the same reference:
 *
 * - Jira: `…/browse/KEY-1`, `…?selectedIssue=KEY-1` (boards, backlogs) and `…/jira/…/issues/KEY-1`
 *   → `jira:<host>:KEY-1` (host lower-cased, port kept; key upper-cased). A moved issue gets a new
 *   key: links to its old key stop resolving (and say so).
 * - Linear project: `…/<ws>/project/<slug>-<slugId>[/…]` → `linear:<ws>:project:<slugId>`: the
 *   trailing id survives renames, which change the slug.
 * - Linear issue: `…/<ws>/issue/<IDENT>[/…]` → `linear:<ws>:issue:<IDENT>`.
 *   Linear shapes are recognised by their path, on any host; on a host other than linear.app (a
 *   simulator, a proxy) the host is kept: `linear:<host>/<ws>:project:<slugId>`.
 * - Anything else: the URL normalised (scheme and host lower-cased, no query, no fragment, no
 *   trailing slash); text that is not a URL, trimmed.
 */

const JIRA_KEY = /^[A-Za-z][A-Za-z0-9_]*-\d+$/
const LINEAR_IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*-\d+$/
const LINEAR_HOST = 'linear.app'

export function itemRef(url: string): string {
  const text = url.trim()
  let parsed: URL
  try {
    parsed = new URL(text)
  } catch {
    return text
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return text
  const host = parsed.host.toLowerCase()
  const segments = parsed.pathname
    .split('/')
    .filter((s) => s !== '')
    .map((s) => safeDecode(s))

  const jiraKey = jiraKeyOf(parsed, segments)
  if (jiraKey !== null) return `jira:${host}:${jiraKey.toUpperCase()}`

  const [ws, kind, id] = segments
  if (ws !== undefined && id !== undefined) {
    const space = host === LINEAR_HOST ? ws.toLowerCase() : `${host}/${ws.toLowerCase()}`
    if (kind === 'project') {
      const slugId = id.slice(id.lastIndexOf('-') + 1).toLowerCase()
      if (slugId !== '') return `linear:${space}:project:${slugId}`
    }
    if (kind === 'issue' && LINEAR_IDENTIFIER.test(id)) return `linear:${space}:issue:${id.toUpperCase()}`
  }

  const path = parsed.pathname.replace(/\/+$/, '')
  return `${parsed.protocol}//${host}${path}`
}

function jiraKeyOf(url: URL, segments: string[]): string | null {
  const browse = segments.indexOf('browse')
  const browsed = browse === -1 ? undefined : segments[browse + 1]
  if (browsed !== undefined && JIRA_KEY.test(browsed)) return browsed
  const selected = url.searchParams.get('selectedIssue')
  if (selected !== null && JIRA_KEY.test(selected)) return selected
  if (segments[0] === 'jira') {
    const issues = segments.lastIndexOf('issues')
    const key = issues === -1 ? undefined : segments[issues + 1]
    if (key !== undefined && JIRA_KEY.test(key)) return key
  }
  return null
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/**
 * The URLs in a piece of text (a Jira text field, a pasted list): http(s) URLs up to whitespace or
 * a closing bracket or quote, without the sentence punctuation that often follows them.
 */
export function urlsInText(text: string): string[] {
  const found: string[] = []
  for (const match of text.matchAll(/https?:\/\/[^\s<>"'`()[\]{}]+/gi)) {
    const url = match[0].replace(/[.,;:!?]+$/, '')
    if (url.length > 'https://'.length) found.push(url)
  }
  return found
}

/** The epic with the references the store matches declared links by: its own, and each link's. */
export function withItemRefs(epic: SyncedEpic): ReferencedEpic {
  return {
    ...epic,
    itemRef: itemRef(epic.url),
    links: epic.links.map((link) => ({ ...link, ref: itemRef(link.url) })),
  }
}
