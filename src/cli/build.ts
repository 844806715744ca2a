import { readEnvironment } from '../config/index.ts'
import { describeDeferral, epicLabel, isDeferral, periodNames } from '../domain/index.ts'
import { asOfOption, type Command, commonOptions, configFromArgs, stringValue, withAsOf } from './command.ts'

export const buildCommand: Command = {
  name: 'build',
  summary: 'build the merged roadmap now from the stored epics; print its top and any new deferrals',
  usage: 'onetrack build [--top 15] [--as-of 2026-10-05] [--config file]',
  options: {
    top: { type: 'string', description: 'how many of the top-ranked epics to print (default 15)' },
    'as-of': asOfOption,
    ...commonOptions,
  },
  async run(values) {
    const { openServices } = await import('./services.ts')
    const { runBuild } = await import('../pipeline/index.ts')
    const { eventsOfVersion, versionById } = await import('../store/index.ts')
    const clock = withAsOf(values, readEnvironment())
    if (!clock.ok) {
      console.error(`onetrack build: ${clock.problem}`)
      return 2
    }
    const { env } = clock
    const config = configFromArgs(values, env)
    const top = Number(stringValue(values, 'top') ?? '15')
    const services = await openServices(env, config, 'api')
    try {
      const summary = await runBuild(services, 'cli')
      if (summary.versionId === null) {
        console.log('no epics yet: run onetrack sync first')
        return 0
      }
      const version = await versionById(services.database.db, summary.versionId)
      if (version === null) return 1
      const names = periodNames(version.roadmap.periods)
      console.log(
        `roadmap version ${summary.versionId}${summary.unchanged ? ' (unchanged)' : ''}${env.now === undefined ? '' : ` as of ${services.now().toISOString()}`}: ${summary.epics} open epics, ${summary.planned} planned, ${summary.unplanned} unplanned, ${summary.unscored} unscored${summary.invalid > 0 ? `, ${summary.invalid} left out (invalid data)` : ''}`,
      )
      for (const entry of version.roadmap.entries.slice(0, top)) {
        const score = entry.score.status === 'scored' ? entry.score.score.toFixed(2) : 'unscored'
        const where = entry.period === null ? `unplanned (${entry.unplannedReason})` : names(entry.period)
        console.log(
          `${String(entry.rank).padStart(4)}. ${score.padStart(9)}  ${where.padEnd(14)} ${entry.team.padEnd(12)} ${epicLabel(entry)}`,
        )
      }
      const deferrals = summary.unchanged
        ? []
        : (await eventsOfVersion(services.database.db, summary.versionId)).filter((e) => isDeferral(e.kind))
      console.log(deferrals.length === 0 ? 'no new deferrals' : `new deferrals (${deferrals.length}):`)
      for (const event of deferrals)
        console.log(`  ${epicLabel(event.epic)}: ${describeDeferral(event, names)}`)
      return 0
    } finally {
      await services.close()
    }
  },
}
