// The REST API's shapes as the page reads them. Domain types come from the domain itself (type
// imports only: nothing of it is loaded by the browser), so the page and the service cannot drift.
import type {
  DeferralEvent,
  Epic,
  Override,
  Period,
  RoadmapEntry,
  TeamLoad,
  Track,
} from '../../domain/index.ts'

export type {
  AppliedOverride,
  DeferralCause,
  DeferralEvent,
  EnablementContributor,
  Override,
  OverrideKind,
  Period,
  RoadmapEntry,
  Score,
  ScoreBreakdown,
  TeamLoad,
  Track,
} from '../../domain/index.ts'

export interface Meta {
  teams: Array<{ id: string; name?: string }>
  sources: Array<{ id: string; kind: string }>
  periods: Period[]
  unit: string
  auth: { protectReads: boolean; caller?: { name: string; role: 'viewer' | 'editor' | 'owner' } | null }
  /** Optional extras the page uses when the API gives them. */
  name?: string
  chronicThreshold?: number
}

export type VersionStatus = 'proposed' | 'approved' | 'superseded' | 'published'

export interface VersionMeta {
  id: number
  trigger: string
  builtAt: string
  createdAt: string
  entryCount: number
  eventCount: number
  /** Publish mode: proposed builds wait for an owner's approval before anything is written back. */
  status?: VersionStatus
  approvedBy?: string | null
  approvedAt?: string | null
  approvalNote?: string | null
}

export type Entry = RoadmapEntry & {
  deferrals: number
  costOfDelayAccumulated: number
  /** Its deferrals the owner has not signed off yet. */
  unacknowledged?: number
}

/** An owner's sign-off of a deferral. */
export interface Acknowledgement {
  by: string
  at: string
  reason: string
  via: 'api' | 'slack' | 'override'
  /** The pin that answered it (via override). */
  overrideId: string | null
  decisionId: string
}

/** A ledger event as the API serves it: deferrals carry their sign-off (null while open). */
export type LedgerEvent = DeferralEvent & { acknowledgement?: Acknowledgement | null }

export interface Decision {
  id: string
  kind: 'acknowledgement' | 'override' | 'revocation' | 'approval'
  author: string
  at: string
  rationale: string | null
  epicId: string | null
  versionId: number | null
  subject: string
  via: 'api' | 'slack'
  details: Record<string, unknown>
}

/** POST /api/deferrals/:id/ack */
export interface AckResponse {
  event: LedgerEvent
  decision: Decision
}

/** POST /api/versions/:id/approve */
export interface ApproveResponse {
  version: VersionMeta
  decision: Decision
  writebacksQueued: number
}

export interface WhatIfMoved {
  epicId: string
  key: string
  title: string
  team: string
  track: Track
  fromPeriod: string | null
  /** null = unplanned */
  toPeriod: string | null
  fromRank: number
  toRank: number
}

export interface PlanCounts {
  epics: number
  planned: number
  unplanned: number
  unscored: number
}

/** POST /api/what-if: what a build would record with the changes; nothing is saved. */
export interface WhatIfResponse {
  basedOn: { versionId: number; builtAt: string } | null
  now: string
  moved: WhatIfMoved[]
  /** The deferrals a build would record, with their cause, and it in words. */
  deferrals: Array<DeferralEvent & { description: string }>
  events: DeferralEvent[]
  /** Cost of delay the deferrals add, by the period each epic slips out of. */
  costOfDelayAddedByPeriod: Record<string, number>
  costOfDelayAdded: number
  unit: string
  newlyBlocked: Array<{ epicId: string; key: string; title: string; team: string; blockedBy: string[] }>
  summary: { before: PlanCounts | null; after: PlanCounts }
  problems: string[]
}

export interface RoadmapResponse {
  version: VersionMeta
  periods: Period[]
  openPeriods: string[]
  load: TeamLoad[]
  entries: Entry[]
  problems: string[]
  cycles: string[][]
  unit: string
}

export interface EpicResponse {
  epic: Omit<Epic, 'effort' | 'team'> & {
    team: string | null
    effort: number | null
    problems: string[]
    deleted: boolean
  }
  entry: Entry | null
  periodNames: Record<string, string>
  history: LedgerEvent[]
  overrides: Array<Override & { revokedAt: string | null; revokedBy: string | null }>
}

export interface DeferralsResponse {
  events: LedgerEvent[]
  nextCursor: string | null
  total: number
}

export interface CostPoint {
  at: string
  versionId: number
  added: number
  accumulated: number
  byTrack: Record<Track, number>
}

export interface CostResponse {
  unit: string
  points: CostPoint[]
}

export interface VersionsResponse {
  versions: VersionMeta[]
  nextCursor: string | null
}

export type ChangeKind = 'added' | 'removed' | 'moved' | 'rescored'

export interface VersionChange {
  epicId: string
  key: string
  title: string
  team: string
  track: Track
  change: ChangeKind
  fromPeriod: string | null
  toPeriod: string | null
  fromRank: number | null
  toRank: number | null
  fromScore: number | null
  toScore: number | null
  /** For a removal: done or canceled when the later version lists it closed. */
  closedAs?: 'done' | 'canceled' | null
}

export interface DiffResponse {
  from: VersionMeta | number
  to: VersionMeta | number
  changes: VersionChange[]
  /** Entries that only changed rank: counted, not listed. */
  rankChanges?: number
  events?: unknown
}

export interface OverrideCreated {
  override: Override
}

/** Requests boot.js started before the modules loaded, by path; api.js takes each one once. */
export type EarlyResponses = Record<string, Promise<{ response: Response } | { error: unknown }>>

declare global {
  interface Window {
    onetrackBoot?: EarlyResponses
  }
}
