import type { DependencyLink } from '../types.ts'
import type { LinearSourceConfig } from './settings.ts'

/**
 * Dependencies declared in Linear by link: a project's resource links (an issue epic's attachments)
 * whose label starts with a configured prefix — "Blocked by …" / "Depends on …": the linked item
 * blocks the epic; "Blocks …" / "Unblocks …": the epic blocks it. The prefix must end a word
 * ("Blocks" does not match "Blockchain notes"); the longest matching prefix wins. Every other link
 * is ignored, and so is any link into onetrack itself (its write-back link), whatever its label.
 */
export function dependencyLinks(
  links: Array<{ label: string; url: string }>,
  config: LinearSourceConfig['dependencyLinks'],
  publicUrl: string | undefined,
): DependencyLink[] {
  const own = publicUrl === undefined || publicUrl === '' ? null : publicUrl.replace(/\/+$/, '')
  const prefixes = [
    ...config.blockedBy.map((prefix) => ({ prefix, relation: 'blocked_by' as const })),
    ...config.blocks.map((prefix) => ({ prefix, relation: 'blocks' as const })),
  ].sort((a, b) => b.prefix.length - a.prefix.length)
  const found = new Map<string, DependencyLink>()
  for (const link of links) {
    const url = link.url.trim()
    if (url === '' || (own !== null && (url === own || url.startsWith(`${own}/`)))) continue
    const label = link.label.trim().toLowerCase()
    const match = prefixes.find(({ prefix }) => startsWord(label, prefix.trim().toLowerCase()))
    if (match === undefined) continue
    found.set(`${match.relation} ${url}`, { url, relation: match.relation })
  }
  return [...found.values()]
}

function startsWord(label: string, prefix: string): boolean {
  if (prefix === '' || !label.startsWith(prefix)) return false
  const next = label.charAt(prefix.length)
  return next === '' || !/[\p{L}\p{N}]/u.test(next)
}

/** Whether the source reads dependency links at all (both prefix lists emptied: no). */
export function readsDependencyLinks(source: LinearSourceConfig): boolean {
  return source.dependencyLinks.blockedBy.length + source.dependencyLinks.blocks.length > 0
}
