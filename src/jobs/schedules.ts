import type { OnetrackConfig } from '../config/index.ts'
import type { Queues } from './queues.ts'

const PREFIX = 'reconcile.'

/**
 * The periodic jobs that make onetrack heal by itself: an incremental sync of every source every
 * few minutes (a lost webhook, or a Redis that lost its queues, costs at most that long), a full
 * sync nightly (deletions, moves, and links, which have no webhooks), and a daily build that
 * notices periods that ended. BullMQ job schedulers are idempotent by id, so every worker may
 * declare them and each fires once; schedulers of sources no longer configured are removed.
 */
export async function ensureSchedules(queues: Queues, config: OnetrackConfig): Promise<string[]> {
  const { sync } = config
  const wanted = new Set<string>()
  for (const source of config.sources) {
    const incremental = `${PREFIX}${source.id}.incremental`
    const full = `${PREFIX}${source.id}.full`
    await queues.sync.upsertJobScheduler(
      incremental as 'sync',
      { every: sync.incrementalEveryMinutes * 60_000 },
      { name: 'sync', data: { sourceId: source.id, mode: 'incremental', reason: 'schedule' } },
    )
    await queues.sync.upsertJobScheduler(
      full as 'sync',
      { pattern: sync.fullCron, tz: sync.timezone },
      { name: 'sync', data: { sourceId: source.id, mode: 'full', reason: 'schedule' } },
    )
    wanted.add(incremental).add(full)
  }
  const rollover = `${PREFIX}rollover`
  await queues.build.upsertJobScheduler(
    rollover as 'build',
    { pattern: sync.rolloverCron, tz: sync.timezone },
    { name: 'build', data: { trigger: 'schedule:rollover' } },
  )
  wanted.add(rollover)
  for (const queue of [queues.sync, queues.build]) {
    for (const scheduler of await queue.getJobSchedulers(0, -1)) {
      if (scheduler.key.startsWith(PREFIX) && !wanted.has(scheduler.key))
        await queue.removeJobScheduler(scheduler.key)
    }
  }
  return [...wanted].sort()
}
