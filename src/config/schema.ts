import Type, { type Static } from 'typebox'
import { Id, SecretRef } from './schema-helpers.ts'
import type { SourceSchema } from './sources.ts'

const Weight = (description: string) => Type.Number({ minimum: 0, default: 1, description })

const QuarterId = Type.String({ pattern: '^[0-9]{4}-Q[1-4]$', description: 'a quarter such as 2027-Q1' })
const IsoDate = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'a date as YYYY-MM-DD' })

export const PeriodsSchema = Type.Object(
  {
    quarters: Type.Optional(
      Type.Object(
        { start: QuarterId, count: Type.Integer({ minimum: 1, maximum: 40 }) },
        { additionalProperties: false },
      ),
    ),
    list: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Type.String({ minLength: 1, maxLength: 40 }),
            name: Type.Optional(Type.String({ minLength: 1 })),
            start: IsoDate,
            end: IsoDate,
          },
          { additionalProperties: false },
        ),
        { minItems: 1 },
      ),
    ),
  },
  { additionalProperties: false, description: 'either quarters: {start, count} or list: [{id, start, end}]' },
)

export const TeamSchema = Type.Object(
  {
    id: Id('team id'),
    name: Type.Optional(Type.String({ minLength: 1 })),
    capacity: Type.Number({ minimum: 0, description: 'effort units the team can deliver per period' }),
    capacityByPeriod: Type.Optional(
      Type.Record(Type.String(), Type.Number({ minimum: 0 }), {
        description: 'period id → capacity, for holidays, hiring or a capacity cut',
      }),
    ),
    owners: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description: "names of auth.tokens who sign off this team's deferrals (team owners)",
      }),
    ),
  },
  { additionalProperties: false },
)

export const ScoringSchema = Type.Object(
  {
    weights: Type.Object(
      {
        value: Weight('business outcome'),
        timeCriticality: Weight('how fast the value decays'),
        risk: Weight('risk reduction / opportunity enablement'),
        enablement: Weight('value of what the epic unblocks'),
      },
      { additionalProperties: false, default: {} },
    ),
    enablementDecay: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.5 }),
    riskInterest: Type.Number({ minimum: 0, maximum: 10, default: 0.25 }),
    minEffort: Type.Number({ exclusiveMinimum: 0, default: 1 }),
  },
  { additionalProperties: false, default: {} },
)

export const RoadmapSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, default: 'Roadmap' }),
    periods: PeriodsSchema,
    teams: Type.Array(TeamSchema, { minItems: 1 }),
    keepInProgress: Type.Boolean({ default: true }),
    commitHorizon: Type.Integer({
      minimum: 0,
      maximum: 8,
      default: 1,
      description:
        'periods after the current one that each period start commits: only committed work can be deferred',
    }),
    scoring: ScoringSchema,
    costOfDelayUnit: Type.String({ minLength: 1, default: 'points', description: 'e.g. points or EUR k' }),
    chronicDeferralThreshold: Type.Integer({ minimum: 1, default: 3 }),
    owners: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description:
        'names of auth.tokens who own the whole roadmap (besides every owner-role token): they sign off deferrals and approve versions',
    }),
    publish: Type.Enum(['auto', 'on-approval'], {
      default: 'auto',
      description:
        'auto: every build is written back; on-approval: a build is a proposed version, written back once an owner approves it',
    }),
  },
  { additionalProperties: false },
)

const Schedule = Type.Object(
  {
    cron: Type.String({ minLength: 9, default: '0 9 * * 1', description: 'five-field cron expression' }),
    timezone: Type.String({
      minLength: 1,
      default: 'UTC',
      description: 'IANA time zone, e.g. Europe/Berlin',
    }),
  },
  { additionalProperties: false, default: {} },
)

const ChannelCommon = {
  id: Id('channel id'),
  schedule: Schedule,
  scope: Type.Object(
    {
      teams: Type.Optional(Type.Array(Type.String())),
      sources: Type.Optional(Type.Array(Type.String())),
      track: Type.Optional(Type.Enum(['product', 'technical'])),
    },
    { additionalProperties: false, default: {} },
  ),
  chronicDeferralThreshold: Type.Optional(Type.Integer({ minimum: 1 })),
  minCostOfDelay: Type.Number({ minimum: 0, default: 0 }),
  quietWeek: Type.Enum(['note', 'silent'], { default: 'note' }),
}

export const ChannelSchemas = {
  slack: Type.Object(
    {
      kind: Type.Literal('slack'),
      ...ChannelCommon,
      webhookUrl: Type.Optional(SecretRef('Slack incoming webhook URL')),
      botToken: Type.Optional(SecretRef('Slack bot token (xoxb-…), used with channel')),
      channel: Type.Optional(Type.String({ minLength: 1 })),
      signingSecret: Type.Optional(
        SecretRef(
          'Slack app signing secret: turns on the report buttons, answered at POST /slack/interactions (bot channels only)',
        ),
      ),
    },
    { additionalProperties: false },
  ),
  teams: Type.Object(
    { kind: Type.Literal('teams'), ...ChannelCommon, webhookUrl: SecretRef('Teams Workflows webhook URL') },
    { additionalProperties: false },
  ),
  webhook: Type.Object(
    {
      kind: Type.Literal('webhook'),
      ...ChannelCommon,
      url: SecretRef('URL that receives the report as JSON'),
      signingSecret: Type.Optional(SecretRef('HMAC-SHA256 key for the X-Onetrack-Signature header')),
    },
    { additionalProperties: false },
  ),
}

export const ServerSchema = Type.Object(
  {
    publicUrl: Type.String({
      pattern: '^https?://',
      default: 'http://localhost:3000',
      description: 'where people reach onetrack; used in links written to tickets and reports',
    }),
    bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 10_485_760, default: 1_048_576 }),
    webhookRateLimit: Type.Object(
      {
        max: Type.Integer({
          minimum: 1,
          default: 60_000,
          description:
            'verified webhook deliveries accepted per source in each window; more are answered 429 (the echoes of onetrack’s own writes count too)',
        }),
        windowSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 60 }),
        unverifiedPerAddress: Type.Integer({
          minimum: 1,
          default: 600,
          description:
            'webhook requests that fail authentication (no such source, no or a wrong signature) answered 401 or 404 per client address in each window; more are answered 429',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
)

export const AuthSchema = Type.Object(
  {
    tokens: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, description: 'the person or system that uses the token' }),
          token: SecretRef('bearer token'),
          role: Type.Enum(['owner', 'editor', 'viewer'], { default: 'editor' }),
          slackUserId: Type.Optional(
            Type.String({
              pattern: '^[UW][A-Z0-9]{2,}$',
              description: 'the Slack user id (U…) of this person, for the report buttons',
            }),
          ),
        },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
    protectReads: Type.Boolean({ default: false, description: 'require a token on read endpoints too' }),
  },
  { additionalProperties: false, default: {} },
)

export const SyncScheduleSchema = Type.Object(
  {
    incrementalEveryMinutes: Type.Integer({
      minimum: 1,
      maximum: 1440,
      default: 5,
      description: 'every source is synced incrementally this often, so a lost webhook heals by itself',
    }),
    fullCron: Type.String({
      minLength: 9,
      default: '0 3 * * *',
      description: 'when every source is synced in full (deletions, moves, links)',
    }),
    rolloverCron: Type.String({
      minLength: 9,
      default: '10 0 * * *',
      description: 'when a build runs to notice periods that ended',
    }),
    timezone: Type.String({ minLength: 1, default: 'UTC' }),
  },
  { additionalProperties: false, default: {} },
)

/** The top level; `sources` and `channels` are validated per kind by the loader for precise messages. */
export const ConfigFileSchema = Type.Object(
  {
    server: ServerSchema,
    auth: AuthSchema,
    roadmap: RoadmapSchema,
    sync: SyncScheduleSchema,
    sources: Type.Array(Type.Object({ kind: Type.Enum(['jira', 'linear']) }), { default: [] }),
    channels: Type.Array(Type.Object({ kind: Type.Enum(['slack', 'teams', 'webhook']) }), { default: [] }),
  },
  { additionalProperties: false },
)

export type RoadmapConfig = Static<typeof RoadmapSchema>
export type TeamConfig = Static<typeof TeamSchema>
export type SourceConfig = Static<typeof SourceSchema>
export type ChannelConfig = {
  [K in keyof typeof ChannelSchemas]: Static<(typeof ChannelSchemas)[K]>
}[keyof typeof ChannelSchemas]
export type AuthConfig = Static<typeof AuthSchema>
export type ServerConfig = Static<typeof ServerSchema>

export interface OnetrackConfig {
  /** Absolute path of the file it was read from. */
  path: string
  /** sha256 of the file's text: recorded with each roadmap version. */
  hash: string
  server: ServerConfig
  auth: AuthConfig
  roadmap: RoadmapConfig
  sync: Static<typeof SyncScheduleSchema>
  sources: SourceConfig[]
  channels: ChannelConfig[]
}
