import type { LinearWorkspace } from './workspace.ts'

/** Derived one-to-many lookups, rebuilt whenever the workspace changed since the last request. */
const indexCache = new WeakMap<
  LinearWorkspace,
  { version: number; maps: Map<string, Map<string, object[]>> }
>()

function grouped<T extends object>(
  ws: LinearWorkspace,
  name: string,
  items: () => Iterable<T>,
  keyOf: (item: T) => string | null,
): Map<string, T[]> {
  let cache = indexCache.get(ws)
  if (cache === undefined || cache.version !== ws.version) {
    cache = { version: ws.version, maps: new Map() }
    indexCache.set(ws, cache)
  }
  let map = cache.maps.get(name) as Map<string, T[]> | undefined
  if (map === undefined) {
    map = new Map()
    for (const item of items()) {
      const key = keyOf(item)
      if (key === null) continue
      const list = map.get(key)
      if (list === undefined) map.set(key, [item])
      else list.push(item)
    }
    cache.maps.set(name, map as Map<string, object[]>)
  }
  return map
}

export const by = {
  relationsFrom: (ws: LinearWorkspace) =>
    grouped(
      ws,
      'projectRelationsFrom',
      () => ws.projectRelations.values(),
      (r) => r.projectId,
    ),
  relationsTo: (ws: LinearWorkspace) =>
    grouped(
      ws,
      'projectRelationsTo',
      () => ws.projectRelations.values(),
      (r) => r.relatedProjectId,
    ),
  issueRelationsFrom: (ws: LinearWorkspace) =>
    grouped(
      ws,
      'issueRelationsFrom',
      () => ws.issueRelations.values(),
      (r) => r.issueId,
    ),
  issueRelationsTo: (ws: LinearWorkspace) =>
    grouped(
      ws,
      'issueRelationsTo',
      () => ws.issueRelations.values(),
      (r) => r.relatedIssueId,
    ),
  issuesOfProject: (ws: LinearWorkspace) =>
    grouped(
      ws,
      'issuesOfProject',
      () => ws.issues.values(),
      (i) => i.projectId,
    ),
  childrenOf: (ws: LinearWorkspace) =>
    grouped(
      ws,
      'childrenOf',
      () => ws.issues.values(),
      (i) => i.parentId,
    ),
  needsOfProject: (ws: LinearWorkspace) =>
    grouped(
      ws,
      'needsOfProject',
      () => ws.customerNeeds.values(),
      (n) => n.projectId,
    ),
  needsOfIssue: (ws: LinearWorkspace) =>
    grouped(
      ws,
      'needsOfIssue',
      () => ws.customerNeeds.values(),
      (n) => n.issueId,
    ),
  linksOfProject: (ws: LinearWorkspace) =>
    grouped(
      ws,
      'linksOfProject',
      () => ws.externalLinks.values(),
      (l) => l.projectId,
    ),
  attachmentsOfIssue: (ws: LinearWorkspace) =>
    grouped(
      ws,
      'attachmentsOfIssue',
      () => ws.attachments.values(),
      (a) => a.issueId,
    ),
}
