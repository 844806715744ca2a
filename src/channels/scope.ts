import type { ChannelConfig } from '../config/index.ts'
import {
  buildReport,
  type DecisionNote,
  type DeferralEvent,
  type Override,
  parseEpicId,
  type RateChange,
  type ReportSettings,
  type Roadmap,
  type Track,
  type WeeklyReport,
} from '../domain/index.ts'

export type ChannelScope = ChannelConfig['scope']

interface ScopedEpic {
  epicId: string
  team: string
  track: Track
}

function inScope(scope: ChannelScope, epic: ScopedEpic): boolean {
  if (scope.track !== undefined && epic.track !== scope.track) return false
  if (scope.teams !== undefined && !scope.teams.includes(epic.team)) return false
  return inSources(scope, epic.epicId)
}

function inSources(scope: ChannelScope, epicId: string): boolean {
  if (scope.sources === undefined) return true
  const source = parseEpicId(epicId)?.source
  return source !== undefined && scope.sources.includes(source)
}

/**
 * The part of the roadmap, ledger and overrides a channel reports on: its teams, sources and track.
 * Capacity stays that of the scoped teams (all teams when the scope names none), so the
 * product/technical split reads against the capacity those people actually have.
 */
export function scopeReportInput(
  input: { roadmap: Roadmap; ledger: readonly DeferralEvent[]; overrides: readonly Override[] },
  scope: ChannelScope,
): { roadmap: Roadmap; ledger: DeferralEvent[]; overrides: Override[] } {
  const { roadmap } = input
  const byId = new Map(roadmap.entries.map((e) => [e.epicId, e]))
  const teams = scope.teams === undefined ? null : new Set(scope.teams)
  return {
    roadmap: {
      ...roadmap,
      entries: roadmap.entries.filter((e) => inScope(scope, e)),
      load: teams === null ? roadmap.load : roadmap.load.filter((l) => teams.has(l.team)),
    },
    ledger: input.ledger.filter((e) =>
      inScope(scope, { epicId: e.epicId, team: e.epic.team, track: e.epic.track }),
    ),
    // An override of an epic no longer on the roadmap cannot be placed in a team or track: it is
    // reported only by a channel that does not scope by them.
    overrides: input.overrides.filter((o) => {
      const entry = byId.get(o.epicId)
      if (entry !== undefined) return inScope(scope, entry)
      return scope.teams === undefined && scope.track === undefined && inSources(scope, o.epicId)
    }),
  }
}

/**
 * The weekly report as a channel sees it: its lists and totals within its scope. A channel scoped
 * to one track still gets the product/technical split of its teams' capacity and how often each
 * track slips: comparing the two tracks is the point of the report.
 */
export function buildChannelReport(
  input: {
    roadmap: Roadmap
    ledger: readonly DeferralEvent[]
    overrides: readonly Override[]
    /** Each late epic's cost of delay over time, for its accrued cost (ReportInput.rates). */
    rates?: ReadonlyMap<string, readonly RateChange[]>
    signOff?: { acknowledged: ReadonlySet<string>; decisions: readonly DecisionNote[] }
  },
  scope: ChannelScope,
  settings: ReportSettings,
  now: string,
): WeeklyReport {
  const scoped = scopeReportInput(input, scope)
  const signOff = input.signOff === undefined ? {} : { signOff: scopeSignOff(input, scope, input.signOff) }
  const rates = input.rates === undefined ? {} : { rates: input.rates }
  const report = buildReport({ ...scoped, ...signOff, ...rates, settings, now })
  if (scope.track === undefined) return report
  const { track: _track, ...bothTracks } = scope
  const wide = buildReport({ ...scopeReportInput(input, bothTracks), ...rates, settings, now })
  return { ...report, capacityShare: wide.capacityShare, asymmetry: wide.asymmetry }
}

/** Decisions about epics in the channel's scope (found on the roadmap or in the ledger); approvals go to every channel. */
function scopeSignOff(
  input: { roadmap: Roadmap; ledger: readonly DeferralEvent[] },
  scope: ChannelScope,
  signOff: { acknowledged: ReadonlySet<string>; decisions: readonly DecisionNote[] },
): { acknowledged: ReadonlySet<string>; decisions: DecisionNote[] } {
  const epics = new Map<string, ScopedEpic>()
  for (const e of input.ledger)
    epics.set(e.epicId, { epicId: e.epicId, team: e.epic.team, track: e.epic.track })
  for (const e of input.roadmap.entries) epics.set(e.epicId, e)
  return {
    acknowledged: signOff.acknowledged,
    decisions: signOff.decisions.filter((d) => {
      if (d.epicId === null) return true
      const epic = epics.get(d.epicId)
      return epic === undefined
        ? scope.teams === undefined && scope.track === undefined
        : inScope(scope, epic)
    }),
  }
}

/** The scope in words for the report's subtitle; null when the channel sees the whole roadmap. */
export function describeScope(scope: ChannelScope): string | null {
  const parts: string[] = []
  if (scope.track !== undefined) parts.push(`${scope.track} track`)
  if (scope.teams !== undefined)
    parts.push(`${scope.teams.length === 1 ? 'team' : 'teams'} ${scope.teams.join(', ')}`)
  if (scope.sources !== undefined)
    parts.push(`${scope.sources.length === 1 ? 'source' : 'sources'} ${scope.sources.join(', ')}`)
  return parts.length === 0 ? null : parts.join(', ')
}
