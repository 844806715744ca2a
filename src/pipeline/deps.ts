// What every use case works with: the config, the store, the queues, the trackers' connectors, the
// logger, the metrics and the clock. The CLI builds it once per process; the workers, the API and the
// CLI's own commands hand it (or the part a use case names with Pick) to the pipeline.
import type { OnetrackConfig } from '../config/index.ts'
import { OnetrackError } from '../errors.ts'
import type { Queues } from '../jobs/index.ts'
import type { Logger } from '../logger.ts'
import type { Metrics } from '../metrics.ts'
import type { Database } from '../store/index.ts'
import type { TrackerConnector } from '../trackers/types.ts'

/** What the use cases work with; the CLI builds it once per process. */
export interface PipelineDeps {
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

/** The configured source of a job's or a request's source id; unknown ids fail as an invalid job. */
export function sourceById(config: OnetrackConfig, id: string) {
  const source = config.sources.find((s) => s.id === id)
  if (source === undefined)
    throw new OnetrackError('ONETRACK_JOB_INVALID', `source ${id} is not in the config`)
  return source
}
