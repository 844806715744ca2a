// The public face of the channels: render a weekly report for Slack, Teams, a webhook or Markdown,
// and post it. Nothing here reads the database or the queues (src/pipeline/report.ts does).
export { type ChannelFailureDetails, failureDetails, retryAfter } from './http.ts'
export { renderMarkdown } from './markdown/render.ts'
export { createChannel } from './registry.ts'
export {
  type Line,
  moreLine,
  plainText,
  REPORT_BUDGET,
  type ReportLinks,
  type ReportView,
  reportView,
  type SectionId,
  type Span,
  type ViewItem,
  type ViewSection,
} from './report-view.ts'
export { buildChannelReport, type ChannelScope, describeScope, scopeReportInput } from './scope.ts'
export {
  renderSlackMessage,
  SLACK_LIMITS,
  SLACK_REPORT_EVENT,
  type SlackBlock,
  type SlackMessage,
} from './slack/index.ts'
export {
  type AdaptiveCard,
  renderTeamsMessage,
  TEAMS_CARD_BUDGET_BYTES,
  type TeamsMessage,
} from './teams/index.ts'
export {
  type Channel,
  type ChannelKind,
  type ChannelOptions,
  type DeliveryKey,
  deliveryKey,
  type ReportContext,
  type UnknownOutcomePolicy,
} from './types.ts'
export { renderWebhookPayload, signature, type WebhookPayload } from './webhook/index.ts'
export { isoWeekOf, isTimeZone } from './week.ts'
