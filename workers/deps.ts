import type { OnetrackConfig } from '../src/config/index.ts'
import { OnetrackError } from '../src/errors.ts'
import type { Queues } from '../src/jobs/index.ts'
import type { Logger } from '../src/logger.ts'
import type { Metrics } from '../src/metrics.ts'
import type { Database } from '../src/store/index.ts'
import type { TrackerConnector } from '../src/trackers/types.ts'

/** What the job handlers work with; the CLI builds it once per process. */
export interface HandlerDeps {
  config: OnetrackConfig
  database: Database
  queues: Queues
  logger: Logger
  metrics: Metrics
  /** The connector of a configured source (one per source per process: it holds the request budget). */
  connectorFor(sourceId: string): TrackerConnector
  /** The clock, injected so tests can move it (period roll-over). */
  now(): Date
}

export function sourceById(config: OnetrackConfig, id: string) {
  const source = config.sources.find((s) => s.id === id)
  if (source === undefined)
    throw new OnetrackError('ONETRACK_JOB_INVALID', `source ${id} is not in the config`)
  return source
}
