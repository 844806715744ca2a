import { afterAll, beforeAll, describe, it } from 'vitest'
import type { JobName } from '../../src/jobs/index.ts'
import {
  assertConsistent,
  RUNS,
  report,
  SEED,
  seeded,
  sleep,
  startWorld,
  until,
  type World,
} from './world.ts'

const PUT_ISSUE = 'PUT /rest/api/3/issue/:issueIdOrKey'
let w: World

beforeAll(async () => {
  report(`fault suite: FAULT_SEED=${SEED} FAULT_RUNS=${RUNS}`)
  w = await startWorld()
  w.worker()
  await w.reconcile()
  await w.idle()
  await assertConsistent(w, 'initial sync')
}, 180_000)

afterAll(() => w?.close())

describe(`worker killed with SIGKILL at random points (seed ${SEED}, ${RUNS} runs)`, () => {
  it('always ends with every written value equal to the roadmap and every event once', async () => {
    const random = seeded(SEED)
    const stages: JobName[] = ['sync', 'build', 'writeback']
    let current = w.worker()
    for (let run = 0; run < RUNS; run++) {
      const stage = stages[Math.floor(random() * stages.length)] as JobName
      const delayMs = Math.floor(random() * 400)
      // An edit that moves an epic far (its value to a random extreme): a webhook, a targeted
      // sync, a build, and a write-back that rewrites every rank it passed. Jira's writes are
      // slowed so the write-back has a middle to be killed in.
      const open = w.trackers.epics.filter((e) => e.tracker === 'jira' && e.doneAt === undefined)
      const epic = open[Math.floor(random() * open.length)]
      const value = Math.round(random() * 2000)
      w.trackers.jira.delayNext(400, 20, { route: PUT_ISSUE })
      // A targeted sync is one quick read: slowed too, so it can be caught running.
      if (stage === 'sync') w.trackers.jira.delayNext(3, 300, {})
      w.trackers.jira.state.updateIssue(w.trackers.trackerId(epic?.ref ?? '') ?? '', {
        fields: { [w.trackers.scoringFields.value.id]: value },
      })
      let seen = true
      await until(
        async () => (await w.p.queues[stage].getActiveCount()) > 0,
        `an active ${stage} job`,
        15_000,
      ).catch(() => {
        seen = false
      })
      await sleep(delayMs)
      await w.kill(current)
      report(
        `run ${run + 1}: ${epic?.ref} value ${value}; killed ${seen ? `in ${stage} after ${delayMs} ms` : `(no ${stage} job seen)`}`,
      )
      w.trackers.jira.clearFaults()
      current = w.worker()
      await w.idle()
      await assertConsistent(w, `run ${run + 1} (${stage}, ${delayMs} ms)`)
    }
  }, 600_000)
})
