import type { ChannelConfig } from '../../config/index.ts'
import { answerFailure, request } from '../http.ts'
import type { Channel, ChannelOptions } from '../types.ts'
import { renderTeamsMessage, type TeamsMessage } from './card.ts'

export {
  type AdaptiveCard,
  renderTeamsMessage,
  TEAMS_CARD_BUDGET_BYTES,
  type TeamsMessage,
} from './card.ts'

/**
 * Teams through a Workflows webhook. The trigger answers 202 Accepted as soon as it has the
 * request; the flow then posts the card. Nothing can read the channel back, so a post whose outcome
 * is unknown is not repeated (at most once).
 * @see https://learn.microsoft.com/en-us/connectors/teams/?tabs=text1#microsoft-teams-webhook
 */
export function teamsChannel(
  config: Extract<ChannelConfig, { kind: 'teams' }>,
  options: ChannelOptions,
): Channel<TeamsMessage> {
  const target = { channel: config.id, service: 'Teams' }
  return {
    id: config.id,
    kind: 'teams',
    onUnknownOutcome: 'give_up',
    render: renderTeamsMessage,
    async post(message) {
      const answer = await request(
        { ...target, url: config.webhookUrl.reveal() },
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) },
        options,
      )
      if (answer.status >= 200 && answer.status < 300) return
      throw answerFailure(target, answer, { explain: workflowHint })
    },
  }
}

/** Workflows (Azure Logic Apps) error bodies are `{"error": {"code", "message"}}`. */
function workflowHint(answer: string): string | undefined {
  try {
    const code = (JSON.parse(answer) as { error?: { code?: unknown } }).error?.code
    if (code === 'WorkflowNotFound' || code === 'TriggerNotFound')
      return 'the workflow was deleted or the URL is wrong: copy the URL of its "When a Teams webhook request is received" trigger again'
    if (typeof code === 'string' && code.startsWith('DirectApi'))
      return 'the URL lost its signature (sig=…) or the workflow was changed: copy the URL again'
  } catch {
    // Not JSON: the answer is quoted as it is.
  }
  return undefined
}
