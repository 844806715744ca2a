import { readEnvironment } from '../config/index.ts'
import { type Command, commonOptions, configFromArgs, onRealClock, stringValue } from './command.ts'

export const syncCommand: Command = {
  name: 'sync',
  summary: 'sync epics from the trackers: queue a sync job per source, or run it here with --inline',
  usage: 'onetrack sync [--source id] [--full] [--inline] [--config file]',
  options: {
    source: { type: 'string', short: 's', description: 'only this source (default: every source)' },
    full: { type: 'boolean', description: 'fetch every epic in scope (notices deletions), not only changes' },
    inline: {
      type: 'boolean',
      description: 'run the sync in this process, with a progress bar and a summary',
    },
    ...commonOptions,
  },
  async run(values) {
    const env = onRealClock(readEnvironment(), 'sync')
    const config = configFromArgs(values, env)
    const only = stringValue(values, 'source')
    const sources = config.sources.filter((s) => only === undefined || s.id === only)
    if (sources.length === 0) {
      console.error(only === undefined ? 'no sources in the config' : `no source ${only} in the config`)
      return 2
    }
    const mode = values.full === true ? 'full' : 'incremental'
    const { openServices } = await import('./services.ts')
    const services = await openServices(env, config, 'api')
    try {
      if (values.inline !== true) {
        const { enqueue } = await import('../jobs/index.ts')
        for (const source of sources) {
          const outcome = await enqueue(services.queues, 'sync', {
            sourceId: source.id,
            mode,
            reason: 'manual',
          })
          console.log(`${source.id}: ${mode} sync ${outcome.status} (job ${outcome.jobId})`)
        }
        return 0
      }
      const { runSync } = await import('../pipeline/index.ts')
      const { progressBar } = await import('./progress.ts')
      let failed = 0
      for (const source of sources) {
        const bar = progressBar(`${source.id}: epics`)
        try {
          const summary = await runSync(
            services,
            { sourceId: source.id, mode, reason: 'manual' },
            AbortSignal.timeout(30 * 60_000),
            (p) => bar.update(p.fetched, p.total),
          )
          bar.finish()
          console.log(
            `${source.id}: ${summary.mode} sync: ${summary.fetched} fetched, ${summary.changed} changed, ${summary.deleted} deleted, ${summary.withProblems} with mapping problems, ${summary.requests} requests${summary.buildQueued ? '; build queued' : ''}`,
          )
        } catch (error) {
          bar.finish()
          failed += 1
          console.error(`${source.id}: sync failed: ${(error as Error).message}`)
        }
      }
      return failed === 0 ? 0 : 1
    } finally {
      await services.close()
    }
  },
}
