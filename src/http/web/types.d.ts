// The REST API's shapes as the page reads them, derived from the routes' TypeBox schemas (the same
// ones that validate, serialize and document each answer). Type imports only: the browser loads
// nothing of them, and a field the API changes shows up here as a type error in the page.
import type { Static } from 'typebox'
import type * as Bodies from '../routes/api/responses.ts'
import type * as Parts from '../routes/api/schemas.ts'

export type Meta = Static<typeof Bodies.MetaResponse>
export type Period = Static<typeof Parts.Period>
export type TeamLoad = Static<typeof Parts.TeamLoad>
export type Track = Static<typeof Parts.Track>
export type VersionMeta = Static<typeof Parts.VersionMeta>

/** A roadmap entry with its commitment, deferral count, accrued cost of delay and open sign-offs. */
export type Entry = Static<typeof Parts.Entry>
export type ScoreBreakdown = Entry['score']['breakdown']
/** A roadmap entry as the timeline draws it (GET /api/roadmap/timeline): the drawer reads the rest. */
export type TimelineEntry = Static<typeof Parts.TimelineEntry>
/** The whole answer of /api/roadmap (the page loads the timeline's; tests and scripts read this one). */
export type WholeRoadmap = Static<typeof Parts.RoadmapView>
/** The roadmap the page loads: /api/roadmap/timeline, whose entries are TimelineEntry. */
export type RoadmapResponse = Static<typeof Parts.RoadmapTimeline>
/** Per open period of the baseline: committed at its start against planned now. */
export type PeriodCommitment = Static<typeof Parts.PeriodCommitment>

/** A ledger event with its cause in words; deferrals carry their sign-off (null while open). */
export type LedgerEvent = Static<typeof Parts.LedgerEvent>
export type Acknowledgement = NonNullable<LedgerEvent['acknowledgement']>

export type EpicResponse = Static<typeof Bodies.EpicDetail>
export type DeferralsResponse = Static<typeof Bodies.LedgerPage>
export type CostResponse = Static<typeof Bodies.CostOverTime>
export type CostPoint = CostResponse['points'][number]
export type VersionsResponse = Static<typeof Bodies.VersionsPage>
export type VersionChange = Static<typeof Bodies.VersionChange>
export type DiffResponse = Static<typeof Bodies.VersionDiff>
/** The answer to signing an epic off: all its deferrals, and the one decision that answered the open ones. */
export type AckResponse = Static<typeof Bodies.EpicAckResponse>
export type ApproveResponse = Static<typeof Bodies.ApproveResponse>
export type WhatIfResponse = Static<typeof Bodies.WhatIfResponse>

/** Requests boot.js started before the modules loaded, by path; api.js takes each one once. */
export type EarlyResponses = Record<string, Promise<{ response: Response } | { error: unknown }>>

declare global {
  interface Window {
    onetrackBoot?: EarlyResponses
  }
}
