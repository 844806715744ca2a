import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  getNamedType,
  getOperationAST,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql'

/**
 * Linear's published complexity rule, applied to a validated document: each scalar property costs
 * 0.1 point, each object 1 point, and a connection multiplies the points of what it selects by its
 * page size (`first`, or 50 when absent); the total is rounded up. Linear rejects a single query
 * above 10,000 points and also rate-limits on the points spent per hour.
 *
 * @see https://linear.app/developers/rate-limiting#complexity
 */
export const MAX_QUERY_COMPLEXITY = 10_000
const DEFAULT_PAGE = 50

export function queryComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName?: string,
): number {
  const operation = getOperationAST(document, operationName)
  if (operation === null || operation === undefined) return 0
  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType()
  if (root === null || root === undefined) return 0
  const fragments = new Map<string, FragmentDefinitionNode>()
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition)
  // Counted in tenths of a point so that sums of 0.1 stay exact.
  const tenths = selectionTenths(schema, root, operation.selectionSet, fragments, variables)
  return Math.ceil(tenths / 10)
}

function selectionTenths(
  schema: GraphQLSchema,
  parent: GraphQLCompositeType,
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): number {
  let total = 0
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value
      if (name.startsWith('__')) continue
      const fields = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields() : {}
      const definition = fields[name]
      if (definition === undefined) continue
      const type = getNamedType(definition.type)
      if (!isCompositeType(type) || selection.selectionSet === undefined) {
        total += 1
        continue
      }
      const inner = selectionTenths(schema, type, selection.selectionSet, fragments, variables)
      if (type.name.endsWith('Connection')) {
        const first = argument(selection.arguments ?? [], 'first', variables)
        const last = argument(selection.arguments ?? [], 'last', variables)
        total += 10 + (first ?? last ?? DEFAULT_PAGE) * inner
      } else {
        total += 10 + inner
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition =
        selection.typeCondition === undefined ? parent : schema.getType(selection.typeCondition.name.value)
      if (condition !== undefined && isCompositeType(condition))
        total += selectionTenths(schema, condition, selection.selectionSet, fragments, variables)
    } else {
      const fragment = fragments.get(selection.name.value)
      const condition = fragment === undefined ? undefined : schema.getType(fragment.typeCondition.name.value)
      if (fragment !== undefined && condition !== undefined && isCompositeType(condition))
        total += selectionTenths(schema, condition, fragment.selectionSet, fragments, variables)
    }
  }
  return total
}

function argument(
  args: ReadonlyArray<{ name: { value: string }; value: ValueNode }>,
  name: string,
  variables: Record<string, unknown>,
): number | undefined {
  const node = args.find((a) => a.name.value === name)?.value
  if (node === undefined) return undefined
  if (node.kind === Kind.INT) return Number(node.value)
  if (node.kind === Kind.VARIABLE) {
    const value = variables[node.name.value]
    return typeof value === 'number' ? value : undefined
  }
  return undefined
}
