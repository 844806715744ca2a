import type { WeeklyReport } from '../../domain/index.ts'
import { type Line, moreLine, reportView } from '../report-view.ts'
import type { ReportContext } from '../types.ts'

/**
 * The report in Markdown (CommonMark with GitHub's tables off): for `onetrack report --dry-run` and
 * the preview page. It shows what the view's budget lets through, like every channel: a report
 * read in two minutes, with "and N more" linking to the page's deferrals view.
 */
export function renderMarkdown(report: WeeklyReport, context: ReportContext): string {
  const view = reportView(report, context)
  if (view.quiet) return `${markdownLine(view.note)}\n`
  const out: string[] = [`# ${escapeMarkdown(view.title)}`, '', `_${escapeMarkdown(view.subtitle)}_`, '']
  for (const line of view.headline) out.push(`- ${markdownLine(line)}`)
  for (const section of view.sections) {
    const count = section.total === null ? '' : ` (${section.total})`
    out.push('', `## ${escapeMarkdown(section.title)}${count}`)
    for (const item of section.items) {
      // A backslash at the end of a line is a hard break that survives editors trimming spaces.
      out.push(`- ${item.lines.map(markdownLine).join('\\\n  ')}`)
    }
    if (section.more !== null) out.push(`- ${markdownLine(moreLine(section.more))}`)
    if (section.footnote !== null) out.push('', `_${escapeMarkdown(section.footnote)}_`)
  }
  out.push('', `[Open the roadmap](${view.links.roadmap}) · [All deferrals](${view.links.deferrals})`, '')
  return out.join('\n')
}

function markdownLine(line: Line): string {
  return line
    .map((span) => {
      const text = escapeMarkdown(span.text)
      const linked = span.link === undefined ? text : `[${text}](${span.link.replaceAll(')', '%29')})`
      return span.strong === true && text.trim() !== '' ? strong(linked) : linked
    })
    .join('')
}

/** Characters CommonMark would read as formatting inside running text. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`)
}

/** `**text**`, with the text's surrounding spaces outside the markers (CommonMark needs them there). */
function strong(text: string): string {
  const [, before, inner, after] = /^(\s*)(.*?)(\s*)$/s.exec(text) as RegExpExecArray
  return `${before}**${inner}**${after}`
}
