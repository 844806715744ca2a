import { readEnvironment } from '../config/index.ts'
import { describeDeferral, isDeferral, periodNames } from '../domain/index.ts'
import { type Command, commonOptions, configFromArgs, stringValue } from './command.ts'

export const buildCommand: Command = {
  name: 'build',
  summary: 'build the merged roadmap now from the stored epics; print its top and any new deferrals',
  usage: 'onetrack build [--top 15] [--config file]',
  options: {
    top: { type: 'string', description: 'how many of the top-ranked epics to print (default 15)' },
    ...commonOptions,
  },
  async run(values) {
    const { openServices } = await import('./services.ts')
    const { runBuild } = await import('../pipeline/index.ts')
    const { eventsOfVersion, versionById } = await import('../store/index.ts')
    const env = readEnvironment()
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
        `roadmap version ${summary.versionId}${summary.unchanged ? ' (unchanged)' : ''}: ${summary.epics} open epics, ${summary.planned} planned, ${summary.unplanned} unplanned, ${summary.unscored} unscored${summary.invalid > 0 ? `, ${summary.invalid} left out (invalid data)` : ''}`,
      )
      for (const entry of version.roadmap.entries.slice(0, top)) {
        const score = entry.score.status === 'scored' ? entry.score.score.toFixed(2) : 'unscored'
        const where = entry.period === null ? `unplanned (${entry.unplannedReason})` : names(entry.period)
        console.log(
          `${String(entry.rank).padStart(4)}. ${entry.key.padEnd(12)} ${score.padStart(9)}  ${where.padEnd(14)} ${entry.team.padEnd(12)} ${entry.title}`,
        )
      }
      const deferrals = summary.unchanged
        ? []
        : (await eventsOfVersion(services.database.db, summary.versionId)).filter((e) => isDeferral(e.kind))
      console.log(deferrals.length === 0 ? 'no new deferrals' : `new deferrals (${deferrals.length}):`)
      for (const event of deferrals)
        console.log(`  ${event.epic.key} ${event.epic.title}: ${describeDeferral(event, names)}`)
      return 0
    } finally {
      await services.close()
    }
  },
}
