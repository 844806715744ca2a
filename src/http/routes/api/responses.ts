import Type from 'typebox'
import {
  DecisionView,
  DeferralEvent,
  Entry,
  LedgerEvent,
  Nullable,
  OverrideView,
  Period,
  PerTrack,
  Track,
  VersionMeta,
} from './schemas.ts'

/**
 * Whole response bodies of the routes the web page reads. They live here, apart from the routes,
 * because this module imports only TypeBox: the page derives its types from it (src/http/web/types.d.ts)
 * without pulling the server's code into the browser's type check.
 */

export const MetaResponse = Type.Object({
  name: Type.String({ description: 'the roadmap’s name' }),
  teams: Type.Array(Type.Object({ id: Type.String(), name: Type.Optional(Type.String()) })),
  sources: Type.Array(Type.Object({ id: Type.String(), kind: Type.Enum(['jira', 'linear']) })),
  channels: Type.Array(Type.Object({ id: Type.String(), kind: Type.String() })),
  tracks: Type.Array(Track),
  periods: Type.Array(Period),
  unit: Type.String(),
  chronicThreshold: Type.Integer({ description: 'deferrals from which an epic counts as chronic' }),
  auth: Type.Object({
    protectReads: Type.Boolean({ description: 'reads need a viewer token or above' }),
    signOn: Type.Boolean({ description: 'people sign in with the identity provider at /auth/login' }),
    caller: Nullable(
      Type.Object(
        {
          name: Type.String(),
          role: Type.Enum(['viewer', 'editor', 'owner']),
          email: Nullable(Type.String()),
          via: Type.Enum(['api', 'page'], { description: 'api: a bearer token; page: signed in' }),
          roadmapOwner: Type.Boolean({ description: 'signs off any deferral and approves versions' }),
          teams: Type.Array(Type.String(), { description: 'the teams whose deferrals they sign off' }),
        },
        { description: 'who is calling; editors and owners may record overrides' },
      ),
    ),
    csrfToken: Nullable(
      Type.String({ description: 'for a signed-in person: send it as x-csrf-token with every write' }),
    ),
  }),
})

export const Epic = Type.Object({
  id: Type.String({ description: 'source:externalId' }),
  key: Type.String(),
  title: Type.String(),
  url: Type.String(),
  source: Type.String(),
  team: Nullable(Type.String()),
  track: Track,
  status: Type.Enum(['todo', 'in_progress', 'done', 'canceled']),
  inputs: Type.Object(
    {
      value: Type.Optional(Type.Number()),
      timeCriticality: Type.Optional(Type.Number()),
      risk: Type.Optional(Type.Number()),
    },
    { description: 'scoring inputs as mapped from the tracker; absent = not given' },
  ),
  effort: Nullable(Type.Number()),
  blockers: Type.Array(Type.String()),
  problems: Type.Array(Type.String(), { description: 'mapping problems found at sync' }),
  updatedAt: Type.String(),
  deleted: Type.Boolean({ description: 'no longer in its tracker (its history is kept)' }),
})

export const EpicDetail = Type.Object({
  epic: Epic,
  entry: Type.Union([Entry, Type.Null()]),
  periodNames: Type.Record(Type.String(), Type.String(), { description: 'period id → name' }),
  history: Type.Array(LedgerEvent),
  overrides: Type.Array(OverrideView),
  deferrals: Type.Integer({
    description: 'its deferral count: distinct committed periods it left unfinished (replans not counted)',
  }),
  accruedCost: Type.Number({
    description:
      'cost of delay accrued so far, in `unit`: for every day late past its committed period, never given back, kept after it ships; 0 when it was never late',
  }),
  unit: Type.String({ description: 'the unit of cost of delay (points, EUR k, …)' }),
})

export const LedgerPage = Type.Object({
  events: Type.Array(LedgerEvent),
  nextCursor: Nullable(Type.String()),
  total: Type.Integer({ description: 'events matching the filters, all pages together' }),
})

export const CostOverTime = Type.Object({
  unit: Type.String(),
  accrued: Type.Number({
    description:
      'cost of delay accrued by now, in `unit`, by every epic ever late past its committed period, shipped ones included (never given back)',
  }),
  points: Type.Array(
    Type.Object({
      at: Type.String({ description: 'builtAt of the version' }),
      versionId: Type.Integer(),
      added: Type.Number({
        description: 'projected cost of the deferrals this version recorded (never negative)',
      }),
      accumulated: Type.Number({ description: 'the running total of projected cost' }),
      byTrack: PerTrack,
    }),
  ),
})

export const VersionsPage = Type.Object({
  versions: Type.Array(VersionMeta),
  nextCursor: Nullable(Type.String()),
})

export const VersionChange = Type.Object({
  epicId: Type.String(),
  key: Type.String(),
  title: Type.String(),
  team: Type.String(),
  track: Track,
  change: Type.Enum(['added', 'removed', 'moved', 'rescored']),
  fromPeriod: Nullable(Type.String()),
  toPeriod: Nullable(Type.String()),
  fromRank: Nullable(Type.Integer()),
  toRank: Nullable(Type.Integer()),
  fromScore: Nullable(Type.Number()),
  toScore: Nullable(Type.Number()),
  closedAs: Type.Union([Type.Enum(['done', 'canceled']), Type.Null()], {
    description: 'for a removal: how the epic was closed, when it was',
  }),
})

export const VersionDiff = Type.Object({
  from: VersionMeta,
  to: VersionMeta,
  changes: Type.Array(VersionChange),
  rankChanges: Type.Integer({ description: 'entries that changed rank and nothing else' }),
  events: Type.Array(LedgerEvent),
})

export const AckResponse = Type.Object({ event: LedgerEvent, decision: DecisionView })

export const EpicAckResponse = Type.Object({
  status: Type.Literal('acknowledged'),
  events: Type.Array(LedgerEvent, {
    description:
      'every deferral of the epic, oldest first, with its sign-off: those this call answered carry the decision’s id',
  }),
  decision: DecisionView,
})

export const ApproveResponse = Type.Object({
  version: VersionMeta,
  decision: DecisionView,
  writebacksQueued: Type.Integer(),
})

const Moved = Type.Object({
  epicId: Type.String(),
  key: Type.String(),
  title: Type.String(),
  team: Type.String(),
  track: Track,
  fromPeriod: Nullable(Type.String()),
  toPeriod: Nullable(Type.String({ description: 'null = unplanned' })),
  fromRank: Type.Integer(),
  toRank: Type.Integer(),
})

const Counts = Type.Object({
  epics: Type.Integer(),
  planned: Type.Integer(),
  unplanned: Type.Integer(),
  unscored: Type.Integer(),
})

export const WhatIfResponse = Type.Object({
  basedOn: Nullable(
    Type.Object(
      { versionId: Type.Integer(), builtAt: Type.String() },
      { description: 'the current roadmap the changes are compared with; null before the first build' },
    ),
  ),
  now: Type.String({ description: 'the clock of the hypothetical build (the same as a real build now)' }),
  moved: Type.Array(Moved, { description: 'open epics whose period changes, in the new rank order' }),
  deferrals: Type.Array(Type.Intersect([LedgerEvent, Type.Object({ description: Type.String() })]), {
    description: 'the deferrals a build would record, with their cause, and it in words',
  }),
  events: Type.Array(DeferralEvent, {
    description: 'every event a build would record: deferrals, pull-ins, additions, removals',
  }),
  projectedCostByPeriod: Type.Record(Type.String(), Type.Number(), {
    description:
      'projected cost of the deferrals (cost of delay per period × periods slipped), by the committed period each epic slips out of',
  }),
  projectedCost: Type.Number({ description: 'Σ of projectedCostByPeriod' }),
  unit: Type.String({ description: 'the unit of cost of delay (points, EUR k, …)' }),
  newlyBlocked: Type.Array(
    Type.Object({
      epicId: Type.String(),
      key: Type.String(),
      title: Type.String(),
      team: Type.String(),
      blockedBy: Type.Array(Type.String()),
    }),
    { description: 'epics that would wait on an unplanned blocker, and do not now' },
  ),
  summary: Type.Object({ before: Nullable(Counts), after: Counts }),
  problems: Type.Array(Type.String(), { description: 'roadmap problems the changes would add' }),
})
