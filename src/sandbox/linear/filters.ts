import { by } from './indexes.ts'
import type { IssueRecord, LabelRecord, ProjectRecord } from './records.ts'
import { SimulatorUnsupported } from './simulator-errors.ts'
import type { LinearWorkspace } from './workspace.ts'

/**
 * Linear's filter language for the entities the simulator serves: comparators (`eq`, `in`, `gt`, …),
 * nested entity filters, collection filters (`some`, `every`, `length`) and `and`/`or`. A filter
 * field the simulator does not implement fails the request loudly instead of being ignored, so a
 * connector can never pass a test with a filter the simulator silently dropped.
 *
 * @see https://linear.app/developers/filtering
 */

type Field =
  | { kind: 'value'; get: (record: never, ws: LinearWorkspace) => unknown }
  | { kind: 'entity'; type: string; get: (record: never, ws: LinearWorkspace) => object | null }
  | { kind: 'collection'; type: string; get: (record: never, ws: LinearWorkspace) => object[] }

const value = <R>(get: (record: R, ws: LinearWorkspace) => unknown): Field => ({ kind: 'value', get })
const prop = (name: string): Field => value((record: Record<string, unknown>) => record[name])
const timestamps = { id: prop('id'), createdAt: prop('createdAt'), updatedAt: prop('updatedAt') }

const labelFields = {
  ...timestamps,
  name: prop('name'),
  isGroup: prop('isGroup'),
  parent: {
    kind: 'entity',
    type: 'Label',
    get: (label: LabelRecord, ws: LinearWorkspace) =>
      label.parentId === null
        ? null
        : (ws.projectLabels.get(label.parentId) ?? ws.issueLabels.get(label.parentId) ?? null),
  },
} satisfies Record<string, Field>

const FIELDS: Record<string, Record<string, Field>> = {
  Team: { ...timestamps, key: prop('key'), name: prop('name') },
  Label: labelFields,
  ProjectStatus: { id: prop('id'), name: prop('name'), type: prop('type') },
  WorkflowState: { id: prop('id'), name: prop('name'), type: prop('type') },
  Project: {
    ...timestamps,
    name: prop('name'),
    slugId: prop('slugId'),
    priority: prop('priority'),
    accessibleTeams: {
      kind: 'collection',
      type: 'Team',
      get: (p: ProjectRecord, ws: LinearWorkspace) => p.teamIds.map((id) => ws.teams.get(id)).filter(present),
    },
    labels: {
      kind: 'collection',
      type: 'Label',
      get: (p: ProjectRecord, ws: LinearWorkspace) =>
        p.labelIds.map((id) => ws.projectLabels.get(id)).filter(present),
    },
    status: {
      kind: 'entity',
      type: 'ProjectStatus',
      get: (p: ProjectRecord, ws: LinearWorkspace) => ws.projectStatuses.get(p.statusId) ?? null,
    },
  },
  Issue: {
    ...timestamps,
    title: prop('title'),
    number: prop('number'),
    priority: prop('priority'),
    estimate: prop('estimate'),
    team: {
      kind: 'entity',
      type: 'Team',
      get: (i: IssueRecord, ws: LinearWorkspace) => ws.teams.get(i.teamId) ?? null,
    },
    state: {
      kind: 'entity',
      type: 'WorkflowState',
      get: (i: IssueRecord, ws: LinearWorkspace) => ws.workflowStates.get(i.stateId) ?? null,
    },
    project: {
      kind: 'entity',
      type: 'Project',
      get: (i: IssueRecord, ws: LinearWorkspace) =>
        i.projectId === null ? null : (ws.projects.get(i.projectId) ?? null),
    },
    parent: {
      kind: 'entity',
      type: 'Issue',
      get: (i: IssueRecord, ws: LinearWorkspace) =>
        i.parentId === null ? null : (ws.issues.get(i.parentId) ?? null),
    },
    labels: {
      kind: 'collection',
      type: 'Label',
      get: (i: IssueRecord, ws: LinearWorkspace) =>
        i.labelIds.map((id) => ws.issueLabels.get(id)).filter(present),
    },
    children: {
      kind: 'collection',
      type: 'Issue',
      get: (i: IssueRecord, ws: LinearWorkspace) =>
        (by.childrenOf(ws).get(i.id) ?? []).filter((c) => c.archivedAt === null),
    },
  },
  Attachment: { ...timestamps, title: prop('title'), subtitle: prop('subtitle'), url: prop('url') },
}

/** The simulator's filter type for a GraphQL type name (ProjectLabel and IssueLabel share one). */
export function filterTypeOf(graphqlType: string): string {
  return graphqlType === 'ProjectLabel' || graphqlType === 'IssueLabel' ? 'Label' : graphqlType
}

export function matchesFilter(type: string, record: object, filter: unknown, ws: LinearWorkspace): boolean {
  if (filter === undefined || filter === null) return true
  const fields = FIELDS[type]
  if (fields === undefined) throw new SimulatorUnsupported(`filters on ${type}`)
  for (const [key, condition] of Object.entries(filter as Record<string, unknown>)) {
    if (condition === undefined || condition === null) continue
    if (key === 'and') {
      if (!(condition as unknown[]).every((f) => matchesFilter(type, record, f, ws))) return false
      continue
    }
    if (key === 'or') {
      if (!(condition as unknown[]).some((f) => matchesFilter(type, record, f, ws))) return false
      continue
    }
    const field = fields[key]
    if (field === undefined) throw new SimulatorUnsupported(`the ${key} filter on ${type}`)
    if (!matchesField(field, record, condition as Record<string, unknown>, ws)) return false
  }
  return true
}

function matchesField(field: Field, record: object, condition: Record<string, unknown>, ws: LinearWorkspace) {
  const get = field.get as (record: object, ws: LinearWorkspace) => unknown
  switch (field.kind) {
    case 'value':
      return compare(get(record, ws), condition)
    case 'entity': {
      const entity = get(record, ws) as object | null
      const { null: isNull, ...rest } = condition
      if (isNull !== undefined && (entity === null) !== isNull) return false
      if (Object.keys(rest).length === 0) return true
      return entity !== null && matchesFilter(field.type, entity, rest, ws)
    }
    case 'collection':
      return matchesCollection(field.type, get(record, ws) as object[], condition, ws)
  }
}

function matchesCollection(
  type: string,
  items: object[],
  condition: Record<string, unknown>,
  ws: LinearWorkspace,
) {
  for (const [key, sub] of Object.entries(condition)) {
    if (sub === undefined || sub === null) continue
    if (key === 'some') {
      if (!items.some((item) => matchesFilter(type, item, sub, ws))) return false
    } else if (key === 'every') {
      if (!items.every((item) => matchesFilter(type, item, sub, ws))) return false
    } else if (key === 'length') {
      if (!compare(items.length, sub as Record<string, unknown>)) return false
    } else if (key === 'null') {
      if ((items.length === 0) !== sub) return false
    } else if (key === 'and') {
      if (!(sub as Record<string, unknown>[]).every((c) => matchesCollection(type, items, c, ws)))
        return false
    } else if (key === 'or') {
      if (!(sub as Record<string, unknown>[]).some((c) => matchesCollection(type, items, c, ws))) return false
    } else if (!items.some((item) => matchesFilter(type, item, { [key]: sub }, ws))) {
      // A field straight on a collection filter holds when some item has it.
      return false
    }
  }
  return true
}

/** One comparator object (`{ gt: '2026-01-01T00:00:00Z' }`, `{ in: ['PLAT'] }`, …) against a value. */
export function compare(actual: unknown, comparator: Record<string, unknown>): boolean {
  for (const [op, expected] of Object.entries(comparator)) {
    if (expected === undefined) continue
    if (!compareOne(actual, op, expected)) return false
  }
  return true
}

function compareOne(actual: unknown, op: string, expected: unknown): boolean {
  const a = comparable(actual)
  const lower = (v: unknown) => String(v).toLowerCase()
  switch (op) {
    case 'eq':
      return a === comparable(expected)
    case 'neq':
      return a !== comparable(expected)
    case 'in':
      return (expected as unknown[]).some((e) => comparable(e) === a)
    case 'nin':
      return !(expected as unknown[]).some((e) => comparable(e) === a)
    case 'gt':
      return a !== null && a > (comparable(expected) as number | string)
    case 'gte':
      return a !== null && a >= (comparable(expected) as number | string)
    case 'lt':
      return a !== null && a < (comparable(expected) as number | string)
    case 'lte':
      return a !== null && a <= (comparable(expected) as number | string)
    case 'null':
      return (actual === null || actual === undefined) === expected
    case 'eqIgnoreCase':
      return actual !== null && lower(actual) === lower(expected)
    case 'neqIgnoreCase':
      return actual === null || lower(actual) !== lower(expected)
    case 'startsWith':
      return typeof actual === 'string' && actual.startsWith(String(expected))
    case 'startsWithIgnoreCase':
      return typeof actual === 'string' && lower(actual).startsWith(lower(expected))
    case 'endsWith':
      return typeof actual === 'string' && actual.endsWith(String(expected))
    case 'contains':
      return typeof actual === 'string' && actual.includes(String(expected))
    case 'containsIgnoreCase':
      return typeof actual === 'string' && lower(actual).includes(lower(expected))
    default:
      throw new SimulatorUnsupported(`the ${op} comparator`)
  }
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/

/** Timestamps compare as instants; Linear's relative durations (`-P2W`) are not simulated. */
function comparable(value: unknown): number | string | boolean | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'string' && ISO_INSTANT.test(value)) return Date.parse(value)
  if (typeof value === 'string' && /^-?P(\d|T\d)/.test(value))
    throw new SimulatorUnsupported('relative date filters')
  return value as number | string | boolean
}

function present<T>(value: T | undefined): value is T {
  return value !== undefined
}
