import { type Clause, JqlError, type JqlNode, type Operand, parseJql } from './jql-parser.ts'
import type { SimIssue } from './model.ts'
import type { JiraState } from './state.ts'
import { parseJqlDate } from './time.ts'

/**
 * Compiles a JQL query against the state: values are resolved up front (unknown projects, issue
 * types, statuses and issue keys are errors, as in Jira), dates are read in the caller's time zone
 * with minute precision, and the order is the ORDER BY with the issue id as the last tie-break.
 * @see https://support.atlassian.com/jira-software-cloud/docs/jql-fields/
 */
export interface CompiledJql {
  matches(issue: SimIssue): boolean
  /** Sort values of an issue, compared element by element (directions applied by `compare`). */
  sortKey(issue: SimIssue): Array<string | number>
  compare(a: Array<string | number>, b: Array<string | number>): number
  /**
   * The issues that can match, when the query pins them by key, id or parent (`… AND id = 10042`,
   * the targeted sync's form, and `parent in (…)`, its children's): looked up rather than found by
   * a scan of every issue. Null otherwise.
   * Every candidate must still pass `matches`.
   */
  candidates(): SimIssue[] | null
}

export interface JqlContext {
  state: JiraState
  timeZone: string
  now: number
  /** Whether the caller may browse projects: without it no project (and no issue) is visible. */
  canBrowse: boolean
}

type Predicate = (issue: SimIssue) => boolean

const DATE_FORMATS =
  "Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."

export function compileJql(text: string, ctx: JqlContext): CompiledJql {
  const query = parseJql(text)
  if (query.where === null)
    throw new JqlError(
      'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
    )
  const predicate = compileNode(query.where, ctx)
  const order = query.orderBy.map(({ field, direction }) => ({
    value: sortValue(field),
    sign: direction === 'asc' ? 1 : -1,
  }))
  const pinned = pinnedIds(query.where, ctx)
  return {
    matches: (issue) => ctx.canBrowse && predicate(issue),
    candidates: () => (pinned === null ? null : [...pinned].flatMap((id) => ctx.state.issues.get(id) ?? [])),
    sortKey: (issue) => [...order.map((o) => o.value(issue)), Number(issue.id)],
    compare(a, b) {
      for (let i = 0; i < a.length; i++) {
        const x = a[i] as string | number
        const y = b[i] as string | number
        if (x === y) continue
        const sign = order[i]?.sign ?? 1
        return (x < y ? -1 : 1) * sign
      }
      return 0
    },
  }
}

const ID_FIELDS = new Set(['key', 'issuekey', 'id'])

/**
 * The issues a query restricts itself to with a top-level `key|id|parent = x` or `in (…)` clause
 * (ANDed with anything), found by id or through the parent index; null when it has no such clause.
 */
function pinnedIds(node: JqlNode, ctx: JqlContext): Set<string> | null {
  if (node.kind === 'clause') {
    const field = node.field.toLowerCase()
    if (node.empty || (node.op !== '=' && node.op !== 'in')) return null
    if (ID_FIELDS.has(field)) return new Set(node.values.flatMap((v) => ctx.state.find(v.text)?.id ?? []))
    if (field !== 'parent') return null
    return new Set(
      node.values.flatMap((v) => {
        const parent = ctx.state.find(v.text)
        return parent === undefined ? [] : ctx.state.children(parent.id).map((child) => child.id)
      }),
    )
  }
  if (node.kind !== 'and') return null
  for (const part of node.nodes) {
    const ids = pinnedIds(part, ctx)
    if (ids !== null) return ids
  }
  return null
}

function compileNode(node: JqlNode, ctx: JqlContext): Predicate {
  switch (node.kind) {
    case 'and': {
      const parts = node.nodes.map((n) => compileNode(n, ctx))
      return (issue) => parts.every((p) => p(issue))
    }
    case 'or': {
      const parts = node.nodes.map((n) => compileNode(n, ctx))
      return (issue) => parts.some((p) => p(issue))
    }
    case 'not': {
      const inner = compileNode(node.node, ctx)
      return (issue) => !inner(issue)
    }
    case 'clause':
      return compileClause(node, ctx)
  }
}

function compileClause(clause: Clause, ctx: JqlContext): Predicate {
  const field = clause.field.toLowerCase()
  switch (field) {
    case 'project':
      return membership(
        clause,
        (issue) => [issue.projectId],
        (v) => resolveProject(v, ctx),
      )
    case 'issuetype':
    case 'type':
      return membership(
        clause,
        (issue) => [issue.typeId],
        (v) => {
          const type = ctx.state.issueType(v.text)
          if (type === undefined) throw noValue(v, 'issuetype')
          return type.id
        },
      )
    case 'key':
    case 'issuekey':
    case 'id':
      return membership(
        clause,
        (issue) => [issue.id],
        (v) => {
          const issue = ctx.canBrowse ? ctx.state.find(v.text) : undefined
          // Unverified: Jira rejects unknown keys in key/id clauses; the connector copes either way.
          if (issue === undefined)
            throw new JqlError(`An issue with key '${v.text}' does not exist for field '${field}'.`)
          return issue.id
        },
      )
    case 'parent':
      return membership(
        clause,
        (issue) => (issue.parentId === null ? [] : [issue.parentId]),
        (v) => ctx.state.find(v.text)?.id ?? `missing:${v.text}`,
      )
    case 'status':
      return membership(
        clause,
        (issue) => [issue.statusId],
        (v) => {
          const status = ctx.state.status(v.text)
          if (status === undefined) throw noValue(v, 'status')
          return status.id
        },
      )
    case 'statuscategory':
      return membership(
        clause,
        (issue) => [ctx.state.statuses.get(issue.statusId)?.category ?? ''],
        (v) => {
          const key = CATEGORY_NAMES[v.text.toLowerCase()]
          if (key === undefined) throw noValue(v, 'statusCategory')
          return key
        },
      )
    case 'resolution':
      return membership(
        clause,
        (issue) => (issue.resolution === null ? [] : [issue.resolution.toLowerCase()]),
        (v) => (v.text.toLowerCase() === 'unresolved' ? '' : v.text.toLowerCase()),
      )
    case 'labels':
      return membership(
        clause,
        (issue) => issue.labels,
        (v) => v.text,
      )
    case 'component':
      return membership(
        clause,
        (issue) => issue.components.map((c) => c.toLowerCase()),
        (v) => v.text.toLowerCase(),
      )
    case 'updated':
    case 'updateddate':
    case 'created':
    case 'createddate':
      return dateClause(clause, field.startsWith('updated') ? 'updated' : 'created', ctx)
    case 'summary':
      return textClause(clause)
    default:
      throw new JqlError(`Field '${clause.field}' does not exist or you do not have permission to view it.`)
  }
}

const CATEGORY_NAMES: Record<string, string> = {
  'to do': 'new',
  new: 'new',
  '2': 'new',
  'in progress': 'indeterminate',
  indeterminate: 'indeterminate',
  '4': 'indeterminate',
  done: 'done',
  complete: 'done',
  '3': 'done',
}

function noValue(value: Operand, field: string): JqlError {
  return new JqlError(`The value '${value.text}' does not exist for the field '${field}'.`)
}

function resolveProject(value: Operand, ctx: JqlContext): string {
  const wanted = value.text.toLowerCase()
  const project = ctx.canBrowse
    ? [...ctx.state.projects.values()].find(
        (p) => p.key.toLowerCase() === wanted || p.id === value.text || p.name.toLowerCase() === wanted,
      )
    : undefined
  if (project === undefined) throw noValue(value, 'project')
  return project.id
}

/** `=`, `!=`, `in`, `not in`, `is [not] EMPTY` over the issue's values for the field. */
function membership(
  clause: Clause,
  valuesOf: (issue: SimIssue) => string[],
  resolve: (value: Operand) => string,
): Predicate {
  if (clause.empty) {
    const wantEmpty = clause.op === 'is'
    return (issue) => (valuesOf(issue).length === 0) === wantEmpty
  }
  if (!['=', '!=', 'in', 'not in'].includes(clause.op)) throw unsupported(clause)
  const wanted = new Set(clause.values.map(resolve))
  const positive = clause.op === '=' || clause.op === 'in'
  return (issue) => {
    const values = valuesOf(issue)
    const hit = values.some((v) => wanted.has(v)) || (values.length === 0 && wanted.has(''))
    return positive ? hit : !hit
  }
}

function unsupported(clause: Clause): JqlError {
  return new JqlError(`The operator '${clause.op}' is not supported by the '${clause.field}' field.`)
}

const PERIOD = /^(-?)(\d+)([wdhm])$/
const PERIOD_MS: Record<string, number> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000 }

function dateClause(clause: Clause, field: 'updated' | 'created', ctx: JqlContext): Predicate {
  if (clause.empty || clause.values.length !== 1 || ['in', 'not in', '~', '!~'].includes(clause.op)) {
    throw unsupported(clause)
  }
  const text = (clause.values[0] as Operand).text
  const period = PERIOD.exec(text)
  const at = period
    ? ctx.now + (period[1] === '-' ? -1 : 1) * Number(period[2]) * (PERIOD_MS[period[3] as string] as number)
    : parseJqlDate(text, ctx.timeZone)
  if (at === null)
    throw new JqlError(`Date value '${text}' for field '${clause.field}' is invalid. ${DATE_FORMATS}`)
  // A date literal names a whole minute: `=` matches within it, `>` starts after it.
  const minute = Math.floor(at / 60_000) * 60_000
  const value = (issue: SimIssue) => issue[field]
  switch (clause.op) {
    case '>=':
      return (issue) => value(issue) >= at
    case '>':
      return (issue) => value(issue) >= minute + 60_000
    case '<=':
      return (issue) => value(issue) < minute + 60_000
    case '<':
      return (issue) => value(issue) < at
    case '=':
      return (issue) => value(issue) >= minute && value(issue) < minute + 60_000
    case '!=':
      return (issue) => value(issue) < minute || value(issue) >= minute + 60_000
    default:
      throw unsupported(clause)
  }
}

function textClause(clause: Clause): Predicate {
  if (clause.op !== '~' && clause.op !== '!~') throw unsupported(clause)
  const needle = (clause.values[0] as Operand).text.toLowerCase()
  const positive = clause.op === '~'
  return (issue) => issue.summary.toLowerCase().includes(needle) === positive
}

function sortValue(field: string): (issue: SimIssue) => string | number {
  switch (field.toLowerCase()) {
    case 'updated':
    case 'updateddate':
      return (issue) => issue.updated
    case 'created':
    case 'createddate':
      return (issue) => issue.created
    case 'id':
      return (issue) => Number(issue.id)
    case 'key':
    case 'issuekey': {
      // Keys sort by project, then number (SHOP-9 before SHOP-10).
      return (issue) => {
        const dash = issue.key.lastIndexOf('-')
        return `${issue.key.slice(0, dash)}-${issue.key.slice(dash + 1).padStart(12, '0')}`
      }
    }
    case 'summary':
      return (issue) => issue.summary.toLowerCase()
    default:
      throw new JqlError(`Not able to sort using field '${field}'.`)
  }
}
