import type { FastifyRequest } from 'fastify'
import type { Faults } from './faults.ts'
import type { Account, RenderContext } from './render.ts'
import type { BulkTasks } from './routes/bulk.ts'
import type { JiraState } from './state.ts'

/** What every route of the simulator shares. */
export interface SimContext {
  state: JiraState
  account: Account
  bulk: BulkTasks
  faults: Faults
  render(request: FastifyRequest): RenderContext
}
