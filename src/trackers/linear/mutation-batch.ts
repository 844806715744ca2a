import { OnetrackError } from '../../errors.ts'
import type { LinearTransport } from './transport.ts'

/**
 * Several mutations in one request, as GraphQL aliases (`op0: projectAddLabel(…) op1: …`). Linear
 * runs a document's mutations in order; its mutation fields are non-null, so the first one that
 * fails stops the document and leaves `data` null, with the failure's `path` naming its alias.
 * The answer therefore says: before the failing alias, done; the failing one, refused; after it,
 * unknown — which the caller settles by reading the state again (every write-back op is derived
 * from the current state, so doing that again is safe).
 *
 * @see https://spec.graphql.org/October2021/#sec-Mutation
 */
export interface MutationOp {
  epicId: string
  /** The mutation field, e.g. entityExternalLinkCreate. */
  field: string
  /** Argument name → [GraphQL type, value]. */
  args: Record<string, [string, unknown]>
}

export interface BatchOutcome {
  /** Ops that ran. */
  done: MutationOp[]
  /** The op Linear refused, with its reason. */
  refused: { op: MutationOp; reason: string } | null
  /** Ops whose fate is unknown (after a refusal). */
  unknown: MutationOp[]
}

export function mutationDocument(ops: MutationOp[]): { query: string; variables: Record<string, unknown> } {
  const definitions: string[] = []
  const fields: string[] = []
  const variables: Record<string, unknown> = {}
  ops.forEach((op, i) => {
    const args = Object.entries(op.args).map(([name, [type, value]]) => {
      const variable = `${name}${i}`
      definitions.push(`$${variable}: ${type}`)
      variables[variable] = value
      return `${name}: $${variable}`
    })
    fields.push(`  op${i}: ${op.field}(${args.join(', ')}) { success }`)
  })
  return {
    query: `mutation OnetrackWriteBack(${definitions.join(', ')}) {\n${fields.join('\n')}\n}`,
    variables,
  }
}

export async function runBatch(
  transport: LinearTransport,
  ops: MutationOp[],
  signal: AbortSignal,
): Promise<BatchOutcome> {
  const { query, variables } = mutationDocument(ops)
  const answer = await transport.mutate<Record<string, { success: boolean } | null>>(
    { name: 'write-back', query, variables, scope: 'write' },
    signal,
  )
  if (answer.errors.length === 0) return { done: ops, refused: null, unknown: [] }
  const failed = answer.errors
    .map((e) => ({ index: Number(String(e.path?.[0] ?? '').replace(/^op/, '')), message: e.message }))
    .filter((e) => Number.isInteger(e.index) && e.index >= 0 && e.index < ops.length)
    .sort((a, b) => a.index - b.index)[0]
  if (failed === undefined) {
    // Refused as a whole (no alias named): the document itself is wrong — a bug, not bad data.
    throw new OnetrackError(
      'ONETRACK_INTERNAL',
      `Linear refused the write-back document: ${answer.errors.map((e) => e.message).join('; ')}`,
      { details: { errors: answer.errors } },
    )
  }
  return {
    done: ops.slice(0, failed.index),
    refused: { op: ops[failed.index] as MutationOp, reason: failed.message },
    unknown: ops.slice(failed.index + 1),
  }
}
