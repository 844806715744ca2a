import { type EpicStatus, epicIdOf, type ScoringInputs, type Track } from '../../domain/index.ts'
import type { SyncedEpic } from '../types.ts'
import { dependencyLinks } from './dependency-links.ts'
import { fold, type Label, type LabelCatalog, labelNumber } from './labels.ts'
import type { LinearSourceConfig } from './settings.ts'

/**
 * One epic as read from Linear, whether a project or an issue, with its nested connections already
 * complete: what `toSyncedEpic` maps with the source's config.
 */
export interface RawEpic {
  id: string
  key: string
  title: string
  url: string
  updatedAt: string
  /** Linear priority: 0 none, 1 urgent, 2 high, 3 medium, 4 low. */
  priority: number
  labelIds: string[]
  /** Project status type or workflow state type. */
  statusType: string
  /** The epic's teams among the configured ones. */
  teamKeys: string[]
  projectName: string | null
  /** Sum of estimates: project scope, or an issue's estimate (else its children's). Null when none. */
  scope: number | null
  blockerIds: string[]
  /** Requesting customers and their revenue (null when unknown). */
  customers: Map<string, number | null>
  /** Project resource links, or the attachments (title as label), as read. */
  links: Array<{ label: string; url: string; subtitle?: string | null }>
}

/**
 * Linear's status categories onto onetrack's. Projects: backlog/planned → todo, started → in
 * progress, paused → todo (not being worked on, still to plan), completed → done, canceled →
 * canceled. Issues: triage/backlog/unstarted → todo, started → in progress.
 *
 * @see https://linear.app/docs/project-status
 */
const STATUS: Record<string, EpicStatus> = {
  triage: 'todo',
  backlog: 'todo',
  unstarted: 'todo',
  planned: 'todo',
  paused: 'todo',
  started: 'in_progress',
  completed: 'done',
  canceled: 'canceled',
}

/** Priority as an input, urgent highest: urgent 4, high 3, medium 2, low 1; none is missing. */
const PRIORITY_VALUE: Record<number, number> = { 1: 4, 2: 3, 3: 2, 4: 1 }

type InputConfig = LinearSourceConfig['inputs']['value']

const INPUTS = ['value', 'timeCriticality', 'risk'] as const

/** `publicUrl`: onetrack's own address, whose links (the write-back link) are never dependencies. */
export function toSyncedEpic(
  raw: RawEpic,
  source: LinearSourceConfig,
  catalog: LabelCatalog,
  publicUrl?: string,
): SyncedEpic {
  const problems: string[] = []
  const labels = catalog.labelsOf(raw.labelIds)
  const inputs: ScoringInputs = {}
  for (const name of INPUTS) {
    const read = readInput(source.inputs[name], raw, labels, catalog)
    if (read.value !== undefined) inputs[name] = read.value
    else if (read.missing.length > 0) problems.push(`${name}: ${read.missing.join('; ')}`)
  }
  const effort = readEffort(source, raw, labels, catalog)
  if (effort.problem !== undefined) problems.push(`effort: ${effort.problem}`)
  const team = teamOf(raw, source)
  if (team === null)
    problems.push(
      `team: none of ${raw.teamKeys.join(', ') || 'its teams'} is in teamMap and the source has no team`,
    )
  const status = STATUS[raw.statusType]
  if (status === undefined)
    problems.push(`status: unknown Linear status type '${raw.statusType}' (read as todo)`)
  const blockers = [...new Set(raw.blockerIds.filter((id) => id !== raw.id))].map((id) =>
    epicIdOf(source.id, id),
  )
  return {
    externalId: raw.id,
    key: raw.key,
    title: raw.title,
    url: raw.url,
    team,
    track: trackOf(raw, labels, source),
    status: status ?? 'todo',
    inputs,
    effort: effort.value,
    blockers,
    links: dependencyLinks(raw.links, source.dependencyLinks, publicUrl),
    updatedAt: raw.updatedAt,
    problems,
  }
}

/**
 * An input from the first configured source that has it: a label group, then the revenue of the
 * customers asking for it, then priority. Missing is `undefined`, with the reasons when the config
 * asked for the input; an unconfigured input is simply absent.
 */
function readInput(config: InputConfig, raw: RawEpic, labels: Label[], catalog: LabelCatalog) {
  const missing: string[] = []
  if (config === undefined) return { value: undefined, missing }
  if (config.labelGroup !== undefined) {
    const read = fromLabelGroup(config.labelGroup, labels, catalog)
    if (read.value !== undefined) return { value: read.value, missing }
    missing.push(read.problem)
  }
  if (config.customerRevenue === true) {
    const revenues = [...raw.customers.values()].filter((r): r is number => r !== null)
    if (revenues.length > 0) return { value: revenues.reduce((a, b) => a + b, 0), missing }
    missing.push(raw.customers.size > 0 ? 'no requesting customer has a revenue' : 'no customer requests')
  }
  if (config.priority === true) {
    const value = PRIORITY_VALUE[raw.priority]
    if (value !== undefined) return { value, missing }
    missing.push('no priority set')
  }
  return { value: undefined, missing }
}

function fromLabelGroup(group: string, labels: Label[], catalog: LabelCatalog) {
  if (!catalog.hasGroup(group))
    return { value: undefined, problem: `label group '${group}' does not exist in Linear` }
  const label = labels.find((l) => l.group !== null && fold(l.group) === fold(group))
  if (label === undefined) return { value: undefined, problem: `no label from group '${group}'` }
  const value = labelNumber(label.name)
  if (value === null)
    return { value: undefined, problem: `label '${label.name}' in group '${group}' is not a number` }
  return { value, problem: '' }
}

function readEffort(source: LinearSourceConfig, raw: RawEpic, labels: Label[], catalog: LabelCatalog) {
  const config = source.inputs.effort
  if (config === undefined) return { value: null }
  if (config.from === 'scope') {
    return raw.scope !== null && raw.scope > 0
      ? { value: raw.scope }
      : { value: null, problem: 'no estimates (scope is 0): estimate its issues in Linear' }
  }
  if (config.labelGroup === undefined) return { value: null, problem: 'effort.labelGroup is not configured' }
  const read = fromLabelGroup(config.labelGroup, labels, catalog)
  return read.value === undefined ? { value: null, problem: read.problem } : { value: read.value }
}

/** The first configured team the epic belongs to, through teamMap, else the source's team. */
function teamOf(raw: RawEpic, source: LinearSourceConfig): string | null {
  const key = source.teams.find((t) => raw.teamKeys.includes(t))
  const mapped = key === undefined ? undefined : source.teamMap?.[key]
  return mapped ?? source.team ?? null
}

/** The first matching rule (by label name or project name) decides; else the default. */
function trackOf(raw: RawEpic, labels: Label[], source: LinearSourceConfig): Track {
  const names = new Set(labels.map((l) => fold(l.name)))
  for (const rule of source.track.rules) {
    if (rule.label !== undefined && names.has(fold(rule.label))) return rule.track
    if (
      rule.project !== undefined &&
      raw.projectName !== null &&
      fold(rule.project) === fold(raw.projectName)
    )
      return rule.track
  }
  return source.track.default
}
