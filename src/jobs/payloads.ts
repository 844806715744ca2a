import Type, { type Static } from 'typebox'

/**
 * One schema per queue: it gives the payload's type, validates it when enqueued and again when a
 * worker picks it up (a payload from an older release fails clearly instead of half-running).
 * Payloads carry ids only, never secrets or whole tracker payloads.
 */
export const JobPayloadSchemas = {
  sync: Type.Object(
    {
      sourceId: Type.String({ minLength: 1 }),
      mode: Type.Enum(['full', 'incremental', 'epic']),
      /** With mode 'epic': the tracker's id of the one epic to fetch. */
      externalId: Type.Optional(Type.String({ minLength: 1 })),
      reason: Type.Enum(['webhook', 'schedule', 'manual']),
      deliveryId: Type.Optional(Type.String()),
    },
    { additionalProperties: false },
  ),
  build: Type.Object(
    {
      trigger: Type.String({ minLength: 1, description: 'what asked for the build, e.g. sync:jira-shop' }),
      requestedAt: Type.Optional(Type.String({ format: 'date-time' })),
    },
    { additionalProperties: false },
  ),
  writeback: Type.Object(
    { sourceId: Type.String({ minLength: 1 }), versionId: Type.Integer({ minimum: 1 }) },
    { additionalProperties: false },
  ),
  report: Type.Object(
    {
      channelId: Type.String({ minLength: 1 }),
      /** ISO week the report is for; a scheduled job leaves it out and the week is taken when it runs. */
      week: Type.Optional(Type.String({ pattern: '^[0-9]{4}-W[0-9]{2}$' })),
    },
    { additionalProperties: false },
  ),
}

export type JobName = keyof typeof JobPayloadSchemas
export type JobPayload<N extends JobName> = Static<(typeof JobPayloadSchemas)[N]>
export const jobNames = Object.keys(JobPayloadSchemas) as JobName[]
