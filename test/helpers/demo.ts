import { readFileSync } from 'node:fs'
import { parseEnv } from 'node:util'
import { jobNames, type Queues } from '../../src/jobs/index.ts'
import { type DemoTrackers, startDemoTrackers } from '../../src/sandbox/demo/trackers.ts'

/** The demo's throwaway secrets (config/demo.env): what config/demo.yaml reads. */
export const demoVars: Record<string, string> = parseEnv(readFileSync('config/demo.env', 'utf8')) as Record<
  string,
  string
>

/** The demo company's Jira and Linear simulators, with the credentials config/demo.yaml expects. */
export function startTestDemoTrackers(): Promise<DemoTrackers> {
  return startDemoTrackers({
    jiraEmail: 'onetrack-bot@acme.example',
    jiraToken: demoVars.DEMO_JIRA_API_TOKEN ?? '',
    jiraWebhookSecret: demoVars.DEMO_JIRA_WEBHOOK_SECRET ?? '',
    linearApiKey: demoVars.DEMO_LINEAR_API_KEY ?? '',
    linearWebhookSecret: demoVars.DEMO_LINEAR_WEBHOOK_SECRET ?? '',
  })
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function until(check: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

/**
 * No job waiting, running or delayed — but the next runs of the reconcile schedules — in three
 * checks running.
 */
export async function queuesIdle(queues: Queues, ms = 60_000): Promise<void> {
  let quiet = 0
  await until(
    async () => {
      let busy = 0
      for (const name of jobNames) {
        const counts = await queues[name].getJobCounts('waiting', 'active', 'prioritized')
        busy += Object.values(counts).reduce((a, b) => a + b, 0)
        const delayed = await queues[name].getJobs(['delayed'])
        busy += delayed.filter((job) => job.repeatJobKey === undefined).length
      }
      quiet = busy === 0 ? quiet + 1 : 0
      if (quiet > 0) await sleep(50)
      return quiet >= 3
    },
    'the pipeline to settle',
    ms,
  )
}
