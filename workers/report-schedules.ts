// The weekly report's timing: one BullMQ job scheduler per channel, from its cron and time zone.
// What a report job then does is src/pipeline/report.ts, called by the handler in handlers.ts.
import { getNextMillis } from 'bullmq'
import { isTimeZone } from '../src/channels/index.ts'
import type { OnetrackConfig } from '../src/config/index.ts'
import { OnetrackError } from '../src/errors.ts'
import type { Queues } from '../src/jobs/index.ts'

const PREFIX = 'report.'

/**
 * One BullMQ job scheduler per channel, from its cron and time zone. Schedulers are upserted by id,
 * so every worker may declare them at start-up and each occurrence still makes one job; schedulers
 * of channels no longer configured are removed. The job carries the channel id only: the week is
 * taken when it runs, on the channel's calendar. Returns the scheduler ids.
 * @see https://docs.bullmq.io/guide/job-schedulers
 */
export async function ensureReportSchedules(queues: Queues, config: OnetrackConfig): Promise<string[]> {
  const wanted = new Set<string>()
  for (const channel of config.channels) {
    const { cron, timezone } = channel.schedule
    if (!isTimeZone(timezone)) {
      throw new OnetrackError(
        'ONETRACK_CONFIG_INVALID',
        `channels ${channel.id}: schedule.timezone ${timezone} is not an IANA time zone (e.g. Europe/Berlin)`,
      )
    }
    try {
      // BullMQ's own reading of the pattern, so what is accepted here is what it schedules.
      getNextMillis(Date.now(), { pattern: cron, tz: timezone })
    } catch (error) {
      throw new OnetrackError(
        'ONETRACK_CONFIG_INVALID',
        `channels ${channel.id}: schedule.cron "${cron}" is not a valid cron expression (${(error as Error).message})`,
        { cause: error },
      )
    }
    const id = `${PREFIX}${channel.id}`
    await queues.report.upsertJobScheduler(
      id as 'report',
      { pattern: cron, tz: timezone },
      { name: 'report', data: { channelId: channel.id } },
    )
    wanted.add(id)
  }
  for (const scheduler of await queues.report.getJobSchedulers(0, -1)) {
    if (scheduler.key.startsWith(PREFIX) && !wanted.has(scheduler.key))
      await queues.report.removeJobScheduler(scheduler.key)
  }
  return [...wanted].sort()
}
