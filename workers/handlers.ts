import type { JobHandlers } from '../src/jobs/handler.ts'
import { runBuild } from './build.ts'
import type { HandlerDeps } from './deps.ts'
import { reportHandler } from './report.ts'
import { runSync } from './sync.ts'
import { runWriteback } from './writeback.ts'

/** The registry of job handlers: one per queue, checked exhaustively by the type. */
export function createHandlers(deps: HandlerDeps): JobHandlers {
  return {
    sync: async (job, { signal, log }) => {
      const summary = await runSync(deps, job.data, signal)
      log.info({ summary }, 'source synced')
      return summary
    },
    build: async (job, { log }) => {
      const summary = await runBuild(deps, job.data.trigger)
      log.info({ summary }, summary.unchanged ? 'roadmap unchanged' : 'roadmap built')
      return summary
    },
    writeback: async (job, { signal, log }) => {
      const summary = await runWriteback(deps, job.data, signal)
      log.info({ summary: { ...summary, failed: summary.failed.length } }, 'written back')
      return summary
    },
    report: reportHandler(deps),
  }
}
