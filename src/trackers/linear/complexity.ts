import { type FragmentDefinitionNode, Kind, parse, type SelectionSetNode, type ValueNode } from 'graphql'
import { MAX_PAGE_SIZE } from './settings.ts'

/**
 * Our count of a document's cost under Linear's published rule — 0.1 point per scalar, 1 per
 * object, a connection's selection multiplied by its page size — so the connector can size its
 * pages to stay below Linear's per-query ceiling. Every connection in our documents passes `first`
 * explicitly (Linear's default of 50 would otherwise apply), which is also how it is recognised here.
 *
 * @see https://linear.app/developers/rate-limiting#complexity
 */
export function estimateComplexity(query: string, variables: Record<string, unknown>): number {
  const document = parse(query)
  const fragments = new Map<string, FragmentDefinitionNode>()
  let operation: SelectionSetNode | undefined
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition)
    else if (definition.kind === Kind.OPERATION_DEFINITION) operation ??= definition.selectionSet
  }
  return operation === undefined ? 0 : Math.ceil(tenths(operation, fragments, variables) / 10)
}

function tenths(
  set: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  vars: Record<string, unknown>,
) {
  let total = 0
  for (const selection of set.selections) {
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = fragments.get(selection.name.value)
      if (fragment !== undefined) total += tenths(fragment.selectionSet, fragments, vars)
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      total += tenths(selection.selectionSet, fragments, vars)
    } else if (selection.name.value.startsWith('__')) {
      // introspection costs nothing
    } else if (selection.selectionSet === undefined) {
      total += 1
    } else {
      const inner = tenths(selection.selectionSet, fragments, vars)
      const first = selection.arguments?.find((a) => a.name.value === 'first')?.value
      total += 10 + (first === undefined ? 1 : pageSize(first, vars)) * inner
    }
  }
  return total
}

function pageSize(node: ValueNode, vars: Record<string, unknown>): number {
  if (node.kind === Kind.INT) return Number(node.value)
  if (node.kind === Kind.VARIABLE) {
    const value = vars[node.name.value]
    return typeof value === 'number' ? value : 50
  }
  return 50
}

/**
 * The largest page (≤ 250) whose query stays within `target` points: the cost grows linearly with
 * the page size variable, so two estimates give its slope and intercept.
 */
export function largestPage(
  query: string,
  variables: Record<string, unknown>,
  sizeVariable: string,
  target: number,
): number {
  const at = (n: number) => estimateComplexity(query, { ...variables, [sizeVariable]: n })
  const one = at(1)
  const perItem = Math.max(0.1, at(11) / 10 - one / 10)
  const fixed = one - perItem
  return Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor((target - fixed) / perItem)))
}
