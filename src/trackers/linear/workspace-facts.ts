/**
 * Ids the connector learns as it talks to Linear and needs when it cannot ask: receiving a webhook
 * is pure (no request), yet a Project event names teams and labels only by id. Whatever a sync,
 * a write-back or a credential check has seen is kept here; until then the webhook rules that need
 * an id lean towards accepting (a needless targeted sync costs one request; a missed change costs
 * a stale roadmap).
 */
export class WorkspaceFacts {
  /** Team id → key, for the configured teams. */
  readonly teamKeys = new Map<string, string>()
  /** Ids of the chronic-deferral label (project or issue label). */
  readonly chronicLabelIds = new Set<string>()

  learnTeams(nodes: Array<{ id: string; key: string }>): void {
    for (const node of nodes) this.teamKeys.set(node.id, node.key)
  }

  learnChronicLabels(ids: string[]): void {
    for (const id of ids) this.chronicLabelIds.add(id)
  }

  /** Whether the team ids are known at all (before the first request they are not). */
  knowsTeams(): boolean {
    return this.teamKeys.size > 0
  }
}
