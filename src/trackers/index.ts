import type { SourceConfig } from '../config/index.ts'
import { OnetrackError } from '../errors.ts'
import { createJiraConnector } from './jira/index.ts'
import { createLinearConnector } from './linear/index.ts'
import type { ConnectorDeps, TrackerConnector } from './types.ts'

export { withItemRefs } from './item-ref.ts'
export type * from './types.ts'

/** The connector for a source's kind: adding a tracker adds a folder and a line here. */
export function createConnector(source: SourceConfig, deps: ConnectorDeps): TrackerConnector {
  switch (source.kind) {
    case 'jira':
      return createJiraConnector(source, deps)
    case 'linear':
      return createLinearConnector(source, deps)
  }
}

/**
 * One connector per configured source, made on first use and kept: it carries the source's request
 * budget, which must be shared by every job of the process.
 */
export function connectorRegistry(
  sources: SourceConfig[],
  deps: ConnectorDeps,
): (sourceId: string) => TrackerConnector {
  const made = new Map<string, TrackerConnector>()
  return (sourceId) => {
    const existing = made.get(sourceId)
    if (existing !== undefined) return existing
    const source = sources.find((s) => s.id === sourceId)
    if (source === undefined)
      throw new OnetrackError('ONETRACK_JOB_INVALID', `source ${sourceId} is not in the config`)
    const connector = createConnector(source, { ...deps, logger: deps.logger.child({ source: sourceId }) })
    made.set(sourceId, connector)
    return connector
  }
}
