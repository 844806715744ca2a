import { CREATE_ISSUE_LABEL, CREATE_PROJECT_LABEL, labelByNameQuery } from './queries.ts'
import type { Pending, WriteBackContext } from './write-back.ts'

const CHRONIC_COLOR = '#eb5757'

export type LabelNodes = { nodes: Array<{ id: string; name: string; isGroup: boolean }> }

/** The configured chronic-deferral label: looked up once per write-back, created when first needed. */
export class ChronicLabel {
  readonly #ctx: WriteBackContext
  readonly #kind: 'projects' | 'issues'
  /** undefined: not looked up yet; null: does not exist. */
  #id: string | null | undefined

  constructor(ctx: WriteBackContext, kind: 'projects' | 'issues') {
    this.#ctx = ctx
    this.#kind = kind
  }

  /** Whether this chunk needs the label and it has not been looked up yet. */
  wanted(chunk: Pending[]): boolean {
    return this.#id === undefined && chunk.some((p) => p.changes.chronic)
  }

  found(labels: LabelNodes): void {
    this.#id = labels.nodes.find((l) => !l.isGroup)?.id ?? null
    if (this.#id !== null) this.#ctx.facts.learnChronicLabels([this.#id])
  }

  /** The label's id; created when an epic needs it added and it does not exist yet. */
  async id(adding: boolean, signal: AbortSignal): Promise<string | null> {
    const name = this.#ctx.source.writeBack.chronicLabel
    if (name === undefined) return null
    if (this.#id === undefined) {
      const answer = await this.#ctx.transport.request<Record<string, LabelNodes>>(
        {
          name: 'chronic label',
          query: labelByNameQuery(this.#kind),
          variables: { label: name },
          scope: 'read',
        },
        signal,
      )
      this.found(answer.data[this.#kind === 'projects' ? 'projectLabels' : 'issueLabels'] ?? { nodes: [] })
    }
    if (this.#id === null && adding) {
      const input = { name, color: CHRONIC_COLOR, description: 'Deferred again and again (set by onetrack)' }
      const projects = this.#kind === 'projects'
      const answer = await this.#ctx.transport.request<
        Record<string, { projectLabel?: { id: string }; issueLabel?: { id: string } }>
      >(
        {
          name: 'create chronic label',
          query: projects ? CREATE_PROJECT_LABEL : CREATE_ISSUE_LABEL,
          variables: { input },
          scope: 'write',
        },
        signal,
      )
      const created = projects
        ? answer.data.projectLabelCreate?.projectLabel
        : answer.data.issueLabelCreate?.issueLabel
      this.#id = created?.id ?? null
      if (this.#id !== null) this.#ctx.facts.learnChronicLabels([this.#id])
    }
    return this.#id ?? null
  }
}
