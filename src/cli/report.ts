import { readEnvironment } from '../config/index.ts'
import { asOfOption, type Command, commonOptions, configFromArgs, stringValue, withAsOf } from './command.ts'

export const reportCommand: Command = {
  name: 'report',
  summary: "post this week's deferral report to the channels now, or print it as Markdown (--dry-run)",
  usage: 'onetrack report [--channel id] [--dry-run] [--as-of 2026-10-05] [--config file]',
  options: {
    channel: { type: 'string', description: 'only this channel (default: every configured channel)' },
    'dry-run': {
      type: 'boolean',
      description:
        "print the Markdown report of the latest roadmap version (the channel's view with --channel) and post nothing",
    },
    'as-of': asOfOption,
    ...commonOptions,
  },
  async run(values) {
    const { openServices } = await import('./services.ts')
    const { loadChannelReport } = await import('../pipeline/index.ts')
    const { isoWeekOf, renderMarkdown } = await import('../channels/index.ts')
    const { enqueue } = await import('../jobs/index.ts')
    const clock = withAsOf(values, readEnvironment())
    if (!clock.ok) {
      console.error(`onetrack report: ${clock.problem}`)
      return 2
    }
    const { env } = clock
    const config = configFromArgs(values, env)
    const channelId = stringValue(values, 'channel')
    const channel = channelId === undefined ? null : (config.channels.find((c) => c.id === channelId) ?? null)
    if (channelId !== undefined && channel === null) {
      const known = config.channels.map((c) => c.id).join(', ')
      console.error(`no channel ${channelId} in the config${known === '' ? '' : ` (channels: ${known})`}`)
      return 2
    }
    const targets = channel === null ? config.channels : [channel]
    if (values['dry-run'] !== true && targets.length === 0) {
      console.error('no channels configured: add one under channels, or use --dry-run to print the report')
      return 2
    }
    const services = await openServices(env, config, 'api')
    try {
      if (values['dry-run'] === true) {
        const built = await loadChannelReport(services, channel)
        if (built === null) {
          console.error('no roadmap yet: run onetrack sync, then onetrack build')
          return 1
        }
        process.stdout.write(renderMarkdown(built.report, built.context))
        return 0
      }
      // The week is fixed here, on each channel's calendar, so that running this twice in a week
      // queues one job and posts one report; a week already posted is not posted again.
      for (const target of targets) {
        const week = isoWeekOf(services.now(), target.schedule.timezone)
        const outcome = await enqueue(services.queues, 'report', { channelId: target.id, week })
        console.log(`${target.id}: report for ${week} ${outcome.status} (job ${outcome.jobId})`)
      }
      return 0
    } finally {
      await services.close()
    }
  },
}
