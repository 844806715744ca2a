import Type, { type TProperties, type TSchema } from 'typebox'

/**
 * The REST API's response shapes, documented in the OpenAPI document, and the kinds of string and
 * id its requests carry. Domain objects (entries, events, overrides) are open objects: a field the
 * domain adds later is served as is rather than silently dropped by the serializer.
 */

export const Nullable = <T extends TSchema>(type: T) => Type.Union([type, Type.Null()])

/**
 * What a request may carry, checked by the route schema so a bad value is a 400 before any lookup:
 * Postgres refuses NUL in text, an id column is a 32-bit integer, and no id, name or filter has a
 * control character in it.
 */
export const MAX_ROW_ID = 2_147_483_647
/** No C0 control character (NUL included) and no DEL. */
export const SINGLE_LINE = '^[^\\u0000-\\u001F\\u007F]*$'
/** Tab, line feed and carriage return allowed; every other C0 control character and DEL refused. */
export const MULTI_LINE = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$'

/** A page cursor as this API gives them out: base64url. */
const CURSOR = '^[A-Za-z0-9_-]*$'

/** The words a 400 uses for a string that breaks one of the patterns above. */
export const patternMessages: Readonly<Record<string, string>> = {
  [SINGLE_LINE]: 'must not contain NUL or other control characters',
  [MULTI_LINE]: 'must not contain NUL or control characters other than tab and line breaks',
  [CURSOR]: 'is not a cursor this API gave out',
}

interface TextOptions {
  description?: string
  minLength?: number
  maxLength?: number
}

/** An id, a name or a filter: one line, no control characters, at most 256 characters unless given. */
export const Text = (options: TextOptions = {}) =>
  Type.String({ maxLength: 256, ...options, pattern: SINGLE_LINE })

/** Free text written by a person (a reason, a rationale, a note): lines and tabs allowed, nothing else below space. */
export const FreeText = (options: TextOptions & { description: string }) =>
  Type.String({
    ...options,
    description: `${options.description}; tab and line breaks allowed, no other control character (NUL included)`,
    pattern: MULTI_LINE,
  })

/** `nextCursor` of the previous page, passed back unread. */
export const Cursor = () =>
  Type.String({ maxLength: 1024, pattern: CURSOR, description: 'nextCursor of the previous page' })

/** A row id of an integer column: 1 to 2^31 − 1. */
export const RowId = (options: { description?: string } = {}) =>
  Type.Integer({ minimum: 1, maximum: MAX_ROW_ID, ...options })

const Open = <P extends TProperties>(properties: P, description?: string) =>
  Type.Object(properties, {
    additionalProperties: true,
    ...(description === undefined ? {} : { description }),
  })

export const Track = Type.Enum(['product', 'technical'])
export const EventKind = Type.Enum(
  ['deferred', 'rolled_over', 'replanned', 'pulled_in', 'added', 'removed', 'completed'],
  {
    description:
      'deferred and rolled_over are deferrals of committed work (counted, signed off); replanned is any other move later (uncommitted work, or a move after the deferral was recorded): in the history, never counted, never awaiting a sign-off',
  },
)
export const OverrideKind = Type.Enum(['pin', 'defer', 'exclude'])
export const PerTrack = Type.Object({ product: Type.Number(), technical: Type.Number() })

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'a stable code from docs/errors.md' }),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { description: 'the one error shape of every route' },
)

export const Period = Type.Object({
  id: Type.String(),
  name: Type.String(),
  start: Type.String({ description: 'YYYY-MM-DD' }),
  end: Type.String({ description: 'YYYY-MM-DD, exclusive' }),
})

export const TeamLoad = Type.Object({
  team: Type.String(),
  period: Type.String(),
  capacity: Type.Number(),
  planned: Type.Number(),
  overbooked: Type.Number({ description: 'planned − capacity when positive' }),
})

export const VersionMeta = Type.Object({
  id: Type.Integer(),
  trigger: Type.String({ description: 'what asked for the build, e.g. sync:jira-shop or override:<id>' }),
  configHash: Type.String(),
  builtAt: Type.String({ description: 'the build’s clock' }),
  createdAt: Type.String(),
  entryCount: Type.Integer(),
  eventCount: Type.Integer(),
  status: Type.Enum(['proposed', 'approved', 'superseded', 'published'], {
    description:
      'published: written back (auto mode, or approved and written); proposed: waiting for an owner’s approval (on-approval mode); superseded: a newer proposal replaced it; approved: its write-back is under way',
  }),
  approvedBy: Nullable(Type.String()),
  approvedAt: Nullable(Type.String()),
  approvalNote: Nullable(Type.String()),
})

const Num = Nullable(Type.Number())

const ScoreBreakdown = Open(
  {
    inputs: Open({ value: Num, timeCriticality: Num, risk: Num, effort: Num }),
    deferrals: Type.Integer(),
    riskEffective: Num,
    enablement: Open({
      total: Type.Number(),
      reach: Type.Integer(),
      contributors: Type.Array(
        Open({
          epicId: Type.String(),
          depth: Type.Integer(),
          value: Type.Number(),
          contribution: Type.Number(),
        }),
      ),
      withoutValue: Type.Integer(),
      truncated: Type.Boolean(),
    }),
    terms: Open({ value: Num, timeCriticality: Num, risk: Num, enablement: Type.Number() }),
    costOfDelay: Num,
    effortUsed: Num,
  },
  'why the epic scored what it did',
)

export const Score = Open(
  {
    status: Type.Enum(['scored', 'unscored']),
    score: Type.Optional(Type.Number({ description: 'cost of delay / effort; scored only' })),
    costOfDelay: Type.Optional(Type.Number({ description: 'per period of delay; scored only' })),
    missing: Type.Optional(Type.Array(Type.String(), { description: 'the inputs not given; unscored only' })),
    breakdown: ScoreBreakdown,
  },
  'the score with its breakdown, or unscored with the missing inputs named',
)

export const AppliedOverride = Open({
  id: Type.String(),
  kind: OverrideKind,
  period: Nullable(Type.String()),
  rationale: Type.String(),
  author: Type.String(),
})

const RoadmapEntryProperties = {
  rank: Type.Integer({ description: '1 = highest' }),
  epicId: Type.String(),
  key: Type.String(),
  title: Type.String(),
  url: Type.String(),
  source: Type.String(),
  team: Type.String(),
  track: Track,
  status: Type.Enum(['todo', 'in_progress', 'done', 'canceled']),
  effort: Num,
  blockers: Type.Array(Type.String()),
  score: Score,
  period: Nullable(Type.String({ description: 'the period it starts in; null = unplanned' })),
  spans: Type.Array(Type.Object({ period: Type.String(), effort: Type.Number() })),
  placement: Nullable(Type.Enum(['ranked', 'pinned', 'kept'])),
  unplanned: Nullable(Open({ code: Type.String() }, 'why it is not planned, as data')),
  unplannedReason: Nullable(Type.String()),
  notBefore: Nullable(Type.String()),
  boundBy: Type.Array(Type.String()),
  override: Nullable(AppliedOverride),
  warnings: Type.Array(Type.String()),
  commitment: Nullable(
    Type.String({
      description:
        'the period it is committed to by the baseline in force (where it was planned to finish at the period’s start); null = not committed (planned beyond the horizon, or added or pulled in later): only committed work can be deferred',
    }),
  ),
  pulledForwardFor: Nullable(
    Type.String({
      description:
        'placed early because it blocks this higher-ranked epic (its id), not by its own rank; null otherwise',
    }),
  ),
}

export const Entry = Open(
  {
    ...RoadmapEntryProperties,
    deferrals: Type.Integer({
      description: 'its deferral count: distinct committed periods it left unfinished (replans not counted)',
    }),
    accruedCost: Type.Number({
      description:
        'cost of delay accrued so far, in the roadmap’s unit: for every day it is late past the end of its first committed period, at the rate in force that day; never given back. 0 when it was never late',
    }),
    unacknowledged: Type.Integer({
      description: 'its deferrals (up to this version) the owner has not signed off yet',
    }),
  },
  'a roadmap entry with its deferral count and accrued cost of delay',
)

export const CommittedPeriod = Type.Object(
  {
    period: Type.String(),
    start: Type.String({ description: 'YYYY-MM-DD' }),
    end: Type.String({ description: 'YYYY-MM-DD, exclusive: accrued cost grows from this day on' }),
  },
  { description: 'the commitment a deferral breaks' },
)

export const Baseline = Type.Object(
  {
    period: Type.String({ description: 'the period whose start took it' }),
    takenAt: Type.String({ description: 'builtAt of the build that took it' }),
    periods: Type.Array(Type.String(), {
      description: 'the periods it covers: the current one and the next commitHorizon, in calendar order',
    }),
  },
  {
    description:
      'the commitment baseline in force: the plan as the first build of the current period made it',
  },
)

export const DeferralEvent = Open(
  {
    id: Type.String(),
    kind: EventKind,
    epicId: Type.String(),
    epic: Open({
      key: Type.String(),
      title: Type.String(),
      url: Type.String(),
      team: Type.String(),
      track: Track,
    }),
    at: Type.String({ description: 'builtAt of the version that recorded it' }),
    previousBuiltAt: Nullable(Type.String()),
    fromPeriod: Nullable(Type.String()),
    toPeriod: Nullable(Type.String()),
    committed: Nullable(CommittedPeriod),
    cause: Nullable(Open({ kind: Type.String() }, 'why it moved (deferrals, replans and removals)')),
    displacedBy: Type.Array(
      Open({
        epicId: Type.String(),
        key: Type.String(),
        title: Type.String(),
        rank: Type.Integer(),
        score: Num,
        pulledForwardFor: Nullable(
          Type.String({ description: 'the epic (id) it was pulled forward for, as its blocker' }),
        ),
      }),
      { description: 'the epics of the same team that took its place, blockers pulled forward included' },
    ),
    periodsSlipped: Type.Integer(),
    costOfDelay: Nullable(Type.Number({ description: 'its cost of delay per period at the time' })),
    projectedCost: Type.Number({
      description:
        'deferrals: cost of delay per period × periods slipped, the price of the call when it was made (0 when unscored); 0 for every other kind',
    }),
    deferralCount: Type.Integer({
      description: 'the epic’s deferral count once this event is in the ledger',
    }),
    acknowledgement: Type.Optional(
      Nullable(
        Type.Object(
          {
            by: Type.String(),
            at: Type.String(),
            reason: Type.String(),
            via: Type.Enum(['api', 'slack', 'page', 'override'], {
              description: 'page: a signed-in person on the page; api: a token; override: an owner’s pin',
            }),
            overrideId: Nullable(Type.String({ description: 'the pin that answered it (via override)' })),
            decisionId: Type.String(),
          },
          {
            description: 'the owner’s sign-off of a deferral; null while unacknowledged and for other kinds',
          },
        ),
      ),
    ),
  },
  'one entry of the deferral ledger',
)

/** A ledger event as people read it: with the service's words, so no client restates them. */
export const LedgerEvent = Type.Intersect(
  [
    DeferralEvent,
    Type.Object({
      causeText: Nullable(
        Type.String({ description: 'the cause in words, the sentence reports use; null when there is none' }),
      ),
      deferral: Type.Boolean({
        description: 'counts as a deferral: needs the owner’s sign-off and counts toward chronic',
      }),
    }),
  ],
  { description: 'one entry of the deferral ledger, with its cause in words' },
)

export const DecisionView = Type.Object(
  {
    id: Type.String(),
    kind: Type.Enum(['acknowledgement', 'override', 'revocation', 'approval']),
    author: Type.String(),
    at: Type.String(),
    rationale: Nullable(Type.String()),
    epicId: Nullable(Type.String()),
    versionId: Nullable(
      Type.Integer({
        description:
          'the version the call applied to: the one that recorded the deferral, the newest when an override was made or revoked, the approved one',
      }),
    ),
    subject: Type.String({ description: 'the deferral event, override or version id' }),
    authorEmail: Nullable(
      Type.String({ description: 'the author’s email, when they signed in or Slack named them' }),
    ),
    authorSubject: Nullable(Type.String({ description: 'the identity provider’s subject of the author' })),
    via: Type.Enum(['api', 'slack', 'page'], {
      description: 'page: a signed-in person on the page; api: a bearer token; slack: a report button',
    }),
    details: Type.Record(Type.String(), Type.Unknown()),
  },
  { description: 'one owned call in the decision log' },
)

export const OverrideView = Open(
  {
    id: Type.String(),
    epicId: Type.String(),
    kind: OverrideKind,
    period: Type.Optional(Type.String({ description: 'absent for an exclude, and for a defer without one' })),
    rationale: Type.String(),
    author: Type.String(),
    createdAt: Type.String(),
    revokedAt: Nullable(Type.String()),
    revokedBy: Nullable(Type.String()),
  },
  'an owner’s decision; revoked ones keep their row',
)

const epicsEffort = {
  epics: Type.Integer(),
  effort: Type.Number({ description: 'their effort estimates summed (an unestimated epic counts 0)' }),
}

export const PeriodCommitment = Type.Object(
  {
    period: Type.String(),
    name: Type.String(),
    committed: Type.Object(
      {
        ...epicsEffort,
        planned: Type.Integer({ description: 'still planned to finish there (or earlier)' }),
        moved: Type.Integer({ description: 'now planned later, or out of the plan' }),
        done: Type.Integer({ description: 'shipped since' }),
        dropped: Type.Integer({ description: 'canceled, or gone from its tracker' }),
      },
      { description: 'the epics committed to it at the period’s start, and where they are now' },
    ),
    plannedNow: Type.Object(
      {
        ...epicsEffort,
        uncommitted: Type.Integer({
          description: 'of them, not committed to it: added or pulled in since the baseline was taken',
        }),
      },
      { description: 'the open epics planned to finish in it now' },
    ),
  },
  { description: 'what was committed at the start of the period against what is planned now' },
)

export const RoadmapView = Type.Object({
  version: VersionMeta,
  periods: Type.Array(Period),
  openPeriods: Type.Array(Type.String()),
  load: Type.Array(TeamLoad),
  entries: Type.Array(Entry),
  problems: Type.Array(Type.String()),
  cycles: Type.Array(Type.Array(Type.String())),
  unit: Type.String({ description: 'the unit of cost of delay (points, EUR k, …)' }),
  baseline: Nullable(Baseline),
  commitments: Type.Array(PeriodCommitment, {
    description:
      'per open period of the baseline, in calendar order: committed at its start against planned now (whole roadmap, whatever the filters); empty without a baseline',
  }),
})

/**
 * A roadmap entry as the timeline draws it: what a card shows and the filters read. The score's
 * breakdown, links and the reasons behind a placement are in /api/epics/{id}, which the drawer reads.
 * Closed objects: the serializer writes exactly these fields, which keeps a big roadmap fast to send.
 */
export const TimelineEntry = Type.Object(
  {
    rank: Type.Integer({ description: '1 = highest' }),
    epicId: Type.String(),
    key: Type.String(),
    title: Type.String(),
    source: Type.String(),
    team: Type.String(),
    track: Track,
    status: Type.Enum(['todo', 'in_progress', 'done', 'canceled']),
    effort: Num,
    score: Type.Object({
      status: Type.Enum(['scored', 'unscored']),
      score: Type.Optional(Type.Number({ description: 'cost of delay / effort; scored only' })),
    }),
    period: Nullable(Type.String({ description: 'the period it starts in; null = unplanned' })),
    spans: Type.Array(Type.Object({ period: Type.String(), effort: Type.Number() })),
    override: Nullable(
      Type.Object({ kind: OverrideKind, rationale: Type.String() }, { description: 'the override applied' }),
    ),
    unplannedReason: Nullable(Type.String({ description: 'why it is not planned, in words' })),
    deferrals: Type.Integer({ description: 'its deferral count (replans not counted)' }),
    accruedCost: Type.Number({ description: 'cost of delay accrued so far, in the roadmap’s unit' }),
    unacknowledged: Type.Integer({ description: 'its deferrals the owner has not signed off yet' }),
  },
  { description: 'a roadmap entry with the fields the timeline shows' },
)

export const RoadmapTimeline = Type.Object({
  ...RoadmapView.properties,
  entries: Type.Array(TimelineEntry, {
    description: 'the entries of /api/roadmap, best rank first, with the fields the timeline shows',
  }),
})

export const RoadmapQuery = Type.Object({
  team: Type.Optional(Text()),
  track: Type.Optional(Track),
  source: Type.Optional(Text()),
  period: Type.Optional(
    Text({ description: 'entries whose spans touch this period; `unplanned` for unplanned ones' }),
  ),
})

/** The error answers a route can give, for its OpenAPI entry. */
export function errors(...statuses: Array<400 | 401 | 403 | 404 | 409>): Record<number, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody]))
}
