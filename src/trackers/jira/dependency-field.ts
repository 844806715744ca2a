import { urlsInText } from '../item-ref.ts'

/**
 * The `fields.blockedBy` mapping: a field listing the URLs of items (usually in another tracker)
 * that block the epic. It comes with the search like every mapped field — no request per issue,
 * which is why Jira's remote links (one request per issue) are not read.
 *
 * Accepted values: a URL field or a text field (a string: every http(s) URL in it), a paragraph
 * field (an ADF document: the `href` of link marks, the `url` of inline/block/embed cards, and bare
 * URLs in its text), or a list of those.
 * @see https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/
 */
export type UrlsRead = { ok: true; urls: string[] } | { ok: false; problem: string }

export function readUrls(raw: unknown): UrlsRead {
  if (raw === null || raw === undefined) return { ok: true, urls: [] }
  const urls: string[] = []
  let text = ''
  const visit = (value: unknown): boolean => {
    if (value === null || value === undefined) return true
    if (typeof value === 'string') {
      text += ` ${value}`
      urls.push(...urlsInText(value))
      return true
    }
    if (Array.isArray(value)) return value.every(visit)
    if (typeof value === 'object' && isAdfNode(value)) {
      collectAdf(value, urls, (t) => {
        text += ` ${t}`
      })
      return true
    }
    return false
  }
  if (!visit(raw)) return { ok: false, problem: `not a URL or text field: ${shorten(JSON.stringify(raw))}` }
  const unique = [...new Set(urls)]
  if (unique.length === 0 && text.trim() !== '')
    return { ok: false, problem: `no http(s) URL in '${shorten(text.trim())}'` }
  return { ok: true, urls: unique }
}

interface AdfNode {
  type: string
  text?: unknown
  attrs?: { url?: unknown; href?: unknown }
  marks?: Array<{ type?: unknown; attrs?: { href?: unknown } }>
  content?: unknown[]
}

function isAdfNode(value: object): value is AdfNode {
  return typeof (value as { type?: unknown }).type === 'string'
}

const CARDS = new Set(['inlineCard', 'blockCard', 'embedCard'])

function collectAdf(node: AdfNode, urls: string[], onText: (text: string) => void): void {
  if (CARDS.has(node.type) && typeof node.attrs?.url === 'string') urls.push(node.attrs.url)
  if (node.type === 'text' && typeof node.text === 'string') {
    const linked = (node.marks ?? []).filter((m) => m.type === 'link' && typeof m.attrs?.href === 'string')
    for (const mark of linked) urls.push(mark.attrs?.href as string)
    // Linked text is the link's caption ("the failover project"), not a missing URL.
    if (linked.length === 0) {
      onText(node.text)
      urls.push(...urlsInText(node.text))
    }
  }
  for (const child of Array.isArray(node.content) ? node.content : []) {
    if (typeof child === 'object' && child !== null && isAdfNode(child)) collectAdf(child, urls, onText)
  }
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text
}
