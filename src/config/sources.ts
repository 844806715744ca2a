import Type from 'typebox'
import { Id, SecretRef } from './schema-helpers.ts'

const TrackRules = (defaultTrack: 'product' | 'technical') =>
  Type.Object(
    {
      default: Type.Enum(['product', 'technical'], { default: defaultTrack }),
      rules: Type.Array(
        Type.Object(
          {
            label: Type.Optional(Type.String({ minLength: 1 })),
            project: Type.Optional(Type.String({ minLength: 1 })),
            component: Type.Optional(Type.String({ minLength: 1 })),
            track: Type.Enum(['product', 'technical']),
          },
          { additionalProperties: false },
        ),
        { default: [] },
      ),
    },
    {
      additionalProperties: false,
      default: {},
      description: 'first matching rule wins; track is for reporting only',
    },
  )

/** Rank moves alone are written lazily: one epic moving up shifts the rank of every epic it passes. */
const RankWriteBack = {
  rankDrift: Type.Number({
    minimum: 0,
    maximum: 1,
    default: 0.1,
    description:
      'a change of rank alone is written once it exceeds this share of the written rank (at least one place); 0 writes every move',
  }),
  rankSettleHours: Type.Number({
    exclusiveMinimum: 0,
    default: 24,
    description: 'a smaller move of rank is written once the ticket was last written this many hours ago',
  }),
}

const SourceCommon = {
  id: Id('source id'),
  team: Type.Optional(
    Type.String({ minLength: 1, description: 'team of its epics when no mapping says otherwise' }),
  ),
  webhookSecret: Type.Optional(SecretRef('secret that signs this tracker’s webhooks')),
  allowUnsigned: Type.Boolean({
    default: false,
    description:
      'without a webhookSecret, take unsigned webhooks (anyone who can reach the webhook URL can queue syncs); false refuses them',
  }),
  requestsPerSecond: Type.Number({ exclusiveMinimum: 0, default: 10, description: 'request budget' }),
}

const JiraFieldRef = Type.String({
  minLength: 1,
  description: 'a custom field id (customfield_10050) or field name',
})

export const JiraSourceSchema = Type.Object(
  {
    kind: Type.Literal('jira'),
    ...SourceCommon,
    baseUrl: Type.String({ pattern: '^https?://', description: 'https://your-site.atlassian.net' }),
    email: Type.String({ minLength: 3, description: 'account the API token belongs to' }),
    apiToken: SecretRef('Jira API token'),
    jql: Type.String({ minLength: 1, description: 'which epics to sync, e.g. project in (SHOP, PAY)' }),
    fields: Type.Object(
      {
        value: Type.Optional(JiraFieldRef),
        timeCriticality: Type.Optional(JiraFieldRef),
        risk: Type.Optional(JiraFieldRef),
        effort: Type.Optional(JiraFieldRef),
        team: Type.Optional(JiraFieldRef),
        blockedBy: Type.Optional(
          Type.String({
            minLength: 1,
            description:
              'a URL, text or paragraph field (id or name) listing the URLs of items in other trackers that block the epic',
          }),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    effortFromChildren: Type.Boolean({ default: false, description: 'sum the children’s estimates' }),
    teamMap: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'team field value → team id' }),
    ),
    track: TrackRules('product'),
    timeZone: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'IANA time zone Jira reads JQL dates in; default: the account’s, from /myself',
      }),
    ),
    overlapMinutes: Type.Integer({
      minimum: 1,
      maximum: 1440,
      default: 5,
      description: 'incremental syncs re-read this much before the cursor (minute precision, index lag)',
    }),
    webhookWindowMinutes: Type.Integer({
      minimum: 1,
      maximum: 360,
      default: 30,
      description:
        'a webhook is refused unless its signed timestamp is within this many minutes of its receipt, either way (Jira delivers up to 30 minutes late)',
    }),
    blockLinkType: Type.String({
      minLength: 1,
      default: 'Blocks',
      description: 'issue link type (name or id) whose inward issue blocks an epic',
    }),
    blockerSources: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'project key → id of the source that syncs it, for blocks links across sources',
      }),
    ),
    writeBack: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        createFields: Type.Boolean({
          default: false,
          description: 'create onetrack’s custom fields if missing',
        }),
        fieldPrefix: Type.String({
          minLength: 1,
          maxLength: 40,
          default: 'onetrack',
          description: 'onetrack’s custom fields are named "<prefix> score", "<prefix> rank", …',
        }),
        bulkEdit: Type.Boolean({
          default: true,
          description: 'use bulk edit (needs Make bulk changes) when many epics get the same change',
        }),
        ...RankWriteBack,
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
)

const LinearInput = Type.Object(
  {
    labelGroup: Type.Optional(
      Type.String({ minLength: 1, description: 'a label group whose labels are numbers' }),
    ),
    priority: Type.Optional(Type.Boolean({ description: 'use Linear priority (urgent = highest)' })),
    customerRevenue: Type.Optional(Type.Boolean({ description: 'sum of requesting customers’ revenue' })),
  },
  { additionalProperties: false },
)

export const LinearSourceSchema = Type.Object(
  {
    kind: Type.Literal('linear'),
    ...SourceCommon,
    apiUrl: Type.String({ pattern: '^https?://', default: 'https://api.linear.app/graphql' }),
    apiKey: SecretRef('Linear API key'),
    teams: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description: 'Linear team keys, e.g. PLAT',
    }),
    epics: Type.Enum(['projects', 'parent-issues', 'label'], { default: 'projects' }),
    epicLabel: Type.Optional(Type.String({ minLength: 1, description: 'with epics: label' })),
    inputs: Type.Object(
      {
        value: Type.Optional(LinearInput),
        timeCriticality: Type.Optional(LinearInput),
        risk: Type.Optional(LinearInput),
        effort: Type.Optional(
          Type.Object(
            { from: Type.Enum(['scope', 'labelGroup']), labelGroup: Type.Optional(Type.String()) },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    teamMap: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'Linear team key → team id' }),
    ),
    track: TrackRules('technical'),
    dependencyLinks: Type.Object(
      {
        blockedBy: Type.Array(Type.String({ minLength: 1 }), {
          default: ['Blocked by', 'Depends on'],
          description:
            'a link (project resource link, issue attachment) whose label starts with one of these: the linked item blocks the epic',
        }),
        blocks: Type.Array(Type.String({ minLength: 1 }), {
          default: ['Blocks', 'Unblocks'],
          description: 'a link whose label starts with one of these: the epic blocks the linked item',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    writeBack: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        chronicLabel: Type.Optional(Type.String({ minLength: 1 })),
        ...RankWriteBack,
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
)

export const SourceSchemas = { jira: JiraSourceSchema, linear: LinearSourceSchema }
export const SourceSchema = Type.Union([JiraSourceSchema, LinearSourceSchema])
