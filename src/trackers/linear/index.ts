import { isOnetrackError } from '../../errors.ts'
import type { ConnectorDeps, CredentialCheck, TrackerConnector } from '../types.ts'
import { ownedValues } from './owned.ts'
import { CHECK_QUERY } from './queries.ts'
import { DEFAULT_TUNING, type LinearSourceConfig, type LinearTuning } from './settings.ts'
import { syncEpics } from './sync.ts'
import { LinearTransport } from './transport.ts'
import { receiveLinearWebhook, screenLinearWebhook } from './webhook.ts'
import { WorkspaceFacts } from './workspace-facts.ts'
import { writeBack } from './write-back.ts'

export { DEFAULT_TUNING, type LinearSourceConfig, type LinearTuning } from './settings.ts'

/**
 * The Linear connector: epics are the configured teams' projects (or parent issues, or issues with
 * a label), read with the connector's own minimal GraphQL selections through @linear/sdk's client;
 * onetrack's values are written back as one resource link per project (one attachment per issue)
 * and an optional chronic-deferral label; webhooks are verified with the SDK's webhook client.
 *
 * `tuning` changes retry and pacing limits (tests shorten the waits); the defaults suit production.
 */
export function createLinearConnector(
  source: LinearSourceConfig,
  deps: ConnectorDeps,
  tuning: Partial<LinearTuning> = {},
): TrackerConnector {
  const settings: LinearTuning = { ...DEFAULT_TUNING, ...tuning }
  const logger = deps.logger.child({ tracker: 'linear' })
  const facts = new WorkspaceFacts()
  const transport = new LinearTransport({
    apiKey: source.apiKey.reveal(),
    apiUrl: source.apiUrl,
    sourceId: source.id,
    requestsPerSecond: source.requestsPerSecond,
    tuning: settings,
    logger,
  })
  const ctx = { source, transport, facts, tuning: settings, logger, publicUrl: deps.publicUrl }
  const routing = { source, facts, publicUrl: deps.publicUrl }

  return {
    sourceId: source.id,
    kind: 'linear',

    async checkCredentials(signal): Promise<CredentialCheck> {
      try {
        const answer = await transport.request<{
          viewer: { id: string; name: string; email: string }
          teams: { nodes: Array<{ id: string; key: string; name: string }> }
        }>(
          {
            name: 'credential check',
            query: CHECK_QUERY,
            variables: { teams: source.teams, teamCount: source.teams.length },
            scope: 'read',
          },
          signal,
        )
        const { viewer, teams } = answer.data
        facts.learnTeams(teams.nodes)
        const missing = source.teams.filter((key) => !teams.nodes.some((t) => t.key === key))
        const who = `authenticated as ${viewer.name} (${viewer.email})`
        if (missing.length > 0) {
          return {
            ok: false,
            detail: `${who}, but these teams do not exist or the key cannot see them: ${missing.join(', ')}`,
          }
        }
        const secret =
          source.webhookSecret !== undefined
            ? ''
            : source.allowUnsigned
              ? '; no webhookSecret: webhooks are taken unsigned (allowUnsigned)'
              : '; no webhookSecret, so webhooks are refused'
        return {
          ok: true,
          detail: `${who}; teams ${source.teams.join(', ')} readable; the write scope is checked by the first write-back${secret}`,
        }
      } catch (error) {
        if (isOnetrackError(error)) return { ok: false, detail: error.message }
        throw error
      }
    },

    sync: (request, onPage) => syncEpics(ctx, request, onPage),

    writeBack: (items, signal, onWritten) => writeBack(ctx, items, signal, onWritten),

    ownedValues: (_epicId, values) =>
      ownedValues(source.epics === 'projects' ? 'projects' : 'issues', values, source.writeBack.chronicLabel),

    screenWebhook: (headers) => screenLinearWebhook(source, headers),

    receiveWebhook(delivery) {
      try {
        return receiveLinearWebhook(routing, delivery)
      } catch (error) {
        logger.warn({ err: error }, 'unreadable Linear webhook delivery')
        return { status: 'rejected', kind: 'malformed', reason: 'the delivery could not be read' }
      }
    },

    requestCount: () => transport.requestCount(),
  }
}
