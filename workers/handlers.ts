import type { OnetrackConfig } from '../src/config/index.ts'
import { OnetrackError } from '../src/errors.ts'
import type { JobHandlers } from '../src/jobs/handler.ts'
import type { Queues } from '../src/jobs/index.ts'
import type { Database } from '../src/store/index.ts'

export interface HandlerDeps {
  config: OnetrackConfig
  database: Database
  queues: Queues
}

/**
 * The registry of job handlers: one per queue, checked exhaustively by the type. A job naming a
 * source or channel that is not in the config fails at once (retrying cannot fix it).
 */
export function createHandlers(deps: HandlerDeps): JobHandlers {
  const source = (id: string) => {
    const found = deps.config.sources.find((s) => s.id === id)
    if (found === undefined)
      throw new OnetrackError('ONETRACK_JOB_INVALID', `source ${id} is not in the config`)
    return found
  }
  const channel = (id: string) => {
    const found = deps.config.channels.find((c) => c.id === id)
    if (found === undefined)
      throw new OnetrackError('ONETRACK_JOB_INVALID', `channel ${id} is not in the config`)
    return found
  }
  return {
    sync: async (job) => {
      const s = source(job.data.sourceId)
      throw new OnetrackError('TRACKER_NOT_SUPPORTED', `no ${s.kind} connector is installed to sync ${s.id}`)
    },
    writeback: async (job) => {
      const s = source(job.data.sourceId)
      throw new OnetrackError(
        'TRACKER_NOT_SUPPORTED',
        `no ${s.kind} connector is installed to write back to ${s.id}`,
      )
    },
    build: async () => {
      throw new OnetrackError('TRACKER_NOT_SUPPORTED', 'the roadmap build is not installed')
    },
    report: async (job) => {
      const c = channel(job.data.channelId)
      throw new OnetrackError('TRACKER_NOT_SUPPORTED', `no ${c.kind} channel is installed to post to ${c.id}`)
    },
  }
}
