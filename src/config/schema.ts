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
        description:
          "who signs off this team's deferrals (team owners): token names, people's names or emails, or group:<name>",
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
        'who owns the whole roadmap (besides every owner-role token or person): token names, people’s names or emails, or group:<name>; they sign off deferrals and approve versions',
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

const Role = (description: string) =>
  Type.Enum(['owner', 'editor', 'viewer'], { default: 'editor', description })

const SlackUserId = Type.String({
  pattern: '^[UW][A-Z0-9]{2,}$',
  description: 'the Slack user id (U…) of this person, for the report buttons',
})

/** A person the identity provider signs in (or Slack names), by email. */
export const PersonSchema = Type.Object(
  {
    email: Type.String({
      pattern: '^[^@\\s]+@[^@\\s]+$',
      description: "the person's email, as the identity provider's `email` claim and Slack's profile give it",
    }),
    name: Type.Optional(
      Type.String({
        minLength: 1,
        description: "how the page and the log name them (default: the provider's name)",
      }),
    ),
    role: Role('what they may do: viewer reads, editor records overrides, owner decides everything'),
    slackUserId: Type.Optional(SlackUserId),
  },
  { additionalProperties: false },
)

/** Everyone in an identity provider group gets at least this role. */
export const GroupRoleSchema = Type.Object(
  {
    group: Type.String({ minLength: 1, description: "a value of the provider's groups claim" }),
    role: Role('the role of everyone in the group'),
  },
  { additionalProperties: false },
)

export const OidcSchema = Type.Object(
  {
    issuer: Type.String({
      pattern: '^https?://[^\\s]+$',
      description: 'the OpenID provider’s issuer URL; its /.well-known/openid-configuration is read at start',
    }),
    clientId: Type.String({ minLength: 1 }),
    clientSecret: SecretRef('OpenID client secret'),
    scopes: Type.Array(Type.String({ pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' }), {
      default: ['openid', 'email', 'profile'],
      description: 'scopes asked for; openid is always added',
    }),
    redirectUrl: Type.String({
      pattern: '^https?://[^\\s]+$',
      description: 'onetrack’s callback as registered with the provider: <publicUrl>/auth/callback',
    }),
    groupsClaim: Type.String({
      minLength: 1,
      default: 'groups',
      description: 'the claim that lists the person’s groups (for auth.groups and group: owners)',
    }),
    unmapped: Type.Enum(['viewer', 'refuse'], {
      default: 'viewer',
      description: 'someone who signs in but matches no person, group or owner list: a viewer, or refused',
    }),
  },
  { additionalProperties: false },
)

export const SessionSchema = Type.Object(
  {
    secret: Type.Optional(SecretRef('the key that signs session and CSRF cookies (32+ characters)')),
    idleMinutes: Type.Integer({
      minimum: 5,
      maximum: 10_080,
      default: 480,
      description: 'a session unused this long ends',
    }),
    absoluteHours: Type.Integer({
      minimum: 1,
      maximum: 720,
      default: 24,
      description: 'a session ends this long after sign-in, however much it is used',
    }),
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
          slackUserId: Type.Optional(SlackUserId),
        },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
    people: Type.Array(PersonSchema, {
      default: [],
      description: 'people by email: their role, and their Slack user id when Slack should not be asked',
    }),
    groups: Type.Array(GroupRoleSchema, { default: [] }),
    oidc: Type.Optional(OidcSchema),
    session: SessionSchema,
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
