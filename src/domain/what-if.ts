import { type BuildInput, buildRoadmap } from './build.ts'
import { WHAT_IF_AUTHOR } from './cause-text.ts'
import { calendarDayOf } from './dates.ts'
import { type DeferralEvent, isDeferral } from './deferrals.ts'
import {
  compareIds,
  type Epic,
  epicIdOf,
  isOpen,
  parseEpicId,
  type ScoringInputs,
  TRACKS,
  type Track,
} from './epic.ts'
import { DomainError, DomainErrorCode, type FieldProblem, fieldProblemText } from './errors.ts'
import type { Override } from './overrides.ts'
import type { Period } from './periods.ts'
import type { Roadmap, RoadmapEntry } from './roadmap.ts'
import type { TeamCapacity } from './settings.ts'

/**
 * "What if, before the call": hypothetical changes applied to copies of a build's inputs, then one
 * build against the current roadmap — the same build a real change would cause — and nothing saved.
 */

export type WhatIfInputName = 'value' | 'timeCriticality' | 'risk' | 'effort'
export const WHAT_IF_INPUTS: readonly WhatIfInputName[] = ['value', 'timeCriticality', 'risk', 'effort']

/** A new epic for a what-if: only what scoring and planning need. */
export interface WhatIfEpic {
  /** Default `what-if:<key>`. */
  id?: string
  key: string
  title: string
  team: string
  /** Default product. */
  track?: Track
  /** Default todo. */
  status?: 'todo' | 'in_progress'
  value?: number | null
  timeCriticality?: number | null
  risk?: number | null
  effort?: number | null
  /** Ids of the epics that block it. */
  blockers?: string[]
  /** Ids of the epics it blocks. */
  blocks?: string[]
}

/**
 * One hypothetical change. defer, exclude and pin are overrides by author `what-if` that replace the
 * epic's override in force (as recording one does); a defer without a period takes it out of the plan.
 */
export type WhatIfChange =
  | { kind: 'defer'; epicId: string; period?: string; rationale?: string }
  | { kind: 'exclude'; epicId: string; rationale?: string }
  | { kind: 'pin'; epicId: string; period: string; rationale?: string }
  | { kind: 'input'; epicId: string; input: WhatIfInputName; value: number | null }
  | { kind: 'capacity'; team: string; period: string; capacity: number }
  | { kind: 'add'; epic: WhatIfEpic }

export interface WhatIfInput extends Omit<BuildInput, 'previous'> {
  /** The current roadmap (the latest stored version): what the changes are compared with. */
  previous: Roadmap | null
  changes: readonly WhatIfChange[]
}

export interface MovedEpic {
  epicId: string
  key: string
  title: string
  team: string
  track: Track
  fromPeriod: string | null
  toPeriod: string | null
  fromRank: number
  toRank: number
}

export interface NewlyBlocked {
  epicId: string
  key: string
  title: string
  team: string
  blockedBy: string[]
}

export interface PlanCounts {
  epics: number
  planned: number
  unplanned: number
  unscored: number
}

export interface WhatIfResult {
  /** The clock of the hypothetical build. */
  now: string
  /** builtAt of the roadmap compared with; null when there is none yet. */
  basedOn: string | null
  /** Open epics whose period changed (planned or not), in the hypothetical roadmap's rank order. */
  moved: MovedEpic[]
  /** The deferrals (and roll-overs) the build would record, with their causes. */
  deferrals: DeferralEvent[]
  /** Every event the build would record (deferrals, pull-ins, additions, removals, completions). */
  events: DeferralEvent[]
  /** Projected cost of delay of the deferrals, by the committed period each epic slips out of. */
  projectedCostByPeriod: Record<string, number>
  /** Σ of the above. */
  projectedCost: number
  /** Epics that wait on an unplanned blocker now and did not before. */
  newlyBlocked: NewlyBlocked[]
  summary: { before: PlanCounts | null; after: PlanCounts }
  /** Problems of the hypothetical roadmap that the current one does not have. */
  problems: string[]
  /** The hypothetical roadmap itself (not served by the API: it can be large). */
  roadmap: Roadmap
}

export { WHAT_IF_AUTHOR }

const DEFAULT_RATIONALE = 'what-if'

/**
 * Runs the what-if: validates the changes (a DomainError naming each bad field, e.g.
 * `changes[0].epicId: no epic jira:X`), applies them to copies of the inputs, builds with `previous`
 * as the previous version, and reads the difference. Pure: nothing given is modified.
 */
export function whatIf(input: WhatIfInput): WhatIfResult {
  const applied = applyWhatIf(input)
  const { roadmap, events } = buildRoadmap({ ...applied, previous: input.previous })
  return readWhatIf(input.previous, roadmap, events)
}

/** The build inputs with the changes applied (copies); throws a DomainError for invalid changes. */
export function applyWhatIf(input: WhatIfInput): Omit<BuildInput, 'previous'> {
  const fields = whatIfFieldProblems(input)
  if (fields.length > 0) {
    const problems = fields.map(fieldProblemText)
    throw new DomainError(DomainErrorCode.inputInvalid, 'Invalid what-if changes', problems, fields)
  }
  const epics = new Map(input.epics.map((e) => [e.id, e]))
  let overrides = [...input.overrides]
  let capacities: TeamCapacity[] = input.settings.capacities
  input.changes.forEach((change, i) => {
    switch (change.kind) {
      case 'defer':
      case 'exclude':
      case 'pin': {
        overrides = overrides.filter((o) => o.epicId !== change.epicId)
        const override: Override = {
          id: `what-if-${i}`,
          epicId: change.epicId,
          kind: change.kind,
          rationale: change.rationale?.trim() || DEFAULT_RATIONALE,
          author: WHAT_IF_AUTHOR,
          createdAt: input.now,
        }
        if (change.kind !== 'exclude' && change.period !== undefined) override.period = change.period
        overrides.push(override)
        break
      }
      case 'input': {
        const epic = epics.get(change.epicId) as Epic
        const next: Epic = { ...epic, inputs: { ...epic.inputs } }
        if (change.input === 'effort') {
          if (change.value === null) delete next.effort
          else next.effort = change.value
        } else if (change.value === null) delete next.inputs[change.input]
        else next.inputs[change.input] = change.value
        epics.set(epic.id, next)
        break
      }
      case 'capacity': {
        const found = capacities.some((c) => c.team === change.team)
        const set = (c: TeamCapacity): TeamCapacity => ({
          ...c,
          byPeriod: { ...c.byPeriod, [change.period]: change.capacity },
        })
        capacities = found
          ? capacities.map((c) => (c.team === change.team ? set(c) : c))
          : [...capacities, set({ team: change.team, perPeriod: 0 })]
        break
      }
      case 'add': {
        const epic = newEpic(change.epic, input.now)
        epics.set(epic.id, epic)
        for (const blocked of change.epic.blocks ?? []) {
          const target = epics.get(blocked) as Epic
          epics.set(blocked, {
            ...target,
            blockers: [...new Set([...target.blockers, epic.id])].sort(compareIds),
          })
        }
        break
      }
    }
  })
  return {
    epics: [...epics.values()],
    overrides,
    settings: capacities === input.settings.capacities ? input.settings : { ...input.settings, capacities },
    ledger: input.ledger,
    now: input.now,
  }
}

function newEpic(raw: WhatIfEpic, now: string): Epic {
  const inputs: ScoringInputs = {}
  for (const name of ['value', 'timeCriticality', 'risk'] as const) {
    const value = raw[name]
    if (value !== undefined && value !== null) inputs[name] = value
  }
  const epic: Epic = {
    id: addedId(raw),
    key: raw.key,
    title: raw.title,
    url: '',
    source: WHAT_IF_AUTHOR,
    team: raw.team,
    track: raw.track ?? 'product',
    status: raw.status ?? 'todo',
    inputs,
    blockers: [...new Set(raw.blockers ?? [])].sort(compareIds),
    updatedAt: now,
  }
  if (raw.effort !== undefined && raw.effort !== null) epic.effort = raw.effort
  return epic
}

const addedId = (raw: WhatIfEpic): string => raw.id ?? epicIdOf(WHAT_IF_AUTHOR, raw.key)

const isNonNegative = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0
const isText = (s: unknown): s is string => typeof s === 'string' && s.trim() !== ''

/** Every problem with the changes, each naming its field (`changes[2].period: …`); empty when they apply. */
export function whatIfProblems(input: WhatIfInput): string[] {
  return whatIfFieldProblems(input).map(fieldProblemText)
}

type FieldPath = FieldProblem['path']

/** Every problem with the changes, with its field's path as data; empty when they apply. */
export function whatIfFieldProblems(input: WhatIfInput): FieldProblem[] {
  const problems: FieldProblem[] = []
  const problem = (path: FieldPath, message: string): void => {
    problems.push({ path, message })
  }
  const { periods, capacities } = input.settings
  const today = calendarDayOf(input.now)
  const periodById = new Map(periods.map((p) => [p.id, p]))
  const epics = new Map(input.epics.map((e) => [e.id, e]))
  const teams = new Set([...capacities.map((c) => c.team), ...input.epics.map((e) => e.team)])
  const teamList = () => [...teams].sort(compareIds).join(', ')
  if (!Array.isArray(input.changes) || input.changes.length === 0)
    return [{ path: ['changes'], message: 'give at least one change' }]

  const openEpic = (at: FieldPath, epicId: unknown): void => {
    if (!isText(epicId)) {
      problem([...at, 'epicId'], 'must be an epic id (source:externalId)')
      return
    }
    const epic = epics.get(epicId)
    if (epic === undefined) problem([...at, 'epicId'], `no epic ${epicId}`)
    else if (!isOpen(epic.status))
      problem([...at, 'epicId'], `${epic.key} (${epicId}) is ${epic.status}; only open epics are planned`)
  }
  const openPeriod = (at: FieldPath, period: unknown, required: boolean): void => {
    if (period === undefined && !required) return
    if (!isText(period)) {
      problem([...at, 'period'], `must be a period id, e.g. ${periods[0]?.id ?? '2027-Q1'}`)
      return
    }
    const found = periodById.get(period)
    if (found === undefined)
      problem(
        [...at, 'period'],
        `unknown period '${period}'; the configured ones are ${periods.map((p) => p.id).join(', ')}`,
      )
    else if (!isOpenPeriod(found, today)) problem([...at, 'period'], `${found.name} has ended`)
  }
  const knownTeam = (at: FieldPath, team: unknown): void => {
    if (!isText(team)) problem([...at, 'team'], 'must be a non-empty string')
    else if (!teams.has(team)) problem([...at, 'team'], `unknown team '${team}'; the teams are ${teamList()}`)
  }

  input.changes.forEach((change, i) => {
    const at: FieldPath = ['changes', i]
    switch (change?.kind) {
      case 'defer':
        openEpic(at, change.epicId)
        openPeriod(at, change.period, false)
        break
      case 'pin':
        openEpic(at, change.epicId)
        openPeriod(at, change.period, true)
        break
      case 'exclude':
        openEpic(at, change.epicId)
        break
      case 'input':
        openEpic(at, change.epicId)
        if (!WHAT_IF_INPUTS.includes(change.input))
          problem([...at, 'input'], `must be one of ${WHAT_IF_INPUTS.join(', ')}`)
        if (change.value !== null && !isNonNegative(change.value))
          problem([...at, 'value'], 'must be a number >= 0, or null for "not given"')
        break
      case 'capacity':
        knownTeam(at, change.team)
        openPeriod(at, change.period, true)
        if (!isNonNegative(change.capacity)) problem([...at, 'capacity'], 'must be a number >= 0')
        break
      case 'add': {
        const raw = change.epic
        if (typeof raw !== 'object' || raw === null) {
          problem([...at, 'epic'], 'must be an object')
          break
        }
        if (!isText(raw.key)) problem([...at, 'epic', 'key'], 'must be a non-empty string')
        if (!isText(raw.title)) problem([...at, 'epic', 'title'], 'must be a non-empty string')
        knownTeam([...at, 'epic'], raw.team)
        if (raw.track !== undefined && !TRACKS.includes(raw.track))
          problem([...at, 'epic', 'track'], `must be one of ${TRACKS.join(', ')}`)
        if (raw.status !== undefined && raw.status !== 'todo' && raw.status !== 'in_progress')
          problem([...at, 'epic', 'status'], 'must be todo or in_progress')
        for (const name of WHAT_IF_INPUTS) {
          const value = raw[name]
          if (value !== undefined && value !== null && !isNonNegative(value))
            problem([...at, 'epic', name], 'must be a number >= 0')
        }
        if (isText(raw.key)) {
          const id = addedId(raw)
          if (parseEpicId(id) === null || id.endsWith(':'))
            problem([...at, 'epic', 'id'], `must be 'source:externalId', got '${id}'`)
          else if (epics.has(id)) problem([...at, 'epic', 'id'], `${id} already exists`)
          else {
            for (const field of ['blockers', 'blocks'] as const) {
              const others: string[] = raw[field] ?? []
              others.forEach((other, k) => {
                if (other === id) problem([...at, 'epic', field, k], 'an epic cannot block itself')
                else if (!epics.has(other)) problem([...at, 'epic', field, k], `no epic ${other}`)
              })
            }
            // Later changes may refer to the added epic.
            epics.set(id, newEpic(raw, input.now))
            if (isText(raw.team)) teams.add(raw.team)
          }
        }
        break
      }
      default:
        problem([...at, 'kind'], 'must be one of defer, exclude, pin, input, capacity, add')
    }
  })
  return problems
}

function isOpenPeriod(period: Period, today: string): boolean {
  return period.end > today
}

/** The difference between the current roadmap and the hypothetical one, as a person reads it. */
export function readWhatIf(previous: Roadmap | null, next: Roadmap, events: DeferralEvent[]): WhatIfResult {
  const before = new Map<string, RoadmapEntry>((previous?.entries ?? []).map((e) => [e.epicId, e]))
  const moved: MovedEpic[] = []
  const newlyBlocked: NewlyBlocked[] = []
  for (const entry of next.entries) {
    const was = before.get(entry.epicId)
    if (was !== undefined && was.period !== entry.period) {
      moved.push({
        epicId: entry.epicId,
        key: entry.key,
        title: entry.title,
        team: entry.team,
        track: entry.track,
        fromPeriod: was.period,
        toPeriod: entry.period,
        fromRank: was.rank,
        toRank: entry.rank,
      })
    }
    if (entry.unplanned?.code === 'blocked' && was?.unplanned?.code !== 'blocked') {
      newlyBlocked.push({
        epicId: entry.epicId,
        key: entry.key,
        title: entry.title,
        team: entry.team,
        blockedBy: entry.unplanned.blockers,
      })
    }
  }
  const deferrals = events.filter((e) => isDeferral(e.kind))
  const projectedCostByPeriod: Record<string, number> = {}
  let projectedCost = 0
  for (const event of deferrals) {
    const period = event.fromPeriod ?? 'unplanned'
    projectedCostByPeriod[period] = (projectedCostByPeriod[period] ?? 0) + event.projectedCost
    projectedCost += event.projectedCost
  }
  const known = new Set(previous?.problems ?? [])
  return {
    now: next.builtAt,
    basedOn: previous?.builtAt ?? null,
    moved,
    deferrals,
    events,
    projectedCostByPeriod,
    projectedCost,
    newlyBlocked,
    summary: { before: previous === null ? null : planCounts(previous), after: planCounts(next) },
    problems: next.problems.filter((p) => !known.has(p)),
    roadmap: next,
  }
}

export function planCounts(roadmap: Roadmap): PlanCounts {
  let planned = 0
  let unscored = 0
  for (const entry of roadmap.entries) {
    if (entry.period !== null) planned += 1
    if (entry.score.status === 'unscored') unscored += 1
  }
  return {
    epics: roadmap.entries.length,
    planned,
    unplanned: roadmap.entries.length - planned,
    unscored,
  }
}

/** Resolves an epic key (or id) among the epics: the id, or a clear problem (unknown, or ambiguous across sources). */
export function resolveEpicKey(
  epics: readonly Epic[],
  keyOrId: string,
): { ok: true; epicId: string } | { ok: false; problem: string } {
  if (epics.some((e) => e.id === keyOrId)) return { ok: true, epicId: keyOrId }
  const wanted = keyOrId.toLowerCase()
  const found = epics.filter((e) => e.key.toLowerCase() === wanted)
  if (found.length === 1) return { ok: true, epicId: (found[0] as Epic).id }
  if (found.length === 0) return { ok: false, problem: `no epic with key or id ${keyOrId}` }
  return {
    ok: false,
    problem: `key ${keyOrId} is ambiguous: ${found
      .map((e) => e.id)
      .sort(compareIds)
      .join(', ')} — give the epic id instead`,
  }
}
