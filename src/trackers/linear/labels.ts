/**
 * The workspace's labels by id, read once per sync: epics carry only `labelIds`, which is far
 * cheaper per page than each epic's label objects. A label in a group ("Value" › "8") is how Linear
 * expresses a field with a fixed set of values, so groups whose labels are numbers serve as inputs.
 *
 * @see https://linear.app/docs/labels#label-groups
 */
export interface LabelNode {
  id: string
  name: string
  isGroup: boolean
  parent: { id: string; name: string } | null
}

export interface Label {
  id: string
  name: string
  /** The group's name, for a label inside a group. */
  group: string | null
}

export class LabelCatalog {
  readonly #labels = new Map<string, Label>()
  readonly #groups = new Set<string>()

  add(nodes: LabelNode[]): void {
    for (const node of nodes) {
      if (node.isGroup) {
        this.#groups.add(fold(node.name))
        continue
      }
      this.#labels.set(node.id, { id: node.id, name: node.name, group: node.parent?.name ?? null })
      if (node.parent !== null) this.#groups.add(fold(node.parent.name))
    }
  }

  /** The applied (non-group) labels among these ids; unknown ids are skipped. */
  labelsOf(ids: string[]): Label[] {
    return ids.flatMap((id) => {
      const label = this.#labels.get(id)
      return label === undefined ? [] : [label]
    })
  }

  hasGroup(name: string): boolean {
    return this.#groups.has(fold(name))
  }

  /** Ids of labels with this name, in any group or none (the chronic label, for own-write checks). */
  idsNamed(name: string): string[] {
    return [...this.#labels.values()].filter((l) => fold(l.name) === fold(name)).map((l) => l.id)
  }
}

/** Linear compares label names without regard to case; so does onetrack's config. */
export function fold(name: string): string {
  return name.trim().toLowerCase()
}

/**
 * A label's number: its leading number ("8", "13 (large)", "2.5"), or null when it has none —
 * a group's labels are meant to be numbers; anything else is reported, never read as 0.
 */
export function labelNumber(name: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)(?:\s|$|[^\d.])/.exec(name)
  return match === null ? null : Number(match[1])
}
