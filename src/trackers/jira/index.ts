import type { ConnectorDeps, TrackerConnector } from '../types.ts'
import { checkJiraCredentials } from './credentials.ts'
import { JiraTransport } from './http.ts'
import { MetadataCache } from './metadata.ts'
import { type JiraConnectorOptions, resolveOptions } from './options.ts'
import { jiraValues, OwnFields } from './own-fields.ts'
import type { JiraSource } from './source.ts'
import { runSync } from './sync.ts'
import { receiveJiraWebhook, screenJiraWebhook } from './webhook.ts'
import { runWriteBack } from './write-back.ts'

export type { JiraConnectorOptions } from './options.ts'
export { OWN_FIELDS, ownFieldName } from './own-fields.ts'
export type { JiraSource } from './source.ts'

/**
 * The Jira Cloud connector of one source: its requests share one budget (requestsPerSecond), and
 * what it learns about the site (time zone, epic types, fields, onetrack's own field ids) is kept
 * between calls, so make one per source and keep it.
 */
export function createJiraConnector(
  source: JiraSource,
  deps: ConnectorDeps,
  options: JiraConnectorOptions = {},
): TrackerConnector {
  const resolved = resolveOptions(options)
  const logger = deps.logger.child({ component: 'jira' })
  const transport = new JiraTransport(source, logger, resolved)
  const metadata = new MetadataCache(transport, source, logger, resolved)
  const ownFields = new OwnFields(transport, source, logger, () => metadata.peek()?.fields ?? null)
  const ownFieldNames = new Set(Object.values(ownFields.names()).map((n) => n.toLowerCase()))
  const bulk = { refused: false }

  return {
    sourceId: source.id,
    kind: 'jira',
    checkCredentials: (signal) => checkJiraCredentials(transport, source, signal),
    sync: (request, onPage) => runSync({ source, transport, metadata, ownFields, logger }, request, onPage),
    writeBack: (items, signal, onWritten) =>
      runWriteBack(
        { source, transport, ownFields, logger, options: resolved, bulk, onWritten },
        items,
        signal,
      ),
    ownedValues: (_epicId, values) => jiraValues(values),
    screenWebhook: (headers) => screenJiraWebhook(source, headers),
    receiveWebhook: (delivery) =>
      receiveJiraWebhook(delivery, {
        source,
        ownFieldNames,
        ownFieldIds: () => new Set(Object.values(ownFields.knownIds() ?? {})),
        epicTypeIds: () => {
          const known = metadata.peek()
          return known === null ? null : new Set(known.epicTypeIds)
        },
      }),
    requestCount: () => transport.requestCount(),
  }
}
